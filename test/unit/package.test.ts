// What `npx hatch-wizard` gets: the packed package (built dist/, the images, the presets) has no runtime
// dependencies and no install scripts, stays small, and works from an offline install into an empty folder.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {fakeHome} from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');

describe('the npm package', () => {
	it('packs to under 1 MB with no dependencies, installs offline, and writes a stack', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-pack-'));
		// dist/ was built by the test setup; --ignore-scripts keeps prepack from rebuilding it under other tests.
		const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
			cwd: ROOT,
			encoding: 'utf8',
		})
			.trim()
			.split('\n')
			.pop()!;
		const tarball = join(dir, name);
		expect(statSync(tarball).size).toBeLessThan(1024 * 1024);
		const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {encoding: 'utf8'}));
		expect(manifest.dependencies ?? {}).toEqual({});
		for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
			expect(manifest.scripts?.[hook]).toBeUndefined();

		const app = join(dir, 'app');
		mkdirSync(app);
		writeFileSync(join(app, 'package.json'), '{"private": true}\n');
		execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
			cwd: app,
			encoding: 'utf8',
		});
		expect(readdirSync(join(app, 'node_modules')).filter(n => !n.startsWith('.'))).toEqual(['hatch-wizard']);

		const out = join(dir, 'out');
		const home = fakeHome();
		execFileSync(
			join(app, 'node_modules', '.bin', 'hatch-wizard'),
			['--yes', '--no-build', '--no-boot', '--out', out, '--set', 'STEM_USER=packed'],
			{
				cwd: app,
				env: {...process.env, HOME: home, HATCH_CONFIG_DIR: join(dir, 'config'), CI: ''},
				encoding: 'utf8',
			},
		);
		expect(parseEnv(readFileSync(join(out, 'stem', '.env'), 'utf8')).STEM_USER).toBe('packed');
		expect(statSync(join(out, 'stem', 'image', 'Dockerfile')).isFile()).toBe(true);
	});
});
