// `hatch-wizard doctor [NAME] [--json]`: what is wrong on this host and, for a stack, in its container, each
// problem with its fix. Every look has a deadline and the independent ones run at once, so a hung engine costs
// seconds, not a hang. Exit 0 when nothing failed (warnings are not failures), 1 otherwise.
import {existsSync} from 'node:fs';
import {join, posix} from 'node:path';
import {composeDrift, describeDrift, parseGpus} from '../core/compose.js';
import {ansi, colorFor, type Line, STATUS_MARK, type Tone} from '../core/describe.js';
import {DOCKER_DESKTOP_AGENT, field, type Image, KEY, localAddress} from '../core/model.js';
import type {Engine} from '../docker/deploy.js';
import {type Proc, type Ran, realProc} from '../docker/proc.js';
import {bootRecord, checkSsh, readyHostOn} from '../docker/ready.js';
import {gpuSummary, type Inspection, inspectHost} from '../host/inspect.js';
import {checkPort, dockerDisk} from '../host/preflight.js';
import {type Host, realHost} from '../host/probes.js';
import {pinnedFingerprint} from '../sshconfig.js';
import {stackDrift} from '../stack.js';
import type {Store} from '../store.js';
import {CommandError, type StackRef} from './common.js';
import {findStack} from './stacks.js';
import {bootSummary, rewriteCommand} from './status.js';

export type FindingStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One check's result: what was looked at, what was found, and what to do about it. */
export interface Finding {
	check: string;
	status: FindingStatus;
	detail: string;
	fix?: string;
}

/** The marks `inspect` and `status` use: ✔ ok, ! a warning, ✗ a failure, – not looked at. */
const MARK: Record<FindingStatus, {mark: string; tone: Tone}> = {
	ok: STATUS_MARK.ok,
	warn: {mark: '!', tone: 'warn'},
	fail: STATUS_MARK.error,
	skip: STATUS_MARK.missing,
};

/** How long one look (a docker command, ssh-add, ssh-keyscan) may take before it counts as no answer. */
export const LOOK_MS = 4000;

/** Under this much free space where Docker keeps its data, a warning. */
const LOW_DISK_GIB = 3;

/** Where the boot's relay offers the host's agent to the user (images/stem/my_init.d/03-ssh-agent.sh). */
export const AGENT_RELAY = '/run/hatch/ssh-agent.sock';

/** What doctor runs things through: the host probes' view of this host, and the engine. */
export interface DoctorDeps {
	host: Host;
	engine: Engine;
}

/** The engine doctor looks through: `proc`, the readiness gate's looks (ssh-keyscan, docker exec) given LOOK_MS. */
export function doctorEngine(proc: Proc): Engine {
	return {proc, ready: readyHostOn(proc, LOOK_MS)};
}

function realDeps(): DoctorDeps {
	return {host: realHost(), engine: doctorEngine(realProc)};
}

/** The stack doctor looks at, if any, and why there is none. */
export interface Target {
	ref?: StackRef;
	/** The stack asked for is registered but cannot be read (moved, deleted, another one there). */
	problem?: string;
	/** The stacks on this host, when none was named and there are several. */
	others?: string[];
}

/**
 * The stack as the other stack commands find it (findStack): NAME, else --image/--out, else the only one. With
 * none named and none or several registered, doctor checks the host alone.
 */
export function doctorTarget(store: Store, how: {name?: string; image?: Image; out?: string}): Target {
	const bare = how.name === undefined && how.image === undefined && how.out === undefined;
	const names = store.stacks().map(s => s.name);
	if (bare && names.length > 1) return {others: names};
	try {
		return {ref: findStack(store, how)};
	} catch (error) {
		if (!(error instanceof CommandError)) throw error;
		return bare && !names.length ? {} : {problem: error.message};
	}
}

const lastLine = (text: string) => text.trim().split('\n').pop()?.trim() ?? '';

/** How a docker command that did not succeed reads; undefined when it did. */
function failed(r: Ran): string | undefined {
	if (r.timedOut) return `no answer within ${LOOK_MS / 1000} s`;
	if (r.exitCode !== 0) return lastLine(r.stderr) || lastLine(r.stdout) || `exit ${r.exitCode}`;
	return undefined;
}

// ---- the host ---------------------------------------------------------------------------------------------

function engineFinding(p: Inspection['docker']): Finding {
	if (p.status === 'ok') return {check: 'engine', status: 'ok', detail: `Docker ${p.value!.serverVersion} answers`};
	return {
		check: 'engine',
		status: 'fail',
		// A probe stopped by its own deadline says only how long it waited.
		detail: p.status === 'timeout' && !p.hint ? `docker info: ${p.detail}` : (p.detail ?? 'docker info failed'),
		fix: p.hint ?? 'is the Docker daemon hung? try: docker info',
	};
}

function composeFinding(p: Inspection['compose']): Finding {
	if (p.status === 'ok') return {check: 'compose', status: 'ok', detail: `v${p.value}`};
	return {check: 'compose', status: 'fail', detail: p.detail ?? 'docker compose version failed', ...hint(p.hint)};
}

const hint = (fix: string | undefined) => (fix ? {fix} : {});

/** Whether the stack asks for GPUs. */
const wantsGpus = (ref: StackRef | undefined) =>
	ref?.image === 'neuron' && parseGpus(ref.values[KEY.gpus]).kind !== 'none';

const NVIDIA_FIX =
	'install nvidia-container-toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl ' +
	'restart docker';

/** The engine's runtimes: the NVIDIA one is information only, unless the stack asks for GPUs. */
function runtimeFindings(i: Inspection, ref: StackRef | undefined): Finding[] {
	if (i.docker.status !== 'ok')
		return [{check: 'runtimes', status: 'skip', detail: 'the engine did not answer (see engine)'}];
	const {runtimes, nvidiaRuntime} = i.docker.value!;
	const list = runtimes.join(', ') || 'none listed';
	const gpus = wantsGpus(ref);
	const runtime: Finding = nvidiaRuntime
		? {check: 'runtimes', status: 'ok', detail: `${list} (nvidia registered)`}
		: gpus
			? {
					check: 'runtimes',
					status: 'fail',
					detail: `${list}: no nvidia runtime, but ${KEY.gpus}=${ref!.values[KEY.gpus]} asks for GPUs`,
					fix: `${NVIDIA_FIX} (or set ${KEY.gpus}=none and run hatch-wizard again)`,
				}
			: {check: 'runtimes', status: 'ok', detail: `${list} (no nvidia runtime: only GPU stacks need it)`};
	if (!gpus) return [runtime];
	const found = i.gpus.status === 'ok' && (i.gpus.value?.gpus.length ?? 0) > 0;
	return [
		runtime,
		found
			? {check: 'gpus', status: 'ok', detail: gpuSummary(i)}
			: {
					check: 'gpus',
					status: 'fail',
					detail: i.gpus.status === 'error' ? (i.gpus.detail ?? gpuSummary(i)) : gpuSummary(i),
					fix:
						i.gpus.hint ?? `check the NVIDIA driver (nvidia-smi), or set ${KEY.gpus}=none and run hatch-wizard again`,
				},
	];
}

function diskFinding({dir, freeKiB}: {dir: string; freeKiB: number}): Finding {
	if (!dir) return {check: 'disk', status: 'skip', detail: 'the engine did not say where it keeps its data'};
	if (Number.isNaN(freeKiB))
		return {check: 'disk', status: 'skip', detail: `${dir} is not on this host (a remote engine?), or df failed`};
	const gib = freeKiB / 1024 / 1024;
	const detail = `${gib.toFixed(1)} GiB free under ${dir}`;
	if (gib >= LOW_DISK_GIB) return {check: 'disk', status: 'ok', detail};
	return {
		check: 'disk',
		status: 'warn',
		detail,
		fix: 'docker system prune frees space (stopped containers, unused images, build cache)',
	};
}

/**
 * The agent that matters: the socket the stack forwards (a failure when it is dead), else SSH_AUTH_SOCK (a
 * warning: nothing needs it). `ssh-add -l` says 0 (keys) or 1 (none) when the agent answers, 2 when it does not.
 */
async function agentFinding(host: Host, ref: StackRef | undefined): Promise<Finding> {
	const forwarded = ref?.values[KEY.agent];
	const own = forwarded && forwarded !== DOCKER_DESKTOP_AGENT ? forwarded : undefined;
	const sock = own ?? host.env.SSH_AUTH_SOCK;
	if (!sock)
		return {
			check: 'agent',
			status: 'skip',
			detail: 'SSH_AUTH_SOCK is not set (no agent here; only forwarding needs one)',
		};
	const bad: FindingStatus = own ? 'fail' : 'warn';
	const whose = own ? `${KEY.agent}=${sock}` : `SSH_AUTH_SOCK=${sock}`;
	const fix = own
		? `start your agent (eval "$(ssh-agent)"; ssh-add), set ${KEY.agent} to its $SSH_AUTH_SOCK in ` +
			`${join(ref!.dir, '.env')}, then: hatch-wizard up ${ref!.values[KEY.name]}`
		: 'restart your agent: eval "$(ssh-agent)"; ssh-add';
	const kind = await host.kind(sock);
	if (kind !== 'socket')
		return {
			check: 'agent',
			status: bad,
			detail: `${whose} is ${kind ? 'not a socket' : 'gone'} (stale after a re-login?)`,
			fix,
		};
	const r = await host.run('env', [`SSH_AUTH_SOCK=${sock}`, 'ssh-add', '-l'], LOOK_MS).catch(() => undefined);
	if (!r || r.exitCode === 127)
		return {check: 'agent', status: 'skip', detail: `${whose} is a socket; ssh-add (OpenSSH) is not here to ask it`};
	if (r.timedOut)
		return {check: 'agent', status: bad, detail: `${whose} did not answer within ${LOOK_MS / 1000} s`, fix};
	if (r.exitCode === 0) {
		const keys = r.stdout.split('\n').filter(l => l.trim()).length;
		return {check: 'agent', status: 'ok', detail: `${whose} answers, ${keys} key(s)`};
	}
	if (r.exitCode === 1)
		return {check: 'agent', status: 'ok', detail: `${whose} answers, no keys loaded (ssh-add loads yours)`};
	return {
		check: 'agent',
		status: bad,
		detail: `${whose} does not answer (${lastLine(r.stderr) || 'a dead agent'})`,
		fix,
	};
}

/** The stack's SSH port on this host: free, or held by its own container. */
async function portFinding(host: Host, ref: StackRef): Promise<Finding> {
	const port = ref.values[KEY.port] ?? '';
	const address = ref.values[KEY.listen] || '0.0.0.0';
	const name = ref.values[KEY.name]!;
	if (await host.portFree(Number(port), address))
		return {check: 'port', status: 'ok', detail: `${address}:${port} is free for ${name}`};
	const taken = await checkPort(host, ref.values, port);
	if (!taken) return {check: 'port', status: 'ok', detail: `${address}:${port} is held by ${name} itself`};
	return {
		check: 'port',
		status: 'fail',
		detail: taken,
		fix:
			`stop what listens there (ss -ltnp 'sport = :${port}' names it), or set another ${KEY.port} in ` +
			`${join(ref.dir, '.env')}, then: hatch-wizard up ${name}`,
	};
}

// ---- the stack --------------------------------------------------------------------------------------------

/**
 * Whether the stack's folder has `names`: on this machine, or, for a stack on a remote host, there (one look each
 * through the shared connection).
 */
async function present(ref: StackRef, host: Host, names: string[]): Promise<string[]> {
	const here = (f: string) => Promise.resolve(existsSync(join(ref.dir, f)));
	const there = async (f: string) => (await host.kind(posix.join(ref.dir, f))) === 'file';
	const has = await Promise.all(names.map(ref.remote ? there : here));
	return names.filter((_, k) => has[k]);
}

async function filesFinding(ref: StackRef, host: Host): Promise<Finding> {
	const wanted = ['docker-compose.yml', 'image/Dockerfile'];
	const have = await present(ref, host, wanted);
	const missing = wanted.filter(f => !have.includes(f));
	if (!missing.length) return {check: 'files', status: 'ok', detail: `${ref.dir}: .env, docker-compose.yml and image/`};
	return {
		check: 'files',
		status: 'fail',
		detail: `${ref.dir} has .env but no ${missing.join(' or ')}`,
		fix: `write them again: ${rewriteCommand(ref)}`,
	};
}

/** The compose file's drift from .env: read here, or there for a remote stack. */
async function driftOf(ref: StackRef, host: Host): Promise<string[]> {
	if (!ref.remote) return stackDrift(ref.image, ref.dir);
	const compose = await host.readFile(posix.join(ref.dir, 'docker-compose.yml')).catch(() => undefined);
	return compose === undefined ? [] : (composeDrift(ref.image, compose, ref.values) ?? []).map(describeDrift);
}

async function driftFinding(ref: StackRef, host: Host): Promise<Finding> {
	const drift = await driftOf(ref, host);
	if (!drift.length) return {check: 'drift', status: 'ok', detail: 'docker-compose.yml follows .env'};
	return {
		check: 'drift',
		status: 'warn',
		detail: `docker-compose.yml does not follow .env: ${drift.join('; ')}`,
		fix: `${rewriteCommand(ref)} (rewrites it, with a diff, and restarts the container)`,
	};
}

interface Mount {
	Type: string;
	Source: string;
	Destination: string;
	RW: boolean;
}

/** The container's state, restart count and mounts, as docker inspect says. */
const INSPECT = '{{.State.Status}} {{.RestartCount}} {{json .Mounts}}';

type Container = {finding: Finding; running: boolean; mounts: Mount[]};

async function containerFinding(deps: DoctorDeps, ref: StackRef, engineUp: Promise<boolean>): Promise<Container> {
	const {proc} = deps.engine;
	const name = ref.values[KEY.name]!;
	const r = await proc.run('docker', ['inspect', '--format', INSPECT, name], {timeoutMs: LOOK_MS});
	const result = (status: FindingStatus, detail: string, fix?: string): Container => ({
		finding: {check: 'container', status, detail, ...hint(fix)},
		running: false,
		mounts: [],
	});
	if (failed(r)) {
		if (!/no such (object|container)/i.test(r.stderr)) {
			if (!(await engineUp)) return result('skip', 'the engine did not answer (see engine)');
			return result('fail', `docker inspect ${name}: ${failed(r)}`, 'docker info says what the engine is doing');
		}
		// `up` starts what was built; without the image, `rebuild` builds it first.
		const image = ref.values[KEY.image] ?? '';
		const built = await proc.run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {timeoutMs: LOOK_MS});
		return result(
			'fail',
			`${name} is not created`,
			built.exitCode === 0
				? `hatch-wizard up ${name} creates and starts it`
				: `hatch-wizard rebuild ${name} builds ${image} and starts it`,
		);
	}
	const [state = '', restarts = '0', ...rest] = r.stdout.trim().split(' ');
	let mounts: Mount[] = [];
	try {
		mounts = JSON.parse(rest.join(' ')) as Mount[];
	} catch {
		// no mounts to look at
	}
	const again = restarts !== '0' ? `, restarted ${restarts} time(s)` : '';
	if (state === 'running')
		return {finding: {check: 'container', status: 'ok', detail: `${name} is running${again}`}, running: true, mounts};
	if (state === 'restarting')
		return result(
			'fail',
			`${name} is restarting${again}: its boot fails`,
			`hatch-wizard logs ${name} names the failing step; fix what it says, then: hatch-wizard up ${name}`,
		);
	if (state === 'paused') return result('fail', `${name} is paused`, `docker unpause ${name}`);
	return result(
		'fail',
		`${name} is ${state}${again}`,
		`hatch-wizard up ${name} starts it (hatch-wizard logs ${name} shows how it ended)`,
	);
}

async function sshFinding(deps: DoctorDeps, ref: StackRef): Promise<Finding> {
	const name = ref.values[KEY.name]!;
	const port = ref.values[KEY.port];
	const listen = ref.values[KEY.listen] || '0.0.0.0';
	const ssh = await checkSsh(name, listen, Number(port), deps.engine.ready);
	// The key ~/.ssh/known_hosts pins for the Host block: after `down --volumes` the container has a new one.
	// (The pin is this machine's, also for a stack on a remote host.)
	const pinned = ref.remote ? pinnedFingerprint(name) : pinnedFingerprint(name, deps.host.userInfo().homedir);
	if (ssh.ok && pinned && pinned !== ssh.fingerprint)
		return {
			check: 'ssh',
			status: 'fail',
			detail:
				`sshd answers with ${name}'s host key ${ssh.fingerprint}, but ~/.ssh/known_hosts pins ${pinned} for it: ` +
				`ssh ${name} refuses to connect ("host identification has changed")`,
			fix: `hatch-wizard up ${name} pins the container's current key (read from its own volume)`,
		};
	if (ssh.ok)
		return {
			check: 'ssh',
			status: 'ok',
			detail: `sshd answers on ${localAddress(listen)}:${port} with ${name}'s host key ${ssh.fingerprint}`,
		};
	const fix = ssh.reason.includes('answers with host key')
		? `stop the other sshd, or set another ${KEY.port} in ${join(ref.dir, '.env')}, then: hatch-wizard up ${name}`
		: ssh.reason.includes('could not be compared')
			? `ssh-keyscan (OpenSSH) must be installed here; if it is, sshd is still starting: hatch-wizard status ${name}`
			: `hatch-wizard logs ${name} shows whether sshd started (after the required boot steps)`;
	return {check: 'ssh', status: 'fail', detail: ssh.reason, fix};
}

/** The fix for an account that does not match .env: a new container runs the boot's user step with it. */
const recreate = (ref: StackRef) =>
	`cd ${ref.dir} && docker compose up -d --force-recreate (the boot sets the account from .env; the home volume stays)`;

async function userFinding(deps: DoctorDeps, ref: StackRef): Promise<Finding> {
	const {proc} = deps.engine;
	const name = ref.values[KEY.name]!;
	const user = ref.values[KEY.user] ?? '';
	const want = `${ref.values[KEY.uid]}:${ref.values[KEY.gid]}`;
	const [u, g] = await Promise.all(
		['-u', '-g'].map(flag => proc.run('docker', ['exec', name, 'id', flag, user], {timeoutMs: LOOK_MS})),
	);
	const why = failed(u!) ?? failed(g!);
	if (why) return {check: 'user', status: 'fail', detail: `id ${user} in ${name}: ${why}`, fix: recreate(ref)};
	const have = `${u!.stdout.trim()}:${g!.stdout.trim()}`;
	if (have !== want)
		return {
			check: 'user',
			status: 'fail',
			detail: `${user} is ${have} in the container, but .env says ${want}`,
			fix: recreate(ref),
		};
	return {check: 'user', status: 'ok', detail: `${user} is ${want}, as .env says`};
}

/** Each read-write bind mount, tested as the user (not the agent's socket: the relay check covers it). */
async function mountFindings(deps: DoctorDeps, ref: StackRef, mounts: Mount[]): Promise<Finding[]> {
	const name = ref.values[KEY.name]!;
	const ids = `${ref.values[KEY.uid]}:${ref.values[KEY.gid]}`;
	const agent = field(KEY.agent)?.container;
	const agentMount = typeof agent === 'object' ? agent.mount : undefined;
	const binds = mounts.filter(
		m => m.Type === 'bind' && m.RW && m.Source !== '/dev/null' && m.Destination !== agentMount,
	);
	if (!binds.length) return [{check: 'mounts', status: 'skip', detail: 'no read-write bind mounts'}];
	return Promise.all(
		binds.map(async (m): Promise<Finding> => {
			const check = `mount ${m.Destination}`;
			const r = await deps.engine.proc.run('docker', ['exec', '-u', ids, name, 'test', '-w', m.Destination], {
				timeoutMs: LOOK_MS,
			});
			if (r.exitCode === 0) return {check, status: 'ok', detail: `${m.Source} is writable by ${ids}`};
			if (r.exitCode === 1 && !r.timedOut)
				return {
					check,
					status: 'fail',
					detail: `${ids} cannot write in ${m.Source}`,
					fix: `on this host: sudo chown ${ids} '${m.Source}' (or mount a folder of your own)`,
				};
			return {check, status: 'fail', detail: `test -w in ${name}: ${failed(r)}`, fix: `docker restart ${name}`};
		}),
	);
}

async function relayFinding(deps: DoctorDeps, ref: StackRef, hostAgent: Promise<Finding>): Promise<Finding> {
	const name = ref.values[KEY.name]!;
	const ids = `${ref.values[KEY.uid]}:${ref.values[KEY.gid]}`;
	const r = await deps.engine.proc.run(
		'docker',
		['exec', '-u', ids, '-e', `SSH_AUTH_SOCK=${AGENT_RELAY}`, name, 'ssh-add', '-l'],
		{timeoutMs: LOOK_MS},
	);
	if (!r.timedOut && (r.exitCode === 0 || r.exitCode === 1))
		return {check: 'agent relay', status: 'ok', detail: `the host's agent answers the user at ${AGENT_RELAY}`};
	const host = await hostAgent;
	return {
		check: 'agent relay',
		status: 'fail',
		detail: `nothing answers the user at ${AGENT_RELAY} (ssh-add -l: ${failed(r)})`,
		fix:
			host.status === 'fail'
				? "the host's agent does not answer (see agent)"
				: `docker restart ${name} starts the relay again (hatch-wizard logs ${name} shows the 03-ssh-agent step)`,
	};
}

async function bootFinding(deps: DoctorDeps, ref: StackRef): Promise<Finding> {
	const name = ref.values[KEY.name]!;
	const record = await bootRecord(name, deps.engine.ready);
	const detail = bootSummary(record)
		.replace(/^boot: /, '')
		.trimEnd();
	const state = record?.state.split(' ')[0];
	if (state === 'ready')
		return record!.warnings.length
			? {check: 'boot', status: 'warn', detail, fix: `hatch-wizard logs ${name} shows each warning in full`}
			: {check: 'boot', status: 'ok', detail};
	if (state === 'booting')
		return {check: 'boot', status: 'warn', detail, fix: `hatch-wizard logs ${name} -f follows the boot`};
	if (state === 'failed')
		return {
			check: 'boot',
			status: 'fail',
			detail,
			fix: `hatch-wizard logs ${name} shows why; fix the setting it names in .env, then: hatch-wizard up ${name}`,
		};
	return {check: 'boot', status: 'warn', detail, fix: `hatch-wizard rebuild ${name} builds this version's image`};
}

// ---- all of it --------------------------------------------------------------------------------------------

/** Every finding: the host's, then the stack's. Independent looks run at once. */
export async function diagnose(target: Target, deps: DoctorDeps = realDeps()): Promise<Finding[]> {
	const {ref} = target;
	const inspection = inspectHost(deps.host);
	const engineUp = inspection.then(i => i.docker.status === 'ok');
	const hostAgent = agentFinding(deps.host, ref);
	const [i, disk, agent, port, container] = await Promise.all([
		inspection,
		dockerDisk(deps.host),
		hostAgent,
		ref ? portFinding(deps.host, ref) : undefined,
		ref ? containerFinding(deps, ref, engineUp) : undefined,
	]);
	const host: Finding[] = [
		engineFinding(i.docker),
		composeFinding(i.compose),
		...runtimeFindings(i, ref),
		diskFinding(disk),
		agent,
		...(port ? [port] : []),
	];
	if (!ref) {
		const stack: Finding = target.problem
			? {
					check: 'stack',
					status: 'fail',
					detail: target.problem,
					fix: 'hatch-wizard list shows where each stack is; hatch-wizard forget NAME drops one that is gone',
				}
			: target.others
				? {
						check: 'stack',
						status: 'skip',
						detail: `${target.others.length} stacks on this host (${target.others.join(', ')}); name one to check it`,
						fix: `hatch-wizard doctor ${target.others[0]}`,
					}
				: {check: 'stack', status: 'skip', detail: 'no stack on this host yet (hatch-wizard writes one)'};
		return [...host, stack];
	}
	const relay = Boolean(ref.values[KEY.agent]);
	const looks = container!.running
		? await Promise.all([
				sshFinding(deps, ref),
				userFinding(deps, ref),
				mountFindings(deps, ref, container!.mounts),
				...(relay ? [relayFinding(deps, ref, hostAgent)] : []),
				bootFinding(deps, ref),
			])
		: ['ssh', 'user', 'mounts', ...(relay ? ['agent relay'] : []), 'boot'].map(
				(check): Finding => ({
					check,
					status: 'skip',
					detail:
						container!.finding.status === 'skip'
							? 'the engine did not answer (see engine)'
							: `${ref.values[KEY.name]} is not running`,
				}),
			);
	const [files, drift] = await Promise.all([filesFinding(ref, deps.host), driftFinding(ref, deps.host)]);
	return [...host, files, container!.finding, ...looks.flat(), drift];
}

/** The column the details start in (after the mark): the usual checks' names fit, a mount's may go past. */
const NAME_WIDTH = 11;
const INDENT = ' '.repeat(NAME_WIDTH + 4);

/** The findings as lines: a mark and the check's name, the fix indented under anything not ok. */
export function doctorLines(findings: Finding[], name: string | undefined): Line[] {
	const lines: Line[] = [];
	for (const f of findings) {
		const {mark, tone} = MARK[f.status];
		const [first, ...more] = f.detail.split('\n');
		lines.push({text: `${mark} ${f.check.padEnd(NAME_WIDTH)}  ${first}`, tone});
		for (const l of more) lines.push({text: `${INDENT}${l}`, tone: 'plain'});
		if (f.fix && f.status !== 'ok') lines.push({text: `${INDENT}→ ${f.fix}`, tone: 'plain'});
	}
	const count = (s: FindingStatus) => findings.filter(f => f.status === s).length;
	const fails = count('fail');
	const counts = [
		`${count('ok')} ok`,
		...(count('warn') ? [`${count('warn')} warning(s)`] : []),
		...(fails ? [`${fails} failed`] : []),
		...(count('skip') ? [`${count('skip')} skipped`] : []),
	].join(', ');
	const what = name ? `this host and ${name}` : 'this host';
	lines.push(
		fails
			? {text: `${what}: ${fails} problem(s) to fix (${counts})`, tone: 'bad'}
			: {text: `${what}: healthy (${counts})`, tone: 'good'},
	);
	return lines;
}

/** `doctor`: the findings, one line each (or --json); exit 0 when none failed, 1 otherwise. */
export async function doctorCommand(
	target: Target,
	o: {json: boolean; color?: boolean},
	out: (s: string) => void,
	deps?: DoctorDeps,
): Promise<number> {
	const findings = await diagnose(target, deps);
	const healthy = !findings.some(f => f.status === 'fail');
	const name = target.ref?.values[KEY.name];
	if (o.json) out(`${JSON.stringify({stack: name ?? null, healthy, findings}, null, 2)}\n`);
	else out(ansi(doctorLines(findings, name), o.color ?? colorFor(process.stdout.isTTY, process.env)));
	return healthy ? 0 : 1;
}

/**
 * `doctor --host TARGET [NAME]` (or a NAME found on a remote host): the checks of that host and of its stack, each
 * look made there through the shared connection (the key pin is this machine's). With no NAME and one stack
 * recorded for the host, that stack; with none or several, the host alone.
 */
export async function remoteDoctor(
	text: string,
	name: string | undefined,
	o: {json: boolean},
	out: (s: string) => void,
): Promise<number> {
	const [{connect, storeKey}, {Store}, {remoteStack}] = await Promise.all([
		import('../remote-stack.js'),
		import('../store.js'),
		import('./stacks.js'),
	]);
	const remote = await connect(text);
	const records = (await Store.open(storeKey(text))).stacks();
	const rec = name === undefined ? (records.length === 1 ? records[0] : undefined) : records.find(r => r.name === name);
	let target: Target = {};
	if (rec) {
		try {
			target = {ref: await remoteStack(text, rec, remote)};
		} catch (error) {
			if (!(error instanceof CommandError)) throw error;
			target = {problem: error.message};
		}
	} else if (name !== undefined) target = {problem: `no stack named ${name} recorded for --host ${text}`};
	else if (records.length > 1) target = {others: records.map(r => r.name)};
	return doctorCommand(target, o, out, {host: remote.host, engine: remoteDoctorEngine(remote.engine)});
}

/** The remote engine with doctor's short deadline on each look of the readiness gate. */
function remoteDoctorEngine(engine: Engine): Engine {
	const base = readyHostOn(engine.proc, LOOK_MS);
	return {proc: engine.proc, ready: {...base, answers: engine.ready.answers}};
}
