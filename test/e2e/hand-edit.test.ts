// The .env is the interface: a stack written by hatch-wizard, then edited by hand and started with plain
// `docker compose up -d`, as the README says. What compose can follow takes effect; what it cannot is named,
// by the boot itself and by `hatch-wizard status`, until hatch-wizard rewrites the compose file.
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {deploy} from '../../source/docker/deploy.js';
import {runCli} from '../helpers/cli.js';
import {destroy, logs, type Stack, sh, ssh, waitReady, writeStack} from './helpers.js';

/** Replaces KEY=... lines of the stack's .env, as a user would in an editor. */
function editEnv(s: Stack, changes: Record<string, string>): void {
	const path = join(s.dir, '.env');
	let text = readFileSync(path, 'utf8');
	for (const [key, value] of Object.entries(changes)) {
		const re = new RegExp(`^${key}=.*$`, 'm');
		expect(text, key).toMatch(re);
		text = text.replace(re, `${key}=${value}`);
	}
	writeFileSync(path, text);
}

describe.sequential('hand edits of .env with plain docker compose', () => {
	let s: Stack;
	let renamed: Stack;

	beforeAll(async () => {
		s = writeStack('hatch-e2e-hand', 'stem', {});
		s.compose('up', '-d', '--build', '--quiet-pull', '--pull', 'never');
		await waitReady(s);
		expect(ssh(s, 'echo kept > ~/note && sudo -n true && echo sudo-ok').stdout).toContain('sudo-ok');
	});

	afterAll(() => {
		if (renamed) destroy(renamed);
		if (s) destroy(s);
		// External by the end (compose down leaves those): the names fixed when the stack was first written.
		sh('docker', ['volume', 'rm', 'hatch-e2e-hand-home', 'hatch-e2e-hand-sshkeys', 'hatch-e2e-hand-sshstate'], {
			allowFail: true,
		});
	});

	it('a new container name, port and STEM_SUDO=0 take effect; the home and host keys stay', async () => {
		const keysBefore = sh('docker', ['exec', s.name, 'cat', '/etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub']).stdout;
		const name = 'hatch-e2e-hand-renamed';
		const port = s.port + 1;
		editEnv(s, {STEM_CONTAINER_NAME: name, STEM_SSH_PORT: String(port), STEM_SUDO: '0'});
		const up = s.compose('up', '-d');
		expect(up.code, up.stderr).toBe(0);
		renamed = {...s, name, port};
		await waitReady(renamed);
		// Same compose project: the old container was replaced, not left holding the old port.
		expect(sh('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=^${s.name}$`]).stdout.trim()).toBe('');
		expect(ssh(renamed, 'cat ~/note').stdout.trim()).toBe('kept');
		expect(sh('docker', ['exec', name, 'cat', '/etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub']).stdout).toBe(
			keysBefore,
		);
		const sudo = ssh(renamed, 'sudo -n true; echo "rc=$?"; grep NoNewPrivs /proc/self/status');
		expect(sudo.stdout).toContain('rc=1');
		expect(sudo.stdout).toMatch(/NoNewPrivs:\s+1/);
		expect(logs(name)).toContain('with no-new-privileges (STEM_SUDO=0)');
	});

	it('a setting the compose file is written for is named by the boot and by status, with the fix', async () => {
		editEnv(s, {STEM_VOLUMES_EXTERNAL: '1'});
		const up = s.compose('up', '-d');
		expect(up.code, up.stderr).toBe(0);
		await waitReady(renamed, 1);
		// `up -d` with only .env's recorded value changed recreates the container: wait for its ready line.
		const boot = logs(renamed.name);
		expect(boot).toContain(
			'WARNING: STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0", so it is not ' +
				'applied: run hatch-wizard again',
		);
		const status = runCli(['status', '--image', 'stem', '--out', s.root]);
		expect(status.stdout).toContain(
			'! STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"',
		);
		expect(status.stdout).toContain(`to apply: npx hatch-wizard --yes --no-build --image stem --out ${s.root}`);
		expect(status.stdout).toContain('08-compose-check: STEM_VOLUMES_EXTERNAL');
		// The fix it names: the rewrite applies it and the drift is gone.
		const fix = runCli(['--yes', '--no-build', '--image', 'stem', '--out', s.root], {home: s.root});
		expect(fix.stdout).toContain(
			'note: STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"; rewriting ' +
				'docker-compose.yml applies it',
		);
		expect(fix.code, fix.stdout + fix.stderr).toBe(0);
		expect(readFileSync(join(s.dir, 'docker-compose.yml'), 'utf8')).toContain('external: true');
		const after = runCli(['status', '--image', 'stem', '--out', s.root]);
		expect(after.stdout).not.toContain('does not follow .env');
		expect(after.stdout).toContain('boot: ready, no warnings');
	});

	it(
		"a start in host mode shows compose's own lines, without its note that the bridge-mode port is " + 'discarded',
		async () => {
			// A change compose follows from .env, so `up` creates the container again (and says what it discards).
			editEnv(s, {STEM_PIXI_STOW: '0'});
			const seen: string[] = [];
			const run = deploy(s.dir, parseEnv(readFileSync(join(s.dir, '.env'), 'utf8')), {
				build: false,
				boot: true,
				events: {onUpLine: l => seen.push(l)},
			});
			const r = await run.done;
			expect(r.phase, JSON.stringify(r)).toBe('ready');
			expect(seen.join('\n')).toMatch(/Container hatch-e2e-hand-renamed +(Running|Started|Recreated)/);
			expect(
				sh('bash', ['-c', `grep -c 'Published ports are discarded' ${r.logFile}`], {allowFail: true}).stdout.trim(),
			).not.toBe('0');
			expect(seen.join('\n')).not.toContain('Published ports are discarded');
		},
	);
});
