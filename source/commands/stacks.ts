// The stacks hatch wrote on this host, by name from any folder: `list`, `forget`, `up`, `down`, `rebuild`, and
// how every stack command finds its stack (a name; else --out/--image as before; else the only one there is).
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {parseEnv} from '../core/env.js';
import {type Image, KEY, localAddress} from '../core/model.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {deployPlain} from '../docker/plain.js';
import {composeEnv} from '../docker/proc.js';
import {readBounded} from '../files.js';
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

/** Every registered stack's live state, looked at in parallel, each look under a deadline. */
export async function stackStates(records: StackRecord[], engine: Engine = realEngine): Promise<StackState[]> {
	return Promise.all(
		records.map(async rec => {
			let folder: StackState['folder'] = 'ok';
			try {
				fromRecord(rec);
			} catch {
				folder = existsSync(join(rec.dir, '.env')) ? 'other' : 'missing';
			}
			const r = await engine.proc.run('docker', ['inspect', '--format', '{{.State.Status}}', rec.name], {
				timeoutMs: LOOK_MS,
			});
			const container =
				r.exitCode === 0 ? r.stdout.trim() : /no such (object|container)/i.test(r.stderr) ? 'absent' : 'unknown';
			const port = Number(rec.port);
			const ssh =
				container === 'running' && port > 0
					? await engine.ready.answers(localAddress(rec.listen || '0.0.0.0'), port)
					: undefined;
			return {...rec, folder, container, ...(ssh === undefined ? {} : {ssh})};
		}),
	);
}

/** `list`: one line per stack (or --json). */
export async function listCommand(
	store: Store,
	json: boolean,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const states = await stackStates(store.stacks(), engine);
	if (json) {
		out(`${JSON.stringify(states, null, 2)}\n`);
		return 0;
	}
	if (!states.length) {
		out(`no stacks on ${store.host} yet: hatch-wizard writes one\n`);
		return 0;
	}
	for (const s of states) {
		const where =
			s.folder === 'ok'
				? s.dir
				: s.folder === 'missing'
					? `${s.dir} (gone: moved or deleted? hatch-wizard forget ${s.name})`
					: `${s.dir} (now holds another stack)`;
		const ssh = s.ssh === undefined ? '' : s.ssh ? `, ssh answers on ${s.port}` : `, ssh NOT answering on ${s.port}`;
		out(`${s.name.padEnd(20)} ${s.image.padEnd(7)} ${s.container}${ssh}\n  ${where}\n`);
	}
	return 0;
}

/** `forget NAME`: takes a stack off the list; its files and container are left as they are. */
export function forgetCommand(store: Store, name: string | undefined, out: (s: string) => void): number {
	if (!name) throw new UsageError('forget needs the name of a stack (see: hatch-wizard list)');
	if (!store.forget(name)) throw new UsageError(`no stack named ${shown(name)} on ${store.host}`);
	out(`forgot ${name}: its folder, container and volumes are untouched\n`);
	return 0;
}

/** `up NAME`: starts the stack's container (no build) and waits until SSH works. */
export function upCommand(ref: StackRef, engine?: Engine): Promise<number> {
	return deployPlain(ref.dir, ref.values, {build: false, boot: true, sshConfig: false, ...(engine ? {engine} : {})});
}

/** `rebuild NAME [--no-cache]`: builds the image again, recreates the container, waits until SSH works. */
export function rebuildCommand(ref: StackRef, noCache: boolean, engine?: Engine): Promise<number> {
	return deployPlain(ref.dir, ref.values, {
		build: true,
		boot: true,
		sshConfig: false,
		noCache,
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
