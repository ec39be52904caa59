// hatch-wizard --yes builds and boots for real, reports "ready" only with the right host key, explains a
// failing build, and leaves no docker compose behind when it is stopped mid-build.
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BIN, runCli} from '../helpers/cli.js';
import {until} from '../helpers/until.js';
import {BASE, composeIn, destroy, hostKeyFingerprint, type Stack, sh, writeStack} from './helpers.js';

const NO_BASH = 'hatch-e2e/base-no-bash:test';
const SLOW = 'hatch-e2e/base-slow:test';
const SLOW2 = 'hatch-e2e/base-slow2:test';
// The slow base's package step runs this script (as dpkg-query), so the test can tell its own build's step
// from a step BuildKit still runs for an earlier, interrupted build (it does not stop them at once).
const SLOW_STEP = 'hatch-e2e-slow-step';
const slowSteps = () => spawnSync('pgrep', ['-f', SLOW_STEP]).stdout.toString().split('\n').filter(Boolean);

function derive(tag: string, script: string) {
	sh('docker', ['rm', '-f', 'hatch-e2e-derive'], {allowFail: true});
	sh('docker', ['run', '--name', 'hatch-e2e-derive', '--network', 'none', BASE, 'bash', '-c', script]);
	sh('docker', ['commit', 'hatch-e2e-derive', tag]);
	sh('docker', ['rm', 'hatch-e2e-derive']);
}

const setArgs = (s: Stack, extra: Record<string, string> = {}) => [
	'--image',
	'stem',
	'--out',
	s.root,
	...Object.entries(extra).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
];

describe.sequential('build and boot from hatch-wizard --yes', () => {
	let ok: Stack;
	let broken: Stack;
	let slow: Stack;
	let slow2: Stack;

	beforeAll(() => {
		derive(NO_BASH, 'rm /bin/bash');
		const slowStep =
			`printf "#!/bin/sh\\nsleep 120\\n" > /usr/local/bin/${SLOW_STEP} && printf ` +
			`"#!/bin/sh\\nexec /usr/local/bin/${SLOW_STEP}\\n" > ` +
			`/usr/local/bin/dpkg-query && chmod +x /usr/local/bin/${SLOW_STEP} ` +
			`/usr/local/bin/dpkg-query`;
		derive(SLOW, slowStep);
		// Another image: its build shares no cache key (and no running step) with the first's.
		derive(SLOW2, `${slowStep} && touch /etc/hatch-e2e-second`);
		ok = writeStack('hatch-e2e-deploy', 'stem', {});
		broken = writeStack('hatch-e2e-broken', 'stem', {STEM_BASE_IMAGE: NO_BASH});
		slow = writeStack('hatch-e2e-slow', 'stem', {STEM_BASE_IMAGE: SLOW});
		slow2 = writeStack('hatch-e2e-slow2', 'stem', {STEM_BASE_IMAGE: SLOW2});
	});

	afterAll(() => {
		for (const s of [ok, broken, slow, slow2]) if (s) destroy(s);
		sh('docker', ['rmi', '-f', NO_BASH, SLOW, SLOW2], {allowFail: true});
	});

	it('builds, boots and reports ready with the container’s own host key, then pins it in ~/.ssh', () => {
		const home = join(ok.root, 'home');
		mkdirSync(join(home, '.ssh'), {recursive: true});
		const r = runCli(['--yes', '--ssh-config', ...setArgs(ok)], {home});
		expect(r.code, r.stdout + r.stderr).toBe(0);
		expect(r.stdout).toMatch(/build: step 1\/\d+ FROM .* … (done|cached)/);
		expect(r.stdout).toMatch(/build: step \d+\/\d+ RUN chmod/);
		expect(r.stdout).toMatch(/boot: 00-user-bootstrap\.sh \(\d+ ms\)/);
		expect(r.stdout).toMatch(/✔ ready in [\d.]+ s: ssh -p \d+ dev@127\.0\.0\.1/);
		const fp = hostKeyFingerprint(ok);
		expect(r.stdout).toContain(`host key ${fp} (ED25519)`);
		const log = /Log: (\S+)|Full log: (\S+)/.exec(r.stdout);
		expect(log).toBeNull(); // success prints no log path; the log is still written:
		expect(existsSync(join(ok.dir, 'logs'))).toBe(true);
		// The Host block and the pinned key let plain `ssh stem-name` in with strict host key checking.
		const login = spawnSync(
			'ssh',
			[
				'-F',
				join(home, '.ssh', 'config'),
				'-i',
				ok.key,
				'-o',
				'BatchMode=yes',
				'-o',
				'StrictHostKeyChecking=yes',
				'-o',
				`UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`,
				ok.name,
				'id -un',
			],
			{encoding: 'utf8'},
		);
		expect(login.stderr).toBe('');
		expect(login.stdout.trim()).toBe('dev');
		expect(readFileSync(join(home, '.ssh', 'config'), 'utf8')).toContain(`HostKeyAlias hatch-${ok.name}`);
		// The readiness probes leave no kex errors in sshd's log.
		expect(sh('docker', ['logs', ok.name]).stderr + sh('docker', ['logs', ok.name]).stdout).not.toContain(
			'kex_exchange_identification',
		);
	});

	it('running it again changes nothing and is ready again', () => {
		const r = runCli(['--yes', ...setArgs(ok)]);
		expect(r.code, r.stdout + r.stderr).toBe(0);
		expect(r.stdout).toContain('Nothing to write');
		expect(r.stdout).toMatch(/cached/);
		expect(r.stdout).toContain(`host key ${hostKeyFingerprint(ok)}`);
	});

	it('a boot step that fails: names it, stops the container instead of leaving it restarting, exits 1', () => {
		// GID 27 is the sudo group on Debian: with STEM_SUDO=0 the account step refuses it at boot.
		const bad = writeStack('hatch-e2e-bootfail', 'stem', {STEM_SUDO: '0', STEM_GID: '27'});
		try {
			const r = runCli(['--yes', ...setArgs(bad)]);
			expect(r.code, r.stdout + r.stderr).toBe(1);
			expect(r.stdout).toContain('boot step 00-user-bootstrap.sh FAILED (exit 1)');
			expect(r.stdout).toContain("STEM_GID 27 is the 'sudo' group, which grants admin rights");
			expect(r.stdout).toContain('the container never became ready and was stopped, so it does not restart in a loop');
			expect(sh('docker', ['inspect', '--format', '{{.State.Status}}', bad.name]).stdout.trim()).toBe('exited');
		} finally {
			destroy(bad);
		}
	});

	it('names the failing build step, shows its output and the log, and exits 1', () => {
		const r = runCli(['--yes', ...setArgs(broken)]);
		expect(r.code).toBe(1);
		expect(r.stdout).toMatch(
			/✗ build failed \(exit \d+\) at step 4\/\d+: RUN \/usr\/local\/lib\/hatch\/install-packages\.sh/,
		);
		expect(r.stdout).toMatch(/bash.*no such file or directory/i);
		const log = /Full log: (\S+)/.exec(r.stdout)![1]!;
		expect(readFileSync(log, 'utf8')).toMatch(/\[stem stem\s+4\/\d+\] RUN/);
	});

	it('stopped mid-build, it stops docker compose too, says what state the stack is in, and exits 130', async () => {
		const stale = new Set(slowSteps());
		const child = spawn(process.execPath, [BIN, '--yes', ...setArgs(slow)], {
			env: {...process.env, NO_COLOR: '1'},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		child.stdout.on('data', d => (out += d));
		child.stderr.on('data', d => (out += d));
		const exited = new Promise<number | null>(r => child.on('exit', r));
		try {
			// The event: this build's package step has started (the slow base's dpkg-query is sleeping).
			await until(
				() => slowSteps().some(p => !stale.has(p)),
				() => `the build’s package step:\n${out}`,
				{everyMs: 100},
			);
			expect(composeIn(slow.dir)).not.toEqual([]);
			child.kill('SIGTERM');
			expect(await exited).toBe(130);
			expect(out).toContain('Interrupted: stopped during the build: nothing was started');
			// No compose process outlives hatch (it may take a moment to go).
			await until(() => composeIn(slow.dir).length === 0, 'no docker compose left running in the stack', {
				timeoutMs: 5000,
				everyMs: 100,
			});
			expect(sh('docker', ['ps', '-q', '--filter', `name=${slow.name}`]).stdout.trim()).toBe('');
		} finally {
			// Whatever failed above, nothing of this test keeps running (a compose left behind builds on for minutes).
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			for (const pid of composeIn(slow.dir)) process.kill(pid, 'SIGKILL');
		}
	});

	it('a long step says it is still running, so a --yes log never sits silent', async () => {
		const {deployPlain} = await import('../../source/docker/plain.js');
		const {parseEnv} = await import('../../source/core/env.js');
		const values = parseEnv(readFileSync(join(slow2.dir, '.env'), 'utf8'));
		let out = '';
		const run = deployPlain(slow2.dir, values, {build: true, boot: false, sshConfig: false, heartbeatMs: 300}, s => {
			out += s;
			return true;
		});
		const heartbeat =
			/build: step 4\/\d+ RUN \/usr\/local\/lib\/hatch\/install-packages\.sh.* … still running \(\d+ s\)/;
		await until(
			() => heartbeat.test(out),
			() => `a heartbeat:\n${out}`,
		);
		process.emit('SIGINT'); // as Ctrl-C would: the build stops
		expect(await run).toBe(130);
	});
});
