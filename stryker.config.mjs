// Mutation testing (npm run test:mutation; StrykerJS needs Node 22 or newer, the script brings it):
// how many deliberate bugs in source/ the unit tests catch. The report goes to reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	testRunner: 'vitest',
	// Every unit test, not only those vitest finds related through imports (the screens import indirectly),
	// each file in a process of its own as `npm test` runs them (tests set $HOME and watch signal handlers).
	vitest: {configFile: 'vitest.mutation.config.ts', related: false, pool: 'forks'},
	// The pure core, the safe writer, the readiness gate and the other logic; not the Ink screens (their
	// tests render real frames and take seconds each: a run over them does not fit in 20 minutes here) or the
	// entry points that only wire things together.
	mutate: [
		'source/core/**/*.ts',
		'source/stack.ts',
		'source/sshconfig.ts',
		'source/store.ts',
		'source/files.ts',
		'source/commands/*.ts',
		'source/pipeline.ts',
		'source/remote-stack.ts',
		'source/docker/*.ts',
		'source/host/*.ts',
		'source/ui/questions.ts',
		'source/ui/flow.ts',
		'!source/**/*.test.*',
	],
	coverageAnalysis: 'perTest',
	ignoreStatic: true,
	incremental: true,
	incrementalFile: 'reports/mutation/incremental.json',
	concurrency: 2,
	timeoutMS: 3000,
	reporters: ['clear-text', 'progress', 'html', 'json'],
	htmlReporter: {fileName: 'reports/mutation/index.html'},
	jsonReporter: {fileName: 'reports/mutation/mutation.json'},
	thresholds: {high: 85, low: 70, break: null},
	tempDirName: 'node_modules/.stryker-tmp',
	cleanTempDir: 'always',
};
