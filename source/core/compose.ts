// docker-compose.yml rendering for stem and neuron. Every value comes from .env by interpolation, so editing
// .env and running `docker compose up -d` applies it. The few settings compose cannot switch from .env (the
// GPU request, the list of mounts, external volumes: Field.written) are written in here, and the file records
// what it was written for, so hatch and the boot itself can name a hand edit that needs a rewrite.
import {Document, parse} from 'yaml';
import {
	CONTAINER_PATHS,
	defaults,
	type Field,
	fieldsFor,
	type Image,
	KEY,
	type Values,
	writtenFields,
} from './model.js';

/** Compose's version, e.g. "2.26.1" or "v2.33.0-desktop.1"; undefined means "assume the oldest v2". */
function parseComposeVersion(text: string | undefined): [number, number, number] | undefined {
	const m = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
	return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: [number, number, number] | undefined, major: number, minor: number): boolean {
	if (!v) return false;
	return v[0] > major || (v[0] === major && v[1] >= minor);
}

export type GpuRequest = {kind: 'none'} | {kind: 'all'} | {kind: 'count'; count: number} | {kind: 'ids'; ids: string[]};

export function parseGpus(value: string | undefined): GpuRequest {
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

function ref(key: string, fallback: string): string {
	return `\${${key}:-${fallback}}`;
}

/** A bind mount whose missing source is an error at start, never a folder made empty in its place. */
function bind(source: string, target: string, readOnly = false): Record<string, unknown> {
	return {type: 'bind', source, target, ...(readOnly ? {read_only: true} : {}), bind: {create_host_path: false}};
}

/** The compose project and volume names: fixed when the stack is first written, kept when the container is renamed. */
export interface ComposeIdentity {
	project: string;
	volumes: {home: string; sshkeys: string; sshstate: string};
}

export function identityFor(image: Image, values: Values): ComposeIdentity {
	const name = values[KEY.name] || image;
	return {project: name, volumes: {home: `${name}-home`, sshkeys: `${name}-sshkeys`, sshstate: `${name}-sshstate`}};
}

/**
 * The identity an existing docker-compose.yml uses; `previous` is the .env it was written with (files from
 * before the names were fixed name the volumes after the container name's variable). Undefined when unreadable.
 */
export function readIdentity(image: Image, composeText: string, previous: Values = {}): ComposeIdentity | undefined {
	let doc: {name?: unknown; volumes?: unknown} | null | undefined;
	try {
		doc = parse(composeText);
	} catch {
		return undefined;
	}
	const fallback = identityFor(image, previous);
	const resolve = (v: unknown, dflt: string) =>
		typeof v === 'string' && v
			? v.replace(new RegExp(`\\$\\{${KEY.name}(?::-[^}]*)?\\}`, 'g'), previous[KEY.name] || image)
			: dflt;
	// A document that is not a mapping (a scalar) has no such properties either.
	const names = (doc?.volumes ?? {}) as Record<string, {name?: unknown} | null>;
	const out: ComposeIdentity = {
		project: resolve(doc?.name, fallback.project),
		volumes: {
			home: resolve(names.home?.name, fallback.volumes.home),
			sshkeys: resolve(names.sshkeys?.name, fallback.volumes.sshkeys),
			sshstate: resolve(names.sshstate?.name, fallback.volumes.sshstate),
		},
	};
	// A name compose would still interpolate is not a fixed identity.
	return [out.project, ...Object.values(out.volumes)].some(n => n.includes('$')) ? undefined : out;
}

/** What the compose file's structure depends on, of one setting's value. */
function shape(f: Field, value: string): string {
	return f.written === 'set' ? (value ? 'set' : '') : value;
}

/** Compose's own spelling of shape() over .env, so the container sees what .env says at `docker compose up`. */
function shapeRef(f: Field): string {
	return f.written === 'set' ? `\${${f.key}:+set}` : `\${${f.key}:-}`;
}

/** Written literally (not from .env): a `$` is escaped from compose's interpolation. */
const literal = (p: string) => p.replaceAll('$', '$$$$');

/** The record of what the file was written for: one KEY=shape line per written setting. */
export function writtenFor(image: Image, values: Values): string {
	return writtenFields(image)
		.map(f => `${f.key}=${shape(f, values[f.key] ?? '')}`)
		.join('\n');
}

export interface Drift {
	key: string;
	/** What docker-compose.yml was written for, and what .env says now (shape(): "set"/"" for mounts). */
	written: string;
	now: string;
}

/**
 * The settings .env changed since docker-compose.yml was written, which compose cannot follow by itself.
 * Undefined when the file holds no record (written by an older hatch, or not by hatch).
 */
export function composeDrift(image: Image, composeText: string, values: Values): Drift[] | undefined {
	let record: unknown;
	try {
		record = parse(composeText).services[image].environment.HATCH_WRITTEN_FOR;
	} catch {
		// Not YAML, or no such path in it: no record either way.
	}
	if (typeof record !== 'string') return undefined;
	const written = new Map(
		record
			.replaceAll('$$', '$')
			.split('\n')
			.map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
	);
	const out: Drift[] = [];
	for (const f of writtenFields(image)) {
		const now = shape(f, values[f.key] ?? '');
		const was = written.get(f.key) ?? '';
		if (now !== was) out.push({key: f.key, written: was, now});
	}
	return out;
}

/** One drift in words, naming the key. */
export function describeDrift(d: Drift): string {
	const show = (v: string) => (v === '' ? 'empty' : v === 'set' ? 'set' : JSON.stringify(v));
	return `${d.key} is ${show(d.now)} in .env, but docker-compose.yml was written for ${show(d.written)}`;
}

export interface ComposeOptions {
	composeVersion?: string;
	/** Project and volume names; default: named after the container name (a new stack). */
	identity?: ComposeIdentity;
	/** Build context relative to the compose file. */
	context?: string;
	/** hatch's version, written into the image's labels. */
	version?: string;
}

export function composeObject(image: Image, values: Values, options: ComposeOptions = {}): Record<string, unknown> {
	const d = defaults(image);
	// Every key asked for is one of the image's settings, so it has a default ('' for none).
	const v = (key: string) => ref(key, d[key]!);
	const external = values[KEY.volumesExternal] === '1';

	const fields = fieldsFor(image);
	const environment: Record<string, string> = {};
	for (const f of fields) if (f.container === 'env') environment[f.key] = v(f.key);
	for (const f of fields)
		if (typeof f.container === 'object' && f.container.env) environment[f.container.env] = f.container.mount;
	// What this file was written for, and what .env says now: the boot warns, naming the key, when they differ.
	environment.HATCH_WRITTEN_FOR = literal(writtenFor(image, values));
	environment.HATCH_ENV_NOW = writtenFields(image)
		.map(f => `${f.key}=${shapeRef(f)}`)
		.join('\n');

	// Mounts of host paths: those always there (of /dev/null when empty) first, then those written only when set.
	const mounts = fields.flatMap(f => (typeof f.container === 'object' ? [{f, mount: f.container}] : []));
	const volumes: Record<string, unknown>[] = [
		{type: 'volume', source: 'home', target: CONTAINER_PATHS.home},
		{type: 'volume', source: 'sshkeys', target: CONTAINER_PATHS.hostKeys},
		{type: 'volume', source: 'sshstate', target: CONTAINER_PATHS.sshState},
		...mounts
			.filter(m => m.f.written !== 'set')
			.map(m => bind(ref(m.f.key, '/dev/null'), m.mount.mount, m.mount.readOnly)),
		...mounts
			.filter(m => m.f.written === 'set' && values[m.f.key])
			.map(m => bind(`\${${m.f.key}}`, m.mount.mount, m.mount.readOnly)),
	];
	// The mount lists, written literally (not from .env), so a `$` in a path is escaped from compose's interpolation.
	for (const f of fields.filter(f => f.container === 'mounts')) {
		for (const item of (values[f.key] ?? '').split(',').filter(Boolean)) {
			const [src, dst, mode] = item.split(':');
			volumes.push(bind(literal(src!), literal(dst!), mode === 'ro'));
		}
	}

	const build: Record<string, unknown> = {
		context: options.context ?? './image',
		dockerfile: 'Dockerfile',
		target: image,
		args: {BASE_IMAGE: v(KEY.baseImage), ...(options.version ? {HATCH_VERSION: options.version} : {})},
		network: v(KEY.buildNetwork),
	};

	const service: Record<string, unknown> = {
		build,
		image: v(KEY.image),
		container_name: v(KEY.name),
		hostname: v(KEY.hostname),
		restart: 'unless-stopped',
		// bridge publishes the port; in host mode Docker discards it (compose says so) and sshd listens on the host.
		network_mode: v(KEY.network),
		ports: [
			`${v(KEY.listen)}:${v(KEY.port)}:22`,
			// mosh's UDP range, published as the same numbers (mosh-server tells the client its port).
			...(values[KEY.moshPorts] ? [`${v(KEY.listen)}:\${${KEY.moshPorts}}:\${${KEY.moshPorts}}/udp`] : []),
		],
		environment,
		volumes,
		stop_grace_period: '10s',
		...(image === 'neuron' ? gpuStanza(parseGpus(values[KEY.gpus]), options.composeVersion) : {}),
	};
	if (image === 'neuron') service.shm_size = '8gb';

	const id = options.identity ?? identityFor(image, values);
	const volumeDef = (name: string) => ({name, ...(external ? {external: true} : {})});
	return {
		name: id.project,
		services: {[image]: service},
		volumes: {
			home: volumeDef(id.volumes.home),
			sshkeys: volumeDef(id.volumes.sshkeys),
			sshstate: volumeDef(id.volumes.sshstate),
		},
	};
}

export function renderCompose(image: Image, values: Values, options: ComposeOptions = {}): string {
	const doc = new Document(composeObject(image, values, options));
	const keys = writtenFields(image).map(f => f.key);
	const notes = [
		` hatch ${image}: generated by hatch-wizard from the settings in .env.`,
		' Values come from .env: edit it and run `docker compose up -d`. This file is written for the current',
		` ${keys.join(', ')}:`,
		' after changing those, run hatch-wizard again (it shows a diff and keeps a backup); until then the boot',
		' and `hatch-wizard status` name them. The project and volume names are fixed when the stack is first',
		' written, so renaming the container keeps its home and host keys.',
	];
	if (image === 'neuron' && values[KEY.gpus] && values[KEY.gpus] !== 'none') {
		notes.push(` GPU stanza written for docker compose ${options.composeVersion ?? '< 2.30'}.`);
	}
	doc.commentBefore = notes.join('\n');
	return doc.toString({lineWidth: 0});
}
