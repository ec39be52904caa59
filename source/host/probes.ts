// Host probes. Each takes its I/O through an injected `Host` so tests can feed fixtures captured from
// real machines; `realHost()` is the live implementation.
import {readdir, readFile, realpath, stat} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import {join} from 'node:path';
import {run} from '../docker/proc.js';

export interface RunResult {
	stdout: string;
	stderr: string;
	exitCode: number;
	timedOut?: boolean;
}

export interface Host {
	run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult>;
	readFile(path: string): Promise<string>;
	readdir(path: string): Promise<string[]>;
	/** 'file' | 'dir' | 'socket' | 'other', or undefined when missing. */
	kind(path: string): Promise<'file' | 'dir' | 'socket' | 'other' | undefined>;
	realpath(path: string): Promise<string>;
	/** Whether something accepts a connection on the unix socket within the deadline. */
	connect(path: string, timeoutMs: number): Promise<boolean>;
	/** Whether a TCP port can be bound on the address (i.e. nothing listens there). */
	portFree(port: number, address: string): Promise<boolean>;
	env: Record<string, string | undefined>;
	userInfo(): {username: string; uid: number; gid: number; homedir: string};
	hostname(): string;
	platform: NodeJS.Platform;
	/** How messages name a remote host (its --host TARGET); undefined for this machine. */
	label?: string;
}

/** "on this host", or "on TARGET" for a remote one: where a message's problem is. */
export const onHost = (host: Pick<Host, 'label'>) => (host.label ? `on ${host.label}` : 'on this host');

export function realHost(): Host {
	return {
		// Untranslated messages: the probes read the tools' words.
		run: (cmd, args, timeoutMs) => run(cmd, args, {timeoutMs, env: {...process.env, LC_ALL: 'C'}}),
		readFile: path => readFile(path, 'utf8'),
		readdir: path => readdir(path),
		async kind(path) {
			try {
				const s = await stat(path);
				return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSocket() ? 'socket' : 'other';
			} catch {
				return undefined;
			}
		},
		realpath: path => realpath(path),
		connect: (path, timeoutMs) =>
			new Promise(resolve => {
				const socket = net.connect(path);
				const done = (ok: boolean) => {
					socket.destroy();
					resolve(ok);
				};
				socket.setTimeout(timeoutMs, () => done(false));
				socket.once('connect', () => done(true));
				socket.once('error', () => done(false));
			}),
		portFree: (port, address) =>
			new Promise(resolve => {
				const server = net.createServer();
				server.once('error', () => resolve(false));
				server.listen({port, host: address, exclusive: true}, () => server.close(() => resolve(true)));
			}),
		env: process.env,
		userInfo: () => {
			const u = os.userInfo();
			// os.homedir() honours $HOME, which is what the user means by "my home".
			return {username: u.username, uid: u.uid, gid: u.gid, homedir: os.homedir() || u.homedir};
		},
		hostname: () => os.hostname(),
		platform: process.platform,
	};
}

export function identity(host: Host) {
	const u = host.userInfo();
	return {user: u.username, uid: u.uid, gid: u.gid, home: u.homedir, hostname: host.hostname().split('.')[0]!};
}

/** Public keys in ~/.ssh, ed25519 first (the usual modern choice). */
export async function publicKeys(host: Host, home: string): Promise<string[]> {
	let names: string[];
	try {
		names = await host.readdir(join(home, '.ssh'));
	} catch {
		return [];
	}
	const rank = (n: string) => (n.includes('ed25519') ? 0 : n.includes('ecdsa') ? 1 : n.includes('rsa') ? 2 : 3);
	const pubs = names.filter(n => n.endsWith('.pub')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
	const out: string[] = [];
	for (const n of pubs) {
		const p = join(home, '.ssh', n);
		if ((await host.kind(p)) === 'file') out.push(p);
	}
	return out;
}

/** Dropbox folder: ~/.dropbox/info.json (personal, then business), then the usual folders; symlinks resolved. */
export async function dropboxPath(host: Host, home: string): Promise<string | undefined> {
	const candidates: string[] = [];
	try {
		const info = JSON.parse(await host.readFile(join(home, '.dropbox', 'info.json'))) as Record<
			string,
			{path?: unknown}
		>;
		for (const account of ['personal', 'business']) {
			const p = info[account]?.path;
			if (typeof p === 'string' && p) candidates.push(p);
		}
	} catch {
		// No Dropbox client config, or unreadable JSON: fall back to the usual places.
	}
	candidates.push(join(home, 'Dropbox'), join(home, 'Library', 'CloudStorage', 'Dropbox'));
	for (const c of candidates) {
		if ((await host.kind(c)) === 'dir') {
			try {
				return await host.realpath(c);
			} catch {
				return c;
			}
		}
	}
	return undefined;
}
