#!/usr/bin/env node
// bench/stream: 100k lines of build output through hatch's progress view (stream → BuildKit parser →
// Ink view, log file written, in a process of its own) vs `cat >/dev/null` reading the same producer.
// Targets: wall ≤ 1.5× cat's, peak RSS ≤ 120 MB. Runs alternate between the two, so load on the machine
// falls on both alike; the ratio is of the medians, with each side's spread.
//   node bench/stream.mjs [LINES] [RUNS]
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {buildTs, cache} from '../scripts/load-ts.mjs';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 11);
const producer = join(import.meta.dirname, 'produce-lines.mjs');
// A folder of its own: node_modules (and its cache) can be shared by several checkouts.
mkdirSync(cache, {recursive: true});
const dir = mkdtempSync(join(cache, 'bench-stream-'));
const harness = join(dir, 'stream-harness.mjs');
await buildTs(join(import.meta.dirname, 'stream-harness.tsx'), harness, {all: true});
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = xs => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const cat = [];
const runs = [];
try {
	for (let i = 0; i < RUNS; i++) {
		const t0 = performance.now();
		const c = spawnSync('bash', ['-c', `"${process.execPath}" "${producer}" ${N} | cat >/dev/null`]);
		if (c.status !== 0) throw new Error(String(c.stderr));
		cat.push(performance.now() - t0);
		// React and Ink as the shipped build has them (scripts/build.mjs defines NODE_ENV=production).
		const r = spawnSync(process.execPath, [harness, '--run', process.execPath, producer, String(N)], {
			encoding: 'utf8',
			env: {...process.env, NODE_ENV: 'production'},
		});
		if (r.status !== 0) throw new Error(r.stderr);
		runs.push(JSON.parse(r.stdout.trim().split('\n').pop()));
	}
} finally {
	rmSync(dir, {recursive: true, force: true});
}
const ms = runs.map(r => r.ms);
const c = median(cat);
const v = median(ms);
const peak = Math.max(...runs.map(r => r.peakRss));
console.log(`cat >/dev/null:      ${c.toFixed(0)} ms (${spread(cat)}) for ${N} lines, median of ${RUNS}`);
console.log(
	`hatch progress view: ${v.toFixed(0)} ms (${spread(ms)}), ${runs[0].lines} lines parsed, ` +
		`${runs[0].logged} logged, ${runs[0].frames} writes to the terminal`,
);
const after = runs.map(r => r.ms - r.first);
console.log(`  of which after the producer's first line: ${median(after).toFixed(0)} ms (${spread(after)})`);
console.log(
	`wall ratio ${(v / c).toFixed(2)}× (target ≤ 1.5×); ` +
		`peak RSS ${(peak / 1048576).toFixed(0)} MB (target ≤ 120 MB)`,
);
