// A stack on a Docker host reached over SSH (--host TARGET). Everything goes through one multiplexed
// connection (host/remote.ts). The stack's folder there is copied into a local staging folder, the usual
// pipeline plans against that copy (so diffs, hand edits and the compose identity work as for a local stack),
// and the changed files go back in one step: each checked against what was read, backed up, and moved into
// place from a folder beside it (atomic). The files the settings name on this side (the public key, the secrets)
// are carried into the stack's folder there; every other path is the remote's, and is checked there.
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, posix, relative} from 'node:path';
import {UsageError} from './commands/common.js';
import {FIELDS, type Image, KEY, type Values} from './core/model.js';
import {printable} from './docker/buildkit.js';
import type {Engine} from './docker/deploy.js';
import {onInterrupt} from './docker/proc.js';
import {FileError} from './files.js';
import {type Host, identity, realHost} from './host/probes.js';
import {
	type RemoteRunner,
	remoteCommand,
	remoteHost,
	remoteProc,
	remoteReadyHost,
	remoteRunner,
	resolveTarget,
	type SshTarget,
	shellQuote,
	sshProblem,
	statKind,
} from './host/remote.js';
import {type Place, planFiles, readExisting, type Target} from './pipeline.js';
import type {SshVia} from './sshconfig.js';
import {type FileChange, type HostFiles, hostFileProblems, localFiles, type PlannedFile, timestamp} from './stack.js';
import {configDir} from './store.js';

export {shellQuote};

/** A remote Docker host, connected. */
export interface Remote {
	/** TARGET as the user gave it (an alias, user@host[:port], ssh://…, a docker context). */
	text: string;
	target: SshTarget;
	runner: RemoteRunner;
	host: Host;
	/** Its docker compose and readiness gate, run there. */
	engine: Engine;
}

/** Where the stacks and presets of a remote host are kept in the local store: by TARGET, as given. */
export const storeKey = (text: string) => `ssh:${text}`;
/** The TARGET of a store key, or undefined for a key that names this machine. */
export const targetOf = (key: string) => (key.startsWith('ssh:') ? key.slice(4) : undefined);

/** Opens the shared connection and reads who the user is there; a bad TARGET is a usage error. */
export async function connect(text: string): Promise<Remote> {
	const target = await resolveTarget(text);
	if ('error' in target) throw new UsageError(target.error);
	const runner = remoteRunner(target);
	const host = await remoteHost(runner);
	// As locally (composeEnv): compose must not take the project or files from the login's COMPOSE_* there.
	const proc = remoteProc(
		runner,
		Object.keys(host.env).filter(k => k.startsWith('COMPOSE_')),
	);
	return {text, target, runner, host, engine: {proc, ready: remoteReadyHost(runner, proc)}};
}

/** The folder for stacks there: --out (absolute, or from the home there), else the default for that host. */
export function remoteOut(r: Remote, out: string | undefined): string {
	const id = identity(r.host);
	// What the remote says is used only as an absolute path and a plain name: never a way out of the folder meant.
	const home = posix.isAbsolute(id.home) ? posix.normalize(id.home) : '/';
	const docker = r.host.env.DOCKER;
	const name = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(id.hostname) ? id.hostname : 'host';
	if (out === undefined)
		return docker && posix.isAbsolute(docker) ? posix.resolve(docker, 'services', name) : posix.join(home, 'hatch');
	const inHome = out === '~' ? '' : out.startsWith('~/') ? out.slice(2) : undefined;
	return posix.resolve(home, inHome ?? out);
}

/**
 * The files of a stack folder that hatch writes (the rest, logs and backups, stays there), each as its name and
 * its bytes in base64; a file over 2 MB in image/ or host-files/ is not hatch's and is left out. Any failure
 * stops it (a partial listing would read as files that are not there).
 */
const FETCHED = `cd -- "$1" 2>/dev/null || exit 0
send() { printf '%s\\0' "$1" && base64 -w0 -- "$1" && printf '\\0'; }
for f in .env docker-compose.yml README.md; do if [ -f "$f" ]; then send "$f" || exit 1; fi; done
for d in image host-files; do
  if [ -d "$d" ]; then
    find "$d" -type f -size -2M -print0 | { while IFS= read -r -d '' f; do send "$f" || exit 1; done; } || exit 1
  fi
done`;

/** A path inside the stack folder, as the remote listed it: relative, with no way out of it. */
const insideStack = (rel: string) => rel !== '' && !rel.startsWith('/') && !rel.split('/').some(p => p === '..');

/** The sha256 of each file read there, by its path in the stack folder (of its bytes, whatever their encoding). */
export type Hashes = Map<string, string>;

/**
 * Copies the stack folder `dir` there (the files hatch writes) into `local` (empty when there is none yet), and
 * returns the hash of each file as read, which the push checks before it replaces anything.
 */
export async function fetchStack(r: Remote, dir: string, local: string): Promise<Hashes> {
	const got = await r.runner.run(remoteCommand('bash', ['-c', FETCHED, 'bash', dir], {timeoutS: 50}), {
		timeoutMs: 60_000,
	});
	const lost = sshProblem(r.target, got);
	if (lost || got.exitCode !== 0)
		throw new Error(
			lost ?? `reading ${dir} on ${r.text} failed: ${printable(got.stderr).trim() || `exit ${got.exitCode}`}`,
		);
	const parts = got.stdout.split('\0');
	const hashes: Hashes = new Map();
	for (let k = 0; k + 1 < parts.length; k += 2) {
		const rel = parts[k]!;
		if (!insideStack(rel)) throw new Error(`reading ${dir} on ${r.text}: unexpected file name ${JSON.stringify(rel)}`);
		const path = join(local, rel);
		const bytes = Buffer.from(parts[k + 1]!, 'base64');
		mkdirSync(dirname(path), {recursive: true, mode: 0o700});
		writeFileSync(path, bytes, {mode: 0o600});
		hashes.set(rel, createHash('sha256').update(bytes).digest('hex'));
	}
	return hashes;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** One file for pushScript: its path in the stack folder, its backup's, the hash of what was read (none: new). */
export interface Pushed {
	rel: string;
	backupRel?: string;
	/** The sha256 of the file as read there; undefined for a new file (nothing may be there). */
	oldHash?: string;
	content: string;
	mode: number;
}

/**
 * The script that writes the changed files there (bash -s DIR STAMP). It is one function, called on its last line:
 * bash runs none of it before all of it has arrived, so a connection cut while it is sent changes nothing. Then:
 * every file is staged beside the folder's files; every file there is checked against what was read (edited
 * meanwhile: nothing is written, exit 3); each changed one is backed up (0600) before it is replaced (a failed
 * backup stops it, exit 4, before that file); a link is written through, where it points.
 */
export function pushScript(changes: Pushed[]): string {
	const lines = [
		'main() {',
		'set -eu',
		'umask 077',
		`trap '' PIPE`,
		'mkdir -p -- "$1" || exit 1',
		'cd -- "$1" || exit 1',
		'stamp=$2',
		'inc=.hatch/incoming-$$',
		'mkdir -p -- "$inc" || exit 1',
		`trap 'rm -rf -- "$inc"' EXIT`,
		'fail() { echo "$*" >&2; exit 4; }',
		'same() { if [ "$2" = - ]; then [ ! -e "$1" ] && [ ! -L "$1" ]; else [ -f "$1" ] && ' +
			'[ "$(sha256sum < "$1" | cut -c1-64)" = "$2" ]; fi; }',
		'place() {',
		'  if [ "$4" != - ]; then',
		'    b=$4.bak-$stamp; k=2',
		'    while [ -e "$b" ]; do b=$4.bak-$stamp-$k; k=$((k + 1)); done',
		'    mkdir -p -- "$(dirname -- "$b")" || fail "cannot make the backup folder of $2"',
		'    cp -p -- "$2" "$b" || fail "cannot back up $2 (nothing of it was replaced)"',
		'    chmod 600 "$b" || fail "cannot protect the backup $b"',
		'    printf "backup\\t%s\\n" "$b" || true',
		'  fi',
		'  chmod "$3" "$inc/$1" || fail "cannot set the mode of $2"',
		'  if [ -L "$2" ]; then',
		'    t=$(readlink -f -- "$2") || fail "cannot follow the link $2"',
		'    cp -- "$inc/$1" "$t.hatch-tmp" && chmod "$3" "$t.hatch-tmp" && mv -f -- "$t.hatch-tmp" "$t" ||',
		'      fail "cannot replace $t (the target of $2)"',
		'  else',
		'    mkdir -p -- "$(dirname -- "$2")" || fail "cannot make the folder of $2"',
		'    mv -f -- "$inc/$1" "$2" || fail "cannot replace $2"',
		'  fi',
		'}',
	];
	changes.forEach((c, n) => {
		const data = Buffer.from(c.content, 'utf8').toString('base64');
		lines.push(`base64 -d > "$inc/${n}" <<'HATCH_DATA' || fail "cannot stage ${n}"`);
		lines.push(...(data.match(/.{1,76}/g) ?? []), 'HATCH_DATA');
	});
	// What was read is still there: else nothing is written (edited meanwhile).
	for (const c of changes) {
		const q = shellQuote(c.rel);
		lines.push(`same ${q} ${c.oldHash ?? '-'} || { echo "changed meanwhile: ${q}" >&2; exit 3; }`);
	}
	changes.forEach((c, n) => {
		const backup = c.oldHash === undefined ? '-' : shellQuote(c.backupRel ?? c.rel);
		lines.push(`place ${n} ${shellQuote(c.rel)} ${c.mode.toString(8)} ${backup}`);
	});
	lines.push('}', 'main "$@"', 'exit');
	return `${lines.join('\n')}\n`;
}

/**
 * Writes the new and changed files of a plan made in `local` (the staged copy of `dir`) into `dir` there; returns
 * them with their paths and backups there. Nothing is written when a file there changed since it was read
 * (`hashes`, from fetchStack; without them, the hash of the text compared).
 */
export async function pushChanges(
	r: Remote,
	dir: string,
	local: string,
	changes: FileChange[],
	hashes: Hashes = new Map(),
): Promise<FileChange[]> {
	const pending = changes.filter(c => c.state !== 'unchanged');
	const at = (path: string) => relative(local, path).split('\\').join('/');
	const script = pushScript(
		pending.map(c => ({
			rel: at(c.path),
			...(c.backupAs ? {backupRel: at(c.backupAs)} : {}),
			...(c.old === undefined ? {} : {oldHash: hashes.get(at(c.path)) ?? sha256(c.old)}),
			content: c.content,
			mode: c.mode,
		})),
	);
	const got = await r.runner.run(remoteCommand('bash', ['-s', '--', dir, timestamp()], {timeoutS: 110}), {
		input: script,
		timeoutMs: 120_000,
	});
	const backups = got.stdout
		.split('\n')
		.filter(l => l.startsWith('backup\t'))
		.map(l => l.slice(7));
	const said = printable(got.stderr).trim();
	const lost = sshProblem(r.target, got);
	if (lost) throw new Error(lost);
	if (got.exitCode === 3) throw new Error(`${said} (on ${r.text}); nothing was written, run again to see the new diff`);
	if (got.exitCode !== 0) {
		const kept = backups.length ? `; the old copies of what was replaced: ${backups.join(', ')}` : '';
		throw new Error(
			`writing ${dir} on ${r.text} failed: ${said || `exit ${got.exitCode}`}${kept}; ` +
				'check that you can write there, or pick another folder there (--out DIR)',
		);
	}
	return changes.map(c => {
		const rel = at(c.path);
		const backup = backups.find(b => b.startsWith(`${at(c.backupAs ?? c.path)}.bak-`));
		return {
			...c,
			path: posix.join(dir, rel),
			...(backup && c.state === 'changed' ? {backup: posix.join(dir, backup)} : {}),
		};
	});
}

/** The settings whose files are on this side and travel with the stack: the public keys, the secrets file. */
const CARRIED = FIELDS.filter(f => f.hostPath === 'keys' || f.hostPath === 'file').map(f => f.key);
/** Where a carried file goes in the stack's folder there. */
const carriedAt = (dir: string, key: string) => posix.join(dir, 'host-files', key.toLowerCase());

/** The stack's folder there, and the values its .env had when it was read (none for a new stack). */
export interface There {
	dir: string;
	existing?: Values;
}

/**
 * Whether the setting names a file on this side, to be carried: only a value given in this run (a default from
 * this side's facts, a preset, --set, an answer). A value the remote's .env already had is a path there, whatever
 * it says: what a remote host wrote never makes hatch read a file of this machine and send it there.
 */
export const carried = (key: string, value: string | undefined, there: There) =>
	CARRIED.includes(key) &&
	!!value &&
	value !== there.existing?.[key] &&
	!value.startsWith(`${posix.join(there.dir, 'host-files')}/`);

/**
 * The carried files: each setting that names a file on this side gets a copy in the stack's folder there
 * (the secrets 0600) and names that copy. Read after they were checked (hostFileProblems).
 */
export function carryFiles(values: Values, there: There, local: string): {values: Values; files: PlannedFile[]} {
	const {dir} = there;
	const out: Values = {...values};
	const files: PlannedFile[] = [];
	for (const key of CARRIED) {
		const value = values[key];
		if (!carried(key, value, there)) continue;
		const secret = FIELDS.find(f => f.key === key)?.hostPath === 'file';
		const content = localFiles.readKeys(value!, key);
		const copy = carriedAt(dir, key);
		files.push({
			path: join(local, posix.relative(dir, copy)),
			content,
			mode: secret ? 0o600 : 0o644,
			// Listed with the stack's own files, never with a diff (the secrets' values stay off the screen).
			showDiff: true,
			quiet: true,
		});
		out[key] = copy;
	}
	return {values: out, files};
}

type Kind = ReturnType<HostFiles['kind']>;
/** A Host's kinds as the host-file checks name them. */
const KIND_HERE = {file: 'file', dir: 'folder', socket: 'socket', other: 'special file'} as const;

/**
 * The host files of the settings as the remote sees them, read in one go (stat for each path, the text of a
 * public key file there): `filesFor` gives hostFileProblems the remote's view, or this side's for a carried file.
 */
export async function remoteFiles(r: Remote, values: Values, there: There): Promise<(key: string) => HostFiles> {
	const paths = new Set<string>();
	const keysThere: string[] = [];
	for (const f of FIELDS) {
		const value = values[f.key];
		if (!value || carried(f.key, value, there)) continue;
		if (f.container === 'mounts') for (const item of value.split(',')) paths.add(item.split(':')[0]!);
		else if (f.hostPath) paths.add(value);
		if (f.hostPath === 'keys') keysThere.push(value);
	}
	const list = [...paths];
	const script =
		`for p in "$@"; do s=$(stat -L -c '%F|%u|%g|%a' -- "$p" 2>/dev/null) || s=missing; ` + `printf '%s\\0' "$s"; done`;
	const got = list.length
		? await r.runner.run(remoteCommand('bash', ['-c', script, 'bash', ...list]), {timeoutMs: 30_000})
		: undefined;
	const lost = got && sshProblem(r.target, got);
	if (lost) throw new Error(lost);
	const stats = new Map<string, {kind: Kind; uid: number; gid: number; mode: number} | undefined>();
	const said = got?.stdout.split('\0') ?? [];
	list.forEach((p, k) => {
		const [type = 'missing', uid, gid, mode] = (said[k] ?? 'missing').split('|');
		const kind: Kind = type === 'missing' ? 'missing' : KIND_HERE[statKind(type)];
		stats.set(
			p,
			kind === 'missing' ? undefined : {kind, uid: Number(uid), gid: Number(gid), mode: Number.parseInt(mode!, 8)},
		);
	});
	const texts = new Map<string, string>();
	for (const p of keysThere) {
		const text = await r.host.readFile(p).catch(() => undefined);
		if (text !== undefined) texts.set(p, text);
	}
	const seen: HostFiles = {
		where: `on ${r.text}`,
		kind: p => stats.get(p)?.kind ?? 'missing',
		owner: p => stats.get(p),
		readKeys(p, key) {
			const text = texts.get(p);
			if (text === undefined) throw new FileError(`${key} ${p} cannot be read on ${r.text}`);
			return text;
		},
	};
	return key => (carried(key, values[key], there) ? localFiles : seen);
}

/** A folder name for this TARGET (its local logs). */
export const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

/** The changes as the user should read them: each path (and diff header) as the file there, `TARGET:/path`. */
export function relabel(changes: FileChange[], local: string, dir: string, text: string): FileChange[] {
	const there = (path: string) => `${text}:${posix.join(dir, relative(local, path).split('\\').join('/'))}`;
	// What a file there holds is shown without its control characters (a title, a clipboard write).
	return changes.map(c => ({
		...c,
		path: there(c.path),
		diff: printable(c.diff.replaceAll(`${local}/`, `${text}:${dir}/`)),
	}));
}

/**
 * How this side reaches the stack's sshd: through the Docker host (ProxyJump, as ssh reaches it with --host),
 * with the private key whose public half was carried there, when it is next to it.
 */
export function via(r: Remote, values: Values, there: There): SshVia {
	const jump = r.target.port ? `${r.target.destination}:${r.target.port}` : r.target.destination;
	const keys = values[KEY.authKeys] ?? '';
	const identity = carried(KEY.authKeys, keys, there) && keys.endsWith('.pub') ? keys.slice(0, -4) : undefined;
	return {jump, ...(identity && existsSync(identity) ? {identity} : {})};
}

/**
 * A stack on the remote host, for --yes: its folder there (`<out>/<image>`) is staged in a private folder here,
 * planned there as a local one, and the changes sent back; the key and secrets of this side are carried; the
 * build and start run there, the log kept here.
 */
export function remotePlace(r: Remote, out: string | undefined, image: Image): Place {
	const dir = posix.join(remoteOut(r, out), image);
	const staging = mkdtempSync(join(tmpdir(), 'hatch-stage-'));
	const local = join(staging, image);
	let hashes: Hashes = new Map();
	const there = (existing: Values | undefined): There => ({dir, ...(existing ? {existing} : {})});
	const target = (version: string): Target => ({host: r.host, out: staging, image, version});
	// The staged copy holds the stack's .env and carried files: a signal before the start takes it away too (the
	// start has its own handler, which stops it and comes back to close()).
	const drop = () => rmSync(staging, {recursive: true, force: true});
	const dropOnSignal = onInterrupt(() => {
		drop();
		process.exit(130);
	});
	return {
		host: r.host,
		dir,
		named: path => `${path} on ${r.text}`,
		storeKey: storeKey(r.text),
		// The remote's own answers (its GPUs by its nvidia-smi, not this machine's PCI list); the keys offered for
		// login are this side's, which the stack carries there.
		inspect: {graphics: async () => [], keysFrom: realHost()},
		async open() {
			hashes = await fetchStack(r, dir, local);
			return readExisting({out: staging, image});
		},
		target,
		checkFiles: async (values, existing) => hostFileProblems(values, await remoteFiles(r, values, there(existing))),
		async plan(values, existing, version, composeVersion) {
			const carry = carryFiles(values, there(existing), local);
			const changes = await planFiles(target(version), carry.values, composeVersion, {dir, files: carry.files});
			return {changes, values: carry.values};
		},
		shown: changes => relabel(changes, local, dir, r.text),
		write: changes => pushChanges(r, dir, local, changes, hashes),
		async deploy(values, given, existing) {
			dropOnSignal();
			return {
				engine: r.engine,
				logDir: join(configDir(), 'logs', slug(r.text), values[KEY.name] ?? image),
				via: via(r, given, there(existing)),
			};
		},
		quote: shellQuote,
		next: () => `Next: ssh ${r.text} ${shellQuote(`cd ${shellQuote(dir)} && docker compose up -d --build`)}\n`,
		hostOption: `--host ${r.text} `,
		close() {
			dropOnSignal();
			drop();
		},
	};
}
