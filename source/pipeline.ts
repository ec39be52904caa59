// The write pipeline, one for the wizard and for --yes: read what the stack folder has, check the values
// (core/resolve.ts's checkValues), the host files they name (checkFiles) and the engine (checkHost), plan the
// files (with diffs), write them (atomically, with backups). The wizard asks in between; --yes prints what each
// step found.
import {join} from 'node:path';
import {parseEnv} from './core/env.js';
import {type Image, KEY, type Values} from './core/model.js';
import {type Preflight, preflight, renameWarning} from './host/preflight.js';
import {type Host, identity} from './host/probes.js';
import {pinnedFingerprint} from './sshconfig.js';
import {
	apply,
	compare,
	type FileChange,
	fileSystemProblem,
	hostFileProblems,
	type PlannedFile,
	planStack,
	readTextFile,
	stackDrift,
	stackIdentity,
} from './stack.js';
import {configDir, storeFile} from './store.js';

/** Where one image's stack is written on this host, and by which version of hatch. */
export interface Target {
	host: Host;
	out: string;
	image: Image;
	version: string;
}

export const stackDir = (t: Pick<Target, 'out' | 'image'>) => join(t.out, t.image);

/** The stack folder's .env as it is now, or undefined for a new stack. */
export function readExisting(t: Pick<Target, 'out' | 'image'>): Values | undefined {
	const text = readTextFile(join(stackDir(t), '.env'));
	return text === undefined ? undefined : parseEnv(text);
}

/**
 * What the engine and the folder say before anything is written: a rename that would leave the volumes behind,
 * hand edits of .env that the compose file does not follow yet, and (for a build or start) the engine's checks.
 * (The values themselves: core/resolve.ts's checkValues; the host files they name: checkFiles.)
 */
export async function checkHost(
	t: Target,
	values: Values,
	deploy: {build: boolean; boot: boolean},
): Promise<{renamed?: string; drift: string[]; engine?: Preflight}> {
	const dir = stackDir(t);
	const identity = stackIdentity(t.image, dir);
	const [engine, renamed] = await Promise.all([
		deploy.build || deploy.boot ? preflight(t.host, values, deploy, identity) : undefined,
		renameWarning(t.host, readExisting(t), values, identity),
	]);
	const drift = stackDrift(t.image, dir).map(d => `${d}; rewriting docker-compose.yml applies it`);
	return {...(renamed ? {renamed} : {}), drift, ...(engine ? {engine} : {})};
}

/** The host files the settings name (keys, folders, the secrets file, the agent socket), as FIELDS says. */
export const checkFiles = (values: Values) => hostFileProblems(values);

/**
 * Every file of the stack as it would be written, compared with what is there (with diffs). A stack planned in
 * a staged copy of a remote folder (`remote`) names that folder in its README, with the key pinned on this side,
 * and takes the files carried there along.
 */
export function planFiles(
	t: Target,
	values: Values,
	composeVersion?: string,
	remote?: {dir: string; files: PlannedFile[]},
): Promise<FileChange[]> {
	const id = identity(t.host);
	const name = values[KEY.name] ?? t.image;
	const fingerprint = remote ? pinnedFingerprint(name) : pinnedFingerprint(name, id.home);
	const readme = {
		host: id.hostname,
		store: storeFile(configDir(remote ? process.env : t.host.env)),
		...(fingerprint ? {fingerprint} : {}),
		...(remote ? {dir: remote.dir} : {}),
	};
	return compare([
		...planStack(t.image, values, t.out, {composeVersion, version: t.version, readme}),
		...(remote?.files ?? []),
	]);
}

/**
 * Writes the changes. A file system error's message is put in words (the path and the fix), not EISDIR; it
 * keeps its code, so fileSystemProblem still tells whether the user's input was at fault.
 */
export function writeFiles(changes: FileChange[]): Promise<FileChange[]> {
	return apply(changes).catch((error: unknown) => {
		const problem = fileSystemProblem(error);
		if (!problem) throw error;
		const {code, syscall, path} = error as NodeJS.ErrnoException;
		throw Object.assign(new Error(problem.message), {code, syscall, path});
	});
}
