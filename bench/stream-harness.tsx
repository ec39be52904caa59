// Runs a command's output through hatch's real pipeline (stream → BuildKit parser → the Ink progress view),
// rendering into a discarding terminal and writing the full log file as a deploy does, and reports wall
// time and peak memory.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {render} from 'ink';
import {BuildProgress} from '../source/docker/buildkit.js';
import type {DeployResult} from '../source/docker/deploy.js';
import {stream} from '../source/docker/proc.js';
import {Deploy, startLive} from '../source/ui/Deploy.js';

export async function throughView(
	cmd: string,
	args: string[],
	logFile: string,
): Promise<{ms: number; first: number; peakRss: number; lines: number; frames: number}> {
	let frames = 0;
	const sink = Object.assign(
		new Writable({
			write(_chunk, _enc, done) {
				frames++;
				done();
			},
		}),
		{columns: 120, rows: 40, isTTY: true},
	);
	// In the wizard, Ink has drawn many frames when a build starts (the welcome, the questions, the review,
	// all with status marks): warm it here the same way, so what is timed is the stream through the view. A
	// single frame is not enough: the first text that is not plain ASCII makes Ink's string-width compile its
	// emoji pattern, and V8 compiles a pattern again, to machine code, when it is used a second time.
	const shown = startLive(events => {
		const progress = new BuildProgress();
		for (const line of ['#1 [stem stem 1/2] FROM base', '#1 CACHED', '#2 [stem stem 2/2] RUN make'])
			progress.feed(line);
		for (let i = 0; i < 10; i++) progress.feed(`#2 0.${i} cc -O2 -c src/warm_${i}.c -o build/warm_${i}.o`);
		events.onBuildLine?.('', progress);
		return {done: new Promise<DeployResult>(() => {}), cancel: () => {}};
	});
	const warm = render(<Deploy live={shown} />, {
		stdout: sink as unknown as NodeJS.WriteStream,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	for (let i = 0; i < 5; i++) warm.rerender(<Deploy live={{...shown}} />);
	warm.unmount();
	const t0 = performance.now();
	let lines = 0;
	let first = 0;
	const result = await new Promise<DeployResult>(resolve => {
		const live = startLive(events => {
			// As deploy() does for a build.
			const progress = new BuildProgress();
			events.onStart?.(logFile);
			events.onPhase?.('build');
			const s = stream(cmd, args, {
				logFile,
				onLine: line => {
					if (lines === 0) first = performance.now() - t0;
					lines++;
					progress.feed(line);
					events.onBuildLine?.(line, progress);
				},
			});
			const done = s.done.then(r => ({
				ok: r.exitCode === 0,
				canceled: false,
				phase: 'build' as const,
				exitCode: r.exitCode,
				logFile,
				progress,
				tail: r.tail,
				ms: 0,
			}));
			return {done, cancel: () => s.cancel()};
		});
		const app = render(<Deploy live={live} />, {
			stdout: sink as unknown as NodeJS.WriteStream,
			patchConsole: false,
			exitOnCtrlC: false,
		});
		// The view draws the end at once (its own handler on `done`); the next turn of the loop is after it.
		void live.done.then(async r => {
			await new Promise(next => setImmediate(next));
			app.unmount();
			resolve(r);
		});
	});
	if (!result.ok) throw new Error(`the producer failed: ${result.tail.join('\n')}`);
	const ms = performance.now() - t0;
	// The process's peak, as the kernel counts it (kilobytes): no sampling timer running beside the stream.
	return {ms, first, peakRss: process.resourceUsage().maxRSS * 1024, lines, frames};
}

// As a script (bench/stream.mjs runs it in a process of its own, so the numbers are the view's alone):
//   node harness.mjs --run CMD ARGS…   prints {"ms", "first", "peakRss", "lines", "frames", "logged"}
//   (ms: from the producer's start to the end drawn; first: when its first line arrived)
if (process.argv[2] === '--run') {
	const dir = mkdtempSync(join(tmpdir(), 'hatch-bench-'));
	try {
		const logFile = join(dir, 'build.log');
		const result = await throughView(process.argv[3]!, process.argv.slice(4), logFile);
		// Lines in the log file, counted after the clock stopped.
		const logged = readFileSync(logFile, 'utf8').split('\n').length - 1;
		process.stdout.write(`${JSON.stringify({...result, logged})}\n`);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}
