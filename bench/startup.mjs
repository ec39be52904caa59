#!/usr/bin/env node
// bench/startup: time from launching `hatch-wizard` in a terminal to its first frame, and to its settled
// first screen (the host's facts shown), against `node -e 0` started the same way (all under script(1) for a
// pseudo-terminal). Median and spread (min–max) of 11 runs each.
// Targets: first frame ≤ 2.5×, settled screen ≤ 5× node -e 0 (nothing the first screen does not need is loaded
// or run before it).
import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const RUNS = 11;
const bin = join(import.meta.dirname, '..', 'bin', 'hatch-wizard.js');
const home = mkdtempSync(join(tmpdir(), 'hatch-bench-home-'));
const env = {...process.env, HOME: home, HATCH_CONFIG_DIR: join(home, 'cfg'), TERM: 'xterm-256color'};
delete env.CI;

/**
 * Milliseconds until `marker` (text, or a pattern over the output without its terminal codes) shows, or until
 * exit when null.
 */
function timeTo(command, marker) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		// A pseudo-terminal starts at 0×0; give it a size as a terminal window has.
		const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {
			env,
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		if (!marker) child.stdin.end(); // script(1) waits for its input to close
		let out = '';
		let done = false;
		const finish = () => {
			if (done) return;
			done = true;
			resolve(performance.now() - t0);
			child.kill('SIGKILL');
		};
		child.stdout.on('data', d => {
			out += d;
			if (!marker) return;
			if (typeof marker === 'string' ? out.includes(marker) : marker.test(out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')))
				finish();
		});
		child.on('exit', () => (marker ? done || reject(new Error(`exited before "${marker}":\n${out}`)) : finish()));
	});
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(command, marker) {
	await timeTo(command, marker); // warm the file cache
	const xs = [];
	for (let n = 0; n < RUNS; n++) xs.push(await timeTo(command, marker));
	return {median: median(xs), min: Math.min(...xs), max: Math.max(...xs)};
}
const show = m => `${m.median.toFixed(0)} ms (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;

const wizard = `${process.execPath} ${bin} --out ${join(home, 'out')}`;
const bare = await measure(`${process.execPath} -e 0`, null);
const first = await measure(wizard, 'Start from');
// Settled: every probe has answered (a mark before the last probe's label instead of its spinner).
const settled = await measure(wizard, /[✔–⏱✗] SSH keys/);
console.log(`node -e 0:                  ${show(bare)}`);
console.log(`hatch-wizard first frame:   ${show(first)}`);
console.log(`hatch-wizard settled screen: ${show(settled)}`);
console.log(
	`first frame ${(first.median / bare.median).toFixed(2)}× (target ≤ 2.5×), settled ` +
		`${(settled.median / bare.median).toFixed(2)}× (target ≤ 5×)`,
);
