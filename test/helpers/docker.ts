// Finds out whether the docker CLI with compose v2 is here (the engine is not needed: `compose config` reads
// files). Under CI=true it must be; elsewhere the compose-backed tests are skipped with a line saying so.
import {execFileSync} from 'node:child_process';

function probe(): string | undefined {
	try {
		return execFileSync('docker', ['compose', 'version', '--short'], {stdio: 'pipe', timeout: 10_000})
			.toString()
			.trim();
	} catch {
		return undefined;
	}
}

export const composeVersion = probe();
export const hasCompose = composeVersion !== undefined;

if (!hasCompose) {
	if (process.env.CI === 'true') {
		throw new Error('CI=true but docker compose v2 is missing: run .ci/setup-docker.sh first');
	}
	console.warn('SKIPPING compose-backed tests: no docker compose v2 here (run .ci/setup-docker.sh)');
}
