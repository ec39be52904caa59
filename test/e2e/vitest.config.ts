// The end-to-end suite: one engine, one file at a time, generous timeouts for builds.
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		root: new URL('../..', import.meta.url).pathname,
		include: ['test/e2e/**/*.test.ts'],
		testTimeout: 180_000,
		hookTimeout: 300_000,
		fileParallelism: false,
		pool: 'forks',
		globalSetup: ['test/helpers/global-setup.ts'],
		// What hatch remembers (presets, the stacks it wrote) goes to a folder of the run's own.
		env: {HATCH_CONFIG_DIR: join(tmpdir(), `hatch-e2e-config-${process.pid}`)},
	},
});
