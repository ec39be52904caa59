// Lines of the code Biome formats stay within 120 characters (a tab counts as one): the formatter wraps code,
// but not the text of strings and comments. Inline snapshots are vitest's to write, and are left alone.
// node scripts/line-width.mjs
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

const LIMIT = 120;
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.js'], {
	encoding: 'utf8',
})
	.split('\n')
	.filter(f => f && !f.startsWith('test/fixtures/'));
let long = 0;
for (const file of files) {
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		continue; // listed but deleted in the work tree
	}
	let snapshot = false;
	text.split('\n').forEach((line, i) => {
		if (line.includes('toMatchInlineSnapshot(`')) snapshot = true;
		if (snapshot && /^\s*`\)/.test(line)) snapshot = false;
		if (line.length > LIMIT && !snapshot) {
			long++;
			console.log(`${file}:${i + 1}: ${line.length} characters (at most ${LIMIT})`);
		}
	});
}
if (long) process.exitCode = 1;
