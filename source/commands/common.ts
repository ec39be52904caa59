// What the commands share: their errors, finding a stack from --image/--out, the default output folder, and a
// y/N question at the terminal.
import {existsSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {parseEnv} from '../core/env.js';
import {IMAGES, type Image, isImage, type Values} from '../core/model.js';
import type {Engine} from '../docker/deploy.js';
import {readBounded} from '../files.js';
import {identity, realHost} from '../host/probes.js';
import type {SshVia} from '../sshconfig.js';

/** A mistake in how hatch-wizard was called (exit 2), with the fix in its message. */
export class UsageError extends Error {}

export class CommandError extends Error {}

/** The most a stack's .env may hold (it is a few kB). */
export const ENV_FILE_MAX = 1_000_000;

export interface StackRef {
	image: Image;
	/** Its folder (on the remote host, for a remote stack). */
	dir: string;
	values: Values;
	/** A stack on a Docker host reached over SSH: how to reach it, where its logs go here, how ssh reaches it. */
	remote?: {text: string; engine: Engine; logDir: string; via: SshVia};
}

export function loadStack(image: Image, out: string): StackRef {
	const dir = join(out, image);
	const env = join(dir, '.env');
	if (!existsSync(env))
		throw new CommandError(
			`no ${image} stack in ${dir} (no .env there); write one with hatch-wizard, or pass --out DIR / --image`,
		);
	return {image, dir, values: parseEnv(readBounded(env, ENV_FILE_MAX, "the stack's .env"))};
}

/** The --image option: one of IMAGES, or undefined when not given. */
export function imageOption(value: string | undefined): Image | undefined {
	if (value !== undefined && !isImage(value))
		throw new UsageError(`--image must be one of: ${IMAGES.join(', ')} (got "${value}")`);
	return value;
}

/**
 * Where stacks are written when --out is not given: $DOCKER/services/<host>/, else ~/hatch/. Never the current
 * folder: a stack written into a git checkout (or wherever the shell was) is easy to lose or to commit.
 */
export function defaultOutDir(env: Record<string, string | undefined>, hostname: string, home: string): string {
	return env.DOCKER ? join(env.DOCKER, 'services', hostname) : join(home, 'hatch');
}

/** The folder the stacks are in: --out, else the default for this host; absolute. */
export function outDir(out: string | undefined): string {
	const id = identity(realHost());
	return resolve(out ?? defaultOutDir(process.env, id.hostname, id.home));
}

/** A y/N question on the terminal (only called when stdin and stdout are one). */
export async function askYesNo(question: string): Promise<boolean> {
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stdout});
	try {
		return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
	} finally {
		rl.close();
	}
}
