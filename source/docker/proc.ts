// The one way hatch runs a program: `run` to its end with the output captured (under a deadline), or
// `stream` with the output taken line by line: every line goes to a log file and to a callback, only a
// bounded tail stays in memory, and the child gets its own process group, so cancelling stops `docker` and
// the compose plugin it starts (no orphans). Code that runs programs takes a `Proc`; tests give a scripted one.
import {spawn} from 'node:child_process';
import {createWriteStream, mkdirSync} from 'node:fs';
import {dirname} from 'node:path';
import {FIELDS} from '../core/model.js';
import {cleanLine, stripCodes} from './buildkit.js';

export interface StreamResult {
	exitCode: number;
	canceled: boolean;
	/** The last lines of output (cleaned). */
	tail: string[];
}

export interface Streamed {
	done: Promise<StreamResult>;
	/** Stops the command: SIGINT to its process group, SIGKILL after `graceMs`. */
	cancel(graceMs?: number): void;
}

const TAIL = 200;

// The one owner of SIGINT, SIGTERM and SIGHUP while hatch runs commands without a terminal UI (Ctrl-C in
// the UI is a key, not a signal): every running child is stopped (they run in their own process groups,
// where the terminal's signals do not reach them), and every handler given to onInterrupt is told. A second
// signal kills the children at once.
const live = new Set<Streamed>();
const interrupts = new Set<() => void>();
let signals = 0;
let listening = false;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
function onSignal(): void {
	signals++;
	for (const h of [...interrupts]) h();
	for (const s of live) s.cancel(signals > 1 ? 0 : 5000);
}
function listen(): void {
	const wanted = live.size + interrupts.size > 0;
	if (wanted === listening) return;
	listening = wanted;
	signals = 0;
	for (const sig of SIGNALS) {
		if (wanted) process.on(sig, onSignal);
		else process.off(sig, onSignal);
	}
}
function track(s: Streamed, done: Promise<unknown>): void {
	live.add(s);
	listen();
	void done.finally(() => {
		live.delete(s);
		listen();
	});
}

/** Calls `handler` on each interrupting signal until the returned function is called. */
export function onInterrupt(handler: () => void): () => void {
	interrupts.add(handler);
	listen();
	return () => {
		interrupts.delete(handler);
		listen();
	};
}

/**
 * The environment of a docker compose run in a stack's folder: hatch's own, without the variables compose would
 * take over the stack's .env (every setting FIELDS declares, every COMPOSE_*), plus what is `set`.
 */
export function composeEnv(set: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const settings = new Set(FIELDS.map(f => f.key));
	const env: NodeJS.ProcessEnv = {...process.env};
	for (const key of Object.keys(env)) if (settings.has(key) || key.startsWith('COMPOSE_')) delete env[key];
	return {...env, ...set};
}

export interface Ran {
	/** 127 when the program could not be started. */
	exitCode: number;
	stdout: string;
	stderr: string;
	timedOut: boolean;
}

export interface RunOptions {
	cwd?: string;
	/** The whole environment of the program (default: hatch's own). */
	env?: NodeJS.ProcessEnv;
	/** Stopped (SIGTERM) after this long (default: never)... */
	timeoutMs?: number;
	/** ...and killed (SIGKILL) this long after that, if it is still there (default 5 s). */
	killAfterMs?: number;
	/** Output straight to this terminal instead of captured. */
	inherit?: boolean;
	/** Given to the program on its stdin (default: none, stdin closed). */
	input?: string;
}

export interface StreamOptions {
	cwd?: string;
	logFile?: string;
	onLine?: (line: string) => void;
	env?: NodeJS.ProcessEnv;
	/**
	 * Keep the program's stdin open (a pipe) until it ends: a command run over ssh reads its end as "stop" (see
	 * remoteProc), so cancelling the local ssh stops the remote command too.
	 */
	holdStdin?: boolean;
}

export interface Proc {
	run(cmd: string, args: string[], options?: RunOptions): Promise<Ran>;
	stream(cmd: string, args: string[], options: StreamOptions): Streamed;
}

/** How long a program stopped at its deadline (SIGTERM) has to end before it is killed. */
const KILL_AFTER_MS = 5000;

/** A program's output without its last line break, as the callers compare and print it. */
const withoutFinalNewline = (s: string) => s.replace(/\r?\n$/, '');

/**
 * Runs a program to its end, with its output captured (or on this terminal), stdin closed and the whole
 * environment given. Node's own spawn, as stream() has: the host probes run through here before the first
 * screen is drawn, and a wrapper library would cost more to load than the probes take.
 */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<Ran> {
	return new Promise(resolve => {
		const child = spawn(cmd, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: [
				options.input === undefined ? 'ignore' : 'pipe',
				options.inherit ? 'inherit' : 'pipe',
				options.inherit ? 'inherit' : 'pipe',
			],
		});
		if (options.input !== undefined) {
			child.stdin?.on('error', () => {}); // a program that exits without reading it all
			child.stdin?.end(options.input);
		}
		const out = {stdout: '', stderr: ''};
		for (const name of ['stdout', 'stderr'] as const) {
			child[name]?.setEncoding('utf8');
			child[name]?.on('data', (chunk: string) => {
				out[name] += chunk;
			});
		}
		let timedOut = false;
		let killer: NodeJS.Timeout | undefined;
		const deadline = options.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					child.kill('SIGTERM');
					killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? KILL_AFTER_MS);
					killer.unref();
				}, options.timeoutMs)
			: undefined;
		const end = (exitCode: number) => {
			clearTimeout(deadline);
			clearTimeout(killer);
			resolve({
				exitCode,
				stdout: withoutFinalNewline(out.stdout),
				stderr: withoutFinalNewline(out.stderr),
				timedOut,
			});
		};
		// 'error': the program could not be started (127, as a shell says); 'close': it ended and its output is
		// all read. One stopped by a signal (its deadline) has no exit code of its own: 127 too.
		child.once('error', () => end(127));
		child.once('close', code => end(code ?? 127));
		// Stopped at its deadline: its end is the end, even when something it started still holds its output open.
		child.once('exit', () => {
			if (!timedOut) return;
			child.stdout?.destroy();
			child.stderr?.destroy();
			end(127);
		});
	});
}

/**
 * The whole lines of `text` (codes already stripped), each cleaned as cleanLine does (what a carriage return
 * redrew is dropped), and where the unfinished rest starts. One pass: carriage returns are looked up ahead,
 * not per line.
 */
export function cutLines(text: string): {lines: string[]; rest: number} {
	const lines: string[] = [];
	let from = 0;
	let cr = text.indexOf('\r');
	for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
		let start = from;
		let end = nl;
		if (cr >= 0 && cr < nl) {
			// A \r\n ending is dropped; the line is what follows the last \r before it.
			if (text.charCodeAt(end - 1) === 13) end--;
			for (; cr >= 0 && cr < end; cr = text.indexOf('\r', cr + 1)) start = cr + 1;
			if (cr >= 0 && cr < nl) cr = text.indexOf('\r', nl);
		}
		lines.push(text.slice(start, end));
		from = nl + 1;
	}
	return {lines, rest: from};
}

export function stream(cmd: string, args: string[], options: StreamOptions): Streamed {
	let canceled = false;
	let pid: number | undefined;
	let log: ReturnType<typeof createWriteStream> | undefined;
	if (options.logFile) {
		try {
			mkdirSync(dirname(options.logFile), {recursive: true});
			log = createWriteStream(options.logFile, {flags: 'a', mode: 0o600});
			log.on('error', () => (log = undefined)); // an unwritable log must not stop the build
		} catch {
			// no log: the folder or the file cannot be made
		}
	}
	let tail: string[] = [];

	const done = (async (): Promise<StreamResult> => {
		// Node's own spawn (see run): a wrapper's option handling and stream plumbing would cost more than the
		// first thousand lines of a build, and delay its start.
		const child = spawn(cmd, args, {
			cwd: options.cwd,
			env: {...(options.env ?? process.env), BUILDKIT_PROGRESS: 'plain'},
			detached: true,
			stdio: [options.holdStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
		});
		child.stdin?.on('error', () => {});
		// 'close' comes after the output's last chunk; 'error' when the program could not be started.
		const exited = new Promise<number | null>(resolve => {
			child.once('error', () => resolve(null));
			child.once('close', code => resolve(code));
		});
		pid = child.pid;
		// Split the output into lines by hand (per chunk, not an async step per line); stdout and stderr
		// each keep their partial last line. The log and the tail are kept per chunk: a write per line costs
		// more than the rest of a line's handling, and queues a buffer per line while the disk lags.
		const take = (lines: string[]) => {
			if (lines.length >= TAIL) tail = lines.slice(-TAIL);
			else {
				tail.push(...lines);
				if (tail.length > TAIL * 2) tail.splice(0, tail.length - TAIL);
			}
			const onLine = options.onLine;
			if (onLine) for (const line of lines) onLine(line);
		};
		const partial = {stdout: '', stderr: ''};
		for (const name of ['stdout', 'stderr'] as const) {
			const s = child[name]!; // piped
			s.setEncoding('utf8');
			s.on('data', (chunk: string) => {
				// Terminal codes are stripped once per chunk (a code cut by a chunk end sits in the partial line).
				const text = stripCodes(partial[name] + chunk);
				const {lines, rest} = cutLines(text);
				partial[name] = text.slice(rest);
				if (!lines.length) return;
				log?.write(`${lines.join('\n')}\n`);
				take(lines);
			});
		}
		const exitCode = await exited;
		child.stdin?.end();
		for (const rest of [partial.stdout, partial.stderr]) {
			if (!rest) continue;
			const line = cleanLine(rest);
			log?.write(`${line}\n`);
			take([line]);
		}
		await new Promise<void>(r => (log ? log.end(r) : r()));
		return {exitCode: exitCode ?? (canceled ? 130 : 1), canceled, tail: tail.slice(-TAIL)};
	})();

	const handle: Streamed = {
		done,
		cancel(graceMs = 5000) {
			canceled = true;
			if (!pid) return;
			const kill = (sig: NodeJS.Signals) => {
				try {
					process.kill(-pid!, sig);
				} catch {
					// already gone
				}
			};
			kill(graceMs === 0 ? 'SIGKILL' : 'SIGINT');
			if (graceMs === 0) return;
			const timer = setTimeout(() => kill('SIGKILL'), graceMs);
			timer.unref();
			void done.finally(() => clearTimeout(timer));
		},
	};
	track(handle, done);
	return handle;
}

/** This machine's programs. */
export const realProc: Proc = {run, stream};
