import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/unit/**/*.test.{ts,tsx}', 'test/docker/**/*.test.ts', 'test/tty/**/*.test.ts', 'source/**/*.test.{ts,tsx}'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// Docker-backed tests share one engine; keep files from fighting over it.
		fileParallelism: true,
		pool: 'forks',
		globalSetup: ['test/helpers/global-setup.ts'],
	},
});
