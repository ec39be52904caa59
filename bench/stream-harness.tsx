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
): Promise<{ms: number; peakRss: number; lines: number; frames: number}> {
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
	// In the wizard, Ink is drawing when a build starts: warm it here, so what is timed is the stream through
	// the view.
	const warm = render(
		<Deploy live={startLive(() => ({done: new Promise<DeployResult>(() => {}), cancel: () => {}}))} />,
		{stdout: sink as unknown as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false},
	);
	warm.unmount();
	let peakRss = process.memoryUsage().rss;
	const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
	const t0 = performance.now();
	let lines = 0;
	const result = await new Promise<DeployResult>(resolve => {
		const live = startLive(events => {
			// As deploy() does for a build.
			const progress = new BuildProgress();
			events.onStart?.(logFile);
			events.onPhase?.('build');
			const s = stream(cmd, args, {
				logFile,
				onLine: line => {
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
	clearInterval(sampler);
	if (!result.ok) throw new Error(`the producer failed: ${result.tail.join('\n')}`);
	return {ms: performance.now() - t0, peakRss, lines, frames};
}

// As a script (bench/stream.mjs runs it in a process of its own, so the numbers are the view's alone):
//   node harness.mjs --run CMD ARGS…   prints {"ms", "peakRss", "lines", "frames", "logged"}
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
