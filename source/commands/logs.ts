// `hatch-wizard logs [-f]`: the container's boot and sshd log.
import {printable} from '../docker/buildkit.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {composeEnv, onInterrupt} from '../docker/proc.js';
import type {StackRef} from './common.js';

/**
 * `logs`: the container's boot and sshd log, through docker compose. To a terminal as it is; into a pipe or a
 * file without the terminal codes compose writes (ESC[2K, carriage returns), one clean line at a time.
 */
export async function logsCommand(
	ref: StackRef,
	follow: boolean,
	out: (s: string) => void = s => void process.stdout.write(s),
	tty = Boolean(process.stdout.isTTY),
	engine: Engine = realEngine,
): Promise<number> {
	const args = ['compose', 'logs', '--no-log-prefix', ...(follow ? ['--follow'] : [])];
	// As for the build and start: the stack's .env decides which project this is, not hatch's own environment.
	const env = composeEnv();
	if (tty) return (await engine.proc.run('docker', args, {cwd: ref.dir, env, inherit: true})).exitCode;
	const r = engine.proc.stream('docker', args, {cwd: ref.dir, env, onLine: line => out(`${printable(line)}\n`)});
	// compose runs in its own process group (see stream): Ctrl-C must stop it too.
	let stopped = false;
	const stop = () => {
		stopped = true;
		r.cancel();
	};
	const stopListening = onInterrupt(stop);
	const {exitCode} = await r.done;
	stopListening();
	return stopped ? 130 : exitCode;
}
