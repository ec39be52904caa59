// Writes images/*/.env.example, images/*/docker-compose.example.yml and the README's settings table from
// the model (source/core).
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {loadTs} from './load-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const {renderExamples, settingsTable, TABLE_START, TABLE_END} = await loadTs(join(root, 'source/core/examples.ts'));
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const [path, content] of Object.entries(renderExamples(version))) {
	writeFileSync(join(root, 'images', path), content);
	console.log(`wrote images/${path}`);
}
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < start)
	throw new Error(`README.md has no settings table markers (${TABLE_START} … ${TABLE_END})`);
writeFileSync(join(root, 'README.md'), readme.slice(0, start) + settingsTable() + readme.slice(end + TABLE_END.length));
console.log('wrote the settings table in README.md');
