// hatch-wizard entry point: argument parsing and dispatch. Heavy modules (Ink, probes) load only when used.
import {readFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {parseArgs} from 'node:util';
import pkg from '../package.json' with {type: 'json'};
import {changeWord, diffTones} from './core/diff.js';
import {parseEnv} from './core/env.js';
import {FIELDS, factWarnings, IMAGES, type Image, isImage, loginCommand} from './core/model.js';
import {missingForPreset, type Preset, PresetError, parsePresetYaml} from './core/preset.js';
import {describeOverride, parseSets, resolveConfig} from './core/resolve.js';
import {describeProbes, factsFrom, type Inspection, inspectHost, systemGraphics} from './host/inspect.js';
import {identity, realHost} from './host/probes.js';
import {findShippedPreset, presetsCommand} from './presets.js';
import {
	apply,
	compare,
	fileSystemProblem,
	hostFileProblems,
	planStack,
	readTextFile,
	stackDrift,
	stackIdentity,
} from './stack.js';
import {changedFacts, PresetStore} from './store.js';

export const USAGE = `hatch-wizard ${pkg.version}: SSH-able dev containers (stem, neuron) for your Docker host

Usage:
  hatch-wizard [options]            the wizard in a terminal; with --yes, no questions asked
  hatch-wizard inspect [--json]     what hatch sees on this host (for scripts and bug reports)
  hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME
  hatch-wizard ssh-config --remove NAME   take hatch's Host block and pinned key for NAME out of ~/.ssh
  hatch-wizard status | logs [-f]   the stack's container and a real SSH check | its log
  hatch-wizard bindu-update [--subtree DIR] [--delete [--yes]]
                                    pull the dotfiles again into ~/.config (only DIR, if given); --delete
                                    also removes files the repository dropped, after listing them and
                                    asking (or --yes), keeping a .bak-<time> copy; secrets.env* never
  hatch-wizard publish --repo NAME --version X.Y.Z   build once, push NAME:X.Y.Z and NAME:latest
  (these take --image and --out to find the stack)

A stack is <out>/<image>/: docker-compose.yml, .env and image/ (the build context).

Options:
  --image stem|neuron               which image (default: the preset's, else stem)
  --preset NAME                     start from a preset saved on this host, or a shipped one
  --preset-file FILE                start from a preset file (YAML: image, settings)
  --set KEY=VALUE                   set one .env value; repeat as needed (unknown keys list the valid ones)
  --out DIR                         write to DIR/<image>/ (default: $DOCKER/services/<host>/, else .)
  --yes                             no questions: write, build, start, wait until SSH works
  --no-build, --no-boot             with --yes: skip the build / the start (both: only write the files)
  --ssh-config                      with --yes: add a Host block to ~/.ssh/config and pin the host key
  --dry-run                         print what would be written and the diff; write nothing
  --force                           with --preset: let the preset replace values you changed in .env
  --help, --version

Exit codes: 0 ok, 2 usage or validation error, 1 other failure, 130 interrupted.
`;

export class UsageError extends Error {}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

/** A y/N question on the terminal (only called when stdin and stdout are one). */
async function askYesNo(question: string): Promise<boolean> {
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stdout});
	try {
		return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
	} finally {
		rl.close();
	}
}

function colorDiff(diff: string): string {
	const ansi = {added: '32', removed: '31', hunk: '', plain: ''};
	return `${diffTones(diff)
		.map(l => (ansi[l.tone] ? paint(ansi[l.tone], l.text) : l.text))
		.join('\n')}\n`;
}

async function loadPreset(name: string | undefined, file: string | undefined): Promise<Preset | undefined> {
	if (name && file) throw new UsageError('use either --preset or --preset-file, not both');
	if (file) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			throw new UsageError(
				`--preset-file ${file}: ` +
					`${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
			);
		}
		return parsePresetYaml(text, file);
	}
	if (!name) return undefined;
	const id = identity(realHost());
	const store = await PresetStore.open(id.hostname);
	for (const w of store.warnings) process.stderr.write(`warning: ${w}\n`);
	const saved = store.get(name);
	if (!saved) return findShippedPreset(name);
	// A preset remembers the host it was made on: say what changed rather than silently differ.
	for (const change of changedFacts(saved.facts, {user: id.user, uid: id.uid, gid: id.gid})) {
		process.stderr.write(`note: ${change}; the preset's values are used (override with --set)\n`);
	}
	return saved;
}

export function defaultOutDir(env: Record<string, string | undefined>, hostname: string, cwd: string): string {
	return env.DOCKER ? join(env.DOCKER, 'services', hostname) : cwd;
}

async function writeCommand(opts: {
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
}): Promise<number> {
	if (opts.image !== undefined && !isImage(opts.image))
		throw new UsageError(`--image must be one of: ${IMAGES.join(', ')} (got "${opts.image}")`);
	const preset = await loadPreset(opts.preset, opts.presetFile);
	const image: Image = (opts.image as Image | undefined) ?? preset?.image ?? 'stem';
	if (preset && preset.image !== image)
		throw new UsageError(`the preset is for ${preset.image} but --image is ${image}`);
	const {sets, errors} = parseSets(
		opts.set,
		FIELDS.filter(f => f.images.includes(image)).map(f => f.key),
	);
	if (errors.length) throw new UsageError(errors.join('\n'));

	const out = resolve(opts.out ?? defaultOutDir(process.env, identity(realHost()).hostname, process.cwd()));
	if (!opts.yes && !opts.dryRun) {
		if (!process.stdin.isTTY || !process.stdout.isTTY || process.env.CI) {
			throw new UsageError(
				'the wizard needs a terminal; without one, pass --yes (with --set KEY=VALUE, --preset NAME or ' +
					'--preset-file FILE), or --dry-run to only look',
			);
		}
		const {runWizard} = await import('./ui/run.js');
		return runWizard({version: pkg.version, out, sets, ...(preset ? {preset} : {})});
	}
	const facts = factsFrom(await inspectHost(realHost()));
	const dir = join(out, image);
	const envPath = join(dir, '.env');
	const envText = readTextFile(envPath);
	const existing = envText === undefined ? undefined : parseEnv(envText);
	const resolved = resolveConfig({image, facts, existing, preset: preset?.settings, sets});
	const fileCheck = hostFileProblems(resolved.values);
	const problems = [
		...resolved.problems.map(p => p.message),
		...missingForPreset(preset, resolved.values),
		...fileCheck.errors,
	];
	if (resolved.overrides.length && !opts.force) {
		// Hand edits win: a preset (or a replay of a saved one) never quietly undoes what the user changed.
		process.stderr.write(
			`error: the preset would change what your ${envPath} ` +
				`says:\n${resolved.overrides.map(o => `  ${describeOverride(o)}\n`).join('')}`,
		);
		process.stderr.write(
			`Keep yours with --set KEY=VALUE for each, or apply the preset's with --force. Nothing was written.\n`,
		);
		return 2;
	}
	if (problems.length) {
		for (const p of problems) process.stderr.write(`error: ${p}\n`);
		process.stderr.write(`Fix with --set KEY=VALUE${existing ? ` or edit ${envPath}` : ''}.\n`);
		return 2;
	}
	const {preflight, refusal, renameWarning} = await import('./host/preflight.js');
	const names = stackIdentity(image, dir);
	const renamed = await renameWarning(realHost(), existing, resolved.values, names);
	for (const d of stackDrift(image, dir)) process.stdout.write(`note: ${d}; rewriting docker-compose.yml applies it\n`);
	for (const w of [
		...fileCheck.warnings,
		...factWarnings(image, resolved.values, facts),
		...(renamed ? [renamed] : []),
	])
		process.stderr.write(`warning: ${w}\n`);
	if (!opts.dryRun && (opts.build || opts.boot)) {
		// Before anything is written: what the build and start need from this engine.
		const checks = await preflight(realHost(), resolved.values, {build: opts.build, boot: opts.boot}, names);
		if (checks.deployErrors.length) {
			for (const l of refusal(checks.deployErrors, false)) process.stderr.write(`${l.text}\n`);
			return 2;
		}
		for (const w of checks.warnings.filter(w => !fileCheck.warnings.includes(w)))
			process.stderr.write(`warning: ${w}\n`);
		for (const n of checks.notes) process.stdout.write(`note: ${n}\n`);
	}

	const changes = await compare(
		planStack(image, resolved.values, out, {composeVersion: facts.composeVersion, version: pkg.version}),
	);
	const pending = changes.filter(c => c.state !== 'unchanged');
	// .env and compose are always listed; build-context files only when they change.
	for (const c of changes.filter(c => c.showDiff || c.state !== 'unchanged')) {
		process.stdout.write(`${changeWord(c.state).padEnd(9)} ${c.path}\n`);
		if (c.diff) process.stdout.write(colorDiff(c.diff));
	}
	if (opts.dryRun) {
		process.stdout.write(
			pending.length
				? `Dry run: ${pending.length} file(s) would be written; nothing was written.\n`
				: `Nothing to do: ${dir} is up to date.\n`,
		);
		return 0;
	}
	if (pending.length === 0) process.stdout.write(`Nothing to write: ${dir} is up to date.\n`);
	else {
		const done = await apply(changes);
		for (const c of done.filter(c => c.backup)) process.stdout.write(`backup    ${c.backup}\n`);
		process.stdout.write(`Wrote ${pending.length} file(s) to ${dir}.\n`);
	}
	const v = resolved.values;
	if (opts.sshConfig && !opts.boot) {
		process.stderr.write(
			`note: --ssh-config was not applied: it pins the container's host key, which exists once the container has ` +
				`started; run again without --no-boot (or later: hatch-wizard --yes ` +
				`--no-build --ssh-config --out ${out})\n`,
		);
	}
	if (!opts.build && !opts.boot) {
		process.stdout.write(`Next: cd ${dir} && docker compose up -d --build\nThen: ${loginCommand(v)}\n`);
		return 0;
	}
	const {deployPlain} = await import('./docker/plain.js');
	return deployPlain(dir, v, {build: opts.build, boot: opts.boot, sshConfig: opts.sshConfig});
}

const MARK = {ok: '✔', missing: '–', timeout: '⏱', error: '✗'} as const;

function describeInspection(i: Inspection): string {
	const you =
		`✔ ${'you'.padEnd(9)} ${i.identity.user} (${i.identity.uid}:${i.identity.gid}) on ` +
		`${i.identity.hostname}, home ${i.identity.home}\n`;
	return (
		you +
		describeProbes(i)
			.map(
				l =>
					`${MARK[l.status]} ${l.label.padEnd(9)} ` +
					`${l.text}\n${l.hint && l.status !== 'ok' ? `            → ${l.hint}\n` : ''}`,
			)
			.join('')
	);
}

async function inspectCommand(json: boolean): Promise<number> {
	const i = await inspectHost(realHost(), {graphics: systemGraphics});
	process.stdout.write(json ? `${JSON.stringify(i, null, 2)}\n` : describeInspection(i));
	return 0;
}

function parseArgv(argv: string[]) {
	// `publish --version X.Y.Z` takes a value; everywhere else --version prints hatch's own.
	const publishing = argv.includes('publish');
	return parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			image: {type: 'string'},
			preset: {type: 'string'},
			'preset-file': {type: 'string'},
			set: {type: 'string', multiple: true, default: []},
			out: {type: 'string'},
			yes: {type: 'boolean', short: 'y', default: false},
			'dry-run': {type: 'boolean', default: false},
			json: {type: 'boolean', default: false},
			'no-build': {type: 'boolean', default: false},
			'no-boot': {type: 'boolean', default: false},
			'ssh-config': {type: 'boolean', default: false},
			force: {type: 'boolean', default: false},
			remove: {type: 'string'},
			follow: {type: 'boolean', short: 'f', default: false},
			subtree: {type: 'string'},
			delete: {type: 'boolean', default: false},
			repo: {type: 'string'},
			help: {type: 'boolean', short: 'h', default: false},
			version: publishing ? {type: 'string'} : {type: 'boolean', short: 'v', default: false},
		},
	});
}

export async function main(argv: string[]): Promise<number> {
	let parsed: ReturnType<typeof parseArgv>;
	try {
		parsed = parseArgv(argv);
	} catch (error) {
		process.stderr.write(`hatch-wizard: ${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	const o = parsed.values;
	if (o.help) {
		process.stdout.write(USAGE);
		return 0;
	}
	if (o.version === true) {
		process.stdout.write(`${pkg.version}\n`);
		return 0;
	}
	try {
		const [command, ...rest] = parsed.positionals;
		if (command === 'inspect') return await inspectCommand(o.json ?? false);
		if (command === 'presets') return await presetsCommand(rest, s => process.stdout.write(s));
		if (command === 'status' || command === 'logs' || command === 'bindu-update' || command === 'publish') {
			if (o.image !== undefined && !isImage(o.image))
				throw new UsageError(`--image must be one of: ${IMAGES.join(', ')} (got "${o.image}")`);
			const cmd = await import('./commands.js');
			const out = resolve(o.out ?? defaultOutDir(process.env, identity(realHost()).hostname, process.cwd()));
			const print = (text: string) => process.stdout.write(text);
			try {
				const ref = cmd.loadStack((o.image as Image | undefined) ?? 'stem', out);
				if (command === 'status') return await cmd.statusCommand(ref, print);
				if (command === 'logs') return await cmd.logsCommand(ref, o.follow ?? false);
				if (command === 'bindu-update') {
					const ask = process.stdin.isTTY && process.stdout.isTTY ? askYesNo : undefined;
					return await cmd.binduUpdateCommand(
						ref,
						{subtree: o.subtree, delete: o.delete ?? false, yes: o.yes ?? false, ...(ask ? {ask} : {})},
						print,
					);
				}
				if (!o.repo || typeof o.version !== 'string')
					throw new UsageError(
						'publish needs --repo NAME and --version X.Y.Z (e.g. publish --image stem --repo you/stem --version 0.1.2)',
					);
				return await cmd.publishCommand(ref, o.repo, o.version, print);
			} catch (error) {
				if (error instanceof cmd.CommandError) throw new UsageError(error.message);
				throw error;
			}
		}
		if (command === 'ssh-config') {
			if (!o.remove)
				throw new UsageError(
					'ssh-config needs --remove NAME (blocks are added by the wizard, or by --yes --ssh-config)',
				);
			const {removeSshConfig} = await import('./sshconfig.js');
			process.stdout.write(await removeSshConfig(o.remove));
			return 0;
		}
		if (command) throw new UsageError(`unknown command "${command}"; see --help`);
		return await writeCommand({
			image: o.image,
			preset: o.preset,
			presetFile: o['preset-file'],
			set: o.set ?? [],
			out: o.out,
			yes: o.yes ?? false,
			dryRun: o['dry-run'] ?? false,
			build: !o['no-build'],
			boot: !o['no-boot'],
			sshConfig: o['ssh-config'] ?? false,
			force: o.force ?? false,
		});
	} catch (error) {
		if (error instanceof UsageError || error instanceof PresetError) {
			process.stderr.write(`hatch-wizard: ${error.message}\n`);
			return 2;
		}
		const fs = fileSystemProblem(error);
		if (fs) {
			process.stderr.write(`hatch-wizard: ${fs.message}\n`);
			return fs.inputAtFault ? 2 : 1;
		}
		process.stderr.write(`hatch-wizard: ${(error as Error).message}\n`);
		return 1;
	}
}

/** Called by bin/hatch-wizard.js. */
export async function run(argv: string[]): Promise<void> {
	process.exitCode = await main(argv);
}
