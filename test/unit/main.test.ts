// The command line's main() called in this process (cli.test and cli-commands.test run the built CLI as a user
// does): each command's exact words and exit codes, with the engine out of reach as in every unit test.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os, {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import pkg from '../../package.json' with {type: 'json'};
import {USAGE} from '../../source/cli.js';
import {parseEnv} from '../../source/core/env.js';
import {PROBE_LABELS} from '../../source/host/inspect.js';
import {fakeHome} from '../helpers/cli.js';
import {runMain} from '../helpers/main.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const host = os.hostname().split('.')[0]!;
const config = () => ({HATCH_CONFIG_DIR: tmp('hatch-cfg-')});
const WRITE = ['--yes', '--no-build', '--no-boot'];

describe('main(): the command line', () => {
	it('help, version, and each kind of usage error with exit 2 and the fix', async () => {
		expect(await runMain(['--help'])).toEqual({code: 0, stdout: USAGE, stderr: ''});
		expect(await runMain(['-v'])).toEqual({code: 0, stdout: `${pkg.version}\n`, stderr: ''});
		const bogus = await runMain(['--bogus']);
		expect(bogus.code).toBe(2);
		expect(bogus.stderr).toMatch(/^hatch-wizard: Unknown option '--bogus'/);
		expect(bogus.stderr.endsWith(USAGE)).toBe(true);
		expect(await runMain(['frobnicate'])).toEqual({
			code: 2,
			stdout: '',
			stderr: 'hatch-wizard: unknown command "frobnicate"; see --help\n',
		});
		expect((await runMain(['--image', 'box'])).stderr).toBe(
			'hatch-wizard: --image must be one of: stem, neuron (got "box")\n',
		);
		expect((await runMain(['status', '--image', 'box'])).stderr).toBe(
			'hatch-wizard: --image must be one of: stem, neuron (got "box")\n',
		);
		expect((await runMain(['--preset', 'a', '--preset-file', 'b'])).stderr).toBe(
			'hatch-wizard: use either --preset or --preset-file, not both\n',
		);
		expect((await runMain(['--preset-file', '/nonexistent/p.yaml'])).stderr).toBe(
			'hatch-wizard: --preset-file /nonexistent/p.yaml does not exist\n',
		);
		const noTerminal = await runMain(['--out', tmp('hatch-x-')]);
		expect(noTerminal.code).toBe(2);
		expect(noTerminal.stderr).toBe(
			'hatch-wizard: the wizard needs a terminal; without one, pass --yes (with --set KEY=VALUE, --preset NAME ' +
				'or --preset-file FILE), or --dry-run to only look\n',
		);
		expect((await runMain(['ssh-config'])).stderr).toBe(
			'hatch-wizard: ssh-config needs --remove NAME (blocks are added by the wizard, or by --yes --ssh-config)\n',
		);
	});

	it('--dry-run lists every file it would write, and writes nothing', async () => {
		const out = tmp('hatch-x-');
		const r = await runMain(['--dry-run', '--out', out, '--set', 'STEM_USER=alice'], {home: fakeHome()});
		expect(r.code).toBe(0);
		const dir = join(out, 'stem');
		expect(r.stdout).toContain(`create    ${join(dir, 'docker-compose.yml')}\n`);
		expect(r.stdout).toContain(`create    ${join(dir, '.env')}\n`);
		const listed = r.stdout.split('\n').filter(l => l.startsWith('create    ')).length;
		expect(r.stdout.endsWith(`Dry run: ${listed} file(s) would be written; nothing was written.\n`)).toBe(true);
		expect(readdirSync(out)).toEqual([]);
	});

	it('--yes writes, a re-run writes nothing, an edit shows its diff and keeps a backup', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const dir = join(out, 'stem');
		const first = await runMain([...WRITE, '--out', out, '--set', 'STEM_USER=alice'], {home});
		expect(first.code).toBe(0);
		expect(first.stdout).toMatch(new RegExp(`Wrote \\d+ file\\(s\\) to ${dir}\\.\\n`));
		expect(first.stdout).toContain(`Next: cd ${dir} && docker compose up -d --build\nThen: ssh -p 22222 alice@`);
		expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))).toMatchObject({STEM_USER: 'alice'});

		const again = await runMain([...WRITE, '--out', out], {home});
		expect(again.code).toBe(0);
		expect(again.stdout).toContain(`unchanged ${join(dir, '.env')}\n`);
		expect(again.stdout).toContain(`Nothing to write: ${dir} is up to date.\n`);

		const edit = await runMain([...WRITE, '--out', out, '--set', 'STEM_SSH_PORT=2200'], {home});
		expect(edit.code).toBe(0);
		expect(edit.stdout).toContain(`update    ${join(dir, '.env')}\n`);
		expect(edit.stdout).toContain('-STEM_SSH_PORT=22222\n+STEM_SSH_PORT=2200\n');
		expect(edit.stdout).toMatch(new RegExp(`backup    ${join(dir, '.env')}\\.bak-\\d{8}-\\d{6}\\n`));
		// .env and the README, which names the port.
		expect(edit.stdout).toContain(`update    ${join(dir, 'README.md')}\n`);
		expect(edit.stdout).toContain(`Wrote 2 file(s) to ${dir}.\n`);
	});

	it('a bad value exits 2 naming the field and the fix; a hand-edited .env is named too', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const r = await runMain([...WRITE, '--out', out, '--set', 'STEM_UID=0'], {home});
		expect(r).toEqual({
			code: 2,
			stdout: '',
			stderr:
				'error: STEM_UID must not be 0: the container user must not be root (use your host id, e.g. 1000)\n' +
				'Fix with --set KEY=VALUE.\n',
		});
		expect(await runMain([...WRITE, '--out', out], {home})).toMatchObject({code: 0});
		const env = join(out, 'stem', '.env');
		writeFileSync(env, readFileSync(env, 'utf8').replace(/^STEM_GID=.*$/m, 'STEM_GID=abc'));
		expect((await runMain([...WRITE, '--out', out], {home})).stderr).toBe(
			'error: STEM_GID must be a whole number (run `id -u` / `id -g` on the host to see yours)\n' +
				`Fix with --set KEY=VALUE or edit ${env}.\n`,
		);
	});

	it('a folder where .env belongs: the path and the fix, exit 2', async () => {
		const out = tmp('hatch-fs-');
		mkdirSync(join(out, 'stem', '.env'), {recursive: true});
		expect(await runMain([...WRITE, '--out', out], {home: fakeHome()})).toMatchObject({
			code: 2,
			stderr:
				`hatch-wizard: ${join(out, 'stem', '.env')} is a folder, but hatch needs a file there: move it away, ` +
				`or pick another --out\n`,
		});
	});

	it('--ssh-config with --no-boot says why it did nothing', async () => {
		const out = tmp('hatch-x-');
		const r = await runMain([...WRITE, '--ssh-config', '--out', out], {home: fakeHome()});
		expect(r.code).toBe(0);
		expect(r.stderr).toContain(
			`note: --ssh-config was not applied: it pins the container's host key, which exists once the container ` +
				`has started; run again without --no-boot (or later: hatch-wizard --yes --no-build --ssh-config ` +
				`--out ${out})\n`,
		);
	});

	it('--preset-file replays a preset; a preset never undoes a hand edit without --force', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const file = join(tmp('hatch-p-'), 'p.yaml');
		writeFileSync(file, 'name: p\nimage: stem\nsettings:\n  STEM_SSH_PORT: 2301\n');
		expect(await runMain([...WRITE, '--preset-file', file, '--out', out], {home})).toMatchObject({code: 0});
		const env = join(out, 'stem', '.env');
		expect(parseEnv(readFileSync(env, 'utf8')).STEM_SSH_PORT).toBe('2301');
		writeFileSync(env, readFileSync(env, 'utf8').replace('STEM_SSH_PORT=2301', 'STEM_SSH_PORT=2302'));
		expect(await runMain([...WRITE, '--preset-file', file, '--out', out], {home})).toEqual({
			code: 2,
			stdout: '',
			stderr:
				`error: the preset would change what your ${env} says:\n` +
				`  STEM_SSH_PORT: the preset sets "2301", your .env has "2302"\n` +
				`Keep yours with --set KEY=VALUE for each, or apply the preset's with --force. Nothing was written.\n`,
		});
		expect(await runMain([...WRITE, '--preset-file', file, '--force', '--out', out], {home})).toMatchObject({
			code: 0,
		});
		expect(parseEnv(readFileSync(env, 'utf8')).STEM_SSH_PORT).toBe('2301');
		const neuron = await runMain([...WRITE, '--preset-file', file, '--image', 'neuron', '--out', out], {home});
		expect(neuron.stderr).toBe('hatch-wizard: the preset is for stem but --image is neuron\n');
	});

	it('presets: import, list, show, export, delete; a saved preset replayed with --yes', async () => {
		const e = config();
		const dir = tmp('hatch-p-');
		const file = join(dir, 'mine.yaml');
		writeFileSync(file, 'description: my box\nimage: stem\nsettings:\n  STEM_SSH_PORT: 2200\n');
		expect((await runMain(['presets', 'import', file], {env: e})).stdout).toContain(
			`imported preset "mine" (stem) for ${host}`,
		);
		const list = (await runMain(['presets', 'list'], {env: e})).stdout;
		expect(list).toMatch(/^Saved on .* \(.*presets\.json\):\n {2}mine {20} stem {4}saved \d{4}-\d\d-\d\d \d\d:\d\d\n/);
		expect(list).toMatch(/Shipped:\n {2}\S+/);
		expect(parse((await runMain(['presets', 'show', 'mine'], {env: e})).stdout)).toEqual({
			name: 'mine',
			description: 'my box',
			image: 'stem',
			settings: {STEM_SSH_PORT: '2200'},
		});
		const exported = join(dir, 'out.yaml');
		expect((await runMain(['presets', 'export', 'mine', exported], {env: e})).stdout).toBe(`wrote ${exported}\n`);
		expect((await runMain(['presets', 'export', 'mine', exported], {env: e})).stdout).toBe(`unchanged ${exported}\n`);
		const out = tmp('hatch-x-');
		expect(await runMain([...WRITE, '--preset', 'mine', '--out', out], {env: e, home: fakeHome()})).toMatchObject({
			code: 0,
		});
		expect(parseEnv(readFileSync(join(out, 'stem', '.env'), 'utf8')).STEM_SSH_PORT).toBe('2200');
		expect((await runMain(['presets', 'delete', 'mine'], {env: e})).stdout).toContain('deleted preset "mine"');
		expect(await runMain(['presets', 'delete', 'mine'], {env: e})).toMatchObject({
			code: 2,
			stderr: expect.stringContaining('no saved preset named "mine"'),
		});
	});

	it('inspect: who you are and one line per probe, in the registry’s order; --json the same facts', async () => {
		const home = fakeHome();
		const r = await runMain(['inspect'], {home});
		expect(r.code).toBe(0);
		const lines = r.stdout.split('\n').filter(l => /^\S/.test(l));
		const me = os.userInfo();
		expect(lines[0]).toBe(`✔ you       ${me.username} (${me.uid}:${me.gid}) on ${host}, home ${home}`);
		expect(lines.slice(1).map(l => l.slice(2, 11).trim())).toEqual(PROBE_LABELS);
		expect(lines.find(l => l.includes('SSH keys'))).toBe(`✔ SSH keys  ${join(home, '.ssh', 'id_ed25519.pub')}`);
		// A probe that found nothing says what to do on the line under it; one that found its answer does not.
		const bare = await runMain(['inspect'], {home: tmp('hatch-home-'), env: {SSH_AUTH_SOCK: undefined}});
		expect(bare.stdout).toContain(
			'– agent     SSH_AUTH_SOCK is not set\n            → start an agent (eval "$(ssh-agent)"; ssh-add) to forward it\n',
		);
		expect(bare.stdout).toContain('– SSH keys  no ~/.ssh/*.pub\n            → make one: ssh-keygen -t ed25519\n');
		// A probe that found nothing and has no fix to offer has no line under it.
		expect(bare.stdout).toMatch(/\n– Dropbox {3}no Dropbox folder in [^\n]+\n– agent /);
		expect(r.stdout).not.toMatch(/✔ SSH keys .*\n {12}→/);
		const json = JSON.parse((await runMain(['inspect', '--json'], {home})).stdout);
		expect(Object.keys(json)).toEqual([
			'identity',
			'platform',
			'docker',
			'compose',
			'gpus',
			'dropbox',
			'agent',
			'publicKeys',
		]);
		expect(json.publicKeys.value).toEqual([join(home, '.ssh', 'id_ed25519.pub')]);
	});

	it('the stack commands find the stack from --image and --out, and name the fix when there is none', async () => {
		const out = tmp('hatch-x-');
		for (const command of ['status', 'logs', 'bindu-update', 'publish']) {
			expect(await runMain([command, '--out', out])).toEqual({
				code: 2,
				stdout: '',
				stderr:
					`hatch-wizard: no stem stack in ${join(out, 'stem')} (no .env there); write one with hatch-wizard, ` +
					`or pass --out DIR / --image\n`,
			});
		}
		expect(await runMain([...WRITE, '--out', out], {home: fakeHome()})).toMatchObject({code: 0});
		expect((await runMain(['publish', '--out', out])).stderr).toBe(
			'hatch-wizard: publish needs --repo NAME and --version X.Y.Z (e.g. publish --image stem --repo you/stem ' +
				'--version 0.1.2)\n',
		);
		expect((await runMain(['bindu-update', '--out', out])).stderr).toBe(
			`hatch-wizard: BINDU_REPO is empty in ${join(out, 'stem', '.env')}; set it first (hatch-wizard --set ` +
				`BINDU_REPO=…)\n`,
		);
		expect(existsSync(join(out, 'neuron'))).toBe(false);
	});

	it('a build or start with no engine here: refused before anything is written, with the fix, exit 2', async () => {
		const out = tmp('hatch-x-');
		const r = await runMain(['--yes', '--out', out, '--set', 'STEM_SSH_LISTEN=127.0.0.1'], {home: fakeHome()});
		expect(r.code).toBe(2);
		expect(r.stderr).toBe(
			'It cannot be built and started here yet:\n' +
				'✗ Docker: the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop\n' +
				'Nothing was written or started. (--no-build --no-boot writes the files only.)\n',
		);
		expect(readdirSync(out)).toEqual([]);
		// --no-build still starts: the same refusal.
		expect((await runMain(['--yes', '--no-build', '--out', out], {home: fakeHome()})).code).toBe(2);
	});

	it('a hand edit the compose file does not follow is a note; a dry run of nothing says so', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		expect(await runMain([...WRITE, '--out', out], {home})).toMatchObject({code: 0});
		const env = join(out, 'stem', '.env');
		writeFileSync(env, readFileSync(env, 'utf8').replace('STEM_VOLUMES_EXTERNAL=0', 'STEM_VOLUMES_EXTERNAL=1'));
		const r = await runMain([...WRITE, '--out', out], {home});
		expect(r.code).toBe(0);
		expect(r.stdout.split('\n')[0]).toBe(
			'note: STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"; rewriting ' +
				'docker-compose.yml applies it',
		);
		expect(r.stdout).toContain(`update    ${join(out, 'stem', 'docker-compose.yml')}\n`);
		const dry = await runMain(['--dry-run', '--out', out], {home});
		expect(dry.stdout.endsWith(`Nothing to do: ${join(out, 'stem')} is up to date.\n`)).toBe(true);
		expect((await runMain([...WRITE, '--out', out, '--set', 'NOPE=1'], {home})).stderr).toMatch(
			/^hatch-wizard: --set NOPE: unknown key; valid keys are: STEM_CONTAINER_NAME, /,
		);
	});

	it('a saved preset made under another user id says so, and its values are used', async () => {
		const e = config();
		const me = os.userInfo();
		writeFileSync(
			join(e.HATCH_CONFIG_DIR, 'presets.json'),
			JSON.stringify({
				hosts: {
					[host]: {
						presets: {
							daily: {
								image: 'stem',
								settings: {STEM_SSH_PORT: '2201'},
								savedAt: '2026-01-01T00:00:00Z',
								facts: {user: me.username, uid: me.uid + 1, gid: me.gid},
							},
						},
					},
				},
			}),
		);
		const out = tmp('hatch-x-');
		const r = await runMain([...WRITE, '--preset', 'daily', '--out', out], {env: e, home: fakeHome()});
		expect(r.code).toBe(0);
		expect(r.stderr).toBe(
			`note: your UID was ${me.uid + 1} when this preset was saved and is ${me.uid} now; the preset's values ` +
				'are used (override with --set)\n',
		);
		expect(parseEnv(readFileSync(join(out, 'stem', '.env'), 'utf8')).STEM_SSH_PORT).toBe('2201');
		expect((await runMain([...WRITE, '--preset', 'stem-minimal', '--out', tmp('hatch-x-')], {env: e})).code).toBe(0);
	});

	it('ssh-config --remove takes the stack’s block out of ~/.ssh/config, and says when there is none', async () => {
		const home = fakeHome();
		const config = join(home, '.ssh', 'config');
		const mine = 'Host work\n  User me\n';
		writeFileSync(config, `# >>> hatch box >>>\nHost box\n  Port 2222\n# <<< hatch box <<<\n\n${mine}`);
		const r = await runMain(['ssh-config', '--remove', 'box'], {home});
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('-Host box\n');
		expect(readFileSync(config, 'utf8')).toBe(mine);
		expect(await runMain(['ssh-config', '--remove', 'box'], {home})).toEqual({
			code: 0,
			stdout: `nothing to remove: no hatch block for "box" in ${config}\n`,
			stderr: '',
		});
	});

	it('writes under $DOCKER/services/<host>/ when DOCKER is set and --out is not', async () => {
		const docker = tmp('hatch-docker-');
		expect(await runMain(WRITE, {home: fakeHome(), env: {DOCKER: docker}})).toMatchObject({code: 0});
		expect(existsSync(join(docker, 'services', host, 'stem', '.env'))).toBe(true);
	});
});
