import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os, {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {parseEnv} from '../../source/core/env.js';
import {Store} from '../../source/store.js';
import {BIN, fakeHome, runCli} from '../helpers/cli.js';

const host = os.hostname().split('.')[0]!;
const me = os.userInfo();

function env() {
	return {HATCH_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'hatch-cfg-'))};
}

// What the GPU probe should find here: nvidia-smi's own list, or nothing.
const gpusHere = (() => {
	const r = spawnSync('nvidia-smi', ['-L'], {encoding: 'utf8'});
	return r.status === 0 ? r.stdout.split('\n').filter(l => l.startsWith('GPU ')).length : 0;
})();

describe('hatch-wizard inspect', () => {
	it('--json prints this machine’s facts for scripts (real probes; the engine is out of reach in unit tests)', () => {
		const r = runCli(['inspect', '--json']);
		expect(r.code).toBe(0);
		const facts = JSON.parse(r.stdout);
		expect(facts.identity).toMatchObject({uid: me.uid, gid: me.gid, user: me.username, hostname: host});
		for (const probe of ['docker', 'compose', 'gpus', 'dropbox', 'agent', 'publicKeys'])
			expect(typeof facts[probe].ms, probe).toBe('number');
		// vitest.config.ts points DOCKER_HOST at no engine.
		expect(facts.docker).toMatchObject({status: 'error', detail: 'the Docker daemon is not running or not reachable'});
		expect(facts.gpus.value?.gpus ?? []).toHaveLength(gpusHere);
		expect(facts.gpus.status).toBe(gpusHere ? 'ok' : 'missing');
	});

	it('prints a readable summary, one line per probe', () => {
		const r = runCli(['inspect']);
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(/^✔ you {7}\S+ \(\d+:\d+\) on \S+, home \//m);
		expect(r.stdout).toMatch(
			/^✗ Docker {4}the Docker daemon is not running or not reachable\n {12}→ start it: sudo systemctl start docker/m,
		);
		expect(r.stdout).toMatch(gpusHere ? new RegExp(`^✔ GPUs {6}${gpusHere} `, 'm') : /^– GPUs {6}no GPU$/m);
	});
});

describe('--host on the command line', () => {
	it("a command on this machine's files refuses --host; a bad TARGET is refused before anything runs", async () => {
		const home = fakeHome();
		const presets = runCli(['presets', 'list', '--host', 'gpu-box'], {home, env: env()});
		expect(presets.code).toBe(2);
		expect(presets.stderr).toBe(
			'hatch-wizard: --host works with the wizard, inspect, list, forget, status, doctor, logs, up, down, rebuild, ' +
				"bindu-update, publish; not with presets, which works on this machine's files\n",
		);
		const bad = runCli(['--yes', '--host=-oProxyCommand=x'], {home, env: env()});
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/^hatch-wizard: --host "-oProxyCommand=x" is not an SSH destination/);
		// A stack recorded on another host, named without --host: looked at there (here: an ssh that cannot connect).
		const config = env();
		const remote = await Store.open('ssh:gpu-box', config.HATCH_CONFIG_DIR);
		remote.record({STEM_CONTAINER_NAME: 'far', STEM_SSH_PORT: '2222'}, 'stem', '/home/ana/hatch/stem');
		const ssh = join(mkdtempSync(join(tmpdir(), 'hatch-bin-')), 'ssh');
		writeFileSync(
			ssh,
			'#!/bin/sh\necho "ssh: Could not resolve hostname gpu-box: Name or service not known" >&2\nexit 255\n',
			{
				mode: 0o755,
			},
		);
		for (const command of ['doctor', 'status', 'bindu-update']) {
			const far = runCli([command, 'far'], {home, env: {...config, HATCH_SSH_COMMAND: ssh}});
			expect(far.stderr).toBe(
				'hatch-wizard: --host gpu-box: no such host (ssh: Could not resolve hostname gpu-box: Name or service not ' +
					'known); check the name, or add a Host block for it to ~/.ssh/config\n',
			);
			expect(far.code).toBe(1);
		}
		// No terminal, no --yes: the wizard says how to run without one, --host or not.
		const wizard = runCli(['--host', 'gpu-box'], {home, env: env()});
		expect(wizard.code).toBe(2);
		expect(wizard.stderr).toMatch(/the wizard needs a terminal; without one, pass --yes/);
	});
});

describe('hatch-wizard presets', () => {
	it('imports, lists, shows, exports and deletes a preset for this host', () => {
		const e = env();
		const dir = mkdtempSync(join(tmpdir(), 'hatch-p-'));
		const file = join(dir, 'mine.yaml');
		writeFileSync(file, 'description: my box\nimage: neuron\nsettings:\n  NEURON_GPUS: "0,1"\n  STEM_SSH_PORT: 2200\n');
		expect(runCli(['presets', 'import', file], {env: e}).stdout).toContain(
			`imported preset "mine" (neuron) for ${host}`,
		);
		const list = runCli(['presets', 'list'], {env: e}).stdout;
		expect(list).toMatch(/mine\s+neuron\s+saved/);
		expect(list).toMatch(/stem-minimal\s+stem/);
		expect(parse(runCli(['presets', 'show', 'mine'], {env: e}).stdout)).toEqual({
			name: 'mine',
			description: 'my box',
			image: 'neuron',
			settings: {NEURON_GPUS: '0,1', STEM_SSH_PORT: '2200'},
		});
		const out = join(dir, 'exported.yaml');
		expect(runCli(['presets', 'export', 'mine', out], {env: e}).stdout).toContain(`wrote ${out}`);
		expect(parse(readFileSync(out, 'utf8')).settings.NEURON_GPUS).toBe('0,1');
		expect(runCli(['presets', 'show', 'neuron-gpus'], {env: e}).stdout).toContain('NEURON_GPUS: all');
		expect(runCli(['presets', 'delete', 'mine'], {env: e}).stdout).toContain('deleted preset "mine"');
		const gone = runCli(['presets', 'delete', 'mine'], {env: e});
		expect(gone.code).toBe(2);
		expect(gone.stderr).toContain('no saved preset named "mine"');
		expect(runCli(['presets', 'frob'], {env: e}).stderr).toContain('use list, show, export, import or delete');
	});

	it('ten imports at once keep all ten (writers take turns on the store)', async () => {
		const e = env();
		const dir = mkdtempSync(join(tmpdir(), 'hatch-p-'));
		const names = Array.from({length: 10}, (_, i) => `p${i}`);
		for (const n of names)
			writeFileSync(join(dir, `${n}.yaml`), `image: stem\nsettings: {STEM_SSH_PORT: 22${10 + names.indexOf(n)}}\n`);
		const codes = await Promise.all(
			names.map(
				n =>
					new Promise<number | null>(resolve =>
						spawn(process.execPath, [BIN, 'presets', 'import', join(dir, `${n}.yaml`)], {
							env: {...process.env, ...e},
							stdio: 'ignore',
						}).once('exit', resolve),
					),
			),
		);
		expect(codes).toEqual(names.map(() => 0));
		const saved = JSON.parse(readFileSync(join(e.HATCH_CONFIG_DIR, 'presets.json'), 'utf8')).hosts[host].presets;
		expect(Object.keys(saved).sort()).toEqual(names);
	});

	it('a FIFO given as a preset file is refused at once: the command ends instead of waiting for a writer', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-p-'));
		const fifo = join(dir, 'p.yaml');
		spawnSync('mkfifo', [fifo]);
		// runCli ends a run that hangs after its timeout, with code -1.
		const r = runCli(['presets', 'import', fifo], {env: env(), timeoutMs: 20_000});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('is a FIFO (named pipe): give the path of a regular file');
		const w = runCli(['--yes', '--no-build', '--no-boot', '--preset-file', fifo], {env: env(), timeoutMs: 20_000});
		expect(w.code).toBe(2);
		expect(w.stderr).toContain('is a FIFO (named pipe)');
	});

	it('refuses to import a bad preset, naming the file and the field', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-p-'));
		const file = join(dir, 'bad.yaml');
		writeFileSync(file, 'image: stem\nsettings:\n  STEM_USER: Root\n');
		const r = runCli(['presets', 'import', file], {env: env()});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`${file}: STEM_USER must start with a lower-case letter`);
	});

	it('--preset NAME --yes replays a saved preset and reports a changed host fact', () => {
		const e = env();
		writeFileSync(
			join(e.HATCH_CONFIG_DIR, 'presets.json'),
			JSON.stringify({
				hosts: {
					[host]: {
						presets: {
							daily: {
								image: 'stem',
								settings: {STEM_USER: 'alice', STEM_UID: '4242', STEM_SSH_PORT: '2201'},
								savedAt: '2026-01-01T00:00:00Z',
								facts: {user: me.username, uid: me.uid + 1, gid: me.gid},
							},
						},
					},
				},
			}),
		);
		const out = mkdtempSync(join(tmpdir(), 'hatch-x-'));
		const r = runCli(['--preset', 'daily', '--yes', '--no-build', '--no-boot', '--out', out], {
			env: e,
			home: fakeHome(),
		});
		expect(r.code).toBe(0);
		expect(r.stderr).toContain(`note: your UID was ${me.uid + 1} when this preset was saved and is ${me.uid} now`);
		expect(parseEnv(readFileSync(join(out, 'stem', '.env'), 'utf8'))).toMatchObject({
			STEM_USER: 'alice',
			STEM_UID: '4242',
			STEM_SSH_PORT: '2201',
		});
	});

	it('a replayed preset never undoes a hand edit of .env without --force; --set keeps the edit', () => {
		const e = env();
		writeFileSync(
			join(e.HATCH_CONFIG_DIR, 'presets.json'),
			JSON.stringify({
				hosts: {
					[host]: {
						presets: {
							daily: {
								image: 'stem',
								settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2201'},
								savedAt: '2026-01-01T00:00:00Z',
								facts: {user: me.username, uid: me.uid, gid: me.gid},
							},
						},
					},
				},
			}),
		);
		const out = mkdtempSync(join(tmpdir(), 'hatch-x-'));
		const home = fakeHome();
		const replay = (...extra: string[]) =>
			runCli(['--preset', 'daily', '--yes', '--no-build', '--no-boot', '--out', out, ...extra], {env: e, home});
		expect(replay().code).toBe(0);
		const envFile = join(out, 'stem', '.env');
		writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('STEM_SSH_PORT=2201', 'STEM_SSH_PORT=2299'));

		const refused = replay();
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain(
			`error: the preset would change what your ${envFile} says:\n  STEM_SSH_PORT: the preset sets "2201", your ` +
				`.env has "2299"\n`,
		);
		expect(refused.stderr).toContain(
			"Keep yours with --set KEY=VALUE for each, or apply the preset's with --force. Nothing was written.",
		);
		expect(parseEnv(readFileSync(envFile, 'utf8')).STEM_SSH_PORT).toBe('2299');

		expect(replay('--set', 'STEM_SSH_PORT=2299').code).toBe(0);
		expect(parseEnv(readFileSync(envFile, 'utf8')).STEM_SSH_PORT).toBe('2299');
		expect(replay('--force').code).toBe(0);
		expect(parseEnv(readFileSync(envFile, 'utf8')).STEM_SSH_PORT).toBe('2201');
	});

	it('the wizard refuses to run without a terminal and names the flags to use', () => {
		const r = runCli(['--out', mkdtempSync(join(tmpdir(), 'hatch-x-'))], {env: env()});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('the wizard needs a terminal; without one, pass --yes');
		expect(r.stderr).not.toMatch(/raw mode|at .*\(/);
	});
});
