// Build and boot without a terminal UI (--yes, CI, pipes): one plain line per event.
import {ansi} from '../core/describe.js';
import type {Values} from '../core/model.js';
import type {SshVia} from '../sshconfig.js';
import type {BuildProgress} from './buildkit.js';
import {deploy, type Engine, outcome, type Phase} from './deploy.js';
import {onInterrupt} from './proc.js';

const PHASE_LINE: Record<Phase, string> = {
	build: 'build: docker compose build',
	up: 'start: docker compose up -d',
	ready: 'ready: waiting for sshd and its host key',
};

export interface PlainOptions {
	build: boolean;
	boot: boolean;
	noCache?: boolean;
	sshConfig: boolean;
	/** How often a long step says it is still running (a CI log with no line for minutes looks hung). */
	heartbeatMs?: number;
	engine?: Engine;
	/** Where the log goes (see DeployOptions). */
	logDir?: string;
	/** A stack on a remote host: the Host block reaches it through that host (see planSshConfig). */
	via?: SshVia;
}

export async function deployPlain(
	dir: string,
	values: Values,
	options: PlainOptions,
	out: (s: string) => void = s => void process.stdout.write(s),
): Promise<number> {
	const printed = new Set<number>();
	let latest: BuildProgress | undefined;
	let phase = 'build';
	let phaseStart = Date.now();
	const report = (progress: BuildProgress) => {
		for (const s of progress.numbered()) {
			if (s.status === 'running' || printed.has(s.id)) continue;
			printed.add(s.id);
			const what =
				s.status === 'cached' ? 'cached' : s.status === 'error' ? 'FAILED' : `done ${s.seconds?.toFixed(1)}s`;
			out(`build: ${progress.position(s)} ${s.title.slice(0, 100)} … ${what}\n`);
		}
	};
	const run = deploy(dir, values, {
		build: options.build,
		boot: options.boot,
		...(options.noCache ? {noCache: true} : {}),
		...(options.engine ? {engine: options.engine} : {}),
		...(options.logDir ? {logDir: options.logDir} : {}),
		events: {
			onPhase: p => {
				phase = p;
				phaseStart = Date.now();
				out(`${PHASE_LINE[p]}\n`);
			},
			onBuildLine: (_line, progress) => {
				latest = progress;
				report(progress);
			},
			onBoot: e => {
				if (e.kind === 'step') out(`boot: ${e.text} (${e.ms} ms)\n`);
				if (e.kind === 'failed') out(`boot: ${e.text}\n`);
				if (e.kind === 'warning') out(`boot: WARNING ${e.text}\n`);
			},
		},
	});
	const heartbeat = setInterval(() => {
		const step = phase === 'build' ? latest?.current() : undefined;
		const since = (from: number) => `${Math.round((Date.now() - from) / 1000)} s`;
		if (step)
			out(
				`build: ${step.index === undefined ? '' : `${latest!.position(step)} `}${step.title.slice(0, 60)} … still ` +
					`running (${since(step.startedAt)})\n`,
			);
		else
			out(
				`${phase === 'build' ? 'build' : phase === 'up' ? 'start' : 'ready'}: still working (${since(phaseStart)})\n`,
			);
	}, options.heartbeatMs ?? 15_000);
	let stopping = false;
	const onSignal = () => {
		if (!stopping) out('\nstopping…\n'); // once, however many signals come
		stopping = true;
		run.cancel();
	};
	// Every signal (the second one too) stops the build and start.
	const stopListening = onInterrupt(onSignal);
	const r = await run.done;
	clearInterval(heartbeat);
	stopListening();

	const told = outcome(r, values, dir, options.via?.jump);
	if (!r.ok) out('\n');
	out(ansi(told.lines, false));
	if (told.code !== 0 || !r.ready) return told.code;
	const {installSshConfig, repinHostKey} = await import('../sshconfig.js');
	if (options.sshConfig) out(await installSshConfig(values, r.ready!.keyBlob!, undefined, options.via));
	else {
		const repinned = await repinHostKey(values, r.ready!.keyBlob!);
		if (repinned) out(repinned);
	}
	return 0;
}
