// A Docker host reached over SSH (`--host TARGET`): every look at it goes through one multiplexed OpenSSH
// connection (ControlMaster), so a whole run opens one TCP connection and one login, whatever sshd's
// MaxStartups allows. What hatch learns there is the remote's own: its user and ids, its files, its engine, its
// ports. Nothing about the local machine leaks into the answers.
import {lstatSync, mkdirSync} from 'node:fs';
import {homedir, tmpdir, userInfo} from 'node:os';
import {join} from 'node:path';
import {FIELDS} from '../core/model.js';
import {printable} from '../docker/buildkit.js';
import {type Proc, type Ran, type RunOptions, run, stream} from '../docker/proc.js';
import {type ReadyHost, readyHostOn} from '../docker/ready.js';
import type {Host, RunResult} from './probes.js';

/** Where an SSH destination is, as the user named it. */
export interface SshTarget {
	/** What ssh is given: an alias of ~/.ssh/config, or user@host. */
	destination: string;
	port?: number;
	/** As the user wrote it (for messages). */
	label: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Reads TARGET: an alias from ~/.ssh/config, `user@host[:port]` or `ssh://user@host[:port]`. An error names
 * the field and the forms it takes.
 */
export function parseTarget(text: string): SshTarget | {error: string} {
	const bad = {
		error:
			`--host "${text}" is not an SSH destination: use an alias from ~/.ssh/config, user@host, user@host:port, ` +
			'ssh://user@host:port, or a docker context whose endpoint is ssh://',
	};
	const m = /^(?:ssh:\/\/)?(?:([^@/:\s]+)@)?([^@/:\s]+)(?::(\d{1,5}))?\/?$/.exec(text);
	if (!m) return bad;
	const [, user, host, port] = m;
	// A leading dash would be read by ssh as an option.
	if (!NAME.test(host!) || (user !== undefined && !NAME.test(user))) return bad;
	const p = port === undefined ? undefined : Number(port);
	if (p !== undefined && (p < 1 || p > 65535)) return {error: `--host "${text}": the port must be 1 to 65535`};
	return {destination: user ? `${user}@${host}` : host!, ...(p ? {port: p} : {}), label: text};
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellQuote(word: string): string {
	return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A folder of this user's own for the control sockets (never one another user could have made), short enough
 * for a socket path (about 100 bytes; ssh adds 40 for %C and 17 while it makes one): macOS's $TMPDIR is not.
 */
export function controlDir(base = tmpdir()): string {
	const name = `hatch-ssh-${userInfo().uid}`;
	const dir = join(base.length + name.length + 60 <= 100 ? base : '/tmp', name);
	mkdirSync(dir, {recursive: true, mode: 0o700});
	// The name itself, not what it points at: a link planted there by another user (who could repoint it
	// later) is refused, however private its target.
	const st = lstatSync(dir);
	if (!st.isDirectory() || st.uid !== userInfo().uid || (st.mode & 0o077) !== 0)
		throw new Error(
			`${dir} is not this user's private folder (${st.isSymbolicLink() ? 'a link, ' : ''}owner ${st.uid}, mode ` +
				`${(st.mode & 0o777).toString(8)}); remove it, or set TMPDIR to a folder of your own`,
		);
	return dir;
}

/** The ssh options of every connection to the target: one shared connection, no prompts, a connect deadline. */
export function sshOptions(target: SshTarget, dir = controlDir()): string[] {
	return [
		'-o',
		'BatchMode=yes',
		'-o',
		'ConnectTimeout=10',
		'-o',
		'ControlMaster=auto',
		'-o',
		`ControlPath=${join(dir, '%C')}`,
		'-o',
		'ControlPersist=120',
		...(target.port ? ['-p', String(target.port)] : []),
	];
}

/** What went wrong reaching the target, in words with the fix; undefined when ssh itself did not fail. */
export function sshProblem(target: SshTarget, r: RunResult): string | undefined {
	if (r.exitCode !== 255) return undefined;
	const said = printable(r.stderr.trim().split('\n').pop() ?? '');
	const at = `--host ${target.label}`;
	if (/Permission denied/i.test(r.stderr))
		return (
			`${at}: SSH authentication failed (${said}); add your key there (ssh-copy-id ${target.destination}) or ` +
			'load it into your agent (ssh-add), then check with: ssh ' +
			target.destination
		);
	if (/Could not resolve hostname/i.test(r.stderr))
		return (
			`${at}: no such host (${said}); check the name, or add a Host block for it to ` +
			`${sshCommand().includes('-F') ? sshConfigFile() : '~/.ssh/config'}`
		);
	if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(r.stderr))
		return (
			`${at}: its host key is unknown or changed; connect once with ssh ${target.destination} to check ` +
			'and accept it'
		);
	if (/administratively prohibited|Session open refused/i.test(r.stderr))
		return (
			`${at}: sshd there refused another session on the shared connection (${said}); hatch runs up to 7 at once: ` +
			'set MaxSessions 10 (the default) or more in its sshd_config'
		);
	if (/Connection refused|timed out|No route to host|Network is unreachable/i.test(r.stderr))
		return `${at}: cannot reach it (${said}); check that it is up and that sshd listens on that port`;
	return `${at}: ssh failed (${said || 'exit 255'})`;
}

export class RemoteError extends Error {}

/** How a remote program is run: through the shared connection, as one shell line. */
export interface RemoteRunner {
	target: SshTarget;
	run(line: string, options?: RunOptions): Promise<Ran>;
	/** The local command line that runs `line` there, over the shared connection. */
	argv(line: string): [string, string[]];
}

/**
 * The ssh program and its first words: $HATCH_SSH_COMMAND (e.g. `ssh -F ~/work/ssh_config`), else `ssh`. The
 * words are split on blanks, with no shell: a leading `~/` is the home folder.
 */
export function sshCommand(env: NodeJS.ProcessEnv = process.env, home = homedir()): [string, ...string[]] {
	const words = (env.HATCH_SSH_COMMAND ?? '')
		.split(/\s+/)
		.filter(Boolean)
		.map(w => (w.startsWith('~/') ? join(home, w.slice(2)) : w));
	return words.length ? (words as [string, ...string[]]) : ['ssh'];
}

export function remoteRunner(target: SshTarget, local: typeof run = run, dir?: string): RemoteRunner {
	const [ssh, ...first] = sshCommand();
	const options = [...first, ...sshOptions(target, dir)];
	// sshd allows 10 sessions per connection by default (MaxSessions): stay below it.
	let running = 0;
	const waiting: (() => void)[] = [];
	const slot = async () => {
		if (running >= 6) await new Promise<void>(r => waiting.push(r));
		running++;
	};
	const free = () => {
		running--;
		waiting.shift()?.();
	};
	const argv = (line: string): [string, string[]] => [ssh, [...options, '-T', '--', target.destination, line]];
	const execute = async (line: string, runOptions: RunOptions) => {
		await slot();
		try {
			const r = await local(...argv(line), runOptions);
			// Answered through the shared connection: it stays up until ControlPersist after its last use.
			if (r.exitCode !== 255) warmUntil = Date.now() + WARM_MS;
			return r;
		} finally {
			free();
		}
	};
	// With no shared connection up (the first command, or none for a while), commands started at once would each
	// open their own (ControlMaster=auto) and meet sshd's MaxStartups: one opens it, the others wait for it.
	let warmUntil = 0;
	let opening: Promise<unknown> | undefined;
	return {
		target,
		argv,
		async run(line, runOptions = {}) {
			while (Date.now() >= warmUntil) {
				if (!opening) {
					const mine = execute(line, runOptions);
					opening = mine.finally(() => {
						opening = undefined;
					});
					return mine;
				}
				await opening.catch(() => {});
				// It failed to connect: the next one tries, alone again.
				if (Date.now() >= warmUntil && !opening) continue;
			}
			return execute(line, runOptions);
		},
	};
}

/** How long the shared connection is taken to be up after a command (ControlPersist is 120 s). */
const WARM_MS = 100_000;

/** The remote end of a command line: the program and its words, quoted, run with untranslated messages. */
const remoteLine = (cmd: string, args: string[], timeoutMs: number) =>
	['env', 'LC_ALL=C', 'timeout', '-k', '5', String(Math.ceil(timeoutMs / 1000)), cmd, ...args]
		.map(shellQuote)
		.join(' ');

/** What GNU `stat -c %F` says a path is, as Host.kind names it. */
export function statKind(type: string): 'file' | 'dir' | 'socket' | 'other' {
	return type.startsWith('regular') ? 'file' : type === 'directory' ? 'dir' : type === 'socket' ? 'socket' : 'other';
}

/** The first answer's mark: what comes before it is the login's own chatter. */
const MARK = 'hatch-remote\0';

/**
 * The first look there (run by sh whatever the login shell is): the mark, who the user is, the host's name and
 * system, the tools hatch's commands need that are missing or not GNU's, then the environment.
 */
const FIRST_LOOK = [
	`printf 'hatch-remote\\0'`,
	'need=',
	'for t in bash base64 sha256sum stat timeout find realpath ssh-keyscan; do',
	'  command -v "$t" >/dev/null 2>&1 || need="$need $t"',
	'done',
	'stat -c %F / >/dev/null 2>&1 || need="$need stat(-c)"',
	'base64 -w0 </dev/null >/dev/null 2>&1 || need="$need base64(-w)"',
	`printf '%s\\0' "$(id -un)" "$(id -u)" "$(id -g)" "$HOME" "$(hostname 2>/dev/null || uname -n)" "$(uname -s)" "$need"`,
	'env -0',
].join('\n');

/** A failed file read there, shaped as a local one (ENOENT, EISDIR…), so the probes read it the same. */
function fileError(path: string, r: RunResult): NodeJS.ErrnoException {
	const code = /No such file/i.test(r.stderr) ? 'ENOENT' : /Is a directory/i.test(r.stderr) ? 'EISDIR' : 'EIO';
	return Object.assign(new Error(`${path}: ${r.stderr.trim() || 'cannot be read'}`), {code, path});
}

/** The most a remote file read takes: the probes read small files. */
const READ_MAX = 1_000_000;

/**
 * The target as a `Host`: its user, ids, home, name and environment are read once, here (the connection is
 * opened then); each probe's command runs there. Throws a RemoteError naming the fix when the target cannot be
 * reached or logged in to.
 */
export async function remoteHost(runner: RemoteRunner): Promise<Host> {
	const first = await runner.run(`exec sh -c ${shellQuote(FIRST_LOOK)}`, {timeoutMs: 20_000});
	const problem = sshProblem(runner.target, first);
	if (problem) throw new RemoteError(problem);
	const at = `--host ${runner.target.label}`;
	if (first.exitCode !== 0)
		throw new RemoteError(`${at}: looking at the remote failed: ${printable(first.stderr).trim()}`);
	// Text before the mark: the login itself prints (a .bashrc that echoes), which would break every answer.
	if (!first.stdout.startsWith(MARK))
		throw new RemoteError(
			`${at}: the login there prints text on stdout (${JSON.stringify(printable(first.stdout.slice(0, 60)))}…), which ` +
				'breaks every command sent there (scp and rsync too): make the shell startup files there quiet when not ' +
				'interactive, e.g. begin ~/.bashrc with: case $- in *i*) ;; *) return;; esac',
		);
	const [username, uid, gid, home, name, system, missing, ...vars] = first.stdout.slice(MARK.length).split('\0');
	if (missing)
		throw new RemoteError(
			`${at}: hatch needs bash and the GNU tools there (a Linux host); missing or not GNU: ${missing.trim()}` +
				`${system === 'Darwin' ? ' (macOS: run hatch-wizard on the Mac itself)' : ''}`,
		);
	// No inherited keys: a variable there named `constructor` is a variable like any other.
	const env: Record<string, string> = Object.create(null);
	for (const v of vars) {
		const eq = v.indexOf('=');
		if (eq > 0) env[v.slice(0, eq)] = v.slice(eq + 1);
	}
	const exec = (cmd: string, args: string[], timeoutMs: number): Promise<RunResult> =>
		runner.run(remoteLine(cmd, args, timeoutMs), {timeoutMs: timeoutMs + 6000}).then(r => {
			const lost = sshProblem(runner.target, r);
			if (lost) throw new RemoteError(lost);
			return r;
		});
	return {
		run: exec,
		async readFile(path) {
			// A mark after the content keeps its last line break (the output's own is taken off).
			const r = await exec('sh', ['-c', `head -c ${READ_MAX} -- "$1" && printf .`, 'sh', path], 10_000);
			if (r.exitCode !== 0) throw fileError(path, r);
			return r.stdout.slice(0, -1);
		},
		async readdir(path) {
			const r = await exec('find', [path, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\0'], 10_000);
			if (r.exitCode !== 0) throw fileError(path, r);
			return r.stdout.split('\0').filter(Boolean);
		},
		async kind(path) {
			const r = await exec('stat', ['-L', '-c', '%F', '--', path], 10_000);
			if (r.exitCode !== 0) return undefined;
			return statKind(r.stdout.trim());
		},
		async realpath(path) {
			const r = await exec('realpath', ['-e', '--', path], 10_000);
			if (r.exitCode !== 0) throw fileError(path, r);
			// As it is: run took off only the line break, and a folder's name may end in a blank.
			return r.stdout;
		},
		// An agent answers: ssh-add -l says 0 (keys) or 1 (none); 2 is nothing listening.
		async connect(path, timeoutMs) {
			const r = await exec('env', [`SSH_AUTH_SOCK=${path}`, 'ssh-add', '-l'], timeoutMs + 5000);
			return r.exitCode === 0 || r.exitCode === 1;
		},
		// Something listens when a connection to it succeeds (0.0.0.0: any address there, so loopback).
		async portFree(port, address) {
			const to = address === '0.0.0.0' ? '127.0.0.1' : address;
			const r = await exec('bash', ['-c', 'exec 3<>"/dev/tcp/$1/$2"', 'bash', to, String(port)], 3000);
			return r.exitCode !== 0;
		},
		env,
		userInfo: () => ({username: username!, uid: Number(uid), gid: Number(gid), homedir: home!}),
		hostname: () => name!,
		platform: system === 'Darwin' ? 'darwin' : 'linux',
		label: runner.target.label,
	};
}

/**
 * TARGET as given to --host: a docker context whose endpoint is ssh:// is read through `docker context
 * inspect` (locally); anything else is parsed as an SSH destination.
 */
export async function resolveTarget(text: string, local: typeof run = run): Promise<SshTarget | {error: string}> {
	const parsed = parseTarget(text);
	if ('error' in parsed || parsed.port || text.includes('@') || text.startsWith('ssh://')) return parsed;
	const ctx = await local('docker', ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', '--', text], {
		timeoutMs: 5000,
	}).catch(() => undefined);
	const endpoint = ctx?.exitCode === 0 ? ctx.stdout.trim() : '';
	if (!endpoint) return parsed;
	if (!endpoint.startsWith('ssh://'))
		return {error: `--host ${text}: that docker context points at ${endpoint}, not at an ssh:// host`};
	const fromContext = parseTarget(endpoint);
	return 'error' in fromContext ? fromContext : {...fromContext, label: `${text} (${endpoint})`};
}

/**
 * The settings compose would take from the remote login's environment over the stack's .env (as composeEnv
 * leaves them out locally), unset there for every command.
 */
const UNSET = FIELDS.flatMap(f => ['-u', f.key]);

/** A command line for the remote shell: in `cwd` (a path there), the settings unset, `set` added, under `timeoutS`. */
export function remoteCommand(
	cmd: string,
	args: string[],
	o: {cwd?: string; set?: string[]; timeoutS?: number; unset?: string[]} = {},
): string {
	const deadline = o.timeoutS ? ['timeout', '-k', '5', String(o.timeoutS)] : [];
	const unset = [...UNSET, ...(o.unset ?? []).flatMap(k => ['-u', k])];
	const words = ['env', ...unset, ...(o.set ?? []), ...deadline, cmd, ...args].map(shellQuote).join(' ');
	return `${o.cwd ? `cd -- ${shellQuote(o.cwd)} && ` : ''}exec ${words}`;
}

/**
 * Runs "$@" there and stops it (SIGINT to its process group) when this side goes away: the remote end of a
 * streamed command reads its stdin, which stays open until the local ssh ends, so cancelling the local ssh (or
 * losing the connection) ends the remote command too, not only the channel.
 */
const STOPPABLE =
	'set -m; "$@" </dev/null & p=$!; { cat >/dev/null 2>&1; kill -INT -- "-$p" 2>/dev/null; } & w=$!; set +m; ' +
	'wait "$p"; r=$?; kill -- "-$w" 2>/dev/null; exit "$r"';

/**
 * The remote host's programs as a Proc: `cwd` is a folder there, and the local environment is not sent (the
 * remote login's own is used, less the settings). Deadlines hold on both sides.
 */
export function remoteProc(runner: RemoteRunner, unset: string[] = []): Proc {
	return {
		run(cmd, args, options = {}) {
			const timeoutS = options.timeoutMs ? Math.ceil(options.timeoutMs / 1000) : undefined;
			const line = remoteCommand(cmd, args, {
				...(options.cwd ? {cwd: options.cwd} : {}),
				...(timeoutS ? {timeoutS} : {}),
				unset,
			});
			return runner.run(line, {
				...(options.timeoutMs ? {timeoutMs: options.timeoutMs + 10_000} : {}),
				...(options.inherit ? {inherit: true} : {}),
				...(options.input === undefined ? {} : {input: options.input}),
			});
		},
		stream(cmd, args, options) {
			const line = remoteCommand('bash', ['-c', STOPPABLE, 'bash', cmd, ...args], {
				...(options.cwd ? {cwd: options.cwd} : {}),
				set: ['BUILDKIT_PROGRESS=plain'],
				unset,
			});
			const [ssh, sshArgs] = runner.argv(line);
			return stream(ssh, sshArgs, {
				...(options.logFile ? {logFile: options.logFile} : {}),
				...(options.onLine ? {onLine: options.onLine} : {}),
				holdStdin: true,
			});
		},
	};
}

/**
 * The readiness gate's view of the remote host: its docker and ssh-keyscan, and a connection made there (the
 * container's sshd listens on the remote's addresses, which this machine may not reach).
 */
export function remoteReadyHost(runner: RemoteRunner, proc: Proc = remoteProc(runner)): ReadyHost {
	return {
		...readyHostOn(proc),
		async answers(address, port) {
			const probe = 'exec 3<>"/dev/tcp/$1/$2" && head -c 4 <&3';
			const line = remoteCommand('bash', ['-c', probe, 'bash', address, String(port)], {timeoutS: 3});
			const r = await runner.run(line, {timeoutMs: 10_000});
			return r.stdout.startsWith('SSH-');
		},
	};
}

/**
 * The Docker hosts an ssh config names: each concrete `Host` alias (no patterns, no negations), less the blocks
 * hatch wrote for its own containers (between its markers), which are containers, not Docker hosts.
 */
export function sshConfigHosts(text: string): string[] {
	const names: string[] = [];
	let ours = false;
	for (const line of text.split('\n')) {
		if (line.startsWith('# >>> hatch ')) ours = true;
		if (line.startsWith('# <<< hatch ')) ours = false;
		const m = /^\s*Host\s+(.+)$/i.exec(line);
		if (!m || ours) continue;
		for (const word of m[1]!.trim().split(/\s+/))
			if (NAME.test(word) && !/[*?!]/.test(word) && !names.includes(word)) names.push(word);
	}
	return names;
}

/** The ssh config hatch's ssh reads: the file after -F in $HATCH_SSH_COMMAND, else ~/.ssh/config. */
export function sshConfigFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
	const words = sshCommand(env, home);
	const at = words.indexOf('-F');
	return at > 0 && words[at + 1] ? words[at + 1]! : join(home, '.ssh', 'config');
}

/**
 * The docker contexts whose endpoint is an ssh:// host (a deadline of 2 s: the welcome screen's list waits for it;
 * none when docker is not there).
 */
export async function sshContexts(local: typeof run = run): Promise<string[]> {
	const r = await local('docker', ['context', 'ls', '--format', '{{.Name}}\t{{.DockerEndpoint}}'], {timeoutMs: 2000});
	if (r.exitCode !== 0) return [];
	return r.stdout
		.split('\n')
		.map(l => l.split('\t'))
		.filter(([name, endpoint]) => name && endpoint?.startsWith('ssh://') && NAME.test(name))
		.map(([name]) => name!);
}
