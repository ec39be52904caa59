// Commands that work on a stack already written: status, logs, bindu-update, publish.
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseEnv} from './core/env.js';
import {FIELDS, type Stack, type Values, checkGitRef, checkImageRef, loginCommand} from './core/model.js';
import {checkSsh} from './docker/ready.js';
import {composeEnv, stream} from './docker/run.js';

export class CommandError extends Error {}

export interface StackRef {
	stack: Stack;
	dir: string;
	values: Values;
}

export function loadStack(stack: Stack, out: string): StackRef {
	const dir = join(out, stack);
	const env = join(dir, '.env');
	if (!existsSync(env)) throw new CommandError(`no ${stack} stack in ${dir} (no .env there); write one with hatch-wizard, or pass --out DIR / --image`);
	return {stack, dir, values: parseEnv(readFileSync(env, 'utf8'))};
}

async function run(cmd: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; inherit?: boolean} = {}) {
	const {execa} = await import('execa');
	return execa(cmd, args, {cwd: options.cwd, env: options.env, reject: false, stdin: 'ignore', ...(options.inherit ? {stdout: 'inherit', stderr: 'inherit'} : {})});
}

/** `status`: compose's view of the container plus a real SSH check (port answers with the stored host key). */
export async function statusCommand(ref: StackRef, out: (s: string) => void): Promise<number> {
	const name = ref.values.STEM_CONTAINER_NAME!;
	const ps = await run('docker', ['inspect', '--format', '{{.State.Status}} {{.State.StartedAt}} {{.RestartCount}}', name]);
	if (ps.exitCode !== 0) {
		out(`${name}: not created (cd ${ref.dir} && docker compose up -d --build)\n`);
		return 1;
	}
	const [state, started, restarts] = String(ps.stdout).trim().split(' ');
	out(`${name}: ${state}${state === 'running' ? ` since ${started}` : ''}${restarts && restarts !== '0' ? `, restarted ${restarts} time(s)` : ''}\n`);
	if (state !== 'running') return 1;
	const ssh = await checkSsh(name, ref.values.STEM_SSH_LISTEN ?? '0.0.0.0', Number(ref.values.STEM_SSH_PORT));
	if (ssh.ok) out(`ssh: ok on port ${ref.values.STEM_SSH_PORT}, host key ${ssh.fingerprint}\nlogin: ${loginCommand(ref.values)}\n`);
	else out(`ssh: ${ssh.reason}\n`);
	return ssh.ok ? 0 : 1;
}

/** `logs`: the container's boot and sshd log, through docker compose. */
export async function logsCommand(ref: StackRef, follow: boolean): Promise<number> {
	const r = await run('docker', ['compose', 'logs', '--no-log-prefix', ...(follow ? ['--follow'] : [])], {cwd: ref.dir, inherit: true});
	return r.exitCode ?? 1;
}

// Runs inside the container as the user: clone BINDU_REF into a temp dir and rsync (only the subtree, if
// given) into ~/.config. Values arrive as environment variables, never spliced into the script.
const BINDU_UPDATE = `set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q --depth 1 --branch "$BINDU_REF" -- "$BINDU_REPO" "$tmp/repo"
src="$tmp/repo"
dst="$HOME/.config"
if [ -n "$SUBTREE" ]; then
  [ -d "$src/$SUBTREE" ] || { echo "the repository has no $SUBTREE/ at $BINDU_REF" >&2; exit 3; }
  mkdir -p "$dst/$SUBTREE"
  rsync -a --delete --itemize-changes "$src/$SUBTREE/" "$dst/$SUBTREE/"
else
  mkdir -p "$dst"
  rsync -a --exclude .git --itemize-changes "$src/" "$dst/"
fi
echo "at $(git -C "$src" rev-parse --short HEAD)"`;

export async function binduUpdateCommand(ref: StackRef, subtree: string | undefined, out: (s: string) => void): Promise<number> {
	const v = ref.values;
	if (!v.BINDU_REPO) throw new CommandError(`BINDU_REPO is empty in ${join(ref.dir, '.env')}; set it first (hatch-wizard --set BINDU_REPO=…)`);
	if (subtree !== undefined && (subtree === '' || checkGitRef(subtree) || subtree.includes('..'))) {
		throw new CommandError(`--subtree must be a folder of the repository, like apogee (got "${subtree}")`);
	}
	const args = ['exec', '-u', `${v.STEM_UID}:${v.STEM_GID}`, '-e', `HOME=/home/${v.STEM_USER}`, '-e', `BINDU_REPO=${v.BINDU_REPO}`, '-e', `BINDU_REF=${v.BINDU_REF || 'main'}`, '-e', `SUBTREE=${subtree ?? ''}`, '-e', 'GIT_TERMINAL_PROMPT=0', v.STEM_CONTAINER_NAME!, 'bash', '-c', BINDU_UPDATE];
	const r = await run('docker', args);
	const changed = String(r.stdout).split('\n').filter(l => /^[<>ch*.][fdLDS]/.test(l) && !/^\.[fd] /.test(l));
	if (r.exitCode !== 0) {
		out(`bindu-update failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').pop()}\n`);
		return 1;
	}
	const at = /at (\w+)/.exec(String(r.stdout))?.[1];
	out(`~/.config${subtree ? `/${subtree}` : ''} updated from ${v.BINDU_REPO} ${v.BINDU_REF || 'main'} (${at}): ${changed.length} change(s)\n${changed.map(l => `  ${l}\n`).join('')}`);
	return 0;
}

/** `publish`: build once, tag NAME:VERSION and NAME:latest (OCI labels carry the version), push both. */
export async function publishCommand(ref: StackRef, repo: string, version: string, out: (s: string) => void): Promise<number> {
	if (checkImageRef(repo) || (repo.includes(':') && !/:\d+\//.test(repo))) throw new CommandError(`--repo must be an image name without a tag, like you/stem or 127.0.0.1:5000/team/stem (got "${repo}")`);
	if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version)) throw new CommandError(`--version must look like 1.2.3 (got "${version}")`);
	const tag = `${repo}:${version.replace('+', '_')}`;
	out(`build: ${tag}\n`);
	const build = stream('docker', ['compose', '--progress', 'plain', 'build', '--build-arg', `HATCH_VERSION=${version}`], {
		cwd: ref.dir,
		env: composeEnv(FIELDS.map(f => f.key), {STEM_IMAGE: tag}),
	});
	const b = await build.done;
	if (b.canceled) {
		out('interrupted: nothing was pushed\n');
		return 130;
	}
	if (b.exitCode !== 0) {
		out(`build failed (exit ${b.exitCode}):\n${b.tail.slice(-20).map(l => `  ${l}\n`).join('')}`);
		return 1;
	}
	const latest = `${repo}:latest`;
	const steps: [string, string[]][] = [
		['tag', ['tag', tag, latest]],
		['push', ['push', tag]],
		['push', ['push', latest]],
	];
	for (const [what, args] of steps) {
		const r = await run('docker', args);
		if (r.exitCode !== 0) {
			out(`${what} failed: ${String(r.stderr).trim().split('\n').pop()}\n`);
			return 1;
		}
		out(`${what}: ${args.slice(1).join(' → ')}\n`);
	}
	out(`published ${tag} and ${latest}\n`);
	return 0;
}
