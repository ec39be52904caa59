// The wizard as an app: the Ink UI wired to the real host, files and preset store.

import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, posix} from 'node:path';
import {Spinner} from '@inkjs/ui';
import {type Instance, render} from 'ink';
import {IMAGES, type Image, KEY, type Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import {type Inspection, inspectHost, systemGraphics} from '../host/inspect.js';
import {checkPort} from '../host/preflight.js';
import {identity, realHost} from '../host/probes.js';
import {checkFiles, checkHost, planFiles, readExisting, stackDir, type Target, writeFiles} from '../pipeline.js';
import {shippedPresets} from '../presets.js';
import type {Remote} from '../remote-stack.js';
import {checkHostFile, hostFileProblems} from '../stack.js';
import {configDir, type SavedPreset, Store} from '../store.js';
import {eraseRows, rowsOf} from './first-frame.js';
import {FRESH, type StackStart} from './flow.js';
import type {Option} from './questions.js';
import {Wizard, type WizardDeps} from './Wizard.js';

export interface RunOptions {
	version: string;
	out: string;
	sets: Values;
	/** A preset named on the command line (saved or shipped), offered first. */
	preset?: Preset;
	/** The host's inspection, when it was started before the UI loaded. */
	inspection?: Promise<Inspection>;
	/** No --out was given: a new stack's folder is asked for (out is the default offered). */
	askWhere?: boolean;
	/** The plain first frame already on the terminal (first-frame.ts), which the UI's first frame replaces. */
	shown?: string[];
	/** --host TARGET: the stack is made on that Docker host, over SSH... */
	host?: string;
	/** ...in this folder there (--out: absolute, or from the home there; default ~/hatch there). */
	remoteOut?: string;
	/** Said on the welcome screen (e.g. why another host could not be used). */
	notices?: string[];
}

/** How the wizard's screens reach a host: this machine, or a remote Docker host through its staged copy. */
type Switch = (target: string | undefined) => void;

/** The welcome screen's entries that move the wizard to another Docker host ('host:' is this machine). */
async function hostStarts(current: string | undefined, hostname: string): Promise<Option[]> {
	const {sshConfigFile, sshConfigHosts, sshContexts} = await import('../host/remote.js');
	const {readFileSync} = await import('node:fs');
	let text = '';
	try {
		text = readFileSync(sshConfigFile(), 'utf8');
	} catch {
		// no ssh config: no hosts from it
	}
	const contexts: string[] = await sshContexts().catch(() => []);
	const aliases = sshConfigHosts(text);
	const names = [...aliases, ...contexts.filter(c => !aliases.includes(c))];
	return [
		...(current === undefined ? [] : [{label: `on this machine instead (${hostname})`, value: 'host:'}]),
		...names
			.filter(n => n !== current)
			.map(n => ({
				label: `on another Docker host: ${n} (${contexts.includes(n) ? 'docker context' : 'ssh config'})`,
				value: `host:${n}`,
			})),
	];
}

/** This machine: the files here, its engine, its store. */
function localDeps(options: RunOptions, switchHost: Switch, onExit: (code: number) => void): WizardDeps {
	const host = realHost();
	const id = identity(host);
	// The preset store (conf + its schema validator) and the shipped YAML load after the first frame.
	let saved: SavedPreset[] = [];
	let shipped: Preset[] = [];
	let store: Store | undefined;
	// The stacks on this host's list whose folder still holds them: each can be edited from its own .env.
	let stacks: (StackStart & {name: string})[] = [];
	const loadStarts = async () => {
		// The other Docker hosts (an ssh config, docker contexts) are looked for while the store loads.
		const others = hostStarts(undefined, id.hostname).catch(() => []);
		store = await Store.open(id.hostname);
		saved = store.list();
		shipped = shippedPresets();
		stacks = store.stacks().flatMap(r => {
			const existing = readExisting({out: dirname(r.dir), image: r.image});
			return existing?.[KEY.name] === r.name ? [{name: r.name, image: r.image, dir: r.dir, existing}] : [];
		});
		const hosts = await others;
		return {
			starts: startList(options.preset, stacks, saved, shipped, store.last(), hosts),
			warnings: [...(options.notices ?? []), ...store.warnings],
		};
	};

	let composeVersion: string | undefined;
	// A stack being edited is written where it is; a new one into --out (or the default folder).
	const target = (image: Image, dir?: string): Target => ({
		host,
		out: dir ? dirname(dir) : options.out,
		image,
		version: options.version,
	});
	return {
		version: options.version,
		identity: id,
		inspect: async () => {
			const i = await (options.inspection ?? inspectHost(host, {graphics: systemGraphics}));
			composeVersion = i.compose.value;
			return i;
		},
		loadStarts,
		stackFor: start => stackFor(start, stacks),
		presetFor: start => pickPreset(start, options.preset, saved, shipped),
		stackDir: image => stackDir(target(image)),
		loadExisting: image => readExisting(target(image)),
		askWhere: options.askWhere ?? false,
		existingAt: (image, dir) => readExisting(target(image, dir)),
		sets: options.sets,
		plan: (image, values, dir) => planFiles(target(image, dir), values, composeVersion),
		write: writeFiles,
		preflight: async (values, image, dir) => reviewChecks(checkFiles(values), target(image, dir), values),
		check: (key, value) => checkHostFile(key, value).error,
		checkOnSubmit: async (key, value, values) => (key === KEY.port ? checkPort(host, values, value) : undefined),
		save: async (name, image, values, dir) => {
			store!.save({name, image: image, settings: values}, {user: id.user, uid: id.uid, gid: id.gid});
			store!.record(values, image, stackDir(target(image, dir)));
		},
		deploy: (image, values, events, dir) => {
			// Loaded when asked for, not before the first frame.
			const started = import('../docker/deploy.js').then(m =>
				m.deploy(stackDir(target(image, dir)), values, {build: true, boot: true, events}),
			);
			return {done: started.then(d => d.done), cancel: () => void started.then(d => d.cancel())};
		},
		planSshConfig: async (values, keyBlob) => (await import('../sshconfig.js')).planSshConfig(values, keyBlob),
		onExit,
		switchHost,
	};
}

/** The review's checks: the host files' problems, then the engine's and the folder's (checkHost). */
async function reviewChecks(files: {errors: string[]; warnings: string[]}, target: Target, values: Values) {
	const {renamed, drift, engine} = await checkHost(target, values, {build: true, boot: true});
	// Hand edits of .env that the compose file did not follow are listed first: writing it now applies them.
	return {
		errors: files.errors,
		warnings: [...(renamed ? [renamed] : []), ...files.warnings, ...engine!.warnings],
		notes: [...drift, ...engine!.notes],
		deployErrors: engine!.deployErrors,
	};
}

/** Where to start: the command line's preset, the stacks to edit, a new one, saved and shipped presets, hosts. */
function startList(
	preset: Preset | undefined,
	stacks: {name: string; image: Image; dir: string}[],
	saved: SavedPreset[],
	shipped: Preset[],
	last: string | undefined,
	hosts: Option[],
	where = '',
): Option[] {
	return [
		...(preset ? [{label: `${preset.name || 'preset from the command line'} (${preset.image})`, value: 'cli:'}] : []),
		...stacks.map(t => ({label: `edit ${t.name} (${t.image}, ${where}${t.dir})`, value: `stack:${t.name}`})),
		FRESH,
		...saved
			.sort((a, b) => (a.name === last ? -1 : b.name === last ? 1 : 0))
			.map(p => ({
				label: `new stack from ${p.name}'s answers (saved ${p.savedAt.slice(0, 10)}, ${p.image})`,
				value: `saved:${p.name}`,
			})),
		...shipped.map(p => ({label: `${p.name}: ${p.description ?? p.image}`, value: `shipped:${p.name}`})),
		...hosts,
	];
}

/** The stack on the list that a 'stack:NAME' start edits. */
function stackFor(start: string, stacks: (StackStart & {name: string})[]): StackStart | undefined {
	const t = start.startsWith('stack:') ? stacks.find(x => `stack:${x.name}` === start) : undefined;
	return t ? {image: t.image, dir: t.dir, existing: t.existing} : undefined;
}

function pickPreset(start: string, cli: Preset | undefined, saved: SavedPreset[], shipped: Preset[]) {
	if (start === 'cli:') return cli;
	if (start.startsWith('saved:')) return saved.find(p => `saved:${p.name}` === start);
	if (start.startsWith('shipped:')) return shipped.find(p => `shipped:${p.name}` === start);
	return undefined;
}

/**
 * A remote Docker host (remote-stack.ts): its stacks' folders are staged under a local folder that mirrors the
 * paths there, so the pipeline plans as for a local stack; the changes go back over the one connection.
 */
async function remoteDeps(
	options: RunOptions,
	remote: Remote,
	rs: typeof import('../remote-stack.js'),
	switchHost: Switch,
	onExit: (code: number) => void,
): Promise<WizardDeps> {
	const id = identity(remote.host);
	const out = rs.remoteOut(remote, options.host === remote.text ? options.remoteOut : undefined);
	const root = mkdtempSync(join(tmpdir(), 'hatch-stage-'));
	// It holds the stacks' .env files there and their carried files: gone when the wizard ends, however it ends.
	const drop = () => rmSync(root, {recursive: true, force: true});
	process.once('exit', drop);
	const {onInterrupt} = await import('../docker/proc.js');
	onInterrupt(() => {
		drop();
		process.exit(130);
	});
	// A path there, staged under root: made absolute and normalized first, so no path leads out of root.
	const here = (path: string) => join(root, posix.resolve('/', path));
	const store = await Store.open(rs.storeKey(remote.text));
	const records = store.stacks();
	// Stage what the screens read without waiting: each image's default folder and every recorded stack's.
	const dirs = [...new Set([...IMAGES.map(i => posix.join(out, i)), ...records.map(r => r.dir)])];
	const read = new Map(await Promise.all(dirs.map(async d => [d, await rs.fetchStack(remote, d, here(d))] as const)));
	const stacks = records.flatMap(r => {
		const existing = readExisting({out: here(posix.dirname(r.dir)), image: r.image});
		return existing?.[KEY.name] === r.name ? [{name: r.name, image: r.image, dir: r.dir, existing}] : [];
	});
	const saved = store.list();
	const shipped = shippedPresets();
	// Every value the stacks' .env files there hold.
	const heldThere = new Set(
		dirs.flatMap(d =>
			Object.values(readExisting({out: here(posix.dirname(d)), image: posix.basename(d) as Image}) ?? {}),
		),
	);
	let composeVersion: string | undefined;
	/** The stack's folder there (the default one for the image, or the one being edited). */
	const dirThere = (image: Image, dir?: string) => dir ?? posix.join(out, image);
	const target = (image: Image, dir?: string): Target => ({
		host: remote.host,
		out: here(posix.dirname(dirThere(image, dir))),
		image,
		version: options.version,
	});
	const jump = rs.via(remote, {}, {dir: out}).jump;
	/** The stack's folder there with what its .env said when it was read (its paths are paths there). */
	const thereOf = (image: Image, dir?: string) => {
		const existing = readExisting(target(image, dir));
		return {dir: dirThere(image, dir), ...(existing ? {existing} : {})};
	};
	return {
		version: options.version,
		identity: id,
		remote: {label: remote.text, jump},
		inspect: async () => {
			const i = await inspectHost(remote.host, {graphics: async () => [], keysFrom: realHost()});
			composeVersion = i.compose.value;
			return i;
		},
		loadStarts: async () => ({
			starts: startList(
				options.preset,
				stacks,
				saved,
				shipped,
				store.last(),
				await hostStarts(remote.text, identity(realHost()).hostname).catch(() => []),
				`${remote.text}:`,
			),
			warnings: store.warnings,
		}),
		stackFor: start => stackFor(start, stacks),
		presetFor: start => pickPreset(start, options.preset, saved, shipped),
		stackDir: image => dirThere(image),
		loadExisting: image => readExisting(target(image)),
		sets: options.sets,
		plan: async (image, values, dir) => {
			const there = dirThere(image, dir);
			const carry = rs.carryFiles(values, thereOf(image, dir), here(there));
			const changes = await planFiles(target(image, dir), carry.values, composeVersion, {
				dir: there,
				files: carry.files,
			});
			// The review names each file by its path there (its diff headers by TARGET:/path).
			const prefix = `${remote.text}:`;
			return rs.relabel(changes, here(there), there, remote.text).map(c => ({...c, path: c.path.slice(prefix.length)}));
		},
		writeHere: writeFiles,
		// Sent back from the staged copy.
		write: async changes => {
			const dir = posix.dirname(changes.find(c => c.path.endsWith('/.env'))!.path);
			return rs.pushChanges(
				remote,
				dir,
				here(dir),
				changes.map(c => ({...c, path: here(c.path)})),
				read.get(dir),
			);
		},
		preflight: async (values, image, dir) =>
			reviewChecks(
				hostFileProblems(values, await rs.remoteFiles(remote, values, thereOf(image, dir))),
				target(image, dir),
				values,
			),
		// At the question, only a file of this side (a key or secrets file to carry there); a path a stack's .env
		// there already holds is a path there, and the review checks the rest there.
		check: (key, value) =>
			rs.carried(key, value, {dir: out}) && !heldThere.has(value) && !value.includes('/host-files/')
				? checkHostFile(key, value).error
				: undefined,
		checkOnSubmit: async (key, value, values) => (key === KEY.port ? checkPort(remote.host, values, value) : undefined),
		save: async (name, image, values, dir) => {
			store.save({name, image, settings: values}, {user: id.user, uid: id.uid, gid: id.gid});
			store.record(values, image, dirThere(image, dir));
		},
		deploy: (image, values, events, dir) => {
			const started = import('../docker/deploy.js').then(m =>
				m.deploy(dirThere(image, dir), values, {
					build: true,
					boot: true,
					events,
					engine: remote.engine,
					logDir: join(configDir(), 'logs', rs.slug(remote.text), values[KEY.name] ?? image),
				}),
			);
			return {done: started.then(d => d.done), cancel: () => void started.then(d => d.cancel())};
		},
		planSshConfig: async (values, keyBlob) =>
			(await import('../sshconfig.js')).planSshConfig(values, keyBlob, undefined, rs.via(remote, values, {dir: out})),
		onExit,
		switchHost,
	};
}

function Connecting({target}: {target: string}) {
	return <Spinner label={`connecting to ${target} over SSH…`} />;
}

export async function runWizard(options: RunOptions): Promise<number> {
	let exitCode = 0;
	let app: Instance | undefined;
	const onExit = (code: number) => {
		exitCode = code;
		app?.unmount();
	};
	let shown = 0;
	const show = (deps: WizardDeps) => app?.rerender(<Wizard key={++shown} deps={deps} />);
	// The welcome screen's other hosts: the wizard starts again there (or here), its answers so far dropped.
	const switchHost: Switch = target => {
		if (target === undefined) return show(localDeps({...options, inspection: undefined}, switchHost, onExit));
		app?.rerender(<Connecting target={target} />);
		void open(target).then(show, (error: Error) =>
			show(
				localDeps(
					{...options, inspection: undefined, notices: [`could not use ${target}: ${error.message}`]},
					switchHost,
					onExit,
				),
			),
		);
	};
	const open = async (target: string) => {
		const rs = await import('../remote-stack.js');
		return remoteDeps(options, await rs.connect(target), rs, switchHost, onExit);
	};
	const first = options.host === undefined ? localDeps(options, switchHost, onExit) : await open(options.host);
	// A stray rejection from a background probe must not kill the wizard mid-question (and leave the
	// terminal in raw mode); it is reported on stderr instead.
	const onRejection = (reason: unknown) =>
		process.stderr.write(`hatch-wizard: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
	process.on('unhandledRejection', onRejection);
	if (options.shown) process.stdout.write(eraseRows(rowsOf(options.shown, process.stdout.columns || 80)));
	app = render(<Wizard key={shown} deps={first} />, {exitOnCtrlC: false});
	await app.waitUntilExit();
	process.off('unhandledRejection', onRejection);
	return exitCode;
}
