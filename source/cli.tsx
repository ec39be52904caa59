// hatch-wizard entry point: argument parsing and dispatch. Heavy modules (Ink, probes) load only when used.
import {existsSync, readFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {parseArgs} from 'node:util';
import {parseEnv} from './core/env.js';
import {FIELDS, type HostFacts, STACKS, type Stack, checkAuthorizedKeysText, isStack} from './core/model.js';
import {type Preset, PresetError, parsePresetYaml} from './core/preset.js';
import {parseSets, resolveConfig} from './core/resolve.js';
import {composeVersion, dropboxPath, identity, publicKeys, realHost} from './host/probes.js';
import {apply, compare, planStack} from './stack.js';
import {findShippedPreset} from './presets.js';
import pkg from '../package.json' with {type: 'json'};

export const USAGE = `hatch-wizard ${pkg.version}: SSH-able dev containers (stem, neuron) for your Docker host

Usage:
  hatch-wizard [options]            write (or update) a stack: docker-compose.yml, .env, image/

Options:
  --image stem|neuron               which image (default: the preset's, else stem)
  --preset NAME                     start from a preset (shipped: see presets/)
  --preset-file FILE                start from a preset file (YAML: image, settings)
  --set KEY=VALUE                   set one .env value; repeat as needed (unknown keys list the valid ones)
  --out DIR                         write to DIR/<image>/ (default: $DOCKER/services/<host>/, else .)
  --yes                             write without asking (needed when not in a terminal)
  --dry-run                         print what would be written and the diff; write nothing
  --help, --version

Exit codes: 0 ok, 2 usage or validation error, 1 other failure.
`;

export class UsageError extends Error {}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

function colorDiff(diff: string): string {
	return diff
		.split('\n')
		.map(l => (l.startsWith('+') && !l.startsWith('+++') ? paint('32', l) : l.startsWith('-') && !l.startsWith('---') ? paint('31', l) : l))
		.join('\n');
}

function loadPreset(name: string | undefined, file: string | undefined): Preset | undefined {
	if (name && file) throw new UsageError('use either --preset or --preset-file, not both');
	if (file) {
		let text: string;
		try {
			text = readFileSync(file, 'utf8');
		} catch (error) {
			throw new UsageError(`--preset-file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
		}
		return parsePresetYaml(text, file);
	}
	if (name) return findShippedPreset(name);
	return undefined;
}

export async function gatherBasicFacts(): Promise<HostFacts & {composeVersion?: string}> {
	const host = realHost();
	const id = identity(host);
	const [keys, dropbox, compose] = await Promise.all([publicKeys(host, id.home), dropboxPath(host, id.home), composeVersion(host)]);
	return {...id, publicKeys: keys, ...(dropbox ? {dropboxPath: dropbox} : {}), ...(compose ? {composeVersion: compose} : {})};
}

/** Checks that host files named in the config exist and are what they should be. */
function hostFileProblems(values: Record<string, string>): {errors: string[]; warnings: string[]} {
	const errors: string[] = [];
	const warnings: string[] = [];
	const keys = values.STEM_AUTH_KEYS_PATH;
	if (keys) {
		try {
			const result = checkAuthorizedKeysText(readFileSync(keys, 'utf8'));
			if (result.error) errors.push(result.error);
			if (result.warning) warnings.push(result.warning);
		} catch {
			errors.push(`STEM_AUTH_KEYS_PATH ${keys} cannot be read; point it at your public key (e.g. ~/.ssh/id_ed25519.pub, as an absolute path)`);
		}
	} else {
		warnings.push('STEM_AUTH_KEYS_PATH is empty: nobody can log in until a key is added (--set STEM_AUTH_KEYS_PATH=/home/you/.ssh/id_ed25519.pub)');
	}
	if (values.APOGEE_SECRETS_PATH && !existsSync(values.APOGEE_SECRETS_PATH)) {
		errors.push(`APOGEE_SECRETS_PATH ${values.APOGEE_SECRETS_PATH} does not exist; create it or leave the setting empty`);
	}
	for (const key of ['DROPBOX_PATH_ON_HOST', 'NEURON_PROJECTS_PATH', 'NEURON_DATASETS_PATH', 'NEURON_MODELS_PATH']) {
		if (values[key] && !existsSync(values[key]!)) warnings.push(`${key} ${values[key]} does not exist on this host (the container will not start until it does)`);
	}
	if (values.STEM_SSH_AUTH_SOCK_HOST && !existsSync(values.STEM_SSH_AUTH_SOCK_HOST)) {
		warnings.push(`STEM_SSH_AUTH_SOCK_HOST ${values.STEM_SSH_AUTH_SOCK_HOST} does not exist now (agents move after a re-login)`);
	}
	return {errors, warnings};
}

export function defaultOutDir(env: Record<string, string | undefined>, hostname: string, cwd: string): string {
	return env.DOCKER ? join(env.DOCKER, 'services', hostname) : cwd;
}

async function confirm(question: string): Promise<boolean> {
	const {createInterface} = await import('node:readline/promises');
	const rl = createInterface({input: process.stdin, output: process.stdout});
	try {
		const answer = await rl.question(question);
		return /^y(es)?$/i.test(answer.trim());
	} finally {
		rl.close();
	}
}

async function writeCommand(opts: {
	image?: string;
	preset?: string;
	presetFile?: string;
	set: string[];
	out?: string;
	yes: boolean;
	dryRun: boolean;
}): Promise<number> {
	if (opts.image !== undefined && !isStack(opts.image)) throw new UsageError(`--image must be one of: ${STACKS.join(', ')} (got "${opts.image}")`);
	const preset = loadPreset(opts.preset, opts.presetFile);
	const stack: Stack = (opts.image as Stack | undefined) ?? preset?.image ?? 'stem';
	if (preset && preset.image !== stack) throw new UsageError(`the preset is for ${preset.image} but --image is ${stack}`);
	const {sets, errors} = parseSets(opts.set, FIELDS.filter(f => f.stacks.includes(stack)).map(f => f.key));
	if (errors.length) throw new UsageError(errors.join('\n'));

	const facts = await gatherBasicFacts();
	const out = resolve(opts.out ?? defaultOutDir(process.env, facts.hostname ?? 'localhost', process.cwd()));
	const envPath = join(out, stack, '.env');
	const existing = existsSync(envPath) ? parseEnv(readFileSync(envPath, 'utf8')) : undefined;
	const resolved = resolveConfig({stack, facts, existing, preset: preset?.settings, sets});
	const fileCheck = hostFileProblems(resolved.values);
	const problems = [...resolved.problems.map(p => p.message), ...fileCheck.errors];
	if (problems.length) {
		for (const p of problems) process.stderr.write(`error: ${p}\n`);
		process.stderr.write(`Fix with --set KEY=VALUE${existing ? ` or edit ${envPath}` : ''}.\n`);
		return 2;
	}
	for (const w of fileCheck.warnings) process.stderr.write(`warning: ${w}\n`);

	const changes = await compare(planStack(stack, resolved.values, out, {composeVersion: facts.composeVersion, version: pkg.version}));
	const pending = changes.filter(c => c.state !== 'unchanged');
	for (const c of changes.filter(c => c.showDiff || c.state !== 'unchanged')) {
		if (!c.showDiff && c.state === 'unchanged') continue;
		const label = c.state === 'new' ? 'create' : c.state === 'changed' ? 'update' : 'unchanged';
		process.stdout.write(`${label.padEnd(9)} ${c.path}\n`);
		if (c.diff) process.stdout.write(colorDiff(c.diff));
	}
	if (pending.length === 0) {
		process.stdout.write(`Nothing to do: ${join(out, stack)} is up to date.\n`);
		return 0;
	}
	if (opts.dryRun) {
		process.stdout.write(`Dry run: ${pending.length} file(s) would be written; nothing was written.\n`);
		return 0;
	}
	if (!opts.yes) {
		if (!process.stdin.isTTY || process.env.CI) {
			throw new UsageError('not writing without confirmation: pass --yes to write, or --dry-run to only look');
		}
		if (!(await confirm(`Write ${pending.length} file(s)? Changed files are backed up first. [y/N] `))) {
			process.stdout.write('Nothing written.\n');
			return 1;
		}
	}
	const done = await apply(changes);
	for (const c of done.filter(c => c.state !== 'unchanged')) {
		if (c.backup) process.stdout.write(`backup    ${c.backup}\n`);
	}
	const written = done.filter(c => c.state !== 'unchanged').length;
	const v = resolved.values;
	const hostPart = v.STEM_SSH_LISTEN && v.STEM_SSH_LISTEN !== '0.0.0.0' ? v.STEM_SSH_LISTEN : '<docker-host>';
	process.stdout.write(
		`Wrote ${written} file(s) to ${join(out, stack)}.\nNext: cd ${join(out, stack)} && docker compose up -d --build\n` +
			`Then: ssh -p ${v.STEM_SSH_PORT} ${v.STEM_USER}@${hostPart}\n`,
	);
	return 0;
}

export async function main(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
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
				help: {type: 'boolean', short: 'h', default: false},
				version: {type: 'boolean', short: 'v', default: false},
			},
		});
	} catch (error) {
		process.stderr.write(`hatch-wizard: ${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	const o = parsed.values;
	if (o.help) {
		process.stdout.write(USAGE);
		return 0;
	}
	if (o.version) {
		process.stdout.write(`${pkg.version}\n`);
		return 0;
	}
	try {
		if (parsed.positionals.length) throw new UsageError(`unknown command "${parsed.positionals[0]}"; see --help`);
		return await writeCommand({
			image: o.image,
			preset: o.preset,
			presetFile: o['preset-file'],
			set: o.set ?? [],
			out: o.out,
			yes: o.yes ?? false,
			dryRun: o['dry-run'] ?? false,
		});
	} catch (error) {
		if (error instanceof UsageError || error instanceof PresetError) {
			process.stderr.write(`hatch-wizard: ${error.message}\n`);
			return 2;
		}
		process.stderr.write(`hatch-wizard: ${(error as Error).message}\n`);
		return 1;
	}
}

/** Called by bin/hatch-wizard.js. */
export async function run(argv: string[]): Promise<void> {
	process.exitCode = await main(argv);
}
