// Bundles one TypeScript module of source/ with esbuild into a temp file and imports it, for scripts and
// benches that run outside the test runner.

import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build} from 'esbuild';

// Inside the project, so the bundle's imports of packages resolve from node_modules.
const cache = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache');

/** Bundles `entry` into `outfile`; with `all`, packages are bundled too, as in the shipped CLI. */
export async function buildTs(entry, outfile, {all = false} = {}) {
	await build({
		entryPoints: [entry],
		bundle: true,
		outfile,
		format: 'esm',
		platform: 'node',
		logLevel: 'warning',
		...(all
			? {alias: {'react-devtools-core': join(dirname(fileURLToPath(import.meta.url)), 'empty.js')}}
			: {packages: 'external'}),
		jsx: 'automatic',
		banner: {js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);"},
	});
}

export {cache};

export async function loadTs(entry) {
	mkdirSync(cache, {recursive: true});
	const tmp = mkdtempSync(join(cache, 'hatch-load-'));
	try {
		const outfile = join(tmp, 'module.mjs');
		await buildTs(entry, outfile);
		return await import(pathToFileURL(outfile).href);
	} finally {
		rmSync(tmp, {recursive: true, force: true});
	}
}
