// The readiness gate: "ready" only when sshd accepts connections on the configured port AND the host key
// it presents is the one in the sshkeys volume. Meanwhile the container's boot log is followed step by step.
import {createHash} from 'node:crypto';
import net from 'node:net';
import {CONTAINER_PATHS, localAddress} from '../core/model.js';
import {printable} from './buildkit.js';
import {type Proc, realProc} from './proc.js';

/** OpenSSH's fingerprint of a public key blob (base64), e.g. SHA256:Nuws9y…. */
export function fingerprint(blobBase64: string): string {
	return `SHA256:${createHash('sha256').update(Buffer.from(blobBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The key type and blob of an ed25519 line in `ssh-keyscan` or a .pub file. */
export function parseKey(text: string): {type: string; blob: string} | undefined {
	const m = /(ssh-ed25519)\s+([A-Za-z0-9+/=]+)/.exec(text);
	return m ? {type: m[1]!, blob: m[2]!} : undefined;
}

export interface BootEvent {
	kind: 'step' | 'log' | 'warning' | 'ready' | 'failed';
	text: string;
	ms?: number;
}

export interface ReadyOptions {
	container: string;
	/** Where sshd is reached from this host. */
	address: string;
	port: number;
	timeoutMs?: number;
	/** ISO time to follow the log from (the start of this boot). */
	since: string;
	onEvent?: (e: BootEvent) => void;
	/** Polled while waiting: true stops the wait (Ctrl-C). */
	canceled?: () => boolean;
	host?: ReadyHost;
}

/** The pause between two looks at sshd and the boot record. */
export const POLL_MS = 200;

export interface ReadyResult {
	ok: boolean;
	fingerprint?: string;
	keyBlob?: string;
	reason?: string;
	/** The boot's warnings ("05-bindu: dotfiles not cloned: …"): optional steps that failed or timed out. */
	warnings: string[];
	/** Set when sshd answered but the optional boot steps were still running at the deadline. */
	stillBooting?: boolean;
	logTail: string[];
	ms: number;
}

/** One boot log line, classified. A warning's text is "<step>: <what>". */
export function bootEvent(raw: string): BootEvent {
	const line = printable(raw);
	const step = /^hatch: step (\S+) done \((\d+) ms\)/.exec(line);
	if (step) return {kind: 'step', text: step[1]!, ms: Number(step[2])};
	if (/^hatch: boot step .* FAILED/.test(line)) return {kind: 'failed', text: line.replace(/^hatch: /, '')};
	const warning = /^hatch\[([^\]]+)\]: WARNING: (.*)$/.exec(line);
	if (warning) return {kind: 'warning', text: `${warning[1]}: ${warning[2]}`};
	if (/^hatch: ready/.test(line)) return {kind: 'ready', text: line};
	return {kind: 'log', text: line};
}

/** What the readiness gate needs from this host; tests give it a scripted one (no engine, no clock). */
export interface ReadyHost {
	/** The stdout of a command that exited 0; '' when it failed. */
	output(cmd: string, args: string[]): Promise<string>;
	/** Whether something that speaks first (sshd) answers on address:port. */
	answers(address: string, port: number): Promise<boolean>;
	/** Follows the container's log from `since`, one line at a time; stop() returns the last lines. */
	followLog(container: string, since: string, onLine: (line: string) => void): {stop: () => Promise<string[]>};
	/** Resolves after `ms`: the pause between two looks. */
	pause(ms: number): Promise<void>;
	now(): number;
}

function canConnect(address: string, port: number): Promise<boolean> {
	return new Promise(resolve => {
		const s = net.connect({host: address, port});
		let settled = false;
		const done = (ok: boolean) => {
			if (settled) return;
			settled = true;
			s.destroy();
			resolve(ok);
		};
		s.setTimeout(1000, () => done(false));
		s.once('data', () => {
			if (settled) return;
			settled = true;
			resolve(true);
			// sshd speaks first ("SSH-2.0-OpenSSH…"). Answer with an identification of our own before hanging up,
			// so sshd logs a plain closed connection, not a kex_exchange_identification error per probe.
			s.end('SSH-2.0-hatch-readiness-check\r\n');
			s.setTimeout(1000, () => s.destroy());
		});
		s.once('error', () => done(false));
		s.once('close', () => done(false)); // a proxy that accepts, then hangs up while sshd is not there yet
	});
}

/** How long one look (ssh-keyscan, a docker exec) may take before it counts as no answer. */
export const LOOK_TIMEOUT_MS = 10_000;

/**
 * The readiness gate's view of a host whose programs `proc` runs: TCP connects and the real clock; each look
 * given `lookMs`.
 */
export function readyHostOn(proc: Proc, lookMs = LOOK_TIMEOUT_MS): ReadyHost {
	return {
		async output(cmd, args) {
			const r = await proc.run(cmd, args, {timeoutMs: lookMs});
			return r.exitCode === 0 ? r.stdout : '';
		},
		answers: canConnect,
		followLog(container, since, onLine) {
			const logs = proc.stream('docker', ['logs', '--follow', '--since', since, container], {onLine});
			return {
				stop: async () => {
					logs.cancel(500);
					return (await logs.done).tail;
				},
			};
		},
		pause: ms => new Promise(r => setTimeout(r, ms)),
		now: () => Date.now(),
	};
}

/** This host: the docker CLI, ssh-keyscan, a TCP connect and the real clock. */
export const realReadyHost: ReadyHost = readyHostOn(realProc);

export interface SshCheck {
	ok: boolean;
	fingerprint?: string;
	keyBlob?: string;
	reason: string;
}

/** One look: does sshd answer on the port, and with the host key stored in the container's sshkeys volume? */
export async function checkSsh(
	container: string,
	listen: string,
	port: number,
	host: ReadyHost = realReadyHost,
): Promise<SshCheck> {
	const address = localAddress(listen);
	if (!(await host.answers(address, port))) return {ok: false, reason: `nothing answers on ${address}:${port}`};
	const [scan, stored] = await Promise.all([
		host.output('ssh-keyscan', ['-T', '3', '-t', 'ed25519', '-p', String(port), address]),
		host.output('docker', ['exec', container, 'cat', `${CONTAINER_PATHS.hostKeys}/ssh_host_ed25519_key.pub`]),
	]);
	const presented = parseKey(scan);
	const expected = parseKey(stored);
	if (!presented || !expected)
		return {ok: false, reason: `port ${port} answers, but its host key could not be compared yet`};
	if (presented.blob !== expected.blob) {
		return {
			ok: false,
			reason:
				`port ${port} answers with host key ${fingerprint(presented.blob)}, not this container's ` +
				`${fingerprint(expected.blob)} (another sshd on that port?)`,
		};
	}
	return {ok: true, fingerprint: fingerprint(presented.blob), keyBlob: presented.blob, reason: ''};
}

export interface BootRecord {
	/** "booting", "ready N" or "failed STEP". */
	state: string;
	/** One "<step>: <what>" each. */
	warnings: string[];
}

/** /run/hatch/boot-state followed by /run/hatch/boot-warnings, as `cat` prints them both. */
export function parseBootRecord(text: string): BootRecord {
	const [state = '', ...rest] = printable(text).split('\n');
	return {state: state.trim(), warnings: rest.filter(l => l.trim())};
}

/** The boot's own record in the container; undefined when there is none (an older image, a stopped container). */
export async function bootRecord(container: string, host: ReadyHost = realReadyHost): Promise<BootRecord | undefined> {
	const text = await host.output('docker', [
		'exec',
		container,
		'cat',
		'/run/hatch/boot-state',
		'/run/hatch/boot-warnings',
	]);
	return text ? parseBootRecord(text) : undefined;
}

/** How long the readiness wait gives the boot by default (the README states it). */
export const READY_TIMEOUT_MS = 60_000;

/**
 * Waits until sshd answers with this container's host key and the boot has finished its optional steps
 * ("hatch: ready"), collecting the boot's warnings. sshd starts before the optional steps, so when it
 * answers but they are still running at the deadline, the result is ok with `stillBooting`.
 */
export async function waitForSsh(o: ReadyOptions): Promise<ReadyResult> {
	const host = o.host ?? realReadyHost;
	const t0 = host.now();
	const timeoutMs = o.timeoutMs ?? READY_TIMEOUT_MS;
	const address = localAddress(o.address);
	let failed: string | undefined;
	let booted = false;
	let warnings: string[] = [];
	const logs = host.followLog(o.container, o.since, line => {
		const e = bootEvent(line);
		if (e.kind === 'failed') failed = e.text;
		if (e.kind === 'warning') warnings.push(e.text);
		if (e.kind === 'ready') booted = true;
		o.onEvent?.(e);
	});
	const finish = async (r: Omit<ReadyResult, 'logTail' | 'ms' | 'warnings'>): Promise<ReadyResult> => {
		const tail = await logs.stop();
		return {...r, warnings, logTail: tail.slice(-20), ms: host.now() - t0};
	};
	let last: SshCheck = {ok: false, reason: ''};
	while (host.now() - t0 < timeoutMs) {
		if (failed) return finish({ok: false, reason: failed});
		if (o.canceled?.()) return finish({ok: false, reason: 'interrupted while waiting for sshd'});
		if (!last.ok) last = await checkSsh(o.container, address, o.port, host);
		if (last.ok && !booted) {
			// The log since this start may hold no ready line: `up` left a running container as it was.
			const record = await bootRecord(o.container, host);
			if (record?.state.startsWith('ready')) {
				booted = true;
				warnings = record.warnings;
			}
		}
		if (last.ok && booted) return finish({ok: true, fingerprint: last.fingerprint!, keyBlob: last.keyBlob!});
		await host.pause(POLL_MS);
	}
	if (last.ok) return finish({ok: true, fingerprint: last.fingerprint!, keyBlob: last.keyBlob!, stillBooting: true});
	const mismatch = last.reason.includes('host key') ? last.reason : '';
	return finish({
		ok: false,
		reason: mismatch || `sshd did not answer on ${address}:${o.port} within ${Math.round(timeoutMs / 1000)} s`,
	});
}
