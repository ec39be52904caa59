import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import pkg from '../../package.json' with {type: 'json'};
import {parseEnv} from '../../source/core/env.js';
import {BIN, fakeHome, runCli} from '../helpers/cli.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('hatch-wizard (non-interactive)', () => {
	it('a folder where .env belongs, or --out naming a file: the path and the fix, exit 2', () => {
		const out = tmp('hatch-fs-');
		mkdirSync(join(out, 'stem', '.env'), {recursive: true});
		const dir = runCli(['--yes', '--no-build', '--no-boot', '--out', out], {home: fakeHome()});
		expect(dir.code).toBe(2);
		expect(dir.stderr).toBe(
			`hatch-wizard: ${join(out, 'stem', '.env')} is a folder, but hatch needs a file there: move it away, or ` +
				`pick another --out\n`,
		);
		const file = join(tmp('hatch-fs-'), 'a-file');
		writeFileSync(file, 'x');
		const notDir = runCli(['--yes', '--no-build', '--no-boot', '--out', file], {home: fakeHome()});
		expect(notDir.code).toBe(2);
		expect(notDir.stderr).toMatch(
			/^hatch-wizard: (a part of .*a-file.* is a file|.*a-file.* is a file), but hatch needs a folder there/,
		);
	});

	it('--ssh-config with --no-boot says why it did nothing', () => {
		const out = tmp('hatch-sshcfg-');
		const r = runCli(['--yes', '--no-build', '--no-boot', '--ssh-config', '--out', out], {home: fakeHome()});
		expect(r.code).toBe(0);
		expect(r.stderr).toContain(
			"note: --ssh-config was not applied: it pins the container's host key, which exists once the container has started",
		);
	});

	it('ends quietly with 0 when the reader closes the pipe early (| head)', () => {
		// The reader closes its end at once, so the help text is written into a closed pipe (EPIPE).
		const r = spawnSync(
			'bash',
			['-c', `"${process.execPath}" "${BIN}" --help | (exec <&-; true); echo "rc=\${PIPESTATUS[0]}"`],
			{encoding: 'utf8'},
		);
		expect(r.stderr).toBe('');
		expect(r.stdout).toBe('rc=0\n');
	});

	it('prints help and version', () => {
		const help = runCli(['--help']);
		expect(help.code).toBe(0);
		for (const flag of [
			'--image',
			'--preset',
			'--preset-file',
			'--set',
			'--out',
			'--yes',
			'--no-build',
			'--no-boot',
			'--dry-run',
		])
			expect(help.stdout).toContain(flag);
		expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
	});

	it('exits 2 on usage errors, naming what to fix', () => {
		const unknown = runCli(['--set', 'NOPE=1', '--yes', '--no-build', '--no-boot', '--out', tmp('hatch-x-')]);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('--set NOPE: unknown key; valid keys are: STEM_CONTAINER_NAME');
		expect(unknown.stderr).not.toContain('NEURON_GPUS');
		expect(runCli(['--image', 'box']).stderr).toContain('--image must be one of: stem, neuron');
		expect(runCli(['--bogus']).code).toBe(2);
		expect(runCli(['frobnicate']).stderr).toContain('unknown command "frobnicate"');
		const both = runCli(['--preset', 'a', '--preset-file', 'b']);
		expect(both.code).toBe(2);
		expect(both.stderr).toContain('either --preset or --preset-file');
	});

	it('exits 2 on invalid values with the field and the fix', () => {
		const r = runCli(
			['--set', 'STEM_UID=0', '--set', 'STEM_USER=Root', '--yes', '--no-build', '--no-boot', '--out', tmp('hatch-x-')],
			{home: fakeHome()},
		);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('STEM_UID must not be 0');
		expect(r.stderr).toContain('STEM_USER must start with a lower-case letter');
		expect(r.stderr).toContain('--set KEY=VALUE');
	});

	it('refuses a private key given as authorized keys', () => {
		const home = fakeHome();
		const priv = join(home, '.ssh', 'id_ed25519');
		writeFileSync(priv, '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
		const r = runCli(
			['--set', `STEM_AUTH_KEYS_PATH=${priv}`, '--yes', '--no-build', '--no-boot', '--out', tmp('hatch-x-')],
			{home},
		);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('PRIVATE key');
	});

	it('will not write without --yes when stdin is not a terminal', () => {
		const out = tmp('hatch-x-');
		const r = runCli(['--out', out], {home: fakeHome()});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('pass --yes');
		expect(readdirSync(out)).toEqual([]);
	});

	it('--dry-run shows the files and writes nothing', () => {
		const out = tmp('hatch-x-');
		const r = runCli(['--dry-run', '--out', out], {home: fakeHome()});
		expect(r.code).toBe(0);
		expect(r.stdout).toContain(`create    ${join(out, 'stem', '.env')}`);
		expect(r.stdout).toContain('nothing was written');
		expect(readdirSync(out)).toEqual([]);
	});

	it('writes a stack, changes nothing on a re-run, and diffs + backs up an edit', () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const first = runCli(
			[
				'--image',
				'stem',
				'--set',
				'STEM_USER=alice',
				'--set',
				'STEM_UID=1001',
				'--yes',
				'--no-build',
				'--no-boot',
				'--out',
				out,
			],
			{home},
		);
		expect(first.code).toBe(0);
		const dir = join(out, 'stem');
		const env = parseEnv(readFileSync(join(dir, '.env'), 'utf8'));
		expect(env).toMatchObject({
			STEM_USER: 'alice',
			STEM_UID: '1001',
			STEM_AUTH_KEYS_PATH: join(home, '.ssh', 'id_ed25519.pub'),
		});
		expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
		expect(existsSync(join(dir, 'image', 'Dockerfile'))).toBe(true);
		expect(existsSync(join(dir, 'image', 'stem', 'my_init.d', '00-user-bootstrap.sh'))).toBe(true);
		expect(first.stdout).toContain('ssh -p 22222 alice@');
		const snapshot = readdirSync(dir).map(n => [n, statSync(join(dir, n)).mtimeMs]);

		const again = runCli(
			[
				'--image',
				'stem',
				'--set',
				'STEM_USER=alice',
				'--set',
				'STEM_UID=1001',
				'--yes',
				'--no-build',
				'--no-boot',
				'--out',
				out,
			],
			{home},
		);
		expect(again.code).toBe(0);
		expect(again.stdout).toContain('Nothing to write');
		expect(readdirSync(dir).map(n => [n, statSync(join(dir, n)).mtimeMs])).toEqual(snapshot);

		// Values already in .env are kept: only the one --set changes.
		const edit = runCli(['--set', 'STEM_UID=1002', '--yes', '--no-build', '--no-boot', '--out', out], {home});
		expect(edit.code).toBe(0);
		expect(edit.stdout).toContain('-STEM_UID=1001');
		expect(edit.stdout).toContain('+STEM_UID=1002');
		const backups = readdirSync(dir).filter(n => n.startsWith('.env.bak-'));
		expect(backups).toHaveLength(1);
		expect(parseEnv(readFileSync(join(dir, backups[0]!), 'utf8')).STEM_UID).toBe('1001');
		expect(parseEnv(readFileSync(join(dir, '.env'), 'utf8'))).toMatchObject({STEM_USER: 'alice', STEM_UID: '1002'});
	});

	it('replays a shipped preset and a preset file, and names a bad preset file', () => {
		const home = fakeHome();
		const out = tmp('hatch-x-');
		const r = runCli(['--preset', 'neuron-gpus', '--yes', '--no-build', '--no-boot', '--out', out], {home});
		expect(r.code).toBe(0);
		expect(parseEnv(readFileSync(join(out, 'neuron', '.env'), 'utf8'))).toMatchObject({
			NEURON_GPUS: 'all',
			STEM_NETWORK_MODE: 'host',
		});

		const file = join(out, 'mine.yaml');
		writeFileSync(file, 'image: stem\nsettings:\n  STEM_SSH_PORT: 2222\n');
		expect(runCli(['--preset-file', file, '--yes', '--no-build', '--no-boot', '--out', out], {home}).code).toBe(0);
		expect(parseEnv(readFileSync(join(out, 'stem', '.env'), 'utf8')).STEM_SSH_PORT).toBe('2222');

		writeFileSync(file, 'image: stem\nsettings:\n  STEM_SSH_PORT: 99999\n');
		const bad = runCli(['--preset-file', file, '--yes', '--no-build', '--no-boot', '--out', out], {home});
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain(`${file}: STEM_SSH_PORT must be a port number`);
		expect(runCli(['--preset', 'nope'], {home}).stderr).toContain('shipped presets: ');
	});

	it('writes under $DOCKER/services/<host>/ when DOCKER is set and --out is not', () => {
		const docker = tmp('hatch-docker-');
		const r = runCli(['--yes', '--no-build', '--no-boot'], {home: fakeHome(), env: {DOCKER: docker}});
		expect(r.code).toBe(0);
		const [host] = readdirSync(join(docker, 'services'));
		expect(existsSync(join(docker, 'services', host!, 'stem', 'docker-compose.yml'))).toBe(true);
	});
});
