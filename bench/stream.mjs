#!/usr/bin/env node
// bench/stream: 100k lines of build output through hatch's progress view (stream → BuildKit parser →
// Ink view, in a process of its own) vs `cat >/dev/null` reading the same producer.
// Targets: wall ≤ 1.5× cat's, peak RSS ≤ 120 MB. Median of 5 runs each.
import {spawnSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {buildTs, cache} from '../scripts/load-ts.mjs';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = 5;
const producer = join(import.meta.dirname, 'produce-lines.mjs');
mkdirSync(cache, {recursive: true});
const harness = join(cache, 'stream-harness.mjs');
await buildTs(join(import.meta.dirname, 'stream-harness.tsx'), harness, {all: true});
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cat = [];
for (let i = 0; i < RUNS; i++) {
	const t0 = performance.now();
	const r = spawnSync('bash', ['-c', `"${process.execPath}" "${producer}" ${N} | cat >/dev/null`]);
	if (r.status !== 0) throw new Error(String(r.stderr));
	cat.push(performance.now() - t0);
}
const runs = [];
for (let i = 0; i < RUNS; i++) {
	const r = spawnSync(process.execPath, [harness, '--run', process.execPath, producer, String(N)], {encoding: 'utf8'});
	if (r.status !== 0) throw new Error(r.stderr);
	runs.push(JSON.parse(r.stdout.trim().split('\n').pop()));
}
const c = median(cat);
const v = median(runs.map(r => r.ms));
const peak = Math.max(...runs.map(r => r.peakRss));
console.log(`cat >/dev/null:      ${c.toFixed(0)} ms (${N} lines)`);
console.log(
	`hatch progress view: ${v.toFixed(0)} ms, ${runs[0].lines} lines parsed, ${runs[0].frames} writes to the terminal`,
);
console.log(
	`wall ratio ${(v / c).toFixed(2)}× (target ≤ 1.5×); ` +
		`peak RSS ${(peak / 1048576).toFixed(0)} MB (target ≤ 120 MB)`,
);
