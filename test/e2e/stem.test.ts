// stem, end to end: built and booted by the real engine from the files hatch-wizard writes, logged into
// with the real ssh client.
import {rmSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	destroy,
	fileOwner,
	hostDir,
	hostKeyFingerprint,
	logs,
	type Stack,
	sh,
	ssh,
	waitReady,
	writeStack,
} from './helpers.js';

describe.sequential('stem', () => {
	let s: Stack;
	let share: string;

	beforeAll(async () => {
		s = writeStack('hatch-e2e-stem', 'stem', {STEM_USER: 'dev', STEM_UID: '1001', STEM_GID: '1002'});
		share = hostDir(s.root, 'share');
		s = writeStack(s.name, 'stem', {DROPBOX_PATH_ON_HOST: share}, s);
		s.compose('build', '--progress', 'plain');
		s.compose('up', '-d');
		await waitReady(s);
	});

	afterAll(() => destroy(s));

	it('lets the configured user in with a key; id shows the configured UID/GID', () => {
		const r = ssh(s, 'id -u; id -g; id -un; echo $HOME; sudo -n true && echo sudo-ok');
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout.split('\n').slice(0, 5)).toEqual(['1001', '1002', 'dev', '/home/dev', 'sudo-ok']);
	});

	it('writes files into a bind-mounted host folder as the configured UID/GID', () => {
		const r = ssh(s, 'echo hello > ~/Dropbox/from-container.txt && ls -l ~/Dropbox/');
		expect(r.code, r.stderr).toBe(0);
		expect(fileOwner(join(share, 'from-container.txt'))).toBe('1001:1002');
	});

	it('refuses passwords, keyboard-interactive and root', () => {
		const pw = ssh(s, 'true', {
			extra: ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive'],
		});
		expect(pw.code).toBe(255);
		expect(pw.stderr).toContain('Permission denied (publickey)');
		expect(ssh(s, 'true', {user: 'root'}).code).toBe(255);
		const cfg = sh('docker', ['exec', s.name, 'sshd', '-T']).stdout;
		expect(cfg).toMatch(/^passwordauthentication no$/m);
		expect(cfg).toMatch(/^kbdinteractiveauthentication no$/m);
		expect(cfg).toMatch(/^permitrootlogin no$/m);
		expect(cfg).toMatch(/^allowtcpforwarding yes$/m);
		expect(cfg).toMatch(/^allowagentforwarding yes$/m);
	});

	it('reaps zombies and runs tini as PID 1', () => {
		const comm = sh('docker', ['exec', s.name, 'cat', '/proc/1/comm']).stdout.trim();
		expect(comm).toBe('tini');
		// A child left behind when its parent execs away becomes tini's to reap.
		const r = ssh(s, 'bash -c "sleep 0.1 & exec sleep 0.5"; echo done');
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toBe('done\n');
		const zombies = sh('docker', ['exec', s.name, 'sh', '-c', "ps -eo stat= | grep -c '^Z' || true"]).stdout.trim();
		expect(zombies).toBe('0');
	});

	it('a second boot changes nothing', async () => {
		const ownersBefore = sh('docker', [
			'exec',
			s.name,
			'stat',
			'-c',
			'%n %u:%g %a',
			'/home/dev',
			'/home/dev/.bashrc',
			'/var/lib/hatch/ssh/dev/authorized_keys',
		]).stdout;
		s.compose('restart', '--timeout', '2');
		await waitReady(s, 2);
		const second = logs(s.name).split('hatch: boot ').pop()!;
		expect(second).not.toMatch(/\b(created|renamed|moved|changed|owner of|generated|persisted)\b/);
		expect(second).toContain('authorized keys unchanged');
		const ownersAfter = sh('docker', [
			'exec',
			s.name,
			'stat',
			'-c',
			'%n %u:%g %a',
			'/home/dev',
			'/home/dev/.bashrc',
			'/var/lib/hatch/ssh/dev/authorized_keys',
		]).stdout;
		expect(ownersAfter).toBe(ownersBefore);
	});

	it('never lets the user point root at system files through the home or the key store', async () => {
		const r = ssh(
			s,
			'rm -rf ~/.local && ln -s /usr ~/.local && ls -ld ~/.local; ln -sf /etc/shadow ' +
				'/var/lib/hatch/ssh/dev/authorized_keys 2>&1 || echo refused',
		);
		expect(r.stdout).toContain('refused');
		s.compose('restart', '--timeout', '2');
		await waitReady(s, 3);
		const owners = sh('docker', [
			'exec',
			s.name,
			'stat',
			'-c',
			'%n %U',
			'/usr/bin',
			'/usr/share',
			'/etc/shadow',
			'/var/lib/hatch/ssh/dev',
		]).stdout;
		expect(owners).toBe('/usr/bin root\n/usr/share root\n/etc/shadow root\n/var/lib/hatch/ssh/dev root\n');
		expect(logs(s.name)).toContain('left the owner of ~/.local/bin alone: a folder above it is a symlink');
		expect(ssh(s, 'rm ~/.local && id -un').stdout.trim()).toBe('dev');
	});

	it('keeps the host key across down + up --build, and keys work after the host key file is gone', async () => {
		const before = hostKeyFingerprint(s);
		s.compose('down', '--timeout', '2');
		// The user deletes the public key file on the host and clears the setting: the persisted copy is used.
		rmSync(`${s.key}.pub`);
		s = writeStack(s.name, 'stem', {STEM_AUTH_KEYS_PATH: ''}, s);
		s.compose('up', '-d', '--build');
		await waitReady(s);
		expect(hostKeyFingerprint(s)).toBe(before);
		expect(logs(s.name)).toContain('using 1 persisted key(s)');
		const r = ssh(s, 'id -un');
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout.trim()).toBe('dev');
	});

	it('prints the host key fingerprints on every boot', () => {
		const fp = hostKeyFingerprint(s);
		expect(logs(s.name)).toContain(`host key ${fp} (ED25519)`);
	});

	it('ships no private key and no host key in the image history or layers', () => {
		const history = sh('docker', [
			'history',
			'--no-trunc',
			'--format',
			'{{.CreatedBy}}',
			`hatch-e2e/${s.name}:test`,
		]).stdout;
		expect(history).not.toMatch(/PRIVATE KEY|ssh_host_.*_key[^.*]/);
		const files = sh('docker', [
			'run',
			'--rm',
			'--network',
			'none',
			'--entrypoint',
			'sh',
			`hatch-e2e/${s.name}:test`,
			'-c',
			'ls /etc/ssh; grep -rlE "^-----BEGIN [A-Z ]*PRIVATE KEY-----$" /etc /root /home /var /opt 2>/dev/null || true',
		]).stdout;
		expect(files).not.toMatch(/ssh_host_/);
		expect(files).not.toMatch(/^\/(etc|root|home)\//m);
	});
});
