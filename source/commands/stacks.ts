// The stacks hatch wrote on this host, by name from any folder: `list`, `forget`, `up`, `down`, `rebuild`, and
// how every stack command finds its stack (a name; else --out/--image as before; else the only one there is).
import {existsSync} from 'node:fs';
import {join, posix} from 'node:path';
import {parseEnv} from '../core/env.js';
import {type Image, KEY, localAddress} from '../core/model.js';
import {printable} from '../docker/buildkit.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {deployPlain} from '../docker/plain.js';
import {composeEnv} from '../docker/proc.js';
import {readBounded} from '../files.js';
import type {Remote} from '../remote-stack.js';
import {type StackRecord, type Store, shown} from '../store.js';
import {CommandError, ENV_FILE_MAX, loadStack, outDir, type StackRef, UsageError} from './common.js';

/** Where a command finds its stack: NAME; else --image/--out (<out>/<image>); else the only one registered. */
export function findStack(store: Store, how: {name?: string; image?: Image; out?: string}): StackRef {
	if (how.name !== undefined) {
		const rec = store.stack(how.name);
		if (!rec) {
			const names = store.stacks().map(s => s.name);
			throw new UsageError(
				`no stack named ${shown(how.name)} on ${store.host}` +
					(names.length ? ` (there are: ${names.join(', ')})` : ' (none is registered here yet)') +
					'; hatch-wizard list shows them',
			);
		}
		return fromRecord(rec);
	}
	if (how.image === undefined && how.out === undefined) {
		const all = store.stacks();
		if (all.length === 1) return fromRecord(all[0]!);
		if (all.length > 1)
			throw new UsageError(
				`there are ${all.length} stacks on ${store.host} (${all.map(s => s.name).join(', ')}): name one, ` +
					`e.g. hatch-wizard status ${all[0]!.name}`,
			);
	}
	return loadStack(how.image ?? 'stem', outDir(how.out));
}

/**
 * Where a stack command finds its stack when it may be on another host: with --host, among that host's stacks;
 * else NAME on this host, else NAME on the one other host that has it; else as findStack.
 */
export async function locateStack(
	local: Store,
	how: {name?: string; image?: Image; out?: string},
	host: string | undefined,
): Promise<StackRef> {
	const {Store} = await import('../store.js');
	const {storeKey} = await import('../remote-stack.js');
	if (host !== undefined) {
		const store = await Store.open(storeKey(host), local.dir);
		const all = store.stacks();
		const rec = how.name === undefined ? (all.length === 1 ? all[0] : undefined) : store.stack(how.name);
		if (!rec)
			throw new UsageError(
				how.name === undefined && all.length > 1
					? `there are ${all.length} stacks on ${host} (${all.map(s => s.name).join(', ')}): name one`
					: `no stack${how.name === undefined ? '' : ` named ${shown(how.name)}`} recorded for --host ${host}` +
							(all.length ? ` (there are: ${all.map(s => s.name).join(', ')})` : '') +
							`; write one with hatch-wizard --yes --host ${host}`,
			);
		return remoteStack(host, rec);
	}
	const far = await elsewhere(local, how.name);
	return far ? remoteStack(far.text, far.rec) : findStack(local, how);
}

/** The stacks recorded for each remote host (the local store's `ssh:` entries), hosts with none left out. */
async function remoteRecords(local: Store): Promise<{text: string; records: StackRecord[]}[]> {
	const {Store} = await import('../store.js');
	const {targetOf} = await import('../remote-stack.js');
	const out: {text: string; records: StackRecord[]}[] = [];
	for (const key of local.hosts()) {
		const text = targetOf(key);
		const records = text === undefined ? [] : (await Store.open(key, local.dir)).stacks();
		if (records.length) out.push({text: text!, records});
	}
	return out;
}

/**
 * The remote host that has the stack `name` when this one does not (undefined: none, or no name); on two, --host
 * must say which.
 */
export async function elsewhere(
	local: Store,
	name: string | undefined,
): Promise<{text: string; rec: StackRecord} | undefined> {
	if (name === undefined || local.stack(name)) return undefined;
	const found = (await remoteRecords(local)).flatMap(h =>
		h.records.filter(r => r.name === name).map(rec => ({text: h.text, rec})),
	);
	if (found.length > 1)
		throw new UsageError(`${shown(name)} is a stack on ${found.map(f => f.text).join(' and ')}: say which with --host`);
	return found[0];
}

/** A stack recorded for a remote host, read there now (over the shared connection, opened here if not given). */
export async function remoteStack(text: string, rec: StackRecord, connected?: Remote): Promise<StackRef> {
	const rs = await import('../remote-stack.js');
	const {configDir} = await import('../store.js');
	const remote = connected ?? (await rs.connect(text));
	const envText = await remote.host.readFile(posix.join(rec.dir, '.env')).catch(() => undefined);
	if (envText === undefined)
		throw new CommandError(
			`the stack ${rec.name} was written to ${rec.dir} on ${text}, but there is no .env there now (moved or ` +
				`deleted?): write it again with hatch-wizard --yes --host ${text}, or hatch-wizard forget ${rec.name}`,
		);
	const values = parseEnv(envText);
	if (values[KEY.name] !== rec.name)
		throw new CommandError(
			`${rec.dir} on ${text} now holds the stack ${printable(values[KEY.name] || '(no name)')}, not ${rec.name}`,
		);
	return {
		image: rec.image,
		dir: rec.dir,
		values,
		remote: {
			text,
			engine: remote.engine,
			logDir: join(configDir(), 'logs', rs.slug(text), rec.name),
			via: rs.via(remote, values, {dir: rec.dir, existing: values}),
		},
	};
}

/** The stack a record points at, read from its folder now: it may have been moved, deleted or rewritten. */
export function fromRecord(rec: StackRecord): StackRef {
	const env = join(rec.dir, '.env');
	if (!existsSync(env))
		throw new CommandError(
			`the stack ${rec.name} was written to ${rec.dir}, but there is no .env there now (moved or deleted?): ` +
				`write it again with hatch-wizard, or take it off the list with hatch-wizard forget ${rec.name}`,
		);
	const values = parseEnv(readBounded(env, ENV_FILE_MAX, "the stack's .env"));
	if (values[KEY.name] !== rec.name)
		throw new CommandError(
			`${rec.dir} now holds the stack ${values[KEY.name] || '(no name)'}, not ${rec.name}: ` +
				`hatch-wizard forget ${rec.name} takes the old one off the list`,
		);
	return {image: rec.image, dir: rec.dir, values};
}

/** A registered stack as it is now. */
export interface StackState extends StackRecord {
	/** Its folder: still holding this stack, gone (moved or deleted), or holding another one. */
	folder: 'ok' | 'missing' | 'other';
	/** The container's state as docker says (running, exited, …), "absent", or "unknown" (no engine answer). */
	container: string;
	/** Whether sshd answers on its port (only looked at when the container runs). */
	ssh?: boolean;
}

const LOOK_MS = 5000;

/** Whether a record's folder still holds its stack (on this machine). */
function folderHere(rec: StackRecord): StackState['folder'] {
	try {
		fromRecord(rec);
		return 'ok';
	} catch {
		return existsSync(join(rec.dir, '.env')) ? 'other' : 'missing';
	}
}

/** Every registered stack's live state, looked at in parallel, each look under a deadline. */
export async function stackStates(
	records: StackRecord[],
	engine: Engine = realEngine,
	folderOf: (rec: StackRecord) => Promise<StackState['folder']> = async rec => folderHere(rec),
): Promise<StackState[]> {
	return Promise.all(
		records.map(async rec => {
			const folder = await folderOf(rec);
			const r = await engine.proc.run('docker', ['inspect', '--format', '{{.State.Status}}', rec.name], {
				timeoutMs: LOOK_MS,
			});
			const container =
				r.exitCode === 0
					? printable(r.stdout.trim())
					: /no such (object|container)/i.test(r.stderr)
						? 'absent'
						: 'unknown';
			const port = Number(rec.port);
			const ssh =
				container === 'running' && port > 0
					? await engine.ready.answers(localAddress(rec.listen || '0.0.0.0'), port)
					: undefined;
			return {...rec, folder, container, ...(ssh === undefined ? {} : {ssh})};
		}),
	);
}

/** The most `list` waits for a remote host (connecting and looking at its stacks). */
const REMOTE_LIST_MS = 30_000;

/**
 * The stacks of one remote host as they are now, looked at over one connection under a deadline; a host that
 * cannot be reached gives its reason instead.
 */
async function remoteStates(text: string, records: StackRecord[]): Promise<StackState[] | {error: string}> {
	const look = (async () => {
		const {connect} = await import('../remote-stack.js');
		const remote = await connect(text);
		return stackStates(records, remote.engine, async rec => {
			const env = await remote.host.readFile(posix.join(rec.dir, '.env')).catch(() => undefined);
			return env === undefined ? 'missing' : parseEnv(env)[KEY.name] === rec.name ? 'ok' : 'other';
		});
	})();
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<{error: string}>(resolve => {
		timer = setTimeout(() => resolve({error: `no answer within ${REMOTE_LIST_MS / 1000} s`}), REMOTE_LIST_MS);
	});
	try {
		return await Promise.race([look.catch((error: Error) => ({error: error.message})), deadline]);
	} finally {
		clearTimeout(timer);
	}
}

/** `list`: one line per stack (or --json), this host's and those of every remote host hatch wrote to. */
export async function listCommand(
	store: Store,
	json: boolean,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const remotes = await remoteRecords(store);
	// Every host at once, each under its own deadline: an unreachable one holds up none of the others.
	const [states, ...there] = await Promise.all([
		stackStates(store.stacks(), engine),
		...remotes.map(r => remoteStates(r.text, r.records)),
	]);
	if (json) {
		const all = [
			...states.map(s => ({host: store.host, ...s})),
			...remotes.flatMap((r, k): object[] => {
				const got = there[k]!;
				return 'error' in got
					? r.records.map(rec => ({host: r.text, ...rec, unreachable: got.error}))
					: got.map(s => ({host: r.text, ...s}));
			}),
		];
		out(`${JSON.stringify(all, null, 2)}\n`);
		return 0;
	}
	if (!states.length && !remotes.length) {
		out(`no stacks on ${store.host} yet: hatch-wizard writes one\n`);
		return 0;
	}
	if (remotes.length) out(`on ${store.host} (this machine):${states.length ? '' : ' none'}\n`);
	for (const s of states) out(stateLines(s));
	remotes.forEach((r, k) => {
		const got = there[k]!;
		if ('error' in got) {
			out(`on ${r.text}: UNREACHABLE (${got.error})\n`);
			for (const rec of r.records) out(`${rec.name.padEnd(20)} ${rec.image.padEnd(7)} unknown\n  ${rec.dir}\n`);
			return;
		}
		out(`on ${r.text}:\n`);
		for (const s of got) out(stateLines(s, r.text));
	});
	return 0;
}

/** One stack's lines in `list`. */
function stateLines(s: StackState, host?: string): string {
	const forget = `hatch-wizard forget ${s.name}${host ? ` --host ${host}` : ''}`;
	const where =
		s.folder === 'ok'
			? s.dir
			: s.folder === 'missing'
				? `${s.dir} (gone: moved or deleted? ${forget})`
				: `${s.dir} (now holds another stack)`;
	const ssh = s.ssh === undefined ? '' : s.ssh ? `, ssh answers on ${s.port}` : `, ssh NOT answering on ${s.port}`;
	return `${s.name.padEnd(20)} ${s.image.padEnd(7)} ${s.container}${ssh}\n  ${where}\n`;
}

/** `forget NAME`: takes a stack off the list; its files and container are left as they are. */
export function forgetCommand(store: Store, name: string | undefined, out: (s: string) => void): number {
	if (!name) throw new UsageError('forget needs the name of a stack (see: hatch-wizard list)');
	if (!store.forget(name)) throw new UsageError(`no stack named ${shown(name)} on ${store.host}`);
	out(`forgot ${name}: its folder, container and volumes are untouched\n`);
	return 0;
}

/** What deployPlain needs to reach a remote stack: its engine there, a log folder here, the way ssh goes. */
const remotely = (ref: StackRef) =>
	ref.remote ? {engine: ref.remote.engine, logDir: ref.remote.logDir, via: ref.remote.via} : {};

/** `up NAME`: starts the stack's container (no build) and waits until SSH works. */
export function upCommand(ref: StackRef, engine?: Engine): Promise<number> {
	return deployPlain(ref.dir, ref.values, {
		build: false,
		boot: true,
		sshConfig: false,
		...remotely(ref),
		...(engine ? {engine} : {}),
	});
}

/** `rebuild NAME [--no-cache]`: builds the image again, recreates the container, waits until SSH works. */
export function rebuildCommand(ref: StackRef, noCache: boolean, engine?: Engine): Promise<number> {
	return deployPlain(ref.dir, ref.values, {
		build: true,
		boot: true,
		sshConfig: false,
		noCache,
		...remotely(ref),
		...(engine ? {engine} : {}),
	});
}

/**
 * `down NAME [--volumes]`: stops and removes the container; the volumes (the home, the SSH host keys) stay
 * unless --volumes, which says what it deletes and asks first (or takes --yes).
 */
export async function downCommand(
	ref: StackRef,
	o: {volumes: boolean; yes: boolean; ask?: (q: string) => Promise<boolean>},
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const name = ref.values[KEY.name]!;
	if (o.volumes) {
		out(
			`--volumes deletes ${name}'s volumes: its home (/home/${ref.values[KEY.user] ?? 'you'}, everything kept ` +
				'there) and its SSH host keys (a new key is made at the next start; hatch re-pins it in ~/.ssh/known_hosts ' +
				'when it pinned the old one)\n',
		);
		if (!o.yes) {
			if (!o.ask) throw new UsageError('down --volumes deletes data: add --yes to confirm when there is no terminal');
			if (!(await o.ask(`Delete the volumes of ${name}?`))) {
				out('nothing was stopped or deleted\n');
				return 1;
			}
		}
	}
	const r = await engine.proc.run('docker', ['compose', 'down', ...(o.volumes ? ['--volumes'] : [])], {
		cwd: ref.dir,
		env: composeEnv(),
		inherit: true,
	});
	if (r.exitCode === 0)
		out(
			o.volumes
				? `${name} is down and its volumes are deleted\n`
				: `${name} is down; its volumes are kept (hatch-wizard up ${name} starts it again)\n`,
		);
	return r.exitCode;
}
