// Build and boot without a terminal UI (--yes, CI, pipes): one plain line per event.
import {type Values, localAddress} from '../core/model.js';
import type {BuildProgress} from './buildkit.js';
import {deploy, readyNotes, stateAfter} from './deploy.js';

export async function deployPlain(dir: string, values: Values, options: {build: boolean; boot: boolean; sshConfig: boolean}, out = (s: string) => process.stdout.write(s)): Promise<number> {
	const printed = new Set<number>();
	const report = (progress: BuildProgress) => {
		for (const s of progress.numbered()) {
			if (s.status === 'running' || printed.has(s.id)) continue;
			printed.add(s.id);
			const what = s.status === 'cached' ? 'cached' : s.status === 'error' ? 'FAILED' : `done ${s.seconds?.toFixed(1)}s`;
			out(`build: ${progress.position(s)} ${s.title.slice(0, 100)} … ${what}\n`);
		}
	};
	const run = deploy(dir, values, {
		build: options.build,
		boot: options.boot,
		events: {
			onPhase: phase => out(`${phase === 'build' ? 'build: docker compose build' : phase === 'up' ? 'start: docker compose up -d' : 'ready: waiting for sshd and its host key'}\n`),
			onBuildLine: (_line, progress) => report(progress),
			onBoot: e => {
				if (e.kind === 'step') out(`boot: ${e.text} (${e.ms} ms)\n`);
				if (e.kind === 'failed') out(`boot: ${e.text}\n`);
				if (e.kind === 'warning') out(`boot: WARNING ${e.text}\n`);
			},
		},
	});
	let stopping = false;
	const onSignal = () => {
		if (!stopping) out('\nstopping…\n'); // once, however many signals come
		stopping = true;
		run.cancel();
	};
	// Every signal (the second one too) is ours while the stack is being built and started.
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	const r = await run.done;
	process.off('SIGINT', onSignal);
	process.off('SIGTERM', onSignal);

	if (r.canceled) {
		out(`Interrupted: ${stateAfter(r, dir)}\nLog: ${r.logFile}\n`);
		return 130;
	}
	if (!r.ok) {
		const step = r.failedStep;
		out(`\n✗ ${r.phase === 'build' ? 'build' : r.phase === 'up' ? 'start' : 'readiness check'} failed (exit ${r.exitCode})${step ? ` at ${r.progress.position(step)}: ${step.title}` : ''}\n`);
		if (r.ready?.reason) out(`${r.ready.reason}\n`);
		const lines = step ? [...step.lines, ...(step.error ? [step.error] : [])] : r.tail;
		out(`${lines.slice(-30).map(l => `  ${l}`).join('\n')}\n`);
		if (r.hint) out(`Hint: ${r.hint}\n`);
		if (r.stopped) out(`${stateAfter(r, dir)}\n`);
		out(`Full log: ${r.logFile}\n`);
		return 1;
	}
	if (!r.ready) {
		out(`Done (${(r.ms / 1000).toFixed(1)} s). Log: ${r.logFile}\n`);
		return 0;
	}
	out(`✔ ready in ${(r.ms / 1000).toFixed(1)} s: ssh -p ${values.STEM_SSH_PORT} ${values.STEM_USER}@${localAddress(values.STEM_SSH_LISTEN)}\n`);
	out(`  host key ${r.ready.fingerprint} (ED25519)\n`);
	for (const note of readyNotes(r.ready)) out(`${note}\n`);
	if (options.sshConfig) {
		const {installSshConfig} = await import('../sshconfig.js');
		out(await installSshConfig(values, r.ready.keyBlob!));
	}
	return 0;
}
