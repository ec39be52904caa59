// Runs the command line's main() in this process, as runCli runs the built CLI in a child: the same output and
// exit code, with the code under test in reach of coverage and of the mutation run. HOME and the variables given
// are set for the call only; output is captured, not printed.
import {main} from '../../source/cli.js';
import type {CliResult} from './cli.js';

export async function runMain(
	args: string[],
	options: {home?: string; env?: Record<string, string | undefined>} = {},
): Promise<CliResult> {
	const saved = {...process.env};
	const vars: Record<string, string | undefined> = {
		NO_COLOR: '1',
		CI: undefined,
		DOCKER: undefined,
		...(options.home ? {HOME: options.home} : {}),
		...options.env,
	};
	for (const [k, v] of Object.entries(vars)) {
		if (v === undefined) delete process.env[k];
		else process.env[k] = v;
	}
	let stdout = '';
	let stderr = '';
	const write = {out: process.stdout.write, err: process.stderr.write};
	process.stdout.write = ((chunk: string | Uint8Array) => {
		stdout += String(chunk);
		return true;
	}) as typeof process.stdout.write;
	process.stderr.write = ((chunk: string | Uint8Array) => {
		stderr += String(chunk);
		return true;
	}) as typeof process.stderr.write;
	try {
		const code = await main(args);
		return {code, stdout, stderr};
	} finally {
		process.stdout.write = write.out;
		process.stderr.write = write.err;
		for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
		Object.assign(process.env, saved);
	}
}
