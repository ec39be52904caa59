// Commands that work on a stack already written: status, logs, bindu-update, publish.
import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {parseEnv} from './core/env.js';
import {checkGitRef, checkImageRef, FIELDS, type Image, KEY, loginCommand, type Values} from './core/model.js';
import {printable} from './docker/buildkit.js';
import {type Engine, realEngine} from './docker/deploy.js';
import {composeEnv, onInterrupt} from './docker/proc.js';
import {type BootRecord, bootRecord, checkSsh} from './docker/ready.js';
import {stackDrift, timestamp} from './stack.js';

export class CommandError extends Error {}

export interface StackRef {
	image: Image;
	dir: string;
	values: Values;
}

export function loadStack(image: Image, out: string): StackRef {
	const dir = join(out, image);
	const env = join(dir, '.env');
	if (!existsSync(env))
		throw new CommandError(
			`no ${image} stack in ${dir} (no .env there); write one with hatch-wizard, or pass --out DIR / --image`,
		);
	return {image, dir, values: parseEnv(readFileSync(env, 'utf8'))};
}

/** `status`: compose's view of the container plus a real SSH check (port answers with the stored host key). */
export async function statusCommand(
	ref: StackRef,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const name = ref.values[KEY.name]!;
	const ps = await engine.proc.run('docker', [
		'inspect',
		'--format',
		'{{.State.Status}} {{.State.StartedAt}} {{.RestartCount}}',
		name,
	]);
	if (ps.exitCode !== 0) {
		out(`${name}: not created (cd ${ref.dir} && docker compose up -d --build)\n`);
		return 1;
	}
	const [state, started, restarts] = ps.stdout.trim().split(' ');
	out(
		`${name}: ` +
			`${state}${state === 'running' ? ` since ${started}` : ''}` +
			`${restarts && restarts !== '0' ? `, restarted ${restarts} time(s)` : ''}\n`,
	);
	if (state !== 'running') return 1;
	out(bootSummary(await bootRecord(name, engine.ready)));
	const drift = stackDrift(ref.image, ref.dir);
	if (drift.length)
		out(
			`compose: docker-compose.yml does not follow .env:\n${drift.map(d => `  ! ${d}\n`).join('')}  to apply: npx ` +
				`hatch-wizard --yes --no-build --image ${ref.image} --out ` +
				`${dirname(ref.dir)} (rewrites it, with a diff, and restarts the ` +
				`container)\n`,
		);
	const ssh = await checkSsh(name, ref.values[KEY.listen] ?? '0.0.0.0', Number(ref.values[KEY.port]), engine.ready);
	if (ssh.ok)
		out(`ssh: ok on port ${ref.values[KEY.port]}, host key ${ssh.fingerprint}\nlogin: ${loginCommand(ref.values)}\n`);
	else out(`ssh: ${ssh.reason}\n`);
	return ssh.ok ? 0 : 1;
}

/** The boot's own record (see bootRecord), as `status` prints it. */
export function bootSummary(record: BootRecord | undefined): string {
	const warnings = record?.warnings ?? [];
	const list = warnings.map(w => `  ! ${w}\n`).join('');
	const [word, arg] = (record?.state ?? '').split(' ');
	if (word === 'ready')
		return warnings.length ? `boot: ready, ${warnings.length} warning(s):\n${list}` : 'boot: ready, no warnings\n';
	if (word === 'booting')
		return (
			`boot: sshd is up; optional steps still ` +
			`running${warnings.length ? `, ${warnings.length} warning(s) so far:` : ''}\n${list}`
		);
	if (word === 'failed') return `boot: FAILED at ${arg ?? '?'} (hatch-wizard logs shows why)\n${list}`;
	return 'boot: no record (an image older than this hatch-wizard?)\n';
}

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
	if (tty) return (await engine.proc.run('docker', args, {cwd: ref.dir, inherit: true})).exitCode;
	const r = engine.proc.stream('docker', args, {cwd: ref.dir, onLine: line => out(`${printable(line)}\n`)});
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

// Runs inside the container as the user: clone the dotfiles' REF into a temp dir and rsync it (only the subtree, if
// given) into ~/.config. Values arrive as environment variables, never spliced into the script.
// MODE=plan only lists what would change (rsync --dry-run); MODE=apply changes it, and with DELETE=1 first
// copies the folder to <folder>.bak-STAMP. Secrets files are excluded, so they are never replaced or deleted.
const BINDU_UPDATE = `set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git clone -q --depth 1 --branch "$REF" -- "$REPO" "$tmp/repo" 2>"$tmp/err"; then
  grep -m 1 -E '^(fatal|error):' "$tmp/err" >&2 || tail -n 3 "$tmp/err" >&2
  exit 4
fi
commit=$(git -C "$tmp/repo" rev-parse HEAD)
src="$tmp/repo" dst="$HOME/.config"
if [ -n "$SUBTREE" ]; then
  [ -d "$src/$SUBTREE" ] || { echo "the repository has no $SUBTREE/ at $REF" >&2; exit 3; }
  src="$src/$SUBTREE" dst="$dst/$SUBTREE"
fi
# --checksum: a fresh clone gives every file a new time; only a change of content (or mode) is a change.
opts=(-a --checksum --itemize-changes --exclude=.git --exclude='secrets.env*')
if [ "$DELETE" = 1 ]; then opts+=(--delete); fi
echo "at $commit"
if [ "$MODE" = plan ]; then
  if [ -d "$dst" ]; then rsync "\${opts[@]}" --dry-run "$src/" "$dst/"; fi
  exit 0
fi
if [ -n "$EXPECT" ] && [ "$EXPECT" != "$commit" ]; then
  echo "the repository changed since the list was made (now \${commit:0:12}); run bindu-update again" >&2
  exit 5
fi
mkdir -p "$dst"
if [ "$DELETE" = 1 ] && [ -n "$(ls -A "$dst")" ]; then
  cp -a "$dst" "$dst.bak-$STAMP"
  echo "backup $dst.bak-$STAMP"
fi
rsync "\${opts[@]}" "$src/" "$dst/"`;

export interface BinduUpdateOptions {
	subtree?: string;
	/** Also delete files that the repository no longer has (never secrets files). */
	delete?: boolean;
	/** Delete without asking. */
	yes?: boolean;
	/** Asks the person at the terminal; absent when there is none. */
	ask?: (question: string) => Promise<boolean>;
}

export async function binduUpdateCommand(
	ref: StackRef,
	o: BinduUpdateOptions,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const v = ref.values;
	const subtree = o.subtree;
	if (!v[KEY.binduRepo])
		throw new CommandError(
			`${KEY.binduRepo} is empty in ${join(ref.dir, '.env')}; set it first (hatch-wizard --set ${KEY.binduRepo}=…)`,
		);
	if (subtree !== undefined && (subtree === '' || checkGitRef(subtree) || subtree.includes('..'))) {
		throw new CommandError(`--subtree must be a folder of the repository, like apogee (got "${subtree}")`);
	}
	const where = `~/.config${subtree ? `/${subtree}` : ''}`;
	const stamp = timestamp();
	const exec = (mode: 'plan' | 'apply', expect = '') =>
		engine.proc.run('docker', [
			'exec',
			'-u',
			`${v[KEY.uid]}:${v[KEY.gid]}`,
			'-e',
			`HOME=/home/${v[KEY.user]}`,
			'-e',
			`REPO=${v[KEY.binduRepo]}`,
			'-e',
			`REF=${v[KEY.binduRef] || 'main'}`,
			'-e',
			`SUBTREE=${subtree ?? ''}`,
			'-e',
			`MODE=${mode}`,
			'-e',
			`DELETE=${o.delete ? 1 : 0}`,
			'-e',
			`STAMP=${stamp}`,
			'-e',
			`EXPECT=${expect}`,
			'-e',
			'GIT_TERMINAL_PROMPT=0',
			v[KEY.name]!,
			'bash',
			'-c',
			BINDU_UPDATE,
		]);
	const failed = (r: {exitCode: number; stderr: string}) => {
		out(`bindu-update failed (exit ${r.exitCode}): ${printable(r.stderr).trim().split('\n').slice(-3).join(' / ')}\n`);
		return 1;
	};
	let expect = '';
	if (o.delete) {
		const plan = await exec('plan');
		if (plan.exitCode !== 0) return failed(plan);
		expect = /^at (\w+)/m.exec(plan.stdout)?.[1] ?? '';
		const gone = printable(plan.stdout)
			.split('\n')
			.filter(l => l.startsWith('*deleting'))
			.map(l => l.replace(/^\*deleting\s+/, ''));
		gone.sort();
		if (gone.length) {
			out(
				`--delete removes ${gone.length} file(s) from ${where} that the repository no longer has (a copy of the ` +
					`folder is kept as ` +
					`${where}.bak-${stamp}):\n${gone.map(f => `  - ${f}\n`).join('')}`,
			);
			const agreed = o.yes || (o.ask ? await o.ask('Delete them?') : false);
			if (!agreed) {
				out(o.yes || o.ask ? 'nothing changed\n' : 'nothing changed: pass --yes to delete them without a question\n');
				return o.ask ? 1 : 2;
			}
		}
	}
	const r = await exec('apply', expect);
	if (r.exitCode !== 0) return failed(r);
	const lines = printable(r.stdout).split('\n');
	// rsync's itemized lines, less a file or folder whose time alone changed (`.f..t......`): not a change to the user.
	const changed = lines.filter(l => /^([<>ch.][fdLDS]|\*deleting)/.test(l) && !/^\.[fd][^a-z]*t[^a-z]* /.test(l));
	const at = /^at (\w{12})/m.exec(r.stdout)?.[1];
	const backup = /^backup (.*)$/m.exec(r.stdout)?.[1];
	out(
		`${where} updated from ${v[KEY.binduRepo]} ${v[KEY.binduRef] || 'main'} (${at}): ${changed.length} ` +
			`change(s)\n${changed.map(l => `  ${l}\n`).join('')}`,
	);
	if (backup) out(`the folder as it was is kept as ${backup.replace(`/home/${v[KEY.user]}`, '~')}\n`);
	return 0;
}

/** `publish`: build once, tag NAME:VERSION and NAME:latest (OCI labels carry the version), push both. */
export async function publishCommand(
	ref: StackRef,
	repo: string,
	version: string,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	if (checkImageRef(repo) || (repo.includes(':') && !/:\d+\//.test(repo)))
		throw new CommandError(
			`--repo must be an image name without a tag, like you/stem or 127.0.0.1:5000/team/stem (got "${repo}")`,
		);
	if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version))
		throw new CommandError(`--version must look like 1.2.3 (got "${version}")`);
	const tag = `${repo}:${version.replace('+', '_')}`;
	out(`build: ${tag}\n`);
	const build = engine.proc.stream(
		'docker',
		['compose', '--progress', 'plain', 'build', '--build-arg', `HATCH_VERSION=${version}`],
		{
			cwd: ref.dir,
			env: composeEnv(
				FIELDS.map(f => f.key),
				{[KEY.image]: tag},
			),
		},
	);
	const b = await build.done;
	if (b.canceled) {
		out('interrupted: nothing was pushed\n');
		return 130;
	}
	if (b.exitCode !== 0) {
		out(
			`build failed (exit ${b.exitCode}):\n${b.tail
				.slice(-20)
				.map(l => `  ${l}\n`)
				.join('')}`,
		);
		return 1;
	}
	const latest = `${repo}:latest`;
	const steps: [string, string[]][] = [
		['tag', ['tag', tag, latest]],
		['push', ['push', tag]],
		['push', ['push', latest]],
	];
	for (const [what, args] of steps) {
		const r = await engine.proc.run('docker', args);
		if (r.exitCode !== 0) {
			out(`${what} failed: ${r.stderr.trim().split('\n').pop()}\n`);
			return 1;
		}
		out(`${what}: ${args.slice(1).join(' → ')}\n`);
	}
	out(`published ${tag} and ${latest}\n`);
	return 0;
}
