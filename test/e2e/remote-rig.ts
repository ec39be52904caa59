// The "remote Docker host" on this machine (remote-rig.sh): a second user behind a second sshd, whose sessions
// talk to a second dockerd, both in a network namespace of their own, reached through a forwarder on
// 127.0.0.1:sshPort. rigUp() in a beforeAll, rigDown() in an afterAll; sshToRig() runs a command there.
import {spawnSync} from 'node:child_process';
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
