// A Host fed from fixtures: files, folders, sockets and canned command results. For probe tests only;
// the real Host is exercised by `inspect --json` against this machine.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {Host, RunResult} from '../../source/host/probes.js';

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures', name), 'utf8');

export type Canned = RunResult | 'missing' | 'hang';

export interface FakeHostSpec {
	home?: string;
	files?: Record<string, string>;
	dirs?: string[];
	/** path → whether something answers on it */
	sockets?: Record<string, boolean>;
	/** "cmd arg1 arg2" prefix → result */
	commands?: Record<string, Canned>;
	env?: Record<string, string>;
	platform?: NodeJS.Platform;
	uid?: number;
	/** Ports something else holds, as "address:port" (127.0.0.1:22222) or a bare port on every address. */
	taken?: string[];
}

export function fakeHost(spec: FakeHostSpec = {}): Host & {calls: string[]; deadlines: Record<string, number>} {
	const home = spec.home ?? '/home/alice';
	const files = spec.files ?? {};
	const dirs = new Set(spec.dirs ?? []);
	const calls: string[] = [];
	/** The deadline each command was given, by command line. */
	const deadlines: Record<string, number> = {};
	return {
		calls,
		deadlines,
		async run(cmd, args, timeoutMs) {
			const line = [cmd, ...args].join(' ');
			calls.push(line);
			deadlines[line] = timeoutMs;
			const key = Object.keys(spec.commands ?? {}).find(k => line.startsWith(k));
			const canned = key ? spec.commands![key]! : 'missing';
			if (canned === 'missing') return {stdout: '', stderr: `${cmd}: not found`, exitCode: 127};
			// A tool that never answers: the real Host kills it at its deadline and says so (see probes.test).
			if (canned === 'hang') return {stdout: '', stderr: '', exitCode: 143, timedOut: true};
			return canned;
		},
		async readFile(path) {
			if (path in files) return files[path]!;
			throw Object.assign(new Error(`ENOENT: ${path}`), {code: 'ENOENT'});
		},
		async readdir(path) {
			const prefix = path.endsWith('/') ? path : `${path}/`;
			const names = Object.keys(files)
				.filter(p => p.startsWith(prefix))
				.map(p => p.slice(prefix.length).split('/')[0]!);
			if (!names.length && !dirs.has(path)) throw Object.assign(new Error(`ENOENT: ${path}`), {code: 'ENOENT'});
			return [...new Set(names)];
		},
		async kind(path) {
			if (path in files) return 'file';
			if (dirs.has(path)) return 'dir';
			if (spec.sockets && path in spec.sockets) return 'socket';
			return undefined;
		},
		async realpath(path) {
			return path;
		},
		async connect(path) {
			return spec.sockets?.[path] ?? false;
		},
		async portFree(port, address) {
			return !(spec.taken ?? []).some(t => t === String(port) || t === `${address}:${port}`);
		},
		env: {HOME: home, ...spec.env},
		userInfo: () => ({username: 'alice', uid: spec.uid ?? 1000, gid: 1000, homedir: home}),
		hostname: () => 'vortex.local',
		platform: spec.platform ?? 'linux',
	};
}

export const ok = (stdout: string): RunResult => ({stdout, stderr: '', exitCode: 0});
export const fail = (exitCode: number, stderr: string, stdout = ''): RunResult => ({stdout, stderr, exitCode});

/** An Inspection as a host with `gpus` NVIDIA GPUs, a key and a live agent would give (for UI tests). */
export function fakeInspection(
	options: {gpus?: number; agent?: boolean; pending?: boolean} = {},
): import('../../source/host/inspect.js').Inspection {
	const gpus = Array.from({length: options.gpus ?? 0}, (_, index) => ({
		index,
		name: 'NVIDIA H100 80GB HBM3',
		memoryMiB: 81559,
		uuid: `GPU-${index}f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50`,
	}));
	return {
		identity: {user: 'alice', uid: 1000, gid: 1000, home: '/home/alice', hostname: 'vortex'},
		platform: 'linux',
		docker: {
			status: 'ok',
			value: {
				serverVersion: '27.3.1',
				runtimes: gpus.length ? ['nvidia', 'runc'] : ['runc'],
				nvidiaRuntime: gpus.length > 0,
				desktop: false,
			},
			ms: 40,
		},
		compose: {status: 'ok', value: '2.29.7', ms: 60},
		gpus: gpus.length
			? {status: 'ok', value: {gpus, source: 'nvidia-smi'}, ms: 80}
			: {status: 'missing', value: {gpus: [], source: 'nvidia-smi'}, detail: 'no NVIDIA GPU found', ms: 5},
		dropbox: {status: 'ok', value: '/home/alice/Dropbox', ms: 1},
		agent: options.agent
			? {status: 'ok', value: '/tmp/ssh-a/agent.1', ms: 2}
			: {status: 'missing', detail: 'SSH_AUTH_SOCK is not set', hint: 'start an agent', ms: 0},
		publicKeys: {status: 'ok', value: ['/home/alice/.ssh/id_ed25519.pub'], ms: 1},
	};
}
