// Bundles one TypeScript module of source/ with esbuild into a temp file and imports it, for scripts and
// benches that run outside the test runner.
import {build} from 'esbuild';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

// Inside the project, so the bundle's imports of packages resolve from node_modules.
const cache = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache');

export async function loadTs(entry) {
	mkdirSync(cache, {recursive: true});
	const tmp = mkdtempSync(join(cache, 'hatch-load-'));
	try {
		const outfile = join(tmp, 'module.mjs');
		await build({
			entryPoints: [entry],
			bundle: true,
			outfile,
			format: 'esm',
			platform: 'node',
			logLevel: 'warning',
			packages: 'external',
			banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
		});
		return await import(pathToFileURL(outfile).href);
	} finally {
		rmSync(tmp, {recursive: true, force: true});
	}
}
