// The mutation score by file and overall, from reports/mutation/mutation.json: node scripts/score.mjs
import {readFileSync} from 'node:fs';

const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));
const total = {killed: 0, survived: 0, noCoverage: 0};
const rows = [];
for (const [file, data] of Object.entries(report.files)) {
	const c = {killed: 0, survived: 0, noCoverage: 0};
	for (const m of data.mutants) {
		if (m.status === 'Killed' || m.status === 'Timeout') c.killed++;
		else if (m.status === 'Survived') c.survived++;
		else if (m.status === 'NoCoverage') c.noCoverage++;
	}
	for (const k of Object.keys(c)) total[k] += c[k];
	rows.push([file, c]);
}
const score = c => ((100 * c.killed) / (c.killed + c.survived + c.noCoverage || 1)).toFixed(1);
for (const [file, c] of rows.sort((a, b) => score(a[1]) - score(b[1])))
	console.log(`${score(c).padStart(5)}%  ${file}  (${c.survived} survived, ${c.noCoverage} not covered)`);
console.log(
	`${score(total).padStart(5)}%  overall  (${total.killed} killed, ${total.survived} survived, ` +
		`${total.noCoverage} not covered)`,
);
