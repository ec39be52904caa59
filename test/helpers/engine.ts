// A scripted Docker engine for the in-process tests of deploy, the plain output and the stack commands:
// every program hatch runs (captured or streamed) and the readiness gate's look at the host go through one
// script, which answers by the exact command line. A command the script does not know fails with exit 127,
// as a wrong command would. The clock moves only when the readiness gate pauses. No engine, no real time.
import {defaults, type Values} from '../../source/core/model.js';
import type {Engine} from '../../source/docker/deploy.js';
import type {Proc, Ran, RunOptions, Streamed, StreamOptions, StreamResult} from '../../source/docker/proc.js';
import type {ReadyHost} from '../../source/docker/ready.js';

export interface Call {
	kind: 'run' | 'stream';
	/** The command line, words joined by spaces. */
	line: string;
	cmd: string;
	args: string[];
	options: RunOptions & StreamOptions;
}

export interface Reply {
	exitCode?: number;
	stdout?: string;
	stderr?: string;
	/** A streamed command's output lines. */
	lines?: string[];
	/** A streamed command that runs until it is cancelled (after printing its lines). */
	hang?: boolean;
	/** A streamed command that waits for this before it ends (after printing its lines). */
	until?: Promise<unknown>;
}

export interface EngineScript {
	/** The reply to a command line; undefined: the command is unknown. */
	reply(line: string, call: Call): Reply | undefined;
	/** Whether sshd answers on address:port at scripted time t (ms since the start). */
	answers?(address: string, port: number, t: number): boolean;
}

/** The scripted clock starts here, not at 0: a duration computed as now + start would show. */
export const START = 1_000_000;

export function scriptedEngine(script: EngineScript) {
	const calls: Call[] = [];
	const live = new Set<Streamed>();
	let called: (call: Call) => void = () => {};
	const cancels: {line: string; graceMs: number | undefined}[] = [];
	let t = START;
	const answer = (call: Call): Reply =>
		script.reply(call.line, call) ?? {exitCode: 127, stderr: `scripted engine: no answer for "${call.line}"`};
	const record = (kind: Call['kind'], cmd: string, args: string[], options: RunOptions & StreamOptions = {}): Call => {
		const call = {kind, line: [cmd, ...args].join(' '), cmd, args, options};
		calls.push(call);
		called(call);
		return call;
	};
	const proc: Proc = {
		async run(cmd, args, options = {}): Promise<Ran> {
			const r = answer(record('run', cmd, args, options));
			return {exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: false};
		},
		stream(cmd, args, options): Streamed {
			const call = record('stream', cmd, args, options);
			const r = answer(call);
			let cancel: (() => void) | undefined;
			let canceled = false;
			const stopped = new Promise<void>(resolve => (cancel = resolve));
			const done = (async (): Promise<StreamResult> => {
				await Promise.resolve();
				const lines = [...(r.lines ?? []), ...(r.stderr ? r.stderr.split('\n') : [])];
				for (const l of lines) options.onLine?.(l);
				if (r.hang) await stopped;
				else if (r.until) await Promise.race([r.until, stopped]);
				return {exitCode: canceled ? 130 : (r.exitCode ?? 0), canceled, tail: lines.slice(-200)};
			})();
			const handle: Streamed = {
				done,
				cancel(graceMs) {
					cancels.push({line: call.line, graceMs});
					canceled = true;
					cancel?.();
				},
			};
			live.add(handle);
			void done.finally(() => live.delete(handle));
			return handle;
		},
	};
	let followed: string[] = [];
	const ready: ReadyHost = {
		async output(cmd, args) {
			const r = await proc.run(cmd, args);
			return r.exitCode === 0 ? r.stdout : '';
		},
		async answers(address, port) {
			record('run', 'connect', [`${address}:${port}`]);
			return script.answers?.(address, port, t - START) ?? false;
		},
		followLog(container, since, onLine) {
			const r = answer(record('stream', 'docker', ['logs', '--follow', '--since', since, container]));
			followed = r.lines ?? [];
			for (const l of followed) onLine(l);
			return {stop: async () => followed};
		},
		async pause(ms) {
			t += ms;
		},
		now: () => t,
	};
	const engine: Engine = {proc, ready};
	return {
		engine,
		calls,
		cancels,
		/** The command lines run so far, in order. */
		lines: () => calls.map(c => c.line),
		/** Scripted time since the start, ms. */
		time: () => t - START,
		/** What a signal to hatch does to running commands (see proc.ts): cancels each. */
		interrupt: () => {
			for (const s of live) s.cancel();
		},
		/** Resolves when a command line matching `re` is run (at once if one was). */
		ran(re: RegExp): Promise<Call> {
			const seen = calls.find(c => re.test(c.line));
			if (seen) return Promise.resolve(seen);
			return new Promise(resolve => {
				const before = called;
				called = call => {
					before(call);
					if (re.test(call.line)) resolve(call);
				};
			});
		},
	};
}

/** A stem stack named box, for alice, listening on every interface on port 2222: the tests' usual stack. */
export const BOX: Values = {
	...defaults('stem'),
	STEM_CONTAINER_NAME: 'box',
	STEM_USER: 'alice',
	STEM_UID: '1000',
	STEM_GID: '1000',
	STEM_SSH_PORT: '2222',
	STEM_SSH_LISTEN: '0.0.0.0',
};
/** The command lines the readiness gate runs for box. */
export const LOOKS = {
	keyscan: 'ssh-keyscan -T 3 -t ed25519 -p 2222 127.0.0.1',
	stored: 'docker exec box cat /etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub',
	record: 'docker exec box cat /run/hatch/boot-state /run/hatch/boot-warnings',
} as const;

/** ssh-keyscan's line and the volume's .pub line for one ed25519 key. */
export const HOST_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHatchStoredHostKeyForTheReadinessGate00';
export const keyscanLine = (port: number, blob = HOST_KEY) => `[127.0.0.1]:${port} ssh-ed25519 ${blob}\n`;
export const storedKey = (blob = HOST_KEY) => `ssh-ed25519 ${blob} root@box\n`;
