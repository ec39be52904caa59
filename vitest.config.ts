import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {defineConfig} from 'vitest/config';

// Outside the e2e suite no test may reach a Docker engine: every suite here gets an engine address that
// does not exist (a test that needs one belongs in test/e2e, which owns its names).
const hermetic = {
	DOCKER_HOST: 'unix:///nonexistent/hatch-tests-reach-no-engine.sock',
	DOCKER_CONTEXT: '',
	// The presets and stacks hatch remembers go to a folder of the run's own, never to the user's ~/.config.
	HATCH_CONFIG_DIR: join(tmpdir(), `hatch-test-config-${process.pid}`),
};

const shared = {
	testTimeout: 60_000,
	hookTimeout: 120_000,
	pool: 'forks' as const,
	env: hermetic,
};

export default defineConfig({
	test: {
		globalSetup: ['test/helpers/global-setup.ts'],
		projects: [
			// Pure logic and Ink screens (ink-testing-library): fast, no processes but the CLI under test.
			{test: {...shared, name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}', 'source/**/*.test.{ts,tsx}']}},
			// The real `docker compose` reading what hatch writes (compose config reads files, not the engine).
			{test: {...shared, name: 'compose', include: ['test/compose/**/*.test.ts']}},
			// The real CLI in a real terminal (tmux).
			{test: {...shared, name: 'tty', include: ['test/tty/**/*.test.ts']}},
		],
	},
});
