// Host inspection: what the wizard needs to know about this machine, gathered in parallel. Each probe has
// a deadline; a slow or hung one reports "timeout" instead of blocking or guessing.
import {join} from 'node:path';
import type {HostFacts} from '../core/model.js';
import {dropboxPath, type Host, identity, publicKeys, type RunResult} from './probes.js';

export type Status = 'ok' | 'missing' | 'timeout' | 'error';

export interface Probe<T> {
	status: Status;
	value?: T;
	/** What went wrong, in words. */
	detail?: string;
	/** What the user can do about it. */
	hint?: string;
	ms: number;
}

export interface Gpu {
	index: number;
	name: string;
	memoryMiB?: number;
	driver?: string;
	uuid?: string;
}

type GpuValue = {
	gpus: Gpu[];
	source: 'nvidia-smi' | 'systeminformation';
	/**
	 * What a real container saw (`docker run --gpus all … nvidia-smi -L`), when the host has GPUs: how many it
	 * could use, or why it could not. Undefined when it could not be tried (no image on the engine yet).
	 */
	container?: {ok: true; count: number} | {ok: false; detail: string};
};

export interface DockerFacts {
	serverVersion: string;
	runtimes: string[];
	nvidiaRuntime: boolean;
	desktop: boolean;
	/** Whether the engine has its default bridge network (false: dockerd runs with --bridge=none); undefined: unknown. */
	bridge?: boolean;
}

const PROBE_TIMEOUT_MS = 4000;
const NVIDIA_SMI_TIMEOUT_MS = 2000;

async function timed<T>(fn: () => Promise<Omit<Probe<T>, 'ms'>>, timeoutMs: number): Promise<Probe<T>> {
	const start = performance.now();
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<Omit<Probe<T>, 'ms'>>(resolve => {
		timer = setTimeout(() => resolve({status: 'timeout', detail: `no answer within ${timeoutMs} ms`}), timeoutMs);
		timer.unref?.();
	});
	try {
		const result = await Promise.race([
			fn().catch((error: Error) => ({status: 'error' as const, detail: error.message})),
			deadline,
		]);
		return {...result, ms: Math.round(performance.now() - start)};
	} finally {
		clearTimeout(timer);
	}
}

export function parseNvidiaSmi(csv: string): Gpu[] {
	const gpus: Gpu[] = [];
	for (const line of csv.split('\n')) {
		const cells = line.split(',').map(c => c.trim());
		if (cells.length < 2 || !/^\d+$/.test(cells[0]!)) continue;
		const mem = /^(\d+)\s*MiB$/.exec(cells[2] ?? '');
		gpus.push({
			index: Number(cells[0]),
			name: cells[1]!,
			...(mem ? {memoryMiB: Number(mem[1])} : {}),
			...(cells[3] ? {driver: cells[3]} : {}),
			...(cells[4]?.startsWith('GPU-') ? {uuid: cells[4]} : {}),
		});
	}
	return gpus;
}

async function probeDocker(host: Host): Promise<Omit<Probe<DockerFacts>, 'ms'>> {
	let r: RunResult;
	// The bridge network is looked for at once: an engine without one can only run containers on the host network.
	const networks = host
		.run('docker', ['network', 'ls', '--filter', 'name=^bridge$', '--format', '{{.Name}}'], PROBE_TIMEOUT_MS)
		.catch(() => undefined);
	try {
		r = await host.run('docker', ['info', '--format', '{{json .}}'], PROBE_TIMEOUT_MS);
	} catch {
		return {
			status: 'missing',
			detail: 'the docker command is not installed',
			hint: 'install Docker Engine (Linux) or Docker Desktop (macOS)',
		};
	}
	if (r.timedOut)
		return {
			status: 'timeout',
			detail: 'docker info did not answer',
			hint: 'is the Docker daemon hung? try: docker info',
		};
	if (r.exitCode === 127 || (/ENOENT|not found/.test(r.stderr) && !r.stdout)) {
		return {
			status: 'missing',
			detail: 'the docker command is not installed',
			hint: 'install Docker Engine (Linux) or Docker Desktop (macOS)',
		};
	}
	let info: Record<string, unknown> = {};
	try {
		info = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as Record<string, unknown>;
	} catch {
		// fall through to the stderr checks
	}
	const serverErrors = (info.ServerErrors as string[] | undefined)?.join('; ') ?? '';
	const text = `${r.stderr}\n${serverErrors}`;
	if (/permission denied/i.test(text)) {
		return {
			status: 'error',
			detail: 'permission denied on the Docker socket',
			hint: 'add yourself to the docker group: sudo usermod -aG docker $USER, then log out and in',
		};
	}
	if (r.exitCode !== 0 || !info.ServerVersion) {
		return {
			status: 'error',
			detail: 'the Docker daemon is not running or not reachable',
			hint: 'start it: sudo systemctl start docker (Linux) or open Docker Desktop (macOS)',
		};
	}
	const runtimes = Object.keys((info.Runtimes as Record<string, unknown> | undefined) ?? {}).sort();
	const listed = await networks;
	return {
		status: 'ok',
		value: {
			serverVersion: String(info.ServerVersion),
			runtimes,
			nvidiaRuntime: runtimes.includes('nvidia') || /nvidia/i.test(String(info.CDISpecDirs ?? '')),
			desktop: /Docker Desktop/i.test(String(info.OperatingSystem ?? '')),
			...(listed?.exitCode === 0 ? {bridge: listed.stdout.split('\n').some(l => l.trim() === 'bridge')} : {}),
		},
	};
}

async function probeCompose(host: Host): Promise<Omit<Probe<string>, 'ms'>> {
	try {
		const r = await host.run('docker', ['compose', 'version', '--short'], PROBE_TIMEOUT_MS);
		if (r.timedOut)
			return {
				status: 'timeout',
				detail: 'docker compose version did not answer',
				hint: 'a hung docker CLI plugin? try: docker compose version',
			};
		const v = r.stdout.trim().replace(/^v/, '');
		if (r.exitCode === 0 && /^\d+\.\d+/.test(v)) return {status: 'ok', value: v};
	} catch {
		// treated as missing below
	}
	return {
		status: 'missing',
		detail: 'docker compose v2 is not installed',
		hint: 'install the compose plugin (docker-compose-plugin, or docker-compose 2.x)',
	};
}

/** PCI vendor id of NVIDIA. */
const NVIDIA_VENDOR = '0x10de';

/** On Linux, whether a PCI device is NVIDIA's, read from /sys; undefined when /sys cannot tell (macOS, no /sys). */
async function nvidiaOnPci(host: Host): Promise<boolean | undefined> {
	if (host.platform !== 'linux') return undefined;
	const root = '/sys/bus/pci/devices';
	let devices: string[];
	try {
		devices = await host.readdir(root);
	} catch {
		return undefined;
	}
	const vendors = await Promise.all(devices.map(d => host.readFile(`${root}/${d}/vendor`).catch(() => undefined)));
	if (vendors.every(v => v === undefined)) return undefined;
	return vendors.some(v => v?.trim().toLowerCase() === NVIDIA_VENDOR);
}

/** How long the engine has to start a container that lists its GPUs. */
const GPU_RUN_TIMEOUT_MS = 6000;
const IMAGES_TIMEOUT_MS = 3000;

/**
 * Runs `nvidia-smi -L` in a throwaway container with every GPU (`--gpus all`), from an image already on the
 * engine (nothing is pulled; the NVIDIA runtime brings nvidia-smi into it). Undefined when there is no image.
 */
export async function gpusInContainer(host: Host): Promise<GpuValue['container']> {
	const images = await host.run('docker', ['images', '--quiet'], IMAGES_TIMEOUT_MS);
	const image = images.exitCode === 0 ? images.stdout.split('\n')[0]?.trim() : undefined;
	if (!image) return undefined;
	const r = await host.run(
		'docker',
		['run', '--rm', '--gpus', 'all', '--network', 'none', '--entrypoint', 'nvidia-smi', image, '-L'],
		GPU_RUN_TIMEOUT_MS,
	);
	if (r.exitCode === 0) return {ok: true, count: r.stdout.split('\n').filter(l => /^GPU \d+:/.test(l)).length};
	// The daemon's words, not the CLI's closing "Run 'docker run --help' for more information".
	const said = `${r.stderr}\n${r.stdout}`
		.trim()
		.split('\n')
		.filter(l => l.trim() && !/docker run --help/.test(l));
	const detail = r.timedOut ? `no answer within ${GPU_RUN_TIMEOUT_MS} ms` : said.at(-1)?.replace(/^docker: /, '');
	return {ok: false, detail: detail || `docker run --gpus all exited ${r.exitCode}`};
}

async function probeGpus(
	host: Host,
	graphics?: () => Promise<{vendor?: string; model?: string; vram?: number | null}[]>,
): Promise<Omit<Probe<GpuValue>, 'ms'>> {
	// Undefined: nvidia-smi could not be started at all.
	const smi = await host
		.run(
			'nvidia-smi',
			['--query-gpu=index,name,memory.total,driver_version,uuid', '--format=csv,noheader'],
			NVIDIA_SMI_TIMEOUT_MS,
		)
		.catch(() => undefined);
	if (smi?.timedOut)
		return {
			status: 'timeout',
			detail: `nvidia-smi did not answer within ${NVIDIA_SMI_TIMEOUT_MS} ms`,
			hint: 'the NVIDIA driver may be hung; check nvidia-smi by hand',
		};
	if (smi && smi.exitCode === 0) {
		const gpus = parseNvidiaSmi(smi.stdout);
		if (!gpus.length) return {status: 'missing', value: {gpus, source: 'nvidia-smi'}};
		// A registered runtime is not a usable GPU: ask a real container.
		const container = await gpusInContainer(host);
		const value: GpuValue = {gpus, source: 'nvidia-smi', ...(container ? {container} : {})};
		if (container?.ok === false)
			return {
				status: 'error',
				value,
				detail: `${gpus.length} GPU(s) on the host, but a container cannot use them: ${container.detail}`,
				hint:
					'install nvidia-container-toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && ' +
					'restart Docker',
			};
		return {status: 'ok', value};
	}
	if (smi && smi.exitCode !== 127) {
		const first = (smi.stdout + smi.stderr).trim().split('\n')[0]!;
		return {
			status: 'error',
			detail: `nvidia-smi failed: ${first}`,
			hint: 'the NVIDIA driver is installed but not working; reboot or reinstall the driver',
			value: {gpus: [], source: 'nvidia-smi'},
		};
	}
	// No nvidia-smi: ask systeminformation (a large module, and lspci), unless /sys already says that no PCI
	// device is NVIDIA's.
	if (graphics && (await nvidiaOnPci(host)) !== false) {
		const controllers = await graphics();
		const gpus = controllers
			.filter(c => /nvidia/i.test(`${c.vendor ?? ''} ${c.model ?? ''}`))
			.map((c, index) => ({index, name: c.model ?? 'NVIDIA GPU', ...(c.vram ? {memoryMiB: c.vram} : {})}));
		if (gpus.length) {
			return {
				status: 'ok',
				value: {gpus, source: 'systeminformation'},
				detail: 'found without nvidia-smi',
				hint: 'install the NVIDIA driver (nvidia-smi) to use these GPUs',
			};
		}
	}
	return {status: 'missing', value: {gpus: [], source: 'nvidia-smi'}, detail: 'no NVIDIA GPU found'};
}

async function probeAgent(host: Host): Promise<Omit<Probe<string>, 'ms'>> {
	const sock = host.env.SSH_AUTH_SOCK;
	if (!sock)
		return {
			status: 'missing',
			detail: 'SSH_AUTH_SOCK is not set',
			hint: 'start an agent (eval "$(ssh-agent)"; ssh-add) to forward it',
		};
	const kind = await host.kind(sock);
	if (kind !== 'socket') {
		return {
			status: 'error',
			detail: `SSH_AUTH_SOCK=${sock} is ${kind ? 'not a socket' : 'gone'} (stale after a re-login?)`,
			hint: 'open a new shell or restart your agent',
		};
	}
	if (!(await host.connect(sock, 1000))) {
		return {
			status: 'error',
			detail: `nothing answers on ${sock} (a dead agent)`,
			hint: 'restart your agent: eval "$(ssh-agent)"; ssh-add',
		};
	}
	return {status: 'ok', value: sock};
}

export interface InspectOptions {
	/** systeminformation's graphics(); injected so tests need no lspci. */
	graphics?: () => Promise<{vendor?: string; model?: string; vram?: number | null}[]>;
	/**
	 * Where the user's own public keys are (the ones offered to log in): this machine, when the host inspected is a
	 * remote Docker host, whose stacks get a copy of them (default: the host inspected).
	 */
	keysFrom?: Host;
}

/** systeminformation's graphics controllers: loaded only when asked (it is large and runs lspci). */
export async function systemGraphics() {
	const mod = await import('systeminformation');
	const si = ('default' in mod ? mod.default : mod) as typeof mod;
	return (await si.graphics()).controllers;
}

/** What a probe may use: the host, who the user is there, and the injected slow parts. */
interface ProbeContext {
	host: Host;
	id: ReturnType<typeof identity>;
	options: InspectOptions;
}

/**
 * One probe, declared once: its label on the welcome screen and in `inspect`, its deadline, how it runs, how its
 * result reads in words, and the host facts (model defaults) it yields.
 */
interface ProbeSpec<T> {
	label: string;
	deadlineMs: number;
	run: (ctx: ProbeContext) => Promise<Omit<Probe<T>, 'ms'>>;
	/** The line for an ok result (and for others when `always`). */
	describe: (value: T | undefined, i: Inspection) => string;
	/** Use `describe` for every status, not only ok (the GPU line explains a missing GPU itself). */
	always?: Status[];
	facts: (p: Probe<T>) => HostFacts;
}

const spec = <T>(s: ProbeSpec<T>) => s;

/** Every probe, in the order the welcome screen and `inspect` show them. */
export const PROBES = {
	docker: spec<DockerFacts>({
		label: 'Docker',
		deadlineMs: PROBE_TIMEOUT_MS + 500,
		run: ({host}) => probeDocker(host),
		describe: v =>
			`${v!.serverVersion}, runtimes: ${v!.runtimes.join(', ')}` +
			`${v!.bridge === false ? '; no bridge network (containers use the host network)' : ''}`,
		facts: p => ({
			nvidiaRuntime: p.value?.nvidiaRuntime ?? false,
			...(p.value?.bridge === false ? {bridgeNetwork: false} : {}),
		}),
	}),
	compose: spec<string>({
		label: 'compose',
		deadlineMs: PROBE_TIMEOUT_MS + 500,
		run: ({host}) => probeCompose(host),
		describe: v => `v${v}`,
		facts: p => (p.value ? {composeVersion: p.value} : {}),
	}),
	gpus: spec<GpuValue>({
		label: 'GPUs',
		// nvidia-smi on the host, then (with GPUs) an image to run and a container listing them.
		deadlineMs: NVIDIA_SMI_TIMEOUT_MS + IMAGES_TIMEOUT_MS + GPU_RUN_TIMEOUT_MS + 500,
		run: ({host, options}) => probeGpus(host, options.graphics),
		describe: (_v, i) => gpuSummary(i),
		always: ['missing'],
		// A GPU count only from an answer: a timeout or an error says nothing about how many there are.
		facts: p => ({
			...(p.status === 'ok' || p.status === 'missing' ? {gpuCount: p.value?.gpus.length ?? 0} : {}),
			...(p.value?.container?.ok === false ? {gpuProblem: p.value.container.detail} : {}),
		}),
	}),
	dropbox: spec<string>({
		label: 'Dropbox',
		deadlineMs: PROBE_TIMEOUT_MS,
		run: async ({host, id}) => {
			const p = await dropboxPath(host, id.home);
			return p
				? {status: 'ok', value: p}
				: {
						status: 'missing',
						detail:
							`no Dropbox folder in ${join(id.home, '.dropbox', 'info.json')}, ~/Dropbox or ` +
							`~/Library/CloudStorage/Dropbox`,
					};
		},
		describe: v => String(v),
		facts: p => (p.value ? {dropboxPath: p.value} : {}),
	}),
	agent: spec<string>({
		label: 'agent',
		deadlineMs: PROBE_TIMEOUT_MS,
		run: ({host}) => probeAgent(host),
		describe: v => String(v),
		facts: p => (p.value ? {agentSocket: p.value} : {}),
	}),
	publicKeys: spec<string[]>({
		label: 'SSH keys',
		deadlineMs: PROBE_TIMEOUT_MS,
		run: async ({host, id, options}) => {
			const from = options.keysFrom ?? host;
			const list = await publicKeys(from, options.keysFrom ? identity(from).home : id.home);
			return list.length
				? {status: 'ok', value: list}
				: {status: 'missing', detail: 'no ~/.ssh/*.pub', hint: 'make one: ssh-keygen -t ed25519'};
		},
		describe: v => v!.join(', '),
		facts: p => (p.value ? {publicKeys: p.value} : {}),
	}),
};

type Probes = typeof PROBES;
type ProbeName = keyof Probes;
type ValueOf<S> = S extends ProbeSpec<infer T> ? T : never;
const NAMES = Object.keys(PROBES) as ProbeName[];

/** What hatch saw on this host: who the user is, and each probe's result. */
export type Inspection = {identity: ReturnType<typeof identity>; platform: string} & {
	[K in ProbeName]: Probe<ValueOf<Probes[K]>>;
};

export const PROBE_LABELS = NAMES.map(n => PROBES[n].label);

/** Runs every probe at once, each under its own deadline. */
export async function inspectHost(host: Host, options: InspectOptions = {}): Promise<Inspection> {
	const id = identity(host);
	const ctx: ProbeContext = {host, id, options};
	const results = await Promise.all(
		NAMES.map(n => timed(() => (PROBES[n] as ProbeSpec<unknown>).run(ctx), PROBES[n].deadlineMs)),
	);
	return {
		identity: id,
		platform: host.platform,
		...Object.fromEntries(NAMES.map((n, k) => [n, results[k]])),
	} as Inspection;
}

/** An inspection that could not run at all: every probe failed with the same reason. */
export function failedInspection(id: Inspection['identity'], platform: string, error: Error): Inspection {
	const failed = {status: 'error' as const, detail: `host check failed: ${error.message}`, ms: 0};
	return {identity: id, platform, ...Object.fromEntries(NAMES.map(n => [n, failed]))} as Inspection;
}

/** One line on the GPU situation, naming the mismatch users trip over. */
export function gpuSummary(i: Inspection): string {
	const count = i.gpus.value?.gpus.length ?? 0;
	const runtime = i.docker.value?.nvidiaRuntime ?? false;
	if (i.gpus.status === 'timeout') return 'GPU check timed out';
	if (i.gpus.value?.container?.ok === false) return i.gpus.detail!;
	if (count === 0) return runtime ? 'NVIDIA runtime present, but no GPU found' : 'no GPU';
	const names = [...new Set(i.gpus.value!.gpus.map(g => g.name))].join(', ');
	if (!runtime && i.docker.status === 'ok')
		return `${count} GPU(s) found (${names}), runtime missing: install nvidia-container-toolkit and restart Docker`;
	return `${count} GPU(s): ${names}`;
}

export interface ProbeLine {
	label: string;
	status: Status;
	text: string;
	/** Shown when the status is not ok. */
	hint?: string;
}

/** Each probe as one line of words: the same for `inspect` and the wizard's welcome screen. */
export function describeProbes(i: Inspection): ProbeLine[] {
	return NAMES.map(n => {
		const s = PROBES[n] as ProbeSpec<unknown>;
		const p = i[n] as Probe<unknown>;
		const text =
			p.status === 'ok' || s.always?.includes(p.status)
				? s.describe(p.value, i)
				: p.status === 'timeout'
					? `timed out (${p.detail ?? ''})`
					: (p.detail ?? p.status);
		return {label: s.label, status: p.status, text, ...(p.hint ? {hint: p.hint} : {})};
	});
}

/** Host facts for the model's defaults: who the user is, and what each probe yields. */
export function factsFrom(i: Inspection): HostFacts {
	const facts: HostFacts = {...i.identity};
	for (const n of NAMES) Object.assign(facts, (PROBES[n] as ProbeSpec<unknown>).facts(i[n] as Probe<unknown>));
	return facts;
}
