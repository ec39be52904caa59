// How many source files name each .env key literally (tests aside, the model included): a setting declared once
// in FIELDS should need no other file to know its name. node scripts/key-mentions.mjs [--all]
// (test/unit/model.test.ts holds the average to 1.5 at most.)
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';

const root = join(import.meta.dirname, '..', 'source');

/** Each key FIELDS declares, with the source files that name it. */
export function keyMentions() {
	const files = [];
	const walk = dir => {
		for (const e of readdirSync(dir, {withFileTypes: true})) {
			const p = join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) files.push(p);
		}
	};
	walk(root);
	const text = new Map(files.map(f => [f, readFileSync(f, 'utf8')]));
	const model = text.get(join(root, 'core', 'model.ts'));
	const keys = [...new Set([...model.matchAll(/^\t\t?key: '([A-Z][A-Z0-9_]+)'/gm)].map(m => m[1]))];
	return keys.map(key => {
		const re = new RegExp(`\\b${key}\\b`);
		return {key, where: files.filter(f => re.test(text.get(f))).map(f => f.slice(root.length + 1))};
	});
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const rows = keyMentions();
	const mean = rows.reduce((n, r) => n + r.where.length, 0) / rows.length;
	for (const r of rows.sort((a, b) => b.where.length - a.where.length)) {
		if (process.argv.includes('--all') || r.where.length > 1)
			console.log(`${String(r.where.length).padStart(2)}  ${r.key}  ${r.where.join(' ')}`);
	}
	console.log(`${rows.length} keys, named in ${mean.toFixed(2)} source files on average (model.ts included)`);
}
