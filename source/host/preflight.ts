// Checks made just before writing a stack: is the SSH port free, do the volumes exist already (first run or
// re-run). With `deploy`, also what a build and start need from this engine; each refusal names the setting or
// the tool, and the fix. (The host files the settings name are checked by stack.ts's hostFileProblems.)
import {type ComposeIdentity, identityFor} from '../core/compose.js';
import type {Line} from '../core/describe.js';
import {KEY, type Values} from '../core/model.js';
import {type Host, onHost} from './probes.js';

export interface Preflight {
	warnings: string[];
	notes: string[];
	/** What stops a build and start (empty: go ahead); only with `deploy`. */
	deployErrors: string[];
}

/** The last line a failed command printed (its error), for a message. (A split always has a last part.) */
function lastLine(text: string): string {
	return text.trim().split('\n').pop()!.trim();
}

/**
 * Where the engine keeps its data and the KiB free there: on this host; for a remote engine `df` finds no such
 * folder and `freeKiB` is NaN (as it is when the engine does not answer, and `dir` is '').
 */
export async function dockerDisk(host: Host): Promise<{dir: string; freeKiB: number}> {
	const root = await host.run('docker', ['info', '--format', '{{.DockerRootDir}}'], 5000).catch(() => undefined);
	const dir = root?.exitCode === 0 ? root.stdout.trim() : '';
	const df = dir ? await host.run('df', ['-Pk', dir], 3000).catch(() => undefined) : undefined;
	const freeKiB = df?.exitCode === 0 ? Number(df.stdout.trim().split('\n').pop()!.split(/\s+/)[3]) : Number.NaN;
	return {dir, freeKiB};
}

/** What a build (and start) needs from the engine: reachable, compose v2, the network mode, the base image. */
async function deployChecks(
	host: Host,
	values: Values,
	deploy: {build: boolean; boot: boolean},
	notes: string[],
): Promise<string[]> {
	const errors: string[] = [];
	// Where, for a remote host (this machine's messages stay as they were).
	const there = host.label ? ` on ${host.label}` : '';
	const engine = await host.run('docker', ['version', '--format', '{{.Server.Version}}'], 5000).catch(() => undefined);
	if (engine?.exitCode !== 0) {
		const said = `${engine?.stderr ?? ''}\n${engine?.stdout ?? ''}`;
		const why = /permission denied/i.test(said)
			? 'no permission on the Docker socket: sudo usermod -aG docker $USER, then log out and in'
			: /cannot connect|is the docker daemon running|no such file/i.test(said)
				? 'the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop'
				: engine && engine.exitCode !== 127
					? lastLine(said) || 'docker version failed'
					: 'docker is not installed (or not on PATH): install Docker Engine or Docker Desktop';
		return [`Docker${there}: ${why}`];
	}
	const compose = await host.run('docker', ['compose', 'version', '--short'], 5000).catch(() => undefined);
	if (compose?.exitCode !== 0) {
		errors.push(
			`docker compose (v2) is missing${there}: install the compose plugin (docker-compose-plugin, or ` +
				'docker-compose 2.x), then run again',
		);
	}
	// The container in bridge mode and a build on Docker's default network both need the engine's bridge.
	const needBridge = [
		...(deploy.boot && values[KEY.network] !== 'host' ? [`${KEY.network}=bridge`] : []),
		...(deploy.build && values[KEY.buildNetwork] !== 'host' ? [`${KEY.buildNetwork}=default`] : []),
	];
	if (needBridge.length) {
		const bridge = await host
			.run('docker', ['network', 'inspect', '--format', '{{.Name}}', 'bridge'], 5000)
			.catch(() => undefined);
		if (bridge?.exitCode !== 0) {
			const fix = needBridge.map(s => `--set ${s.replace(/=.*/, '')}=host`).join(' ');
			errors.push(
				`${needBridge.join(' and ')}, but this Docker engine has no bridge network (dockerd runs with ` +
					`--bridge=none): use the host network instead (${fix})`,
			);
		}
	}
	const {dir, freeKiB} = await dockerDisk(host);
	if (deploy.build && freeKiB < 1024 * 1024) {
		errors.push(
			`only ${Math.round(freeKiB / 1024)} MiB free under ${dir}${there}; a build needs about 1 GiB: ` +
				'docker system prune frees space',
		);
	} else if (freeKiB < 3 * 1024 * 1024) {
		notes.push(`${(freeKiB / 1024 / 1024).toFixed(1)} GiB free under ${dir}`);
	}
	if (deploy.build) {
		const base = values[KEY.baseImage] || 'ubuntu:24.04';
		const image = await host
			.run('docker', ['image', 'inspect', '--format', '{{.Id}}', base], 5000)
			.catch(() => undefined);
		notes.push(
			image?.exitCode === 0
				? `base image ${base} is on this engine`
				: `base image ${base} is not on this engine: the build pulls it (needs the network, or docker login)`,
		);
	}
	return errors;
}

/**
 * Renaming the container keeps the volumes the stack's docker-compose.yml names (`identity`). Without that
 * file the new name would name new, empty volumes: then this warns, when the old name's volumes exist.
 */
export async function renameWarning(
	host: Host,
	previous: Values | undefined,
	values: Values,
	identity?: ComposeIdentity,
): Promise<string | undefined> {
	const before = previous?.[KEY.name];
	const after = values[KEY.name];
	if (!before || !after || before === after) return undefined;
	if (identity && identity.volumes.home !== `${after}-home`) return undefined;
	const r = await host
		.run('docker', ['volume', 'ls', '-q', '--filter', `name=^${before}-home$`], 3000)
		.catch(() => undefined);
	if (r?.exitCode !== 0 || !r.stdout.trim()) return undefined;
	return (
		`${KEY.name} changes from ${before} to ${after}, and no docker-compose.yml keeps the volume ` +
		`names: the container would start with a new, empty home and new host ` +
		`keys (yours stay in ${before}-home and ${before}-sshkeys). To keep ` +
		`them, keep the name ${before}`
	);
}

/** Whether this stack's own container runs (then the port it holds is its own). */
async function runningHere(host: Host, name: string): Promise<boolean> {
	const r = await host.run('docker', ['ps', '-q', '--filter', `name=^${name}$`], 3000).catch(() => undefined);
	return Boolean(r?.exitCode === 0 && r.stdout.trim());
}

/**
 * The SSH port question's check: refused when something else holds the port on the listen address (this
 * stack's own running container may), naming the next free port.
 */
export async function checkPort(host: Host, values: Values, value: string): Promise<string | undefined> {
	const port = Number(value);
	const address = values[KEY.listen] || '0.0.0.0';
	if (!Number.isInteger(port) || (await host.portFree(port, address))) return undefined;
	if (await runningHere(host, values[KEY.name] ?? '')) return undefined;
	const free = await nextFreePort(host, address, port);
	return `${KEY.port} ${port} is in use on ${address} ${onHost(host)}${free ? `; ${free} is free` : ''}`;
}

/** The first port after `port` (up to 100 on) that nothing holds on the address there. */
async function nextFreePort(host: Host, address: string, port: number): Promise<number | undefined> {
	for (let p = port + 1; p <= Math.min(65535, port + 100); p++) if (await host.portFree(p, address)) return p;
	return undefined;
}

/**
 * A new stack's SSH port, when nobody chose it (the default): the next free one when something there holds it,
 * with the note that says so; undefined when it is free (or this stack's own container holds it).
 */
export async function avoidBusyPort(host: Host, values: Values): Promise<{port: string; note: string} | undefined> {
	const port = Number(values[KEY.port]);
	const address = values[KEY.listen] || '0.0.0.0';
	if (!Number.isInteger(port) || port <= 0 || (await host.portFree(port, address))) return undefined;
	if (await runningHere(host, values[KEY.name] ?? '')) return undefined;
	const free = await nextFreePort(host, address, port);
	return free
		? {port: String(free), note: `port ${port} is in use on ${address} ${onHost(host)}: ${KEY.port}=${free} instead`}
		: undefined;
}

/** `identity`: the project and volume names the stack's docker-compose.yml keeps (default: a new stack's). */
export async function preflight(
	host: Host,
	values: Values,
	deploy?: {build: boolean; boot: boolean},
	identity?: ComposeIdentity,
): Promise<Preflight> {
	const warnings: string[] = [];
	const notes: string[] = [];
	const name = values[KEY.name] ?? '';
	const volumes = Object.values((identity ?? identityFor('stem', values)).volumes);
	const [running, existing] = await Promise.all([
		runningHere(host, name),
		host.run('docker', ['volume', 'ls', '-q'], 3000).catch(() => undefined),
	]);

	const port = Number(values[KEY.port]);
	const address = values[KEY.listen] || '0.0.0.0';
	if (address === '0.0.0.0') {
		warnings.push(
			values[KEY.network] === 'host'
				? `SSH will listen on every interface of this host (0.0.0.0:${port}); for this host only, set ` +
						`${KEY.listen}=127.0.0.1`
				: `SSH will listen on every interface of this host (0.0.0.0:${port}), and Docker publishes the port past ` +
						`host firewalls such as ufw; for this host only, set ` +
						`${KEY.listen}=127.0.0.1`,
		);
	}
	const deployErrors = deploy && (deploy.build || deploy.boot) ? await deployChecks(host, values, deploy, notes) : [];
	if (Number.isInteger(port) && port > 0 && !(await host.portFree(port, address))) {
		if (running) notes.push(`${name} is running and holds port ${port}; docker compose up -d will recreate it`);
		else {
			const taken = `port ${port} on ${address} is already in use ${onHost(host)}; pick another ${KEY.port}`;
			if (deploy?.boot) deployErrors.push(taken);
			else warnings.push(taken);
		}
	}

	if (existing?.exitCode === 0) {
		// A blank line gives '', which no volume is named.
		const present = new Set(existing.stdout.split('\n').map(s => s.trim()));
		const have = volumes.filter(v => present.has(v));
		const missing = volumes.filter(v => !present.has(v));
		if (have.length) notes.push(`re-run: volume(s) ${have.join(', ')} exist; your home and host keys are kept`);
		if (missing.length && values[KEY.volumesExternal] === '1') {
			if (deploy?.boot)
				notes.push(`first run: hatch creates the external volumes ${missing.join(', ')} before the start`);
			else
				warnings.push(
					`external volumes missing; create them first: docker volume create ` +
						`${missing.join(' && docker volume create ')} (or start the stack with hatch-wizard, which creates them)`,
				);
		} else if (missing.length && !have.length) {
			notes.push(`first run: compose creates ${missing.join(', ')}`);
		}
	}
	return {warnings, notes, deployErrors};
}

/** A build and start refused by the preflight, in the words both the wizard and --yes print (exit 2). */
export function refusal(errors: string[], written: boolean): Line[] {
	return [
		{text: 'It cannot be built and started here yet:', tone: 'plain'},
		...errors.map(e => ({text: `✗ ${e}`, tone: 'bad' as const})),
		{
			text: written
				? 'The files are written; fix these, then run hatch-wizard again.'
				: 'Nothing was written or started. (--no-build --no-boot writes the files only.)',
			tone: 'plain',
		},
	];
}
