// Writes images/*/.env.example and images/*/docker-compose.example.yml from the model (source/core).
import {build} from 'esbuild';
import {writeFileSync} from 'node:fs';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
	entryPoints: [join(root, 'source/core/examples.ts')],
	bundle: true,
	write: false,
	format: 'esm',
	platform: 'node',
});
const mod = await import('data:text/javascript;base64,' + Buffer.from(result.outputFiles[0].text).toString('base64'));
for (const [path, content] of Object.entries(mod.renderExamples())) {
	writeFileSync(join(root, 'images', path), content);
	console.log(`wrote images/${path}`);
}
