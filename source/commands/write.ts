// `hatch-wizard [options]`: write a stack. In a terminal, the wizard asks; with --yes (or --dry-run) nothing is
// asked: the values come from the stack's .env, a preset and --set, and each step of the write pipeline prints
// what it found, then the build, start and readiness check run as plain lines.
import {dirname, join} from 'node:path';
import {fieldsFor, type Image, KEY, type Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import {parseSets} from '../core/resolve.js';
import {identity, realHost} from '../host/probes.js';
import {imageOption, outDir, UsageError} from './common.js';

// What only --yes needs (the pipeline, YAML, diffs, the preset store) loads when it runs: the wizard's first
// frame waits for none of it.

export interface WriteOptions {
	version: string;
	image?: string;
	preset?: string;
	presetFile?: string;
	set: string[];
	out?: string;
	yes: boolean;
	dryRun: boolean;
	build: boolean;
	boot: boolean;
	sshConfig: boolean;
	force: boolean;
	/** --host TARGET: the stack is written and run on that Docker host, over SSH. */
	host?: string;
}

/** The preset named by --preset (saved on this host, else shipped) or read from --preset-file. */
async function loadPreset(
	name: string | undefined,
	file: string | undefined,
	storeKey?: string,
): Promise<Preset | undefined> {
	if (name && file) throw new UsageError('use either --preset or --preset-file, not both');
	if (file) {
		const [{readBounded, FileError}, {PRESET_FILE_MAX}] = await Promise.all([
			import('../files.js'),
			import('./presets.js'),
		]);
		let text: string;
		try {
			text = readBounded(file, PRESET_FILE_MAX, '--preset-file');
		} catch (error) {
			if (error instanceof FileError) throw new UsageError(error.message);
			throw error;
		}
		return (await import('../core/preset.js')).parsePresetYaml(text, file);
	}
	if (!name) return undefined;
	const id = identity(realHost());
	const {changedFacts, Store} = await import('../store.js');
	const store = await Store.open(storeKey ?? id.hostname);
	for (const w of store.warnings) warn(w);
	const saved = store.get(name);
	if (!saved) return (await import('../presets.js')).findShippedPreset(name);
	// A preset remembers the host it was made on: say what changed rather than silently differ.
	for (const change of storeKey ? [] : changedFacts(saved.facts, {user: id.user, uid: id.uid, gid: id.gid})) {
		process.stderr.write(`note: ${change}; the preset's values are used (override with --set)\n`);
	}
	return saved;
}

/**
 * The wizard: its first frame is written at once as plain text, the host's inspection starts, and the terminal
 * UI takes over the screen when it has loaded.
 */
async function wizard(
	version: string,
	out: string,
	sets: Record<string, string>,
	preset: Preset | undefined,
	askWhere: boolean,
): Promise<number> {
	const host = realHost();
	const [{PROBE_LABELS, inspectHost, systemGraphics}, {firstFrameLines}] = await Promise.all([
		import('../host/inspect.js'),
		import('../ui/first-frame.js'),
	]);
	const {colorFor} = await import('../core/describe.js');
	const color = colorFor(process.stdout.isTTY, process.env);
	const shown = firstFrameLines({version, identity: identity(host), labels: PROBE_LABELS}, color);
	process.stdout.write(`${shown.join('\n')}\n`);
	const inspection = inspectHost(host, {graphics: systemGraphics});
	inspection.catch(() => {}); // a failure is the wizard's to show, once it asks for the result
	// The preset store loads beside the UI, so the welcome screen's list of starts is ready with its first frame.
	const [{runWizard}] = await Promise.all([import('../ui/app.js'), import('../store.js')]);
	return runWizard({version, out, sets, ...(preset ? {preset} : {}), inspection, shown, askWhere});
}

const told = new Set<string>();
/** A warning, said once however many times the store is opened in this run. */
function warn(w: string): void {
	if (!told.has(w)) process.stderr.write(`warning: ${w}\n`);
	told.add(w);
}

/**
 * After a write: the stack goes on this host's list (found by name from any folder after) and its answers are
 * saved under its name. A store that cannot be written is a warning: the stack itself is written.
 */
export async function remember(
	id: {hostname: string; user: string; uid: number; gid: number},
	image: Image,
	values: Values,
	dir: string,
	storeKey = id.hostname,
): Promise<string[]> {
	const {Store} = await import('../store.js');
	try {
		const store = await Store.open(storeKey);
		store.save({name: values[KEY.name]!, image, settings: values}, {user: id.user, uid: id.uid, gid: id.gid});
		store.record(values, image, dir);
		return store.warnings;
	} catch (error) {
		return [`the stack was written, but hatch could not remember it: ${(error as Error).message}`];
	}
}

export async function writeCommand(opts: WriteOptions): Promise<number> {
	told.clear();
	const chosen = imageOption(opts.image);
	const rs = opts.host === undefined ? undefined : await import('../remote-stack.js');
	const key = rs && opts.host !== undefined ? rs.storeKey(opts.host) : undefined;
	const preset = await loadPreset(opts.preset, opts.presetFile, key);
	const image: Image = chosen ?? preset?.image ?? 'stem';
	if (preset && preset.image !== image)
		throw new UsageError(`the preset is for ${preset.image} but --image is ${image}`);
	const {sets, errors} = parseSets(
		opts.set,
		fieldsFor(image).map(f => f.key),
	);
	if (errors.length) throw new UsageError(errors.join('\n'));

	if (!opts.yes && !opts.dryRun) {
		if (!process.stdin.isTTY || !process.stdout.isTTY || process.env.CI) {
			throw new UsageError(
				'the wizard needs a terminal; without one, pass --yes (with --set KEY=VALUE, --preset NAME or ' +
					'--preset-file FILE), or --dry-run to only look',
			);
		}
		if (opts.host !== undefined) {
			// The connection is made first (its failure said plainly); the first frame is that host's. --out is a
			// folder there.
			const {runWizard} = await import('../ui/app.js');
			return runWizard({
				version: opts.version,
				out: '',
				sets,
				...(preset ? {preset} : {}),
				host: opts.host,
				...(opts.out === undefined ? {} : {remoteOut: opts.out}),
			});
		}
		return wizard(opts.version, outDir(opts.out), sets, preset, opts.out === undefined);
	}
	const [
		{ansi, changeLines, colorFor},
		{checkValues, describeOverride, resolveConfig},
		{factsFrom, inspectHost},
		pipeline,
	] = await Promise.all([
		import('../core/describe.js'),
		import('../core/resolve.js'),
		import('../host/inspect.js'),
		import('../pipeline.js'),
	]);
	// Where the stack is: this machine, or the Docker host of --host (its folder staged here, its changes sent back).
	const place =
		rs && opts.host !== undefined
			? rs.remotePlace(await rs.connect(opts.host), opts.out, image)
			: pipeline.localPlace(realHost(), outDir(opts.out), image);
	try {
		const existing = await place.open();
		const facts = factsFrom(await inspectHost(place.host, place.inspect));
		const shownEnv = place.named(join(place.dir, '.env'));
		const where = place.named(place.dir);
		const resolved = resolveConfig({image, facts, existing, preset: preset?.settings, sets});
		// A new stack's default port that something already holds there: the next free one, said, not a failed start.
		if (!existing && sets[KEY.port] === undefined && preset?.settings[KEY.port] === undefined && !opts.dryRun) {
			const {avoidBusyPort} = await import('../host/preflight.js');
			const moved = await avoidBusyPort(place.host, resolved.values);
			if (moved) {
				resolved.values[KEY.port] = moved.port;
				process.stdout.write(`note: ${moved.note}\n`);
			}
		}
		const values = checkValues(image, resolved.values, facts, preset);
		const files = await place.checkFiles(resolved.values, existing);
		const checked = {errors: [...values.errors, ...files.errors], warnings: [...files.warnings, ...values.warnings]};
		if (resolved.overrides.length && !opts.force) {
			// Hand edits win: a preset (or a replay of a saved one) never quietly undoes what the user changed.
			process.stderr.write(
				`error: the preset would change what your ${shownEnv} ` +
					`says:\n${resolved.overrides.map(o => `  ${describeOverride(o)}\n`).join('')}`,
			);
			process.stderr.write(
				`Keep yours with --set KEY=VALUE for each, or apply the preset's with --force. Nothing was written.\n`,
			);
			return 2;
		}
		if (checked.errors.length) {
			for (const p of checked.errors) process.stderr.write(`error: ${p}\n`);
			process.stderr.write(`Fix with --set KEY=VALUE${existing ? ` or edit ${shownEnv}` : ''}.\n`);
			return 2;
		}
		// A dry run asks nothing of the engine; a real run checks what the build and start need before writing.
		const deploy = {build: !opts.dryRun && opts.build, boot: !opts.dryRun && opts.boot};
		const {renamed, drift, engine} = await pipeline.checkHost(place.target(opts.version), resolved.values, deploy);
		for (const d of drift) process.stdout.write(`note: ${d}\n`);
		for (const w of [...checked.warnings, ...(renamed ? [renamed] : [])]) process.stderr.write(`warning: ${w}\n`);
		if (engine?.deployErrors.length) {
			const {refusal} = await import('../host/preflight.js');
			for (const l of refusal(engine.deployErrors, false)) process.stderr.write(`${l.text}\n`);
			return 2;
		}
		for (const w of engine?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
		for (const n of engine?.notes ?? []) process.stdout.write(`note: ${n}\n`);

		const plan = await place.plan(resolved.values, existing, opts.version, facts.composeVersion);
		const {changes, values: v} = plan;
		const pending = changes.filter(c => c.state !== 'unchanged');
		// .env and compose are always listed; build-context files only when they change.
		const color = colorFor(process.stdout.isTTY, process.env);
		process.stdout.write(
			ansi(
				place
					.shown(changes)
					.filter(c => c.showDiff || c.state !== 'unchanged')
					.flatMap(c => changeLines(c)),
				color,
			),
		);
		if (opts.dryRun) {
			process.stdout.write(
				pending.length
					? `Dry run: ${pending.length} file(s) would be written; nothing was written.\n`
					: `Nothing to do: ${where} is up to date.\n`,
			);
			return 0;
		}
		if (pending.length === 0) process.stdout.write(`Nothing to write: ${where} is up to date.\n`);
		else {
			const done = await place.write(changes);
			for (const c of done.filter(c => c.backup)) process.stdout.write(`backup    ${c.backup}\n`);
			process.stdout.write(`Wrote ${pending.length} file(s) to ${where}.\n`);
		}
		// The answers as given (this side's key path, not its copy there), so a preset made here replays anywhere.
		for (const w of await remember(identity(place.host), image, resolved.values, place.dir, place.storeKey)) warn(w);
		if (opts.sshConfig && !opts.boot) {
			process.stderr.write(
				`note: --ssh-config was not applied: it pins the container's host key, which exists once the container ` +
					`has started; run again without --no-boot (or later: hatch-wizard --yes ` +
					`--no-build --ssh-config ${place.hostOption}--out ${place.quote(dirname(place.dir))})\n`,
			);
		}
		if (!opts.build && !opts.boot) {
			process.stdout.write(place.next(v));
			return 0;
		}
		const {deployPlain} = await import('../docker/plain.js');
		return deployPlain(place.dir, v, {
			build: opts.build,
			boot: opts.boot,
			sshConfig: opts.sshConfig,
			...(await place.deploy(v, resolved.values, existing)),
		});
	} finally {
		place.close();
	}
}
