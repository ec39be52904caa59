// Runs the non-e2e suite N times (npm run test:repeat -- N; default 10) and reports every failure by run,
// to catch tests that depend on timing. Exits 1 when any run failed.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const runs = Number(process.argv[2] ?? 10);
if (!Number.isInteger(runs) || runs < 1) {
	console.error('usage: npm run test:repeat -- N   (N runs, a whole number from 1)');
	process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'hatch-repeat-'));
const failures = [];
for (let run = 1; run <= runs; run++) {
	const out = join(dir, `run-${run}.json`);
	const t0 = Date.now();
	const r = spawnSync(
		process.execPath,
		['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', `--outputFile=${out}`],
		{encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']},
	);
	let failed = [];
	try {
		const report = JSON.parse(readFileSync(out, 'utf8'));
		failed = report.testResults.flatMap(file =>
			file.assertionResults
				.filter(t => t.status === 'failed')
				.map(t => `${file.name.replace(`${process.cwd()}/`, '')} > ${t.fullName}`),
		);
		if (r.status !== 0 && failed.length === 0)
			failed = [
				`vitest exited ${r.status} without a failed test: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
			];
	} catch {
		failed = [`no report (vitest exited ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`];
	}
	const seconds = ((Date.now() - t0) / 1000).toFixed(0);
	console.log(`run ${run}/${runs}: ${failed.length ? `${failed.length} failed` : 'green'} (${seconds} s)`);
	for (const f of failed) console.log(`  ✗ ${f}`);
	failures.push(...failed.map(f => ({run, f})));
}
console.log(
	failures.length
		? `${new Set(failures.map(x => x.run)).size} of ${runs} runs had failures`
		: `${runs} of ${runs} runs green`,
);
process.exit(failures.length ? 1 : 0);
