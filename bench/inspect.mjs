#!/usr/bin/env node
// bench/inspect: how long the host inspection takes on this machine (all probes in parallel),
// median of 15 runs after one warm-up. Target: ≤ 150 ms on a host without GPUs.
import {join} from 'node:path';
import {loadTs} from '../scripts/load-ts.mjs';

const {inspectHost, systemGraphics} = await loadTs(join(import.meta.dirname, '../source/host/inspect.ts'));
const {realHost} = await loadTs(join(import.meta.dirname, '../source/host/probes.ts'));
const RUNS = 15;
const host = realHost();
await inspectHost(host, {graphics: systemGraphics});
const times = [];
let last;
for (let n = 0; n < RUNS; n++) {
	const t0 = performance.now();
	last = await inspectHost(host, {graphics: systemGraphics});
	times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
const probes = Object.entries(last)
	.filter(([, v]) => v && typeof v === 'object' && 'ms' in v)
	.map(([k, v]) => `${k} ${v.ms} ms (${v.status})`);
console.log(
	`inspection: median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)}, max ${times[RUNS - 1].toFixed(0)} ` +
		`(target ≤ 150 ms; ratio ${(median / 150).toFixed(2)} of target)`,
);
console.log(`last run: ${probes.join(', ')}`);
