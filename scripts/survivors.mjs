// Lists the mutants the tests let through (from reports/mutation/mutation.json), by file and line:
// node scripts/survivors.mjs [FILE_FILTER]
import {readFileSync} from 'node:fs';

const filter = process.argv[2] ?? '';
const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));
for (const [file, data] of Object.entries(report.files)) {
	if (!file.includes(filter)) continue;
	const lines = data.source.split('\n');
	for (const m of data.mutants
		.filter(x => x.status === 'Survived' || x.status === 'NoCoverage')
		.sort((a, b) => a.location.start.line - b.location.start.line)) {
		const l = m.location.start.line;
		console.log(
			`${file}:${l} ${m.status === 'NoCoverage' ? '[no cov] ' : ''}${m.mutatorName}: ` +
				`${JSON.stringify(m.replacement ?? '').slice(0, 80)}  | ` +
				`${lines[l - 1].trim().slice(0, 100)}`,
		);
	}
}
