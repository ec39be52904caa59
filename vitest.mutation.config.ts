import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defineConfig} from 'vitest/config';

// What the mutation run uses: the unit project's tests and the questions' (pure) tests, in process (tests that
// run the built CLI in a child process cannot see a mutant and are left out, as are the Ink screens' tests,
// which render frames for seconds and would not fit the run into 20 minutes), with no engine reachable.
export default defineConfig({
	test: {
		include: ['test/unit/**/*.test.ts', 'source/ui/questions.test.ts', 'source/ui/flow.test.ts'],
		exclude: [
			'test/unit/cli.test.ts',
			'test/unit/cli-commands.test.ts',
			'test/unit/package.test.ts',
			// It reads the source as text, which is instrumented in the run.
			'test/unit/key-mentions.test.ts',
		],
		env: {
			DOCKER_HOST: 'unix:///nonexistent/hatch-tests-reach-no-engine.sock',
			HATCH_CONFIG_DIR: join(tmpdir(), `hatch-test-config-${process.pid}`),
		},
		globalSetup: ['test/helpers/global-setup.ts'],
		pool: 'forks',
		testTimeout: 60_000,
	},
});
