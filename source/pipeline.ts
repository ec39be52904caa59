// The write pipeline, one for the wizard and for --yes: read what the stack folder has, check the values
// (core/resolve.ts's checkValues), the host files they name (checkFiles) and the engine (checkHost), plan the
// files (with diffs), write them (atomically, with backups). The wizard asks in between; --yes prints what each
// step found.
import {join} from 'node:path';
import {parseEnv} from './core/env.js';
import {type Image, KEY, loginCommand, type Values} from './core/model.js';
import type {PlainOptions} from './docker/plain.js';
import type {InspectOptions} from './host/inspect.js';
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

/**
 * Where a stack is written and run by --yes: this machine (localPlace), or a Docker host over SSH
 * (remote-stack.ts's remotePlace, which stages the folder there and sends the changes back). The steps of
 * commands/write.ts are the same for both.
 */
export interface Place {
	host: Host;
	/** The stack's folder, where compose runs. */
	dir: string;
	/** A path there in words: "PATH", or "PATH on TARGET". */
	named(path: string): string;
	/** The store's key for this host; undefined: this machine's name. */
	storeKey?: string;
	/** How this host is inspected. */
	inspect: InspectOptions;
	/** The stack folder's .env as it is now (a remote's read there first), or undefined for a new stack. */
	open(): Promise<Values | undefined>;
	/** Where the plan is made (for checkHost and the plan): the folder itself, or its staged copy. */
	target(version: string): Target;
	/** The problems of the host files the settings name, as this host sees them. */
	checkFiles(values: Values, existing: Values | undefined): Promise<{errors: string[]; warnings: string[]}>;
	/** Every file as it would be written, compared with what is there, and the values written. */
	plan(
		values: Values,
		existing: Values | undefined,
		version: string,
		composeVersion?: string,
	): Promise<{changes: FileChange[]; values: Values}>;
	/** The changes as the user reads them. */
	shown(changes: FileChange[]): FileChange[];
	write(changes: FileChange[]): Promise<FileChange[]>;
	/** What the build and start need to run there (`given`: the values before the plan named any copies). */
	deploy(values: Values, given: Values, existing: Values | undefined): Promise<Partial<PlainOptions>>;
	/** A path as a shell reads it back. */
	quote(path: string): string;
	/** How to start it by hand. */
	next(values: Values): string;
	/** --host TARGET, for the commands printed; '' here. */
	hostOption: string;
	/** Takes away what open() made here (a staged copy). */
	close(): void;
}

/** This machine: the folder <out>/<image>, read and written in place. */
export function localPlace(host: Host, out: string, image: Image): Place {
	const dir = join(out, image);
	const target = (version: string): Target => ({host, out, image, version});
	return {
		host,
		dir,
		named: path => path,
		inspect: {},
		open: async () => readExisting({out, image}),
		target,
		checkFiles: async values => checkFiles(values),
		plan: async (values, _existing, version, composeVersion) => ({
			changes: await planFiles(target(version), values, composeVersion),
			values,
		}),
		shown: changes => changes,
		write: writeFiles,
		deploy: async () => ({}),
		quote: path => path,
		next: values => `Next: cd ${dir} && docker compose up -d --build\nThen: ${loginCommand(values)}\n`,
		hostOption: '',
		close: () => {},
	};
}
