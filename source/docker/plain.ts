// Build and boot without a terminal UI (--yes, CI, pipes): one plain line per event.
import type {Values} from '../core/model.js';
import type {BuildProgress} from './buildkit.js';
import {deploy, outcome} from './deploy.js';

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

	const told = outcome(r, values, dir);
	if (!r.ok) out('\n');
	for (const l of told.lines) out(`${l.text}\n`);
	if (told.code !== 0 || !r.ready) return told.code;
	if (options.sshConfig) {
		const {installSshConfig} = await import('../sshconfig.js');
		out(await installSshConfig(values, r.ready!.keyBlob!));
	}
	return 0;
}
