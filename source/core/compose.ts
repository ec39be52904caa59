// docker-compose.yml rendering for stem and neuron. Values come from .env by interpolation (so editing .env
// and re-running `docker compose up` works); the structure (network mode, GPU request, workspace mounts,
// external volumes) is decided here from the config.
import {Document} from 'yaml';
import {type Stack, type Values, defaults} from './model.js';

/** Compose's version, e.g. "2.26.1" or "v2.33.0-desktop.1"; undefined means "assume the oldest v2". */
export function parseComposeVersion(text: string | undefined): [number, number, number] | undefined {
	const m = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
	return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: [number, number, number] | undefined, major: number, minor: number): boolean {
	if (!v) return false;
	return v[0] > major || (v[0] === major && v[1] >= minor);
}

export type GpuRequest = {kind: 'none'} | {kind: 'all'} | {kind: 'count'; count: number} | {kind: 'ids'; ids: string[]};

export function parseGpus(value: string): GpuRequest {
	if (!value || value === 'none') return {kind: 'none'};
	if (value === 'all') return {kind: 'all'};
	if (/^\d+$/.test(value)) return {kind: 'count', count: Number(value)};
	return {kind: 'ids', ids: value.split(',')};
}

/** The GPU part of the service, in the form the given compose version honours. */
export function gpuStanza(req: GpuRequest, composeVersion?: string): Record<string, unknown> {
	if (req.kind === 'none') return {};
	const v = parseComposeVersion(composeVersion);
	const device: Record<string, unknown> = {driver: 'nvidia'};
	if (req.kind === 'all') device.count = 'all';
	if (req.kind === 'count') device.count = req.count;
	if (req.kind === 'ids') device.device_ids = req.ids;
	if (req.kind === 'all' && atLeast(v, 2, 33)) return {gpus: 'all'};
	if (atLeast(v, 2, 30)) return {gpus: [device]};
	// Older compose (2.26 accepts `gpus: all` but silently drops it): the long-standing deploy form.
	return {deploy: {resources: {reservations: {devices: [{...device, capabilities: ['gpu']}]}}}};
}

const ENV_FOR_CONTAINER = [
	'STEM_USER', 'STEM_UID', 'STEM_GID', 'STEM_SUDO', 'STEM_HOSTNAME', 'STEM_NETWORK_MODE', 'STEM_SSH_LISTEN',
	'STEM_SSH_PORT', 'BINDU_REPO', 'BINDU_REF', 'BINDU_FORCE', 'STEM_PIXI_ENABLE', 'STEM_PIXI_STOW',
	'STEM_PIXI_GLOBAL_SYNC', 'STEM_PIXI_HOST', 'STEM_PIXI_INSTALL_URL',
];

function ref(key: string, fallback: string): string {
	return fallback === '' ? `\${${key}:-}` : `\${${key}:-${fallback}}`;
}

function bind(source: string, target: string, readOnly = false): Record<string, unknown> {
	return {type: 'bind', source, target, ...(readOnly ? {read_only: true} : {})};
}

/** Paths inside the container; the boot scripts use the same ones. */
export const CONTAINER_PATHS = {
	authorizedKeys: '/etc/hatch/authorized_keys.host',
	dropbox: '/mnt/hatch/dropbox',
	secrets: '/opt/secrets/apogee-secrets.env',
	agent: '/ssh-agent',
	hostKeys: '/etc/ssh/hatch-hostkeys',
	sshState: '/var/lib/hatch/ssh',
	workspace: '/workspace',
} as const;

export interface ComposeOptions {
	composeVersion?: string;
	/** Build context relative to the compose file. */
	context?: string;
	/** hatch's version, written into the image's labels. */
	version?: string;
}

export function composeObject(stack: Stack, values: Values, options: ComposeOptions = {}): Record<string, unknown> {
	const d = defaults(stack);
	const v = (key: string) => ref(key, d[key] ?? '');
	const host = values.STEM_NETWORK_MODE === 'host';
	const external = values.STEM_VOLUMES_EXTERNAL === '1';

	const environment: Record<string, string> = {};
	for (const key of ENV_FOR_CONTAINER) environment[key] = v(key);
	environment.SSH_AUTH_SOCK = CONTAINER_PATHS.agent;

	const volumes: Record<string, unknown>[] = [
		{type: 'volume', source: 'home', target: '/home'},
		{type: 'volume', source: 'sshkeys', target: CONTAINER_PATHS.hostKeys},
		{type: 'volume', source: 'sshstate', target: CONTAINER_PATHS.sshState},
		bind(ref('STEM_AUTH_KEYS_PATH', '/dev/null'), CONTAINER_PATHS.authorizedKeys, true),
		bind(ref('DROPBOX_PATH_ON_HOST', '/dev/null'), CONTAINER_PATHS.dropbox),
		bind(ref('APOGEE_SECRETS_PATH', '/dev/null'), CONTAINER_PATHS.secrets, true),
		bind(ref('STEM_SSH_AUTH_SOCK_HOST', '/dev/null'), CONTAINER_PATHS.agent),
	];
	if (stack === 'neuron') {
		for (const [key, dir] of [
			['NEURON_PROJECTS_PATH', 'projects'],
			['NEURON_DATASETS_PATH', 'datasets'],
			['NEURON_MODELS_PATH', 'models'],
		] as const) {
			if (values[key]) volumes.push(bind(`\${${key}}`, `${CONTAINER_PATHS.workspace}/${dir}`));
		}
		// Written literally (not from .env), so a `$` in a path is escaped from compose's interpolation.
		const literal = (p: string) => p.replaceAll('$', '$$$$');
		for (const item of (values.NEURON_EXTRA_MOUNTS ?? '').split(',').filter(Boolean)) {
			const [src, dst, mode] = item.split(':');
			volumes.push(bind(literal(src!), literal(dst!), mode === 'ro'));
		}
	}

	const build: Record<string, unknown> = {
		context: options.context ?? './image',
		dockerfile: 'Dockerfile',
		target: stack,
		args: {BASE_IMAGE: v('STEM_BASE_IMAGE'), ...(options.version ? {HATCH_VERSION: options.version} : {})},
	};
	if (host) build.network = 'host';

	const service: Record<string, unknown> = {
		build,
		image: v('STEM_IMAGE'),
		container_name: v('STEM_CONTAINER_NAME'),
		hostname: v('STEM_HOSTNAME'),
		restart: 'unless-stopped',
		...(host
			? {network_mode: 'host'}
			: {ports: [`${v('STEM_SSH_LISTEN')}:${v('STEM_SSH_PORT')}:22`]}),
		environment,
		volumes,
		stop_grace_period: '10s',
		// Without sudo, no program may gain privileges (a setuid file left in the home from when the user had
		// sudo would still give root); with sudo it must, so this follows STEM_SUDO when the file is written.
		...(values.STEM_SUDO === '0' ? {security_opt: ['no-new-privileges:true']} : {}),
		...(stack === 'neuron' ? gpuStanza(parseGpus(values.NEURON_GPUS ?? 'none'), options.composeVersion) : {}),
	};
	if (stack === 'neuron') service.shm_size = '8gb';

	const volumeDef = (suffix: string) => ({name: `\${STEM_CONTAINER_NAME:-${d.STEM_CONTAINER_NAME}}-${suffix}`, ...(external ? {external: true} : {})});
	return {
		name: values.STEM_CONTAINER_NAME || stack,
		services: {[stack]: service},
		volumes: {home: volumeDef('home'), sshkeys: volumeDef('sshkeys'), sshstate: volumeDef('sshstate')},
	};
}

export function renderCompose(stack: Stack, values: Values, options: ComposeOptions = {}): string {
	const doc = new Document(composeObject(stack, values, options));
	const notes = [
		` hatch ${stack}: generated by hatch-wizard from the settings in .env.`,
		` Values come from .env; the network mode${stack === 'neuron' ? ', GPU request, workspace mounts' : ''}, no-new-privileges (STEM_SUDO=0) and external volumes are`,
		' written in here: change them by re-running hatch-wizard (it shows a diff and keeps a backup).',
	];
	if (stack === 'neuron' && values.NEURON_GPUS && values.NEURON_GPUS !== 'none') {
		notes.push(` GPU stanza written for docker compose ${options.composeVersion ?? '< 2.30'}.`);
	}
	doc.commentBefore = notes.join('\n');
	return doc.toString({lineWidth: 0});
}
