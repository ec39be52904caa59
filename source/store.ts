// What hatch remembers on this machine, per host (keyed by hostname, dots and all), in one 0600 JSON file in
// configDir(): the presets saved there and the stacks written there. Each entry is checked on its own: a bad
// one is skipped with a warning that names it, and moved to a quarantine file at the next save, so the others
// stay usable. Writers take a lock and re-read the file under it, so concurrent commands lose nothing; the
// file is replaced atomically; an unreadable file is moved aside (never overwritten) before a save.
import {chmodSync, copyFileSync, existsSync, mkdirSync, renameSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {type Image, isImage, KEY, type Values} from './core/model.js';
import {isSafeName, NAME_RULE, type Preset, PresetError, toPreset} from './core/preset.js';
import {FileError, readBounded, withLock, writeAtomic} from './files.js';
import {backupPath, timestamp} from './stack.js';

/** $HATCH_CONFIG_DIR, else $XDG_CONFIG_HOME/hatch-wizard, else ~/.config/hatch-wizard. */
export function configDir(env = process.env): string {
	return env.HATCH_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hatch-wizard');
}

/** The store's file in `dir`: presets.json. */
export const storeFile = (dir = configDir()) => join(dir, 'presets.json');

/** The most the store file may hold: far above any real use, and bounded so that reading it stays quick. */
export const STORE_MAX_BYTES = 4_000_000;

export interface SavedPreset extends Preset {
	savedAt: string;
	/** The host facts the preset was made with, to report changes when it is replayed. */
	facts: {user: string; uid: number; gid: number};
}

/** A stack hatch wrote on this host: found again by its name from any folder. */
export interface StackRecord {
	/** The container name (KEY.name). */
	name: string;
	image: Image;
	/** The stack's folder (its .env and docker-compose.yml), absolute. */
	dir: string;
	port: string;
	listen: string;
	created: string;
	updated: string;
}

interface HostEntry {
	presets?: Record<string, unknown>;
	last?: string;
	stacks?: Record<string, unknown>;
}

interface Data {
	hosts: Record<string, HostEntry>;
}

interface HostState {
	presets: Map<string, SavedPreset>;
	stacks: Map<string, StackRecord>;
	last?: string;
}

interface Bad {
	host: string;
	kind: 'preset' | 'stack';
	name: string;
	reason: string;
	entry: unknown;
}

const isRecord = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const own = (o: Record<string, unknown> | undefined, key: string) => !!o && Object.hasOwn(o, key);

/** A name as it may be shown: quoted, with any control character escaped. */
export const shown = (name: string) => JSON.stringify(name);

function savedPreset(name: string, e: unknown): SavedPreset {
	if (!isRecord(e)) throw new PresetError('not a mapping');
	const {savedAt, facts, ...rest} = e;
	let preset: Preset;
	try {
		preset = toPreset({...rest, name}, 'entry');
	} catch (error) {
		// The warning names the entry itself.
		throw new PresetError((error as Error).message.replace(/^entry: /, ''));
	}
	if (typeof savedAt !== 'string') throw new PresetError('savedAt is missing');
	if (
		!isRecord(facts) ||
		typeof facts.user !== 'string' ||
		!Number.isInteger(facts.uid) ||
		!Number.isInteger(facts.gid)
	)
		throw new PresetError('facts must hold user, uid and gid');
	return {...preset, savedAt, facts: {user: facts.user, uid: facts.uid as number, gid: facts.gid as number}};
}

function stackRecord(name: string, e: unknown): StackRecord {
	if (!isRecord(e)) throw new PresetError('not a mapping');
	const text = (k: string) => {
		if (typeof e[k] !== 'string') throw new PresetError(`${k} must be text`);
		return e[k] as string;
	};
	const image = text('image');
	if (!isImage(image)) throw new PresetError(`image must be stem or neuron (got ${shown(image)})`);
	return {
		name,
		image,
		dir: text('dir'),
		port: text('port'),
		listen: text('listen'),
		created: text('created'),
		updated: text('updated'),
	};
}

export class Store {
	readonly warnings: string[] = [];
	readonly path: string;

	private constructor(
		readonly dir: string,
		readonly host: string,
	) {
		this.path = storeFile(dir);
	}

	/**
	 * The store of `host`. Opening it never fails: what cannot be read is skipped, and said in `warnings` (once,
	 * here; reading entries later adds none).
	 */
	static async open(host: string, dir = configDir()): Promise<Store> {
		const store = new Store(dir, host);
		const {data} = store.read(true);
		const bad = [...store.entries(data, 'preset', savedPreset).bad, ...store.entries(data, 'stack', stackRecord).bad];
		for (const b of bad) store.warnings.push(badWords(b, store.quarantine));
		return store;
	}

	/** The file's data, or undefined when it cannot be read (with a warning when `warn`). */
	private read(warn = false): {data: Data; unreadable?: string} {
		if (!existsSync(this.path)) return {data: {hosts: {}}};
		let data: unknown;
		try {
			data = JSON.parse(readBounded(this.path, STORE_MAX_BYTES, 'the preset store'));
		} catch (error) {
			const why =
				error instanceof FileError
					? error.message
					: `the preset store ${this.path} is not JSON (${(error as Error).message})`;
			if (warn) this.warnings.push(`${why}: hatch goes on without it, and moves it aside at the next save`);
			return {data: {hosts: {}}, unreadable: why};
		}
		if (!isRecord(data) || !isRecord(data.hosts)) {
			const why = `the preset store ${this.path} does not hold a "hosts" mapping`;
			if (warn) this.warnings.push(`${why}: hatch goes on without it, and moves it aside at the next save`);
			return {data: {hosts: {}}, unreadable: why};
		}
		return {data: data as unknown as Data};
	}

	private entry(data: Data): HostEntry {
		const e = own(data.hosts, this.host) ? data.hosts[this.host] : undefined;
		return isRecord(e) ? e : {};
	}

	/** The valid entries of one kind, and the bad ones. */
	private entries<T>(
		data: Data,
		kind: Bad['kind'],
		check: (name: string, e: unknown) => T,
	): {good: Map<string, T>; bad: Bad[]} {
		const e = this.entry(data);
		const all = kind === 'preset' ? e.presets : e.stacks;
		const good = new Map<string, T>();
		const bad: Bad[] = [];
		if (!isRecord(all)) return {good, bad};
		for (const name of Object.keys(all).sort()) {
			try {
				if (!isSafeName(name)) throw new PresetError(`the name must be ${NAME_RULE}`);
				good.set(name, check(name, all[name]));
			} catch (error) {
				if (!(error instanceof PresetError)) throw error;
				bad.push({host: this.host, kind, name, reason: error.message, entry: all[name]});
			}
		}
		return {good, bad};
	}

	get quarantine(): string {
		return join(this.dir, 'presets.quarantine.json');
	}

	list(): SavedPreset[] {
		return [...this.entries(this.read().data, 'preset', savedPreset).good.values()];
	}

	get(name: string): SavedPreset | undefined {
		return this.entries(this.read().data, 'preset', savedPreset).good.get(name);
	}

	last(): string | undefined {
		const last = this.entry(this.read().data).last;
		return typeof last === 'string' ? last : undefined;
	}

	stacks(): StackRecord[] {
		return [...this.entries(this.read().data, 'stack', stackRecord).good.values()];
	}

	/** The names of every host the file keeps stacks or presets for (this one among them, when it has any). */
	hosts(): string[] {
		return Object.keys(this.read().data.hosts).sort();
	}

	stack(name: string): StackRecord | undefined {
		return this.entries(this.read().data, 'stack', stackRecord).good.get(name);
	}

	/**
	 * Changes this host's entry under the lock: `change` gets the valid presets and stacks, fresh from the file,
	 * and edits them in place. Bad entries go to the quarantine file; an unreadable file is moved aside first.
	 */
	private update(change: (s: HostState, bad: Bad[]) => void): void {
		mkdirSync(this.dir, {recursive: true, mode: 0o700});
		withLock(this.path, () => {
			const {data, unreadable} = this.read();
			if (unreadable) {
				const aside = `${this.path}.unreadable-${timestamp()}`;
				renameSync(this.path, aside);
				this.warnings.push(`the unreadable preset store was moved to ${aside}`);
			}
			const presets = this.entries(data, 'preset', savedPreset);
			const stacks = this.entries(data, 'stack', stackRecord);
			const bad = [...presets.bad, ...stacks.bad];
			if (bad.length) this.quarantineAll(bad);
			const last = this.entry(data).last;
			const s: HostState = {presets: presets.good, stacks: stacks.good, ...(typeof last === 'string' ? {last} : {})};
			change(s, bad);
			const entry: HostEntry = {
				presets: Object.fromEntries([...s.presets].map(([n, {name: _, ...p}]) => [n, p])),
				...(s.last && s.presets.has(s.last) ? {last: s.last} : {}),
				stacks: Object.fromEntries([...s.stacks].map(([n, {name: _, ...r}]) => [n, r])),
			};
			const text = JSON.stringify({...data, hosts: {...data.hosts, [this.host]: entry}}, null, '\t');
			writeAtomic(this.path, `${text}\n`, 0o600);
		});
	}

	private quarantineAll(bad: Bad[]): void {
		let kept: unknown[] = [];
		if (existsSync(this.quarantine)) {
			let old: unknown;
			try {
				old = JSON.parse(readBounded(this.quarantine, STORE_MAX_BYTES * 4, 'the quarantine file'));
			} catch {
				// Unreadable: moved aside below, as the store itself would be.
			}
			if (Array.isArray(old)) kept = old;
			else {
				const aside = `${this.quarantine}.unreadable-${timestamp()}`;
				renameSync(this.quarantine, aside);
				this.warnings.push(`the unreadable quarantine file was moved to ${aside}`);
			}
		}
		const at = new Date().toISOString();
		writeAtomic(this.quarantine, `${JSON.stringify([...kept, ...bad.map(b => ({...b, at}))], null, '\t')}\n`, 0o600);
	}

	/** Copies the store file to <file>.bak-<time> (0600), and returns that path; undefined when there is none. */
	backup(): string | undefined {
		if (!existsSync(this.path)) return undefined;
		const copy = backupPath(this.path, timestamp());
		copyFileSync(this.path, copy);
		chmodSync(copy, 0o600);
		return copy;
	}

	/** Saves (or replaces) a preset; it becomes the one offered first unless `last` is false. */
	save(preset: Preset, facts: SavedPreset['facts'], options: {last?: boolean} = {}): void {
		if (!isSafeName(preset.name)) throw new PresetError(`preset name ${shown(preset.name)}: it must be ${NAME_RULE}`);
		this.update(s => {
			s.presets.set(preset.name, {...preset, savedAt: new Date().toISOString(), facts});
			if (options.last !== false) s.last = preset.name;
		});
	}

	/** Deletes a saved preset; one that is not valid any more is deleted too (kept in the quarantine file). */
	delete(name: string): boolean {
		let had = false;
		this.update((s, bad) => {
			had = s.presets.delete(name) || bad.some(b => b.kind === 'preset' && b.name === name);
		});
		return had;
	}

	/** Records a stack just written: created the first time, updated after. */
	record(values: Values, image: Image, dir: string): void {
		const name = values[KEY.name] ?? image;
		this.update(s => {
			const now = new Date().toISOString();
			s.stacks.set(name, {
				name,
				image,
				dir,
				port: values[KEY.port] ?? '',
				listen: values[KEY.listen] ?? '',
				created: s.stacks.get(name)?.created ?? now,
				updated: now,
			});
		});
	}

	forget(name: string): boolean {
		let had = false;
		this.update(s => {
			had = s.stacks.delete(name);
		});
		return had;
	}
}

function badWords(b: Bad, quarantine: string): string {
	return (
		`the saved ${b.kind} ${shown(b.name)} on ${b.host} is not valid (${b.reason}): skipped; it is moved to ` +
		`${quarantine} at the next save`
	);
}

/** Host facts that changed since the preset was saved, in words. */
export function changedFacts(saved: SavedPreset['facts'], now: SavedPreset['facts']): string[] {
	const out: string[] = [];
	if (saved.uid !== now.uid) out.push(`your UID was ${saved.uid} when this preset was saved and is ${now.uid} now`);
	if (saved.gid !== now.gid) out.push(`your GID was ${saved.gid} when this preset was saved and is ${now.gid} now`);
	if (saved.user !== now.user) out.push(`you were ${saved.user} when this preset was saved and are ${now.user} now`);
	return out;
}
