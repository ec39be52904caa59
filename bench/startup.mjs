#!/usr/bin/env node
// bench/startup: time from launching `hatch-wizard` in a terminal to its first frame, against `node -e 0`
// started the same way (both under script(1) for a pseudo-terminal). Median of 11 runs each.
// Target: ≤ 3.0× node -e 0 (heavy imports such as systeminformation must not delay the first frame).
import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const RUNS = 11;
const bin = join(import.meta.dirname, '..', 'bin', 'hatch-wizard.js');
const home = mkdtempSync(join(tmpdir(), 'hatch-bench-home-'));
const env = {...process.env, HOME: home, HATCH_CONFIG_DIR: join(home, 'cfg'), TERM: 'xterm-256color'};
delete env.CI;

/** Milliseconds until `marker` shows in the terminal output (or until exit when marker is null). */
function timeTo(command, marker) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		// A pseudo-terminal starts at 0×0; give it a size as a terminal window has.
		const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'inherit']});
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
			if (marker && out.includes(marker)) finish();
		});
		child.on('exit', () => (marker ? done || reject(new Error(`exited before "${marker}":\n${out}`)) : finish()));
	});
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(command, marker) {
	await timeTo(command, marker); // warm the file cache
	const xs = [];
	for (let n = 0; n < RUNS; n++) xs.push(await timeTo(command, marker));
	return median(xs);
}

const bare = await measure(`${process.execPath} -e 0`, null);
const wizard = await measure(`${process.execPath} ${bin} --out ${join(home, 'out')}`, 'Start from');
console.log(`node -e 0:              ${bare.toFixed(0)} ms`);
console.log(`hatch-wizard 1st frame: ${wizard.toFixed(0)} ms`);
console.log(`ratio ${(wizard / bare).toFixed(2)}× (target ≤ 3.0×)`);
