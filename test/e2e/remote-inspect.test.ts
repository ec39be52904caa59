// `inspect --host`: the remote Docker host of remote-rig.sh (a second user, 1777, behind its own sshd, whose
// docker is a second engine with a runtime named nvidia and a fake nvidia-smi on that user's PATH) is
// looked at over one SSH connection, and what hatch reports is the remote's, never this machine's.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {type Rig, rigDown, rigHostBlock, rigUp} from './remote-rig.js';

let r: Rig;
let dir: string;
let sshCommand: string;

beforeAll(() => {
	r = rigUp();
	dir = mkdtempSync(join(tmpdir(), 'hatch-e2e-rinspect-'));
	// The user's own ssh config names the host (ssh reads the passwd home's config, not $HOME's: the test
	// gives its config file through HATCH_SSH_COMMAND, as a user with a config of their own elsewhere would).
	writeFileSync(
		join(dir, 'ssh_config'),
		[
			...rigHostBlock(r),
			'Host rigbox-nokey',
			'  HostName 127.0.0.1',
			`  Port ${r.sshPort}`,
			'  User nobody',
			`  IdentityFile ${join(dir, 'none')}`,
			'  IdentitiesOnly yes',
			`  UserKnownHostsFile ${r.knownHosts}`,
			'',
		].join('\n'),
	);
	sshCommand = `ssh -F ${join(dir, 'ssh_config')}`;
});
afterAll(() => {
	if (dir) rmSync(dir, {recursive: true, force: true});
	rigDown();
});

/** sshd's "Connection from" lines so far: one per TCP connection it took. */
const connections = () =>
	readFileSync(r.sshdLog, 'utf8')
		.split(/\r?\n/)
		.filter(l => l.includes('Connection from')).length;

describe('inspect --host', () => {
	it("reports the remote's user, ids, engine and GPUs over one connection, not this machine's", () => {
		const before = connections();
		// A folder for this run's control socket: no shared connection left by an earlier run is reused.
		// A GPU here (a fake nvidia-smi on this side's PATH) must not count for the remote.
		const bin = mkdtempSync(join(dir, 'bin-'));
		writeFileSync(join(bin, 'nvidia-smi'), '#!/bin/sh\necho "0, LocalFake, 81920 MiB, 550.1, GPU-local"\n', {
			mode: 0o755,
		});
		const env = {
			HATCH_SSH_COMMAND: sshCommand,
			SSH_AUTH_SOCK: undefined,
			TMPDIR: mkdtempSync('/tmp/hr-'),
			PATH: `${bin}:${process.env.PATH}`,
		};
		const res = runCli(['inspect', '--json', '--host', 'rigbox'], {env, timeoutMs: 120_000});
		expect(res.stderr).toBe('');
		expect(res.code).toBe(0);
		const i = JSON.parse(res.stdout);
		expect(i.identity).toMatchObject({user: r.user, uid: r.uid, gid: r.gid, home: `/home/${r.user}`});
		// The second engine: its runtimes (a runtime named nvidia) and the GPU its nvidia-smi lists.
		expect(i.docker.status).toBe('ok');
		expect(i.docker.value.runtimes).toContain('nvidia');
		expect(i.gpus.value.gpus.map((g: {name: string}) => g.name)).toEqual(['Fake']);
		// A runtime named nvidia is not a usable GPU: a real container there could not get one.
		expect(i.gpus.status).toBe('error');
		expect(i.gpus.detail).toMatch(
			/^1 GPU\(s\) on the host, but a container cannot use them: .*could not select device driver/,
		);
		expect(i.gpus.value.container.ok).toBe(false);
		expect(i.compose.status).toBe('ok');
		// Every probe's commands went through one SSH connection.
		expect(connections() - before).toBe(1);
		// Here, the same command sees this machine: root, no runtime named nvidia, and the GPU on its PATH.
		const local = JSON.parse(runCli(['inspect', '--json'], {env: {PATH: env.PATH}}).stdout);
		expect(local.identity.uid).toBe(process.getuid!());
		expect(local.docker.value.runtimes).not.toContain('nvidia');
		expect(local.gpus.value.gpus.map((g: {name: string}) => g.name)).toEqual(['LocalFake']);
	});

	it('a failed login exits 1 naming the fix; a bad TARGET exits 2 naming the forms', () => {
		const env = {HATCH_SSH_COMMAND: sshCommand, SSH_AUTH_SOCK: undefined};
		const denied = runCli(['inspect', '--host', 'rigbox-nokey'], {env, timeoutMs: 60_000});
		expect(denied.code).toBe(1);
		expect(denied.stderr).toMatch(/--host rigbox-nokey: SSH authentication failed \(.*Permission denied/);
		expect(denied.stderr).toContain('ssh-copy-id rigbox-nokey');
		const bad = runCli(['inspect', '--host=-oProxyCommand=touch /tmp/x'], {env});
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('is not an SSH destination');
		// A stack command on a host with no stack recorded for it: said, with how to write one there.
		const none = runCli(['status', '--host', 'rigbox-none'], {env, home: mkdtempSync(join(dir, 'home-'))});
		expect(none.code).toBe(2);
		expect(none.stderr).toBe(
			'hatch-wizard: no stack recorded for --host rigbox-none; write one with hatch-wizard --yes --host rigbox-none\n',
		);
	});
});
