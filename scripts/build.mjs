// Bundles source/cli.tsx into dist/ (ESM, code-split so heavy probes load only when used).
// --if-stale: skip when dist is newer than every file under source/.

import {existsSync, readdirSync, rmSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'source', 'cli.tsx');
const out = join(root, 'dist', 'cli.js');

function newest(dir) {
	let t = 0;
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		const s = statSync(p);
		t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
	}
	return t;
}

if (process.argv.includes('--if-stale') && existsSync(out)) {
	const stale = Math.max(newest(join(root, 'source')), statSync(join(root, 'package.json')).mtimeMs);
	if (statSync(out).mtimeMs >= stale) process.exit(0);
}

rmSync(join(root, 'dist'), {recursive: true, force: true});
await build({
	entryPoints: [entry],
	outdir: join(root, 'dist'),
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	jsx: 'automatic',
	minify: false,
	legalComments: 'none',
	logLevel: 'warning',
	chunkNames: 'chunks/[name]-[hash]',
	// Ink's optional devtools bridge is never used at run time; keep it (and its deps) out of the bundle.
	alias: {'react-devtools-core': join(root, 'scripts', 'empty.js')},
	// Production builds of React and its reconciler only (the development ones are 4x the size).
	// `fetch`: the layout engine's loader asks `typeof fetch` (its WebAssembly is inlined, so it never fetches),
	// and in Node that question alone loads the whole HTTP client, on the way to the first screen. Nothing in
	// hatch fetches.
	define: {'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"', fetch: 'undefined'},
	banner: {
		js:
			"import {createRequire as __hatchCreateRequire} from 'node:module'; const require = " +
			'__hatchCreateRequire(import.meta.url);',
	},
});
