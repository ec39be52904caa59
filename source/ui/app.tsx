// The wizard as an app: the Ink UI wired to the real host, files and preset store.

import {dirname} from 'node:path';
import {render} from 'ink';
import {type Image, KEY, type Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import {type Inspection, inspectHost, systemGraphics} from '../host/inspect.js';
import {checkPort} from '../host/preflight.js';
import {identity, realHost} from '../host/probes.js';
import {checkFiles, checkHost, planFiles, readExisting, stackDir, type Target, writeFiles} from '../pipeline.js';
import {shippedPresets} from '../presets.js';
import {checkHostFile} from '../stack.js';
import {type SavedPreset, Store} from '../store.js';
import {eraseRows, rowsOf} from './first-frame.js';
import {FRESH, type StackStart} from './flow.js';
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
}

export async function runWizard(options: RunOptions): Promise<number> {
	const host = realHost();
	const id = identity(host);
	// The preset store (conf + its schema validator) and the shipped YAML load after the first frame.
	let saved: SavedPreset[] = [];
	let shipped: Preset[] = [];
	let store: Store | undefined;
	// The stacks on this host's list whose folder still holds them: each can be edited from its own .env.
	let stacks: (StackStart & {name: string})[] = [];
	const loadStarts = async () => {
		store = await Store.open(id.hostname);
		saved = store.list();
		shipped = shippedPresets();
		stacks = store.stacks().flatMap(r => {
			const existing = readExisting({out: dirname(r.dir), image: r.image});
			return existing?.[KEY.name] === r.name ? [{name: r.name, image: r.image, dir: r.dir, existing}] : [];
		});
		const last = store.last();
		const starts = [
			...(options.preset
				? [{label: `${options.preset.name || 'preset from the command line'} (${options.preset.image})`, value: 'cli:'}]
				: []),
			...stacks.map(t => ({label: `edit ${t.name} (${t.image}, ${t.dir})`, value: `stack:${t.name}`})),
			FRESH,
			...saved
				.sort((a, b) => (a.name === last ? -1 : b.name === last ? 1 : 0))
				.map(p => ({
					label: `new stack from ${p.name}'s answers (saved ${p.savedAt.slice(0, 10)}, ${p.image})`,
					value: `saved:${p.name}`,
				})),
			...shipped.map(p => ({label: `${p.name}: ${p.description ?? p.image}`, value: `shipped:${p.name}`})),
		];
		return {starts, warnings: store.warnings};
	};

	let exitCode = 0;
	let composeVersion: string | undefined;
	// A stack being edited is written where it is; a new one into --out (or the default folder).
	const target = (image: Image, dir?: string): Target => ({
		host,
		out: dir ? dirname(dir) : options.out,
		image,
		version: options.version,
	});
	const deps: WizardDeps = {
		version: options.version,
		identity: id,
		inspect: async () => {
			const i = await (options.inspection ?? inspectHost(host, {graphics: systemGraphics}));
			composeVersion = i.compose.value;
			return i;
		},
		loadStarts,
		stackFor: start => {
			const t = start.startsWith('stack:') ? stacks.find(x => `stack:${x.name}` === start) : undefined;
			return t ? {image: t.image, dir: t.dir, existing: t.existing} : undefined;
		},
		presetFor: start => {
			if (start === 'cli:') return options.preset;
			if (start.startsWith('saved:')) return saved.find(p => `saved:${p.name}` === start);
			if (start.startsWith('shipped:')) return shipped.find(p => `shipped:${p.name}` === start);
			return undefined;
		},
		stackDir: image => stackDir(target(image)),
		loadExisting: image => readExisting(target(image)),
		askWhere: options.askWhere ?? false,
		existingAt: (image, dir) => readExisting(target(image, dir)),
		sets: options.sets,
		plan: (image, values, dir) => planFiles(target(image, dir), values, composeVersion),
		write: writeFiles,
		preflight: async (values, image, dir) => {
			const files = checkFiles(values);
			const {renamed, drift, engine} = await checkHost(target(image, dir), values, {build: true, boot: true});
			// Hand edits of .env that the compose file did not follow are listed first: writing it now applies them.
			return {
				errors: files.errors,
				warnings: [...(renamed ? [renamed] : []), ...files.warnings, ...engine!.warnings],
				notes: [...drift, ...engine!.notes],
				deployErrors: engine!.deployErrors,
			};
		},
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
		onExit: code => {
			exitCode = code;
			app.unmount();
		},
	};
	// A stray rejection from a background probe must not kill the wizard mid-question (and leave the
	// terminal in raw mode); it is reported on stderr instead.
	const onRejection = (reason: unknown) =>
		process.stderr.write(`hatch-wizard: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
	process.on('unhandledRejection', onRejection);
	if (options.shown) process.stdout.write(eraseRows(rowsOf(options.shown, process.stdout.columns || 80)));
	const app = render(<Wizard deps={deps} />, {exitOnCtrlC: false});
	await app.waitUntilExit();
	process.off('unhandledRejection', onRejection);
	return exitCode;
}
