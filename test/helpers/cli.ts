// Runs the built CLI (bin/hatch-wizard.js) the way a user does, in a throwaway HOME.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/hatch-wizard.js');

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs the CLI to its exit; `timeoutMs` (default 60 s) ends a run that hangs, with code -1. */
export function runCli(
	args: string[],
	options: {
		home?: string;
		cwd?: string;
		env?: Record<string, string | undefined>;
		input?: string;
		timeoutMs?: number;
	} = {},
): CliResult {
	const env: Record<string, string | undefined> = {
		...process.env,
		HOME: options.home ?? process.env.HOME,
		NO_COLOR: '1',
		CI: '',
		DOCKER: '',
		...options.env,
	};
	for (const k of Object.keys(env)) if (env[k] === undefined || env[k] === '') delete env[k];
	const r = spawnSync(process.execPath, [BIN, ...args], {
		cwd: options.cwd ?? tmpdir(),
		env: env as NodeJS.ProcessEnv,
		input: options.input ?? '',
		encoding: 'utf8',
		timeout: options.timeoutMs ?? 60_000,
	});
	return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr};
}

/** A fake home with an ed25519 public key in ~/.ssh, as a new user would have. */
export function fakeHome(): string {
	const home = mkdtempSync(join(tmpdir(), 'hatch-home-'));
	mkdirSync(join(home, '.ssh'), {mode: 0o700});
	writeFileSync(
		join(home, '.ssh', 'id_ed25519.pub'),
		'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchTestKeyOnlyForTests test@hatch\n',
	);
	return home;
}
