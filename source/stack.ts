// Turning a config into files on disk without losing anything: unchanged files are not touched, changed
// ones are backed up (<file>.bak-<time>) and replaced atomically (temp file + rename), .env is 0600.
import {existsSync, readdirSync, readFileSync, type Stats, statSync} from 'node:fs';
import {chmod, copyFile, mkdir, open, readFile, realpath, rename, unlink} from 'node:fs/promises';
import {hostname} from 'node:os';
import {dirname, join, relative} from 'node:path';
import {type ComposeIdentity, composeDrift, describeDrift, readIdentity, renderCompose} from './core/compose.js';
import {type FileState, unifiedDiff} from './core/diff.js';
import {parseEnv, renderEnv, userLines} from './core/env.js';
import {
	checkAuthorizedKeysText,
	DOCKER_DESKTOP_AGENT,
	FIELDS,
	field,
	type Image,
	KEY,
	type Values,
} from './core/model.js';
import {type ReadmeFacts, renderStackReadme} from './core/stack-readme.js';
import {FileError, readBounded} from './files.js';
import {imagesDir} from './paths.js';

/** The most an authorized_keys file may hold: thousands of keys. */
const KEYS_FILE_MAX = 1_000_000;

export interface PlannedFile {
	path: string;
	content: string;
	mode: number;
	/** Shown with its diff in the review (.env, compose); build-context files are summed up there. */
	showDiff: boolean;
	/** Listed, but without its diff: it follows from what is shown (the folder's README.md, from the settings). */
	quiet?: boolean;
	/** Where its backup goes instead of next to it (build-context files: outside the context, so no build copies it). */
	backupAs?: string;
}

export interface FileChange extends PlannedFile {
	state: FileState;
	diff: string;
	/** What was on disk when compared (undefined: no file); apply refuses if it changed since. */
	old?: string;
	backup?: string;
}

export class ChangedMeanwhile extends Error {}

function walk(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir).sort()) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...walk(p));
		else out.push(p);
	}
	return out;
}

/** The build context copied next to the compose file, so the stack builds after the npx cache is gone. */
function contextFiles(images: string, target: string, backups: string): PlannedFile[] {
	const out: PlannedFile[] = [];
	for (const src of walk(images)) {
		const rel = relative(images, src);
		// Examples and tool settings (.shellcheckrc) are not part of the build context.
		if (rel.endsWith('.example') || rel.includes('.example.') || rel.split('/').some(part => part.startsWith('.')))
			continue;
		const mode = statSync(src).mode & 0o111 ? 0o755 : 0o644;
		out.push({
			path: join(target, rel),
			content: readFileSync(src, 'utf8'),
			mode,
			showDiff: false,
			backupAs: join(backups, rel),
		});
	}
	return out;
}

export interface PlanOptions {
	composeVersion?: string;
	version?: string;
	images?: string;
	/** What the folder's README.md says about this host (default: this machine's name, no fingerprint). */
	/** The folder it names is the stack's own unless `dir` says where it is on a remote host. */
	readme?: Omit<ReadmeFacts, 'dir'> & {dir?: string};
}

/** The project and volume names the stack's docker-compose.yml in `dir` keeps; undefined for a new stack. */
export function stackIdentity(image: Image, dir: string): ComposeIdentity | undefined {
	const composeText = readTextFile(join(dir, 'docker-compose.yml'));
	if (composeText === undefined) return undefined;
	const envText = readTextFile(join(dir, '.env'));
	return readIdentity(image, composeText, envText === undefined ? {} : parseEnv(envText));
}

/**
 * Hand edits of the stack's .env in `dir` that its docker-compose.yml does not follow (see Field.written),
 * in words naming each key; empty when they agree or there is nothing to compare.
 */
export function stackDrift(image: Image, dir: string): string[] {
	const composeText = readTextFile(join(dir, 'docker-compose.yml'));
	const envText = readTextFile(join(dir, '.env'));
	if (composeText === undefined || envText === undefined) return [];
	return (composeDrift(image, composeText, parseEnv(envText)) ?? []).map(describeDrift);
}

/** Files for `<out>/<stack>/`: docker-compose.yml, .env, README.md (this host's notes), image/ (the build context). */
export function planStack(image: Image, values: Values, out: string, options: PlanOptions = {}): PlannedFile[] {
	const dir = join(out, image);
	const envPath = join(dir, '.env');
	// Keys the user added to .env themselves stay, line for line.
	const text = readTextFile(envPath);
	const own = text === undefined ? [] : userLines(text);
	// The project and volume names stay what they were when the stack was first written.
	const composePath = join(dir, 'docker-compose.yml');
	const identity = stackIdentity(image, dir);
	return [
		{
			path: composePath,
			content: renderCompose(image, values, {
				composeVersion: options.composeVersion,
				version: options.version,
				...(identity ? {identity} : {}),
			}),
			mode: 0o644,
			showDiff: true,
		},
		{path: envPath, content: renderEnv(image, values, own), mode: 0o600, showDiff: true},
		{
			path: join(dir, 'README.md'),
			content: renderStackReadme(image, values, {host: hostname().split('.')[0]!, dir, ...options.readme}),
			mode: 0o644,
			showDiff: true,
			quiet: true,
		},
		...contextFiles(options.images ?? imagesDir(), join(dir, 'image'), join(dir, '.hatch', 'backups', 'image')),
	];
}

/** The file's text, or undefined when there is none. */
async function current(path: string): Promise<string | undefined> {
	return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
		if (error.code === 'ENOENT') return undefined;
		// Reading a folder fails without naming it (EISDIR, no path): name it, so the message can.
		throw Object.assign(error, {path: error.path ?? path});
	});
}

export async function compare(files: PlannedFile[]): Promise<FileChange[]> {
	const out: FileChange[] = [];
	for (const f of files) {
		const old = await current(f.path);
		if (old === undefined) out.push({...f, state: 'new', diff: ''});
		else if (old === f.content) out.push({...f, state: 'unchanged', diff: '', old});
		else {
			const diff = f.quiet ? '' : unifiedDiff(old, f.content, f.path, `${f.path} (new)`);
			out.push({...f, state: 'changed', diff, old});
		}
	}
	return out;
}

export function timestamp(date = new Date()): string {
	const p = (n: number) => String(n).padStart(2, '0');
	const day = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}`;
	return `${day}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Where the backup of `path` goes: <path>.bak-<time>, with -2, -3… if that exists already. */
export function backupPath(path: string, stamp: string): string {
	let candidate = `${path}.bak-${stamp}`;
	for (let n = 2; existsSync(candidate); n++) candidate = `${path}.bak-${stamp}-${n}`;
	return candidate;
}

async function atomicWrite(link: string, content: string, mode: number): Promise<void> {
	// A file that is a symlink (e.g. ~/.ssh/config kept in a dotfiles repo) is updated where it points.
	const path = await realpath(link).catch(() => link);
	await mkdir(dirname(path), {recursive: true});
	const tmp = join(dirname(path), `.${Math.random().toString(36).slice(2)}.hatch-tmp`);
	const handle = await open(tmp, 'wx', mode);
	try {
		await handle.writeFile(content);
		await handle.sync();
	} catch (error) {
		await handle.close();
		await unlink(tmp).catch(() => {});
		throw error;
	}
	await handle.close();
	await chmod(tmp, mode);
	await rename(tmp, path);
}

/**
 * Writes new and changed files (backing up the changed ones); returns them with `backup` filled in.
 * Nothing is written when any file differs from what was compared (edited meanwhile): ChangedMeanwhile.
 */
export async function apply(changes: FileChange[], stamp = timestamp()): Promise<FileChange[]> {
	for (const c of changes) {
		if (c.state !== 'unchanged' && (await current(c.path)) !== c.old) {
			throw new ChangedMeanwhile(
				`${c.path} changed since it was compared; nothing was written, run again to see the new diff`,
			);
		}
	}
	const done: FileChange[] = [];
	for (const c of changes) {
		if (c.state === 'unchanged') {
			done.push(c);
			continue;
		}
		let backup: string | undefined;
		if (c.state === 'changed') {
			backup = backupPath(c.backupAs ?? c.path, stamp);
			await mkdir(dirname(backup), {recursive: true});
			await copyFile(c.path, backup);
			await chmod(backup, 0o600); // backups may hold .env contents
		}
		await atomicWrite(c.path, c.content, c.mode);
		done.push({...c, ...(backup ? {backup} : {})});
	}
	return done;
}

/** A text file's content, or undefined when there is none; a folder (or anything else) there is a clear error. */
export function readTextFile(path: string): string | undefined {
	if (!existsSync(path)) return undefined;
	if (!statSync(path).isFile())
		throw Object.assign(new Error(`${path} is not a file`), {code: 'EISDIR', syscall: 'open', path});
	return readFileSync(path, 'utf8');
}

/**
 * A file system error in words that name the path and the fix, and whether the user's input (a path they
 * gave: --out, a file where a folder belongs) is at fault. Undefined for anything that is not one.
 */
export function fileSystemProblem(error: unknown): {message: string; inputAtFault: boolean} | undefined {
	const e = error as NodeJS.ErrnoException | undefined;
	if (!e || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
	const path = e.path ?? 'a file';
	const input = (message: string) => ({message, inputAtFault: true});
	switch (e.code) {
		case 'EISDIR':
			return input(`${path} is a folder, but hatch needs a file there: move it away, or pick another --out`);
		case 'ENOTDIR':
			return input(`a part of ${path} is a file, but hatch needs a folder there: pick another --out`);
		case 'EEXIST':
			return input(`${path} is a file, but hatch needs a folder there: move it away, or pick another --out`);
		case 'EROFS':
			return input(`${path} is on a read-only file system: pick another --out`);
		case 'EACCES':
		case 'EPERM':
			return input(`no permission to write ${path}: pick another --out, or give yourself the folder`);
		case 'ENOSPC':
		case 'EDQUOT':
			return {message: `the disk is full (writing ${path}): free some space, then run again`, inputAtFault: false};
		default:
			return undefined;
	}
}

/** What a host path is, as seen on the host where the stack runs (this machine, or a remote one). */
export interface HostFiles {
	/** "on this host", "on gpu-box": said in messages. */
	where: string;
	kind(path: string): 'missing' | 'file' | 'folder' | 'socket' | 'special file';
	/** Its owner and mode (the link followed); undefined when there is nothing there. */
	owner(path: string): {uid: number; gid: number; mode: number} | undefined;
	/** A public key file's text (bounded); throws a FileError naming the setting when it cannot be read. */
	readKeys(path: string, key: string): string;
}

/** This machine's files. */
export const localFiles: HostFiles = {
	where: 'on this host',
	kind(path) {
		let st: Stats;
		try {
			st = statSync(path);
		} catch {
			return 'missing';
		}
		return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : st.isSocket() ? 'socket' : 'special file';
	},
	owner(path) {
		try {
			const st = statSync(path);
			return {uid: st.uid, gid: st.gid, mode: st.mode};
		} catch {
			return undefined;
		}
	},
	// A FIFO or a device is refused at once (nothing waits for a writer), a file over 1 MB unread.
	readKeys: (path, key) => readBounded(path, KEYS_FILE_MAX, key),
};

/** Why the container user (uid:gid) could not write into a host folder, or undefined when they can. */
function writableBy(files: HostFiles, path: string, uid: number, gid: number): string | undefined {
	const st = files.owner(path);
	if (!st) return undefined;
	if (!Number.isInteger(uid) || st.uid === uid || st.mode & 0o002 || (st.gid === gid && st.mode & 0o020))
		return undefined;
	const mode = (st.mode & 0o777).toString(8);
	return (
		`${path} belongs to ${st.uid}:${st.gid} (mode ${mode}): the container user ${uid}:${gid} can read it ` +
		`but not write in it; chown it to ${uid}:${gid}, or mount a folder of ` +
		`your own`
	);
}

/**
 * Checks one host path setting against the host (FIELDS says what it must be): errors stop a write, warnings are
 * shown.
 */
export function checkHostFile(
	key: string,
	value: string,
	files: HostFiles = localFiles,
): {error?: string; warning?: string} {
	const kindOf = (path: string) => files.kind(path);
	// A mount list: each host path must be there (the compose file asks Docker not to make one).
	if (field(key)?.container === 'mounts') {
		for (const item of value.split(',').filter(Boolean)) {
			const source = item.split(':')[0]!;
			if (kindOf(source) === 'missing')
				return {
					error:
						`${key}: ${source} does not exist ${files.where}; mount the share or create it ` +
						`(mkdir -p '${source}'), or take "${item}" out of the list`,
				};
		}
		return {};
	}
	const kind = field(key)?.hostPath;
	if (!value)
		return kind === 'keys'
			? {
					warning: `${key} is empty: nobody can log in until a key is added (--set ${key}=/home/you/.ssh/id_ed25519.pub)`,
				}
			: {};
	switch (kind) {
		case 'keys': {
			let text: string;
			try {
				text = files.readKeys(value, key);
			} catch (error) {
				const why = error instanceof FileError ? error.message : `${key} ${value} cannot be read`;
				return {error: `${why}; point it at your public key (e.g. ~/.ssh/id_ed25519.pub, as an absolute path)`};
			}
			return checkAuthorizedKeysText(text);
		}
		case 'file': {
			const what = kindOf(value);
			if (what === 'file') return {};
			return {
				error:
					what === 'missing'
						? `${key} ${value} does not exist; create it or leave the setting empty`
						: `${key} ${value} is a ${what}; point it at the file itself`,
			};
		}
		case 'folder': {
			// Docker cannot start a container whose bind-mount source is missing: refuse it here, not at the start.
			const what = kindOf(value);
			if (what === 'folder') return {};
			return {
				error:
					what === 'missing'
						? `${key} ${value} does not exist ${files.where}; create it (mkdir -p '${value}') or leave the setting empty`
						: `${key} ${value} is a ${what}; it must be a folder`,
			};
		}
		case 'agent': {
			// Docker Desktop's forwarded agent exists inside its VM, where the container runs, not on the Mac.
			if (value === DOCKER_DESKTOP_AGENT) return {};
			const what = kindOf(value);
			if (what === 'socket') return {};
			return {
				warning:
					what === 'missing'
						? `${key} ${value} does not exist now (agents move after a re-login)`
						: `${key} ${value} is a ${what}, not an agent socket`,
			};
		}
		default:
			return {};
	}
}

/** Every host-path problem of a config; `filesFor` says on which host each setting's path is. */
export function hostFileProblems(
	values: Values,
	filesFor: (key: string) => HostFiles = () => localFiles,
): {errors: string[]; warnings: string[]} {
	const errors: string[] = [];
	const warnings: string[] = [];
	for (const {key, hostPath, container} of FIELDS) {
		if ((!hostPath && container !== 'mounts') || !(key in values)) continue;
		const files = filesFor(key);
		const r = checkHostFile(key, values[key] ?? '', files);
		if (r.error) errors.push(r.error);
		if (r.warning) warnings.push(r.warning);
		if (!r.error && hostPath === 'folder' && values[key]) {
			const w = writableBy(files, values[key]!, Number(values[KEY.uid]), Number(values[KEY.gid]));
			if (w) warnings.push(`${key} ${w}`);
		}
	}
	return {errors, warnings};
}
