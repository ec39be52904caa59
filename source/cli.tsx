// hatch-wizard entry point: the usage text, argument parsing and dispatch to one module per command
// (source/commands/). Each command loads when it runs, so `--help` and the wizard's first frame load little.
import {parseArgs} from 'node:util';
import pkg from '../package.json' with {type: 'json'};
import {askYesNo, CommandError, imageOption, UsageError} from './commands/common.js';

export const USAGE = `hatch-wizard ${pkg.version}: SSH-able dev containers (stem, neuron) for your Docker host

Usage:
  hatch-wizard [options]            the wizard in a terminal; with --yes, no questions asked
  hatch-wizard inspect [--json] [--host TARGET]
                                    what hatch sees on this host, or on TARGET over SSH (an alias of
                                    ~/.ssh/config, user@host[:port], or an ssh:// docker context)
  hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME
  hatch-wizard ssh-config --remove NAME   take hatch's Host block and pinned key for NAME out of ~/.ssh
  hatch-wizard list [--json]        the stacks written on this host: folder, container state, SSH answering
  hatch-wizard forget NAME          take a stack off that list (its files, container and volumes stay)
  hatch-wizard status [NAME]        the stack's container and a real SSH check
  hatch-wizard doctor [NAME] [--json]   checks this host and the stack's container; each problem with its fix
  hatch-wizard logs [NAME] [-f]     its log
  hatch-wizard up [NAME]            start it (no build) and wait until SSH works
  hatch-wizard down [NAME] [--volumes [--yes]]
                                    stop and remove its container; the volumes (home, host keys) stay,
                                    unless --volumes, which says what it deletes and asks first
  hatch-wizard rebuild [NAME] [--no-cache]   build again, recreate the container, wait until SSH works
  hatch-wizard bindu-update [NAME] [--subtree DIR] [--delete [--yes]]
                                    pull the dotfiles again into ~/.config (only DIR, if given); --delete
                                    also removes files the repository dropped, after listing them and
                                    asking (or --yes), keeping a .bak-<time> copy; secrets.env* never
  hatch-wizard publish [NAME] --repo REPO --version X.Y.Z   build once, push REPO:X.Y.Z and REPO:latest
  hatch-wizard export k8s [NAME] [--repo REPO:TAG] [--context C] [--namespace NS] [--service TYPE]
                  [--storage-class SC] [--size 20Gi] [--runtime-class RC] [--node-selector K=V] [--out FILE]
                                    the stack as one Kubernetes YAML file (<stack>/k8s/<name>.yaml), reached
                                    over ssh through kubectl exec; --set KEY=VALUE without NAME: no stack needed
  (NAME is the stack's container name, from any folder; with one stack on this host it can be left out;
  --image and --out find a stack by its folder instead; a NAME on another host is found there)

A stack is <out>/<image>/: docker-compose.yml, .env and image/ (the build context).

Options:
  --image stem|neuron               which image (default: the preset's, else stem)
  --preset NAME                     start from a preset saved on this host, or a shipped one
  --preset-file FILE                start from a preset file (YAML: image, settings)
  --set KEY=VALUE                   set one .env value; repeat as needed (unknown keys list the valid ones)
  --out DIR                         write to DIR/<image>/ (default: $DOCKER/services/<host>/, else ~/hatch)
  --host TARGET                     the stack is on that Docker host, over one SSH connection (the wizard and
                                    every stack command): an alias of ~/.ssh/config, user@host[:port], ssh://…,
                                    or a docker context whose endpoint is ssh://
  --yes                             no questions: write, build, start, wait until SSH works
  --no-build, --no-boot             with --yes: skip the build / the start (both: only write the files)
  --ssh-config                      with --yes: add a Host block to ~/.ssh/config and pin the host key
  --dry-run                         print what would be written and the diff; write nothing
  --force                           with --preset: let the preset replace values you changed in .env
  --help, --version

Exit codes: 0 ok, 2 usage or validation error, 1 other failure, 130 interrupted.
`;

function parseArgv(argv: string[]) {
	// `publish --version X.Y.Z` takes a value; everywhere else --version prints hatch's own.
	const publishing = argv.includes('publish');
	return parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			image: {type: 'string'},
			host: {type: 'string'},
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
			volumes: {type: 'boolean', default: false},
			'no-cache': {type: 'boolean', default: false},
			context: {type: 'string'},
			namespace: {type: 'string'},
			service: {type: 'string'},
			'storage-class': {type: 'string'},
			size: {type: 'string'},
			'runtime-class': {type: 'string'},
			'node-selector': {type: 'string', multiple: true, default: []},
			help: {type: 'boolean', short: 'h', default: false},
			version: publishing ? {type: 'string'} : {type: 'boolean', short: 'v', default: false},
		},
	});
}

type Options = ReturnType<typeof parseArgv>['values'];

const print = (text: string) => void process.stdout.write(text);

const ask = () => (process.stdin.isTTY && process.stdout.isTTY ? {ask: askYesNo} : {});

/** This host's store of presets and stacks (its warnings printed): the one of TARGET with --host. */
async function openStore(host?: string) {
	const [{Store}, {identity, realHost}] = await Promise.all([import('./store.js'), import('./host/probes.js')]);
	const key = host === undefined ? identity(realHost()).hostname : (await import('./remote-stack.js')).storeKey(host);
	const store = await Store.open(key);
	for (const w of store.warnings) process.stderr.write(`warning: ${w}\n`);
	return store;
}

/** The commands that work on a written stack: found by NAME, else by --image and --out, else the only one. */
async function stackCommand(command: string, rest: string[], o: Options): Promise<number> {
	if (rest.length > 1) throw new UsageError(`${command} takes one stack name (got: ${rest.join(' ')})`);
	const {locateStack} = await import('./commands/stacks.js');
	const image = imageOption(o.image);
	const how = {
		...(rest[0] === undefined ? {} : {name: rest[0]}),
		...(image ? {image} : {}),
		...(o.out === undefined ? {} : {out: o.out}),
	};
	const store = await openStore();
	if (command === 'doctor') {
		// Doctor also runs with no stack (the host alone), so it finds its stack its own way (by findStack).
		const {doctorCommand, doctorTarget, remoteDoctor} = await import('./commands/doctor.js');
		const {elsewhere} = await import('./commands/stacks.js');
		const host = o.host ?? (await elsewhere(store, rest[0]))?.text;
		if (host !== undefined) return remoteDoctor(host, rest[0], {json: o.json ?? false}, print);
		return doctorCommand(doctorTarget(store, how), {json: o.json ?? false}, print);
	}
	const ref = await locateStack(store, how, o.host);
	const engine = ref.remote?.engine;
	if (command === 'publish' && (!o.repo || typeof o.version !== 'string'))
		throw new UsageError(
			'publish needs --repo NAME and --version X.Y.Z (e.g. publish --image stem --repo you/stem --version 0.1.2)',
		);
	switch (command) {
		case 'status':
			return (await import('./commands/status.js')).statusCommand(ref, print, engine);
		case 'logs':
			return (await import('./commands/logs.js')).logsCommand(
				ref,
				o.follow ?? false,
				print,
				Boolean(process.stdout.isTTY),
				engine,
			);
		case 'up':
			return (await import('./commands/stacks.js')).upCommand(ref);
		case 'rebuild':
			return (await import('./commands/stacks.js')).rebuildCommand(ref, o['no-cache'] ?? false);
		case 'down':
			return (await import('./commands/stacks.js')).downCommand(
				ref,
				{volumes: o.volumes ?? false, yes: o.yes ?? false, ...ask()},
				print,
				engine,
			);
		case 'bindu-update':
			return (await import('./commands/bindu-update.js')).binduUpdateCommand(
				ref,
				{subtree: o.subtree, delete: o.delete ?? false, yes: o.yes ?? false, ...ask()},
				print,
				engine,
			);
		default:
			return (await import('./commands/publish.js')).publishCommand(ref, o.repo!, o.version as string, print, engine);
	}
}

/** The commands --host works with (undefined: the wizard, with --yes or --dry-run). */
const HOST_COMMANDS = [
	undefined,
	'inspect',
	'list',
	'forget',
	'status',
	'doctor',
	'logs',
	'up',
	'down',
	'rebuild',
	'bindu-update',
	'publish',
];

async function dispatch(command: string | undefined, rest: string[], o: Options): Promise<number> {
	if (o.host !== undefined && !HOST_COMMANDS.includes(command))
		throw new UsageError(
			`--host works with the wizard, ${HOST_COMMANDS.filter(Boolean).join(', ')}; not with ${command}, which ` +
				`works on this machine's files`,
		);
	switch (command) {
		case 'inspect':
			return (await import('./commands/inspect.js')).inspectCommand(o.json ?? false, o.host);
		case 'presets':
			return (await import('./commands/presets.js')).presetsCommand(rest, print, {force: o.force ?? false, ...ask()});
		case 'list':
			return (await import('./commands/stacks.js')).listCommand(await openStore(), o.json ?? false, print);
		case 'forget':
			return (await import('./commands/stacks.js')).forgetCommand(await openStore(o.host), rest[0], print);
		case 'status':
		case 'doctor':
		case 'logs':
		case 'up':
		case 'down':
		case 'rebuild':
		case 'bindu-update':
		case 'publish':
			return stackCommand(command, rest, o);
		case 'ssh-config':
			return (await import('./commands/ssh-config.js')).sshConfigCommand(o.remove, print);
		case 'export':
			return (await import('./commands/export.js')).exportCommand(
				await openStore(),
				rest,
				{
					...(o.image === undefined ? {} : {image: imageOption(o.image)!}),
					set: o.set ?? [],
					...(o.out === undefined ? {} : {out: o.out}),
					...(o.repo === undefined ? {} : {repo: o.repo}),
					...(o.context === undefined ? {} : {context: o.context}),
					...(o.namespace === undefined ? {} : {namespace: o.namespace}),
					...(o['storage-class'] === undefined ? {} : {storageClass: o['storage-class']}),
					...(o.size === undefined ? {} : {size: o.size}),
					...(o.service === undefined ? {} : {service: o.service}),
					...(o['runtime-class'] === undefined ? {} : {runtimeClass: o['runtime-class']}),
					nodeSelector: o['node-selector'] ?? [],
				},
				print,
			);
		case undefined:
			return (await import('./commands/write.js')).writeCommand({
				version: pkg.version,
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
				...(o.host === undefined ? {} : {host: o.host}),
			});
		default:
			throw new UsageError(`unknown command "${command}"; see --help`);
	}
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
		print(USAGE);
		return 0;
	}
	if (o.version === true) {
		print(`${pkg.version}\n`);
		return 0;
	}
	try {
		const [command, ...rest] = parsed.positionals;
		return await dispatch(command, rest, o);
	} catch (error) {
		const {PresetError} = await import('./core/preset.js');
		if (error instanceof UsageError || error instanceof CommandError || error instanceof PresetError) {
			process.stderr.write(`hatch-wizard: ${error.message}\n`);
			return 2;
		}
		const {fileSystemProblem} = await import('./stack.js');
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
