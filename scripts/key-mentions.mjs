// How many source files name each .env key literally (tests and the model itself aside): a setting declared
// once in FIELDS should need no other file to know its name. node scripts/key-mentions.mjs [--all]
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

const root = join(import.meta.dirname, '..', 'source');
const files = [];
const walk = dir => {
	for (const e of readdirSync(dir, {withFileTypes: true})) {
		const p = join(dir, e.name);
		if (e.isDirectory()) walk(p);
		else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) files.push(p);
	}
};
walk(root);
const model = readFileSync(join(root, 'core', 'model.ts'), 'utf8');
const keys = [...new Set([...model.matchAll(/^\t\t?key: '([A-Z][A-Z0-9_]+)'/gm)].map(m => m[1]))];
const rows = keys.map(key => {
	const re = new RegExp(`\\b${key}\\b`);
	const where = files.filter(f => re.test(readFileSync(f, 'utf8'))).map(f => f.slice(root.length + 1));
	return {key, where};
});
const mean = rows.reduce((n, r) => n + r.where.length, 0) / rows.length;
for (const r of rows.sort((a, b) => b.where.length - a.where.length)) {
	if (process.argv.includes('--all') || r.where.length > 1)
		console.log(`${String(r.where.length).padStart(2)}  ${r.key}  ${r.where.join(' ')}`);
}
console.log(`${keys.length} keys, named in ${mean.toFixed(2)} source files on average (model.ts included)`);
