// Writes images/*/.env.example and images/*/docker-compose.example.yml from the model (source/core).
import {build} from 'esbuild';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, dirname} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'hatch-examples-'));
try {
	const outfile = join(tmp, 'examples.mjs');
	await build({
		entryPoints: [join(root, 'source/core/examples.ts')],
		bundle: true,
		outfile,
		format: 'esm',
		platform: 'node',
		logLevel: 'warning',
		banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
	});
	const {renderExamples} = await import(pathToFileURL(outfile).href);
	const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
	for (const [path, content] of Object.entries(renderExamples(version))) {
		writeFileSync(join(root, 'images', path), content);
		console.log(`wrote images/${path}`);
	}
} finally {
	rmSync(tmp, {recursive: true, force: true});
}
