// Build, start, and wait until SSH really works: the three phases after a stack is written.
import {join} from 'node:path';
import type {Line} from '../core/describe.js';
import {KEY, localAddress, type Values} from '../core/model.js';
import {timestamp} from '../stack.js';
import {BuildProgress, type BuildStep, hintFor} from './buildkit.js';
import {composeEnv, type Proc, realProc, type Streamed} from './proc.js';
import {type BootEvent, type ReadyHost, type ReadyResult, realReadyHost, waitForSsh} from './ready.js';

export type Phase = 'build' | 'up' | 'ready';

/** The programs hatch runs and the readiness gate's view of the host; tests give scripted ones. */
export interface Engine {
	proc: Proc;
	ready: ReadyHost;
}

export const realEngine: Engine = {proc: realProc, ready: realReadyHost};

/** Compose's note in host network mode: the port is in the file for bridge mode (.env picks the mode). */
const EXPECTED_UP_LINE = /Published ports are discarded when using host network mode/;

export interface DeployEvents {
	/** First event: where the full output goes. */
	onStart?: (logFile: string) => void;
	onPhase?: (phase: Phase) => void;
	onBuildLine?: (line: string, progress: BuildProgress) => void;
	onUpLine?: (line: string) => void;
	onBoot?: (e: BootEvent) => void;
}

export interface DeployResult {
	ok: boolean;
	canceled: boolean;
	/** The phase that failed or was interrupted; 'ready' when all went well. */
	phase: Phase;
	exitCode: number;
	logFile: string;
	progress: BuildProgress;
	failedStep?: BuildStep;
	tail: string[];
	hint?: string;
	ready?: ReadyResult;
	/** The container was stopped after it never became ready (so it does not restart in a loop). */
	stopped?: boolean;
	ms: number;
}

export interface DeployOptions {
	build: boolean;
	boot: boolean;
	/** Build every step again, none from the cache (rebuild --no-cache). */
	noCache?: boolean;
	readyTimeoutMs?: number;
	events?: DeployEvents;
	engine?: Engine;
	/** Where the log goes (default: the stack's logs/ folder; for a remote stack, a folder on this side). */
	logDir?: string;
}

export function deploy(
	dir: string,
	values: Values,
	options: DeployOptions,
): {done: Promise<DeployResult>; cancel: () => void} {
	const t0 = Date.now();
	const logFile = join(options.logDir ?? join(dir, 'logs'), `hatch-${timestamp()}.log`);
	const progress = new BuildProgress();
	const ev = options.events ?? {};
	const {proc, ready: readyHost} = options.engine ?? realEngine;
	// Compose reads these from the environment before .env: hatch's own shell must not override the stack.
	const stackEnv = composeEnv();
	let current: Streamed | undefined;
	let canceled = false;

	const result = (phase: Phase, exitCode: number, tail: string[], extra: Partial<DeployResult> = {}): DeployResult => ({
		ok: exitCode === 0 && !canceled,
		canceled,
		phase,
		exitCode: canceled ? 130 : exitCode,
		logFile,
		progress,
		tail,
		ms: Date.now() - t0,
		...(exitCode !== 0 && !canceled ? {hint: hintFor(tail.join('\n'))} : {}),
		...extra,
	});

	let phase: Phase = 'build';
	const run = async (): Promise<DeployResult> => {
		ev.onStart?.(logFile);
		if (options.build) {
			ev.onPhase?.('build');
			const build = ['compose', '--progress', 'plain', 'build', ...(options.noCache ? ['--no-cache'] : [])];
			current = proc.stream('docker', build, {
				cwd: dir,
				env: stackEnv,
				logFile,
				onLine: line => {
					progress.feed(line);
					ev.onBuildLine?.(line, progress);
				},
			});
			const r = await current.done;
			if (r.exitCode !== 0 || canceled) {
				const failedStep = progress.failed();
				return result('build', r.exitCode, r.tail.slice(-30), failedStep ? {failedStep} : {});
			}
		}
		if (!options.boot || canceled) return result(options.boot ? 'up' : 'build', 0, []);
		phase = 'up';
		ev.onPhase?.('up');
		// External volumes are the user's to keep (compose never removes them): made here once, as they asked.
		if (values[KEY.volumesExternal] === '1') {
			const made = await createExternalVolumes(proc, dir, stackEnv);
			if (made.error) return result('up', 1, [made.error]);
			for (const name of made.created) ev.onUpLine?.(`Volume ${name}  Created (external: compose never removes it)`);
		}
		const since = new Date(Date.now() - 1000).toISOString();
		current = proc.stream('docker', ['compose', 'up', '--detach', ...(options.build ? [] : ['--no-build'])], {
			cwd: dir,
			env: stackEnv,
			logFile,
			onLine: line => EXPECTED_UP_LINE.test(line) || ev.onUpLine?.(line),
		});
		const up = await current.done;
		if (up.exitCode !== 0 || canceled) return result('up', up.exitCode, up.tail.slice(-30));
		phase = 'ready';
		ev.onPhase?.('ready');
		const ready = await waitForSsh({
			container: values[KEY.name]!,
			address: values[KEY.listen] || '0.0.0.0',
			port: Number(values[KEY.port]),
			since,
			canceled: () => canceled,
			host: readyHost,
			...(options.readyTimeoutMs ? {timeoutMs: options.readyTimeoutMs} : {}),
			...(ev.onBoot ? {onEvent: ev.onBoot} : {}),
		});
		if (!ready.ok && !canceled) {
			// Never ready: with `restart: unless-stopped` it would restart in a loop. Stop it, and say so.
			current = proc.stream('docker', ['compose', 'stop', '--timeout', '2'], {cwd: dir, env: stackEnv, logFile});
			const stop = await current.done;
			return result('ready', 1, ready.logTail, {
				ready,
				stopped: stop.exitCode === 0,
				hint: hintFor(ready.logTail.join('\n')) ?? ready.reason,
			});
		}
		return result('ready', ready.ok ? 0 : 1, ready.logTail, {ready});
	};
	// Whatever breaks (docker missing, a folder not writable) ends as a failed result, never a crash.
	const done = run().catch((error: Error) => result(phase, 1, [error.message]));

	return {
		done,
		cancel: () => {
			canceled = true;
			current?.cancel();
		},
	};
}

/**
 * Creates the external volumes the stack's compose file names that do not exist yet (docker volume create),
 * as the seed's quick start has the user do by hand. Returns the ones it made, or what went wrong.
 */
export async function createExternalVolumes(
	proc: Proc,
	dir: string,
	env: NodeJS.ProcessEnv,
): Promise<{created: string[]; error?: string}> {
	const config = await proc.run('docker', ['compose', 'config', '--format', 'json'], {cwd: dir, env, timeoutMs: 15000});
	if (config.exitCode !== 0) return {created: [], error: `docker compose config failed: ${config.stderr.trim()}`};
	const volumes = (JSON.parse(config.stdout) as {volumes?: Record<string, {name?: string; external?: boolean}>})
		.volumes;
	const wanted = Object.values(volumes ?? {}).flatMap(v => (v.external && v.name ? [v.name] : []));
	const created: string[] = [];
	for (const name of wanted) {
		if ((await proc.run('docker', ['volume', 'inspect', name], {env, timeoutMs: 10000})).exitCode === 0) continue;
		const made = await proc.run('docker', ['volume', 'create', name], {env, timeoutMs: 10000});
		if (made.exitCode !== 0)
			return {created, error: `docker volume create ${name} failed: ${made.stderr.trim() || made.stdout.trim()}`};
		created.push(name);
	}
	return {created};
}

/**
 * Every way a build-and-start ends, in words: ready (with its warnings), failed at a step, stopped after a
 * boot that never became ready, interrupted. The terminal UI and the plain output both print exactly these
 * lines, so they cannot tell different stories. The exit code goes with it.
 */
export function outcome(r: DeployResult, values: Values, dir: string, jump?: string): {code: number; lines: Line[]} {
	const line = (text: string, tone: Line['tone'] = 'plain'): Line => ({text, tone});
	if (r.canceled)
		return {code: 130, lines: [line(`Interrupted: ${stateAfter(r, dir)}`, 'warn'), line(`Log: ${r.logFile}`, 'dim')]};
	if (!r.ok) {
		const step = r.failedStep;
		const what = r.phase === 'build' ? 'build' : r.phase === 'up' ? 'start' : 'readiness check';
		const output = step ? [...step.lines, ...(step.error ? [step.error] : [])] : r.tail;
		return {
			code: 1,
			lines: [
				line(
					`✗ ${what} failed (exit ` +
						`${r.exitCode})${step ? ` at ${r.progress.position(step)}: ${step.title.slice(0, 100)}` : ''}`,
					'bad',
				),
				...(r.ready?.reason ? [line(r.ready.reason)] : []),
				...output.slice(-30).map(l => line(`  ${l}`, 'output')),
				...(r.hint ? [line(`Hint: ${r.hint}`, 'warn')] : []),
				...(r.stopped ? [line(stateAfter(r, dir))] : []),
				line(`Full log: ${r.logFile}`),
			],
		};
	}
	if (!r.ready) return {code: 0, lines: [line(`Done (${(r.ms / 1000).toFixed(1)} s). Log: ${r.logFile}`)]};
	const counts = r.progress.counts();
	return {
		code: 0,
		lines: [
			line(
				`✔ ready in ${(r.ms / 1000).toFixed(1)} s: ssh ${jump ? `-J ${jump} ` : ''}-p ${values[KEY.port]} ` +
					`${values[KEY.user]}@${localAddress(values[KEY.listen])}`,
				'good',
			),
			line(`  host key ${r.ready.fingerprint} (ED25519)`, 'dim'),
			...(counts.total
				? [line(`  built ${counts.total} step(s), ${counts.cached} cached · log ${r.logFile}`, 'dim')]
				: []),
			...readyNotes(r.ready).map(n => line(n, 'warn')),
		],
	};
}

/** What a ready boot still has to say (warnings, steps still running): the same words in the UI and plain output. */
function readyNotes(r: ReadyResult): string[] {
	const notes: string[] = [];
	if (r.warnings.length)
		notes.push(`ready with ${r.warnings.length} boot warning(s):`, ...r.warnings.map(w => `  ! ${w}`));
	if (r.stillBooting)
		notes.push(
			'sshd answers, but optional boot steps were still running at the deadline: hatch-wizard status shows when ' +
				'they finish',
		);
	return notes;
}

/** What state a stopped deployment leaves the stack in, in words. */
export function stateAfter(r: DeployResult, dir: string): string {
	if (r.phase === 'build')
		return (
			`stopped during the build: nothing was started; an earlier container of this stack, if any, still ` +
			`runs (cd ${dir} && docker compose ps)`
		);
	if (r.phase === 'up')
		return `stopped while starting: the container may be half started; see: cd ${dir} && docker compose ps`;
	if (r.stopped)
		return (
			`the container never became ready and was stopped, so it does not restart in a loop: fix the cause, ` +
			`then cd ${dir} && docker compose up -d`
		);
	return (
		`the container is running and finishes its boot on its own, but ready was not confirmed; check with: ` +
		`hatch-wizard status (or cd ${dir} && docker compose logs)`
	);
}
