// doctor against a stack hatch-wizard built and booted (one boot): healthy while it runs, with its SSH host key
// and a bind mount checked inside the real container; a real failure, with the fix, once the container is stopped.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Finding} from '../../source/commands/doctor.js';
import {runCli} from '../helpers/cli.js';
import {destroy, hostDir, hostKeyFingerprint, type Stack, sh, writeStack} from './helpers.js';

describe.sequential('doctor on a real stack', () => {
	let s: Stack;
	const doctor = (...args: string[]) => runCli(['doctor', s.name, ...args], {timeoutMs: 60_000});
	const findings = (stdout: string) => JSON.parse(stdout).findings as Finding[];

	beforeAll(() => {
		s = writeStack(`hatch-e2e-doctor-${process.pid}`, 'stem', {});
		const share = hostDir(s.root, 'share');
		const r = runCli(['--yes', '--image', 'stem', '--out', s.root, '--set', `DROPBOX_PATH_ON_HOST=${share}`], {
			timeoutMs: 280_000,
		});
		expect(r.code, r.stdout + r.stderr).toBe(0);
	});

	afterAll(() => {
		if (s) destroy(s);
	});

	it('a running stack is healthy: exit 0, its host key, ids and bind mount checked inside', () => {
		const r = doctor('--json');
		expect(r.code, r.stdout + r.stderr).toBe(0);
		const all = findings(r.stdout);
		const status = Object.fromEntries(all.map(f => [f.check, f.status]));
		expect(status).toMatchObject({
			engine: 'ok',
			compose: 'ok',
			port: 'ok',
			files: 'ok',
			container: 'ok',
			ssh: 'ok',
			user: 'ok',
			'mount /mnt/hatch/dropbox': 'ok',
			boot: 'ok',
			drift: 'ok',
		});
		expect(all.find(f => f.check === 'ssh')?.detail).toContain(hostKeyFingerprint(s));
		expect(all.find(f => f.check === 'port')?.detail).toBe(`127.0.0.1:${s.port} is held by ${s.name} itself`);
		expect(all.some(f => f.status === 'fail')).toBe(false);
	});

	it('a stopped container is a failure: exit 1, the fix names hatch-wizard up, nothing looked at inside', () => {
		sh('docker', ['stop', '--time', '2', s.name]);
		const r = doctor();
		expect(r.code, r.stdout + r.stderr).toBe(1);
		expect(r.stdout).toMatch(
			new RegExp(`^✗ container +${s.name} is exited\\n +→ hatch-wizard up ${s.name} starts it \\(`, 'm'),
		);
		expect(r.stdout).toMatch(new RegExp(`^– ssh +${s.name} is not running$`, 'm'));
		expect(r.stdout).toMatch(new RegExp(`\\nthis host and ${s.name}: 1 problem\\(s\\) to fix \\(.*\\)\\n$`));
	});
});
