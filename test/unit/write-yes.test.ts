// Writing a stack without the wizard (--yes, --dry-run), through main() in this process: what each step prints,
// and when it refuses. No engine is reachable here, so every run that would build or start is refused first.
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {fieldsFor} from '../../source/core/model.js';
import {fakeHome} from '../helpers/cli.js';
import {runMain} from '../helpers/main.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const WRITE = ['--yes', '--no-build', '--no-boot'];
const host = hostname().split('.')[0]!;

/** Runs main() with stdin and stdout said to be terminals or not (the real ones are pipes here). */
async function withTerminals(stdin: boolean, stdout: boolean, args: string[]) {
	const saved = {stdin: process.stdin.isTTY, stdout: process.stdout.isTTY};
	process.stdin.isTTY = stdin;
	process.stdout.isTTY = stdout;
	try {
		return await runMain(args, {home: fakeHome()});
	} finally {
		process.stdin.isTTY = saved.stdin;
		process.stdout.isTTY = saved.stdout;
	}
}

describe('writing without the wizard', () => {
	it('the wizard is refused unless both stdin and stdout are a terminal', async () => {
		const refusal =
			'hatch-wizard: the wizard needs a terminal; without one, pass --yes (with --set KEY=VALUE, --preset NAME ' +
			'or --preset-file FILE), or --dry-run to only look\n';
		for (const [stdin, stdout] of [
			[true, false],
			[false, true],
		] as const) {
			expect(await withTerminals(stdin, stdout, ['--out', tmp('hatch-x-')])).toEqual({
				code: 2,
				stdout: '',
				stderr: refusal,
			});
		}
	});

	it('without --out: ~/hatch/<image>/, or $DOCKER/services/<host>/ with $DOCKER; never the current folder', async () => {
		const home = fakeHome();
		const cwd = process.cwd();
		const here = tmp('hatch-cwd-');
		process.chdir(here);
		try {
			expect((await runMain(WRITE, {home})).code).toBe(0);
			expect(readdirSync(join(home, 'hatch', 'stem'))).toContain('.env');
			const docker = tmp('hatch-docker-');
			expect((await runMain(WRITE, {home, env: {DOCKER: docker}})).code).toBe(0);
			expect(readdirSync(join(docker, 'services', host, 'stem'))).toContain('.env');
			expect(readdirSync(here)).toEqual([]);
		} finally {
			process.chdir(cwd);
		}
	});

	it('--preset-file that is not a regular file: refused at once, saying what it is', async () => {
		const folder = tmp('hatch-p-');
		const r = await runMain([...WRITE, '--preset-file', folder, '--out', tmp('hatch-x-')]);
		expect(r.code).toBe(2);
		expect(r.stderr).toBe(`hatch-wizard: --preset-file ${folder} is a folder: give the path of a regular file\n`);
	});

	it('--preset with an unreadable presets file: the warning, and the shipped preset is used', async () => {
		const config = tmp('hatch-cfg-');
		writeFileSync(join(config, 'presets.json'), '{"hosts": ');
		const out = tmp('hatch-x-');
		const r = await runMain([...WRITE, '--preset', 'stem-minimal', '--out', out], {
			home: fakeHome(),
			env: {HATCH_CONFIG_DIR: config},
		});
		expect(r.code).toBe(0);
		const aside = readdirSync(config).find(n => n.startsWith('presets.json.unreadable-'))!;
		// Said once, though the store is opened twice (for the preset, then to remember the stack).
		expect(r.stderr).toBe(
			`warning: the preset store ${join(config, 'presets.json')} is not JSON (Unexpected end of JSON input): ` +
				'hatch goes on without it, and moves it aside at the next save\n' +
				`warning: the unreadable preset store was moved to ${join(config, aside)}\n`,
		);
		expect(readFileSync(join(config, aside), 'utf8')).toBe('{"hosts": ');
		expect(readdirSync(join(out, 'stem'))).toContain('.env');
	});

	it('--set: each mistake on its own line; a key of the other image is unknown here', async () => {
		const r = await runMain([...WRITE, '--out', tmp('hatch-x-'), '--set', 'oops', '--set', 'NEURON_GPUS=all']);
		expect(r.code).toBe(2);
		expect(r.stderr).toBe(
			'hatch-wizard: --set "oops" must look like KEY=VALUE (e.g. --set STEM_USER=alice)\n' +
				`--set NEURON_GPUS: unknown key; valid keys are: ${fieldsFor('stem')
					.map(f => f.key)
					.join(', ')}\n`,
		);
		expect(r.stderr).not.toMatch(/valid keys are: .*NEURON_/);
	});

	it('a warning about a host file is printed, and the files are written anyway', async () => {
		const keys = join(tmp('hatch-k-'), 'keys');
		writeFileSync(keys, 'not a key\n');
		const out = tmp('hatch-x-');
		const r = await runMain([...WRITE, '--out', out, '--set', `STEM_AUTH_KEYS_PATH=${keys}`], {home: fakeHome()});
		expect(r.code).toBe(0);
		expect(r.stderr).toBe('warning: STEM_AUTH_KEYS_PATH: 1 line(s) do not look like SSH public keys\n');
		expect(r.stdout).toContain(`Wrote `);
	});

	it('lists .env and the compose file even unchanged, other files only when they change; no notes', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const dir = join(out, 'stem');
		const first = await runMain([...WRITE, '--out', out], {home});
		expect(first.stdout.split('\n').filter(l => l.startsWith('note:'))).toEqual([]);
		const again = await runMain([...WRITE, '--out', out], {home});
		expect(again.stdout).toBe(
			`unchanged ${join(dir, 'docker-compose.yml')}\nunchanged ${join(dir, '.env')}\n` +
				`unchanged ${join(dir, 'README.md')}\n` +
				`Nothing to write: ${dir} is up to date.\n` +
				`Next: cd ${dir} && docker compose up -d --build\n` +
				`Then: ssh -p 22222 ${parseEnv(readFileSync(join(dir, '.env'), 'utf8')).STEM_USER}@<docker-host>\n`,
		);
	});

	it('a rewrite keeps one backup per changed file and names only those', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		expect((await runMain([...WRITE, '--out', out], {home})).code).toBe(0);
		const edit = await runMain([...WRITE, '--out', out, '--set', 'STEM_SSH_PORT=2200'], {home});
		expect(edit.stdout.split('\n').filter(l => l.startsWith('backup'))).toEqual([
			expect.stringMatching(new RegExp(`^backup {4}${join(out, 'stem', '.env')}\\.bak-\\d{8}-\\d{6}$`)),
			expect.stringMatching(new RegExp(`^backup {4}${join(out, 'stem', 'README.md')}\\.bak-\\d{8}-\\d{6}$`)),
		]);
	});

	it('a preset that would undo two hand edits names both, and writes nothing', async () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const file = join(tmp('hatch-p-'), 'p.yaml');
		writeFileSync(file, 'name: p\nimage: stem\nsettings:\n  STEM_SSH_PORT: 2301\n  STEM_USER: bob\n');
		expect((await runMain([...WRITE, '--preset-file', file, '--out', out], {home})).code).toBe(0);
		const env = join(out, 'stem', '.env');
		const edited = readFileSync(env, 'utf8').replace('STEM_SSH_PORT=2301', 'STEM_SSH_PORT=2302');
		writeFileSync(env, edited.replace('STEM_USER=bob', 'STEM_USER=carol'));
		const r = await runMain([...WRITE, '--preset-file', file, '--out', out], {home});
		expect(r.code).toBe(2);
		expect(r.stderr.split('\n').slice(1, 3).sort()).toEqual([
			'  STEM_SSH_PORT: the preset sets "2301", your .env has "2302"',
			'  STEM_USER: the preset sets "bob", your .env has "carol"',
		]);
	});

	it('a build alone is refused like a build and start when there is no engine, before anything is written', async () => {
		const out = tmp('hatch-x-');
		const r = await runMain(['--yes', '--no-boot', '--out', out, '--set', 'STEM_SSH_LISTEN=127.0.0.1'], {
			home: fakeHome(),
		});
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/^It cannot be built and started here yet:\n✗ Docker: /);
		expect(readdirSync(out)).toEqual([]);
	});
});
