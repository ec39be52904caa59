// Writes images/*/.env.example and images/*/docker-compose.example.yml from the model (source/core).
import {readFileSync, writeFileSync} from 'node:fs';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {loadTs} from './load-ts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const {renderExamples} = await loadTs(join(root, 'source/core/examples.ts'));
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const [path, content] of Object.entries(renderExamples(version))) {
	writeFileSync(join(root, 'images', path), content);
	console.log(`wrote images/${path}`);
}
