// The "remote Docker host" on this machine (remote-rig.sh): a second user behind a second sshd, whose sessions
// talk to a second dockerd, both in a network namespace of their own, reached through a forwarder on
// 127.0.0.1:sshPort. rigUp() in a beforeAll, rigDown() in an afterAll; sshToRig() runs a command there.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const SCRIPT = join(import.meta.dirname, 'remote-rig.sh');

export interface Rig {
	/** This machine's port that leads to the rig's sshd (a forwarder to port 22 in the namespace). */
	sshPort: number;
	/** The test's private key, authorized for the rig's user. */
	key: string;
	user: string;
	uid: number;
	gid: number;
	/** The second engine, as seen by the rig's ssh sessions (unix:///run/hatch-rig/docker.sock). */
	dockerHost: string;
	/** The second engine's data root (its DockerRootDir). */
	dockerRoot: string;
	/** sshd's log (LogLevel VERBOSE): one "Connection from" line per TCP connection it took. */
	sshdLog: string;
	/** A known_hosts file with the rig's host key pinned for [127.0.0.1]:PORT. */
	knownHosts: string;
	/**
	 * The network namespace sshd, the second engine and its host-network containers run in (only a loopback):
	 * `ip netns exec NAME …`, as root, runs something on the remote side.
	 */
	netns: string;
}

function script(action: 'up' | 'down' | 'env'): string {
	const r = spawnSync('bash', [SCRIPT, action], {encoding: 'utf8', timeout: 300_000});
	if (r.status !== 0) throw new Error(`remote-rig.sh ${action} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
	return r.stdout;
}

/** Parses `remote-rig.sh env`: NAME=value lines, values plain (the script's values need no quoting). */
export function parseRigEnv(text: string): Rig {
	const vars = new Map<string, string>();
	for (const line of text.split('\n').filter(Boolean)) {
		const m = /^(RIG_[A-Z_]+)=([\w@%+:,./-]*)$/.exec(line);
		if (!m) throw new Error(`remote-rig.sh env: unexpected line ${JSON.stringify(line)}`);
		vars.set(m[1]!, m[2]!);
	}
	const get = (name: string) => {
		const v = vars.get(name);
		if (!v) throw new Error(`remote-rig.sh env: ${name} is missing`);
		return v;
	};
	return {
		sshPort: Number(get('RIG_SSH_PORT')),
		key: get('RIG_KEY'),
		user: get('RIG_USER'),
		uid: Number(get('RIG_UID')),
		gid: Number(get('RIG_GID')),
		dockerHost: get('RIG_DOCKER_HOST'),
		dockerRoot: get('RIG_DOCKER_ROOT'),
		sshdLog: get('RIG_SSHD_LOG'),
		knownHosts: get('RIG_KNOWN_HOSTS'),
		netns: get('RIG_NETNS'),
	};
}

export function rig(): Rig {
	return parseRigEnv(script('env'));
}

/** Starts the rig (or finds it started) and returns its settings. Needs root. */
export function rigUp(): Rig {
	script('up');
	return rig();
}

export function rigDown(): void {
	script('down');
}

/**
 * The ssh arguments that reach the rig's user with the test key and the pinned host key, never prompting and
 * reading no ssh config; `options` adds -o options (e.g. ControlMaster) before the destination.
 */
export function rigSshArgs(r: Rig, options: string[] = []): string[] {
	return [
		'-F',
		'/dev/null',
		'-i',
		r.key,
		'-p',
		String(r.sshPort),
		...[
			'IdentitiesOnly=yes',
			'BatchMode=yes',
			'StrictHostKeyChecking=yes',
			`UserKnownHostsFile=${r.knownHosts}`,
			'GlobalKnownHostsFile=/dev/null',
			'ConnectTimeout=10',
			...options,
		].flatMap(o => ['-o', o]),
		`${r.user}@127.0.0.1`,
	];
}

/** Runs `cmd` (a shell command line) as the rig's user over ssh; never throws for a failing command. */
export function sshToRig(cmd: string, options: string[] = [], r: Rig = rig()) {
	const res = spawnSync('ssh', [...rigSshArgs(r, options), '--', cmd], {encoding: 'utf8', timeout: 60_000});
	return {code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? ''};
}

/** The ssh config lines that name the rig `alias`: its user, the test key, the pinned host key. */
export function rigHostBlock(r: Rig, alias = 'rigbox'): string[] {
	return [
		`Host ${alias}`,
		'  HostName 127.0.0.1',
		`  Port ${r.sshPort}`,
		`  User ${r.user}`,
		`  IdentityFile ${r.key}`,
		'  IdentitiesOnly yes',
		`  UserKnownHostsFile ${r.knownHosts}`,
	];
}

/**
 * A user on this side for the --host tests: a home with a key pair of their own (its public half is what a stack
 * gets) and an ssh config naming the rig `rigbox` (plus `more` lines), and the environment hatch runs in: that
 * config through HATCH_SSH_COMMAND (ssh reads the passwd home's config, not $HOME's), a short control-socket folder
 * of its own, and hatch's own config folder in that home.
 */
export function rigUser(r: Rig, more: string[] = []): {home: string; env: Record<string, string>} {
	const home = mkdtempSync(join(tmpdir(), 'hatch-e2e-ruser-'));
	mkdirSync(join(home, '.ssh'), {mode: 0o700});
	const key = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, '.ssh', 'id_ed25519')]);
	if (key.status !== 0) throw new Error(`ssh-keygen: ${key.stderr}`);
	writeFileSync(join(home, '.ssh', 'config'), `${[...rigHostBlock(r), ...more, ''].join('\n')}`, {mode: 0o600});
	return {
		home,
		env: {
			HOME: home,
			HATCH_SSH_COMMAND: `ssh -F ${join(home, '.ssh', 'config')}`,
			TMPDIR: mkdtempSync('/tmp/hr-'),
			HATCH_CONFIG_DIR: join(home, 'config'),
		},
	};
}

/** Logs in as `home`'s user with the Host block hatch wrote for `name`: through the rig, pinned key, no prompt. */
export function loginThrough(home: string, name: string, cmd: string) {
	const res = spawnSync(
		'ssh',
		[
			'-F',
			join(home, '.ssh', 'config'),
			...['BatchMode=yes', 'StrictHostKeyChecking=yes', `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`]
				// ssh reads the passwd home's known_hosts; hatch pinned the key in $HOME's.
				.flatMap(o => ['-o', o]),
			name,
			cmd,
		],
		{encoding: 'utf8', timeout: 60_000},
	);
	return {code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? ''};
}
