// Where this package's own files are: found from this module, which is in source/ when testing and in
// dist/ (or dist/chunks/) when bundled.
import {existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

let cached: string | undefined;

function packageDir(): string {
	if (cached) return cached;
	let dir = dirname(fileURLToPath(import.meta.url));
	for (let i = 0; i < 5; i++) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'images'))) {
			cached = dir;
			return dir;
		}
		dir = dirname(dir);
	}
	throw new Error('cannot find the files of hatch-wizard (images/, presets/); is the package complete?');
}

export const imagesDir = () => join(packageDir(), 'images');
export const presetsDir = () => join(packageDir(), 'presets');
