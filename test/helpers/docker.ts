// Finds out whether a real Docker engine with compose v2 is here. Under CI=true it must be; elsewhere the
// Docker-backed tests are skipped with a line saying so.
import {execFileSync} from 'node:child_process';

function probe(): string | undefined {
	try {
		execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {stdio: 'pipe', timeout: 10_000});
		return execFileSync('docker', ['compose', 'version', '--short'], {stdio: 'pipe', timeout: 10_000}).toString().trim();
	} catch {
		return undefined;
	}
}

export const composeVersion = probe();
export const hasCompose = composeVersion !== undefined;

if (!hasCompose) {
	if (process.env.CI === 'true') {
		throw new Error('CI=true but no Docker engine with compose v2 answers: run .ci/setup-docker.sh first');
	}
	console.warn('SKIPPING Docker-backed tests: no Docker engine with compose v2 here (run .ci/setup-docker.sh)');
}
