// End-to-end helpers: write stacks with the real CLI, drive them with the real docker compose, log in with
// the real ssh client. Host networking only; everything listens on 127.0.0.1.
import {type ChildProcess, execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, realpathSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runCli} from '../helpers/cli.js';
import {start} from '../helpers/tmux.js';
import {until} from '../helpers/until.js';

export const BASE = process.env.HATCH_TEST_BASE ?? 'hatch-test-base:bookworm';
export const PROJECT_PREFIX = 'hatch-e2e';

export function sh(
	cmd: string,
	args: string[],
	options: {cwd?: string; input?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean} = {},
) {
	const r = spawnSync(cmd, args, {
		cwd: options.cwd,
		input: options.input,
		env: options.env ?? process.env,
		encoding: 'utf8',
		timeout: 300_000,
	});
	if (!options.allowFail && r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
	}
	return {code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''};
}

export interface Stack {
	name: string;
	dir: string;
	root: string;
	port: number;
	key: string;
	stack: 'stem' | 'neuron';
	compose(...args: string[]): ReturnType<typeof sh>;
}

let nextPort = 22400 + Math.floor(Math.random() * 400);

/** A fresh ed25519 key pair in `dir`; returns the private key path. */
export function newKey(dir: string, name = 'id'): string {
	const key = join(dir, name);
	sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@hatch-e2e`, '-f', key]);
	return key;
}

/** Writes a stack with the CLI in host network mode on 127.0.0.1, from the offline test base. */
export function writeStack(
	name: string,
	stack: 'stem' | 'neuron',
	sets: Record<string, string>,
	existing?: Stack,
): Stack {
	const root = existing?.root ?? mkdtempSync(join(tmpdir(), `${name}-`));
	const key = existing?.key ?? newKey(root);
	const port = existing?.port ?? nextPort++;
	const all: Record<string, string> = existing
		? sets
		: {
				STEM_CONTAINER_NAME: name,
				STEM_HOSTNAME: name,
				STEM_NETWORK_MODE: 'host',
				STEM_SSH_LISTEN: '127.0.0.1',
				STEM_SSH_PORT: String(port),
				STEM_BASE_IMAGE: BASE,
				STEM_IMAGE: `${PROJECT_PREFIX}/${name}:test`,
				STEM_AUTH_KEYS_PATH: `${key}.pub`,
				STEM_PIXI_ENABLE: '0',
				...sets,
			};
	const args = [
		'--image',
		stack,
		'--yes',
		'--no-build',
		'--no-boot',
		'--out',
		root,
		...Object.entries(all).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
	];
	const r = runCli(args, {home: root});
	if (r.code !== 0) throw new Error(`hatch-wizard ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
	const dir = join(root, stack);
	return {name, dir, root, port, key, stack, compose: (...a: string[]) => sh('docker', ['compose', ...a], {cwd: dir})};
}

export function logs(name: string): string {
	const r = sh('docker', ['logs', name], {allowFail: true});
	return r.stdout + r.stderr;
}

/** Waits until the container logged "ready" `count` times and sshd answers; returns the boot's reported ms. */
export async function waitReady(s: Stack, count = 1, timeoutMs = 60_000): Promise<number> {
	return until(
		() => {
			const text = logs(s.name);
			if (text.includes('FAILED (exit')) throw new Error(`boot failed:\n${text}`);
			const ready = [...text.matchAll(/hatch: ready: .*\(boot took (\d+) ms\)/g)];
			if (ready.length < count) return undefined;
			const probe = sh('ssh-keyscan', ['-p', String(s.port), '-T', '2', '-t', 'ed25519', '127.0.0.1'], {
				allowFail: true,
			});
			return probe.stdout.includes('ssh-ed25519') ? {ms: Number(ready[ready.length - 1]![1])} : undefined;
		},
		() => `ready:\n${logs(s.name)}`,
		{timeoutMs, everyMs: 150},
	).then(r => r.ms);
}

/** The ssh client options of every login here (the stack's key, no known_hosts), without the port. */
export function clientOptions(s: Stack, key = s.key): string[] {
	return [
		'-i',
		key,
		'-o',
		'IdentitiesOnly=yes',
		'-o',
		'BatchMode=yes',
		'-o',
		'StrictHostKeyChecking=no',
		'-o',
		'UserKnownHostsFile=/dev/null',
		'-o',
		'LogLevel=ERROR',
		'-o',
		'ConnectTimeout=5',
	];
}

export function ssh(
	s: Stack,
	command: string,
	options: {user?: string; key?: string; extra?: string[]; env?: NodeJS.ProcessEnv} = {},
) {
	return sh(
		'ssh',
		[
			'-p',
			String(s.port),
			...clientOptions(s, options.key),
			...(options.extra ?? []),
			`${options.user ?? 'dev'}@127.0.0.1`,
			command,
		],
		{allowFail: true, env: options.env},
	);
}

/**
 * What VS Code Remote-SSH's server needs in the container and `user`'s sessions lack: glibc 2.28+, libstdc++
 * with GLIBCXX_3.4.25+, bash, tar, curl or wget, the CA bundle, a /tmp that runs programs, and
 * ~/.vscode-server on the home volume. Empty when nothing is missing.
 */
export function remoteServerGaps(s: Stack, user = 'dev'): string[] {
	// One line for each, even when a command fails.
	const script = [
		'echo "$(getconf GNU_LIBC_VERSION | cut -d" " -f2)"',
		'lib=$(/sbin/ldconfig -p | awk \'$1 == "libstdc++.so.6" { print $NF; exit }\')',
		'echo "$(grep -aoE "GLIBCXX_3\\.4\\.[0-9]+" "$lib" | cut -d. -f3 | sort -n | tail -n 1)"',
		'echo "$(command -v bash)"',
		'echo "$(command -v tar)"',
		'echo "$(command -v curl || command -v wget)"',
		'echo "$([ -s /etc/ssl/certs/ca-certificates.crt ] && echo ca-certificates)"',
		'f=$(mktemp /tmp/hatch-exec.XXXXXX) && printf "#!/bin/sh\\necho runs\\n" >"$f" && chmod +x "$f"',
		'echo "$("$f")"',
		'rm -f "$f"',
		'echo "$(mkdir -p ~/.vscode-server && findmnt -n -o TARGET -T ~/.vscode-server)"',
	].join('\n');
	const r = ssh(s, script, {user});
	const [glibc = '', glibcxx = '', bash, tar, fetch, ca, tmp, serverDir] = r.stdout.split('\n');
	const [major = 0, minor = 0] = glibc.split('.').map(Number);
	const checks: [boolean, string][] = [
		[major * 1000 + minor >= 2028, `glibc 2.28+ (has "${glibc}")`],
		[Number(glibcxx) >= 25, `GLIBCXX_3.4.25+ (has "3.4.${glibcxx}")`],
		[bash === '/usr/bin/bash' || bash === '/bin/bash', `bash (has "${bash}")`],
		[/\/tar$/.test(tar ?? ''), `tar (has "${tar}")`],
		[/\/(curl|wget)$/.test(fetch ?? ''), `curl or wget (has "${fetch}")`],
		[ca === 'ca-certificates', 'ca-certificates'],
		[tmp === 'runs', 'a /tmp that runs programs'],
		[serverDir === '/home', `~/.vscode-server on the /home volume (is on "${serverDir}")`],
	];
	return checks.filter(([ok]) => !ok).map(([, need]) => `${need}${r.stderr ? `\n${r.stderr}` : ''}`);
}

export function hostKeyFingerprint(s: Stack): string {
	const scan = sh('ssh-keyscan', ['-p', String(s.port), '-t', 'ed25519', '127.0.0.1']).stdout;
	return sh('ssh-keygen', ['-lf', '-'], {input: scan}).stdout.split(' ')[1]!;
}

/** Removes the stack's container, volumes and image. */
export function destroy(s: Stack): void {
	sh('docker', ['compose', 'down', '--volumes', '--rmi', 'local', '--timeout', '2'], {cwd: s.dir, allowFail: true});
	sh('docker', ['rmi', '-f', `${PROJECT_PREFIX}/${s.name}:test`], {allowFail: true});
}

export function fileOwner(path: string): string {
	return execFileSync('stat', ['-c', '%u:%g', path], {encoding: 'utf8'}).trim();
}

export function hostDir(root: string, name: string, mode = 0o777): string {
	const p = join(root, name);
	mkdirSync(p, {recursive: true, mode});
	sh('chmod', [mode.toString(8), p]);
	return p;
}

export const read = (p: string) => readFileSync(p, 'utf8');

/** The wizard in a real terminal (tmux) on a written stack, for a user with a fresh key and no agent. */
export function wizardInTerminal(s: Stack) {
	const home = join(s.root, 'home');
	mkdirSync(join(home, '.ssh'), {recursive: true});
	newKey(join(home, '.ssh'), 'id_ed25519');
	return start({HOME: home, HATCH_CONFIG_DIR: join(s.root, 'config'), SSH_AUTH_SOCK: ''}, [
		'--image',
		'stem',
		'--out',
		s.root,
	]);
}

/**
 * `git daemon` serving the bare repositories under `repos` on 127.0.0.1:`port`; resolves once `probe`
 * (a repository under it) answers `git ls-remote`. kill() stops it.
 */
export async function gitDaemon(repos: string, port: number, probe: string): Promise<ChildProcess> {
	const daemon = spawn(
		'git',
		['daemon', '--reuseaddr', '--export-all', `--base-path=${repos}`, '--listen=127.0.0.1', `--port=${port}`, repos],
		{stdio: 'ignore'},
	);
	const url = `git://127.0.0.1:${port}/${probe}`;
	await until(() => sh('git', ['ls-remote', url], {allowFail: true}).code === 0, `git daemon to serve ${url}`, {
		timeoutMs: 10_000,
		everyMs: 100,
	});
	return daemon;
}

/** The docker compose processes working in `dir` (a stack's folder), i.e. those a test of that stack started. */
export function composeIn(dir: string): number[] {
	const real = realpathSync(dir);
	const pids = spawnSync('pgrep', ['-f', 'compose']).stdout.toString().split('\n').filter(Boolean).map(Number);
	return pids.filter(pid => {
		try {
			return realpathSync(`/proc/${pid}/cwd`) === real;
		} catch {
			return false;
		}
	});
}
