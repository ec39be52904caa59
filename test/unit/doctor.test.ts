// `hatch-wizard doctor` (source/commands/doctor.ts) in process: the host through a fake Host (test/helpers/
// fake-host.ts, the probes' own fake) and the container through a scripted engine (test/helpers/engine.ts). Each
// check's answers are scripted one by one: a healthy host and stack, then each failure with the fix it prints,
// the --json shape, the exit codes, the deadlines. The real CLI is run for the usage errors and the hermetic
// engine (none answers in unit tests).
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {type StackRef, UsageError} from '../../source/commands/common.js';
import {
	AGENT_RELAY,
	type DoctorDeps,
	diagnose,
	doctorCommand,
	doctorEngine,
	doctorTarget,
	type Finding,
	LOOK_MS,
} from '../../source/commands/doctor.js';
import {renderCompose} from '../../source/core/compose.js';
import {renderEnv} from '../../source/core/env.js';
import {DOCKER_DESKTOP_AGENT, defaults, type Values} from '../../source/core/model.js';
import type {Ran} from '../../source/docker/proc.js';
import {fingerprint} from '../../source/docker/ready.js';
import type {Host, RunResult} from '../../source/host/probes.js';
import {Store} from '../../source/store.js';
import {runCli} from '../helpers/cli.js';
import {BOX, HOST_KEY, keyscanLine, LOOKS, type Reply, scriptedEngine, storedKey} from '../helpers/engine.js';
import {type Canned, fail, fakeHost, fixture, ok} from '../helpers/fake-host.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `hatch-doctor-${prefix}-`));
const FP = fingerprint(HOST_KEY);
const AGENT = '/tmp/ssh-x/agent.1';
const INSPECT = 'docker inspect --format {{.State.Status}} {{.RestartCount}} {{json .Mounts}} box';
const ID_U = 'docker exec box id -u alice';
const ID_G = 'docker exec box id -g alice';
const TEST_W = 'docker exec -u 1000:1000 box test -w /mnt/hatch/dropbox';
const RELAY = `docker exec -u 1000:1000 -e SSH_AUTH_SOCK=${AGENT_RELAY} box ssh-add -l`;
const df = (availKiB: number) =>
	ok(`Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 263174212 1 ${availKiB} 9% /\n`);

/** A stem stack's folder as hatch writes it: docker-compose.yml, .env and the build context's Dockerfile. */
function stack(values: Values = BOX, image: 'stem' | 'neuron' = 'stem'): StackRef {
	const dir = join(tmp('stack'), image);
	mkdirSync(join(dir, 'image'), {recursive: true});
	writeFileSync(join(dir, 'docker-compose.yml'), renderCompose(image, values));
	writeFileSync(join(dir, '.env'), renderEnv(image, values));
	writeFileSync(join(dir, 'image', 'Dockerfile'), 'FROM scratch\n');
	return {image, dir, values};
}

const mounts = (extra: object[] = []) =>
	JSON.stringify([
		{Type: 'volume', Source: '/var/lib/docker/volumes/box-home/_data', Destination: '/home', RW: true},
		{Type: 'bind', Source: '/home/alice/Dropbox', Destination: '/mnt/hatch/dropbox', RW: true},
		{Type: 'bind', Source: '/home/alice/.ssh/id.pub', Destination: '/etc/hatch/authorized_keys.host', RW: false},
		{Type: 'bind', Source: '/dev/null', Destination: '/opt/secrets/apogee-secrets.env', RW: true},
		...extra,
	]);

/** This host, healthy: the engine, compose, room on the disk, a live agent, and the port held by box itself. */
const HOST: Record<string, Canned> = {
	'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
	'docker info': ok(fixture('docker-info-nvidia.json')),
	'docker compose version': ok('2.29.7\n'),
	'df -Pk /var/lib/docker': df(80 * 1024 * 1024),
	[`env SSH_AUTH_SOCK=${AGENT} ssh-add -l`]: ok('256 SHA256:abc alice@vortex (ED25519)\n'),
	'docker ps -q --filter name=^box$': ok('4f1c2d\n'),
};

/** box, running and ready: ids as .env says, its Dropbox folder writable, sshd answering with its key. */
const RUNNING: Record<string, Reply> = {
	[INSPECT]: {stdout: `running 0 ${mounts()}\n`},
	[ID_U]: {stdout: '1000\n'},
	[ID_G]: {stdout: '1000\n'},
	[TEST_W]: {},
	[LOOKS.record]: {stdout: 'ready 900\n'},
	[LOOKS.keyscan]: {stdout: keyscanLine(2222)},
	[LOOKS.stored]: {stdout: storedKey()},
};

function deps(
	o: {host?: Record<string, Canned>; engine?: Record<string, Reply>; answers?: boolean; hostSpec?: object} = {},
) {
	const host = fakeHost({
		commands: {...HOST, ...o.host},
		sockets: {[AGENT]: true},
		env: {SSH_AUTH_SOCK: AGENT},
		taken: ['2222'],
		...o.hostSpec,
	});
	const e = scriptedEngine({
		reply: line => ({...RUNNING, ...o.engine})[line],
		answers: (address, port) => (o.answers ?? true) && address === '127.0.0.1' && port === 2222,
	});
	return {host, e, deps: {host, engine: e.engine} satisfies DoctorDeps};
}

const byCheck = (findings: Finding[], check: string) => findings.find(f => f.check === check);

async function doctor(ref: StackRef | undefined, d = deps()) {
	const text: string[] = [];
	const code = await doctorCommand(ref ? {ref} : {}, {json: false, color: false}, s => text.push(s), d.deps);
	return {code, text: text.join(''), ...d};
}

describe('doctor: a healthy host and stack', () => {
	it('one line per check with its mark, the summary last, exit 0; only read-write binds are tested', async () => {
		const ref = stack();
		const r = await doctor(ref);
		expect(r.text).toBe(
			[
				'✔ engine       Docker 27.3.1 answers',
				'✔ compose      v2.29.7',
				'✔ runtimes     io.containerd.runc.v2, nvidia, runc (nvidia registered)',
				'✔ disk         80.0 GiB free under /var/lib/docker',
				`✔ agent        SSH_AUTH_SOCK=${AGENT} answers, 1 key(s)`,
				'✔ port         0.0.0.0:2222 is held by box itself',
				`✔ files        ${ref.dir}: .env, docker-compose.yml and image/`,
				'✔ container    box is running',
				`✔ ssh          sshd answers on 127.0.0.1:2222 with box's host key ${FP}`,
				'✔ user         alice is 1000:1000, as .env says',
				'✔ mount /mnt/hatch/dropbox  /home/alice/Dropbox is writable by 1000:1000',
				'✔ boot         ready, no warnings',
				'✔ drift        docker-compose.yml follows .env',
				'this host and box: healthy (13 ok)',
				'',
			].join('\n'),
		);
		expect(r.code).toBe(0);
		// The read-only key and the /dev/null stand-in are not tested; no relay is looked at without forwarding.
		expect(r.e.lines().filter(l => l.includes('test -w'))).toEqual([TEST_W]);
		expect(r.e.lines().some(l => l.includes('ssh-add'))).toBe(false);
	});

	it('every command has a deadline of a few seconds', async () => {
		const d = deps();
		// The readiness gate's looks as doctor makes them; the TCP connect stays scripted (it has its own 1 s).
		const engine = {...d.e.engine, ready: {...doctorEngine(d.e.engine.proc).ready, answers: d.e.engine.ready.answers}};
		const r = await doctor(stack(), {...d, deps: {host: d.host, engine}});
		expect(r.e.lines()).toContain(LOOKS.keyscan);
		for (const c of r.e.calls.filter(c => c.kind === 'run' && c.cmd !== 'connect'))
			expect(c.options.timeoutMs, c.line).toBe(LOOK_MS);
		for (const [line, ms] of Object.entries(r.host.deadlines)) expect(ms, line).toBeLessThanOrEqual(5000);
		expect(Object.keys(r.host.deadlines)).toContain(`env SSH_AUTH_SOCK=${AGENT} ssh-add -l`);
	});

	it('a hung engine holds nothing back: the container is inspected while docker info still waits', async () => {
		const d = deps();
		let release: (r: RunResult) => void = () => {};
		const waiting = new Promise<RunResult>(resolve => (release = resolve));
		const host: Host = {
			...d.host,
			run: (cmd, args, ms) => (args[0] === 'info' && args[2] === '{{json .}}' ? waiting : d.host.run(cmd, args, ms)),
		};
		const done = diagnose({ref: stack()}, {host, engine: d.e.engine});
		await d.e.ran(/^docker inspect /);
		release({stdout: '', stderr: '', exitCode: 143, timedOut: true});
		const findings = await done;
		expect(byCheck(findings, 'engine')).toEqual({
			check: 'engine',
			status: 'fail',
			detail: 'docker info did not answer',
			fix: 'is the Docker daemon hung? try: docker info',
		});
	});

	it('--json: the stack, whether it is healthy, and each finding as {check, status, detail, fix?}', async () => {
		const ref = stack();
		const text: string[] = [];
		const d = deps({engine: {[INSPECT]: {stdout: `exited 0 ${mounts()}\n`}}});
		expect(await doctorCommand({ref}, {json: true}, s => text.push(s), d.deps)).toBe(1);
		const json = JSON.parse(text.join(''));
		expect(Object.keys(json)).toEqual(['stack', 'healthy', 'findings']);
		expect(json.stack).toBe('box');
		expect(json.healthy).toBe(false);
		for (const f of json.findings) {
			expect(Object.keys(f).filter(k => k !== 'fix')).toEqual(['check', 'status', 'detail']);
			expect(['ok', 'warn', 'fail', 'skip']).toContain(f.status);
		}
		expect(json.findings.find((f: Finding) => f.check === 'container')).toEqual({
			check: 'container',
			status: 'fail',
			detail: 'box is exited',
			fix: 'hatch-wizard up box starts it (hatch-wizard logs box shows how it ended)',
		});
	});
});

describe('doctor: the host, each failure with its fix', () => {
	it('permission denied on the Docker socket: the usermod fix; the runtimes are not looked at', async () => {
		const r = await doctor(stack(), deps({host: {'docker info': fail(1, fixture('docker-info-permission.txt'))}}));
		expect(r.code).toBe(1);
		expect(r.text).toContain(
			'✗ engine       permission denied on the Docker socket\n' +
				'               → add yourself to the docker group: sudo usermod -aG docker $USER, then log ' +
				'out and in\n',
		);
		expect(r.text).toContain('– runtimes     the engine did not answer (see engine)\n');
		expect(r.text).toMatch(/\nthis host and box: 1 problem\(s\) to fix \(11 ok, 1 failed, 1 skipped\)\n$/);
	});

	it('an engine that is not running: start it', async () => {
		const r = await doctor(undefined, deps({host: {'docker info': fail(1, fixture('docker-info-down.txt'))}}));
		expect(r.code).toBe(1);
		expect(r.text).toContain(
			'✗ engine       the Docker daemon is not running or not reachable\n' +
				'               → start it: sudo systemctl start docker (Linux) or open Docker Desktop (macOS)\n',
		);
	});

	it('no compose v2: the plugin to install', async () => {
		const r = await doctor(undefined, deps({host: {'docker compose version': 'missing'}}));
		expect(r.code).toBe(1);
		expect(r.text).toContain(
			'✗ compose      docker compose v2 is not installed\n' +
				'               → install the compose plugin (docker-compose-plugin, or docker-compose 2.x)\n',
		);
	});

	it('no NVIDIA runtime is information only, unless the stack asks for GPUs (simulated: no GPU here)', async () => {
		const runc = {'docker info': ok(fixture('docker-info-desktop.json'))};
		const plain = await diagnose({ref: stack()}, deps({host: runc}).deps);
		expect(byCheck(plain, 'runtimes')).toMatchObject({
			status: 'ok',
			detail: expect.stringMatching(/no nvidia runtime/),
		});
		expect(byCheck(plain, 'gpus')).toBeUndefined();

		const neuron = stack({...defaults('neuron'), ...BOX, NEURON_GPUS: 'all'}, 'neuron');
		const gpu = await diagnose({ref: neuron}, deps({host: runc}).deps);
		expect(byCheck(gpu, 'runtimes')).toMatchObject({
			status: 'fail',
			detail: expect.stringContaining('no nvidia runtime, but NEURON_GPUS=all asks for GPUs'),
			fix:
				'install nvidia-container-toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && sudo ' +
				'systemctl restart docker (or set NEURON_GPUS=none and run hatch-wizard again)',
		});
		// The runtime is there (nvidia fixture), but nvidia-smi finds no GPU.
		const none = await diagnose({ref: neuron}, deps({host: {'nvidia-smi': ok('')}}).deps);
		expect(byCheck(none, 'runtimes')?.status).toBe('ok');
		expect(byCheck(none, 'gpus')).toMatchObject({
			status: 'fail',
			detail: 'NVIDIA runtime present, but no GPU found',
			fix: expect.stringContaining('nvidia-smi'),
		});
		const one = await diagnose({ref: neuron}, deps({host: {'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))}}).deps);
		expect(byCheck(one, 'gpus')).toMatchObject({status: 'ok', detail: expect.stringMatching(/^1 GPU\(s\): /)});
		const off = stack({...defaults('neuron'), ...BOX, NEURON_GPUS: 'none'}, 'neuron');
		expect(byCheck(await diagnose({ref: off}, deps({host: runc}).deps), 'runtimes')?.status).toBe('ok');
	});

	it('little room where Docker keeps its data: a warning with the prune fix, still exit 0 (simulated)', async () => {
		const r = await doctor(stack(), deps({host: {'df -Pk /var/lib/docker': df(2 * 1024 * 1024)}}));
		expect(r.code).toBe(0);
		expect(r.text).toContain(
			'! disk         2.0 GiB free under /var/lib/docker\n' +
				'               → docker system prune frees space (stopped containers, unused images, build ' +
				'cache)\n',
		);
		expect(r.text).toMatch(/this host and box: healthy \(12 ok, 1 warning\(s\)\)\n$/);
		const remote = await diagnose({}, deps({host: {'df -Pk /var/lib/docker': fail(1, 'df: no such file')}}).deps);
		expect(byCheck(remote, 'disk')?.status).toBe('skip');
	});

	it('the agent: ssh-add 0 and 1 are answers, 2 is a dead agent (a warning: nothing here needs it)', async () => {
		const key = `env SSH_AUTH_SOCK=${AGENT} ssh-add -l`;
		const empty = await diagnose({}, deps({host: {[key]: fail(1, '', 'The agent has no identities.')}}).deps);
		expect(byCheck(empty, 'agent')).toEqual({
			check: 'agent',
			status: 'ok',
			detail: `SSH_AUTH_SOCK=${AGENT} answers, no keys loaded (ssh-add loads yours)`,
		});
		const dead = await diagnose(
			{},
			deps({host: {[key]: fail(2, 'Error connecting to agent: Connection refused')}}).deps,
		);
		expect(byCheck(dead, 'agent')).toEqual({
			check: 'agent',
			status: 'warn',
			detail: `SSH_AUTH_SOCK=${AGENT} does not answer (Error connecting to agent: Connection refused)`,
			fix: 'restart your agent: eval "$(ssh-agent)"; ssh-add',
		});
		const unset = await diagnose({}, deps({hostSpec: {env: {}}}).deps);
		expect(byCheck(unset, 'agent')?.status).toBe('skip');
	});

	it('the agent a stack forwards is gone: a failure naming the setting; the relay inside says so too', async () => {
		const ref = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: '/tmp/ssh-old/agent.9'});
		const d = deps({
			engine: {[RELAY]: {exitCode: 2, stderr: 'Error connecting to agent: Connection refused'}},
		});
		const findings = await diagnose({ref}, d.deps);
		expect(byCheck(findings, 'agent')).toEqual({
			check: 'agent',
			status: 'fail',
			detail: 'STEM_SSH_AUTH_SOCK_HOST=/tmp/ssh-old/agent.9 is gone (stale after a re-login?)',
			fix:
				'start your agent (eval "$(ssh-agent)"; ssh-add), set STEM_SSH_AUTH_SOCK_HOST to its $SSH_AUTH_SOCK in ' +
				`${ref.dir}/.env, then: hatch-wizard up box`,
		});
		expect(byCheck(findings, 'agent relay')).toEqual({
			check: 'agent relay',
			status: 'fail',
			detail: `nothing answers the user at ${AGENT_RELAY} (ssh-add -l: Error connecting to agent: Connection refused)`,
			fix: "the host's agent does not answer (see agent)",
		});
	});

	it('the relay alone is dead while the host’s agent answers: restart the container', async () => {
		const ref = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: AGENT});
		const dead = await diagnose({ref}, deps({engine: {[RELAY]: {exitCode: 2, stderr: 'Error connecting'}}}).deps);
		expect(byCheck(dead, 'agent')?.status).toBe('ok');
		expect(byCheck(dead, 'agent relay')).toMatchObject({
			status: 'fail',
			fix: 'docker restart box starts the relay again (hatch-wizard logs box shows the 03-ssh-agent step)',
		});
		const live = await diagnose({ref}, deps({engine: {[RELAY]: {exitCode: 1}}}).deps);
		expect(byCheck(live, 'agent relay')).toEqual({
			check: 'agent relay',
			status: 'ok',
			detail: `the host's agent answers the user at ${AGENT_RELAY}`,
		});
	});

	it('the port held by something else: the next free one and how to find the holder', async () => {
		const ref = stack();
		const r = await doctor(
			ref,
			deps({host: {'docker ps -q --filter name=^box$': ok('')}, engine: {[INSPECT]: {stdout: 'exited 0 []'}}}),
		);
		expect(r.text).toContain(
			'✗ port         STEM_SSH_PORT 2222 is in use on 0.0.0.0 on this host; 2223 is free\n' +
				"               → stop what listens there (ss -ltnp 'sport = :2222' names it), or set another " +
				`STEM_SSH_PORT in ${ref.dir}/.env, then: hatch-wizard up box\n`,
		);
		const free = await diagnose({ref}, deps({hostSpec: {taken: []}}).deps);
		expect(byCheck(free, 'port')).toMatchObject({status: 'ok', detail: '0.0.0.0:2222 is free for box'});
	});
});

describe('doctor: the stack, each failure with its fix', () => {
	it('a stopped container: up starts it; nothing is looked at inside', async () => {
		const r = await doctor(stack(), deps({engine: {[INSPECT]: {stdout: 'exited 3 []'}}}));
		expect(r.code).toBe(1);
		expect(r.text).toContain(
			'✗ container    box is exited, restarted 3 time(s)\n' +
				'               → hatch-wizard up box starts it (hatch-wizard logs box shows how it ended)\n' +
				'– ssh          box is not running\n' +
				'– user         box is not running\n' +
				'– mounts       box is not running\n' +
				'– boot         box is not running\n',
		);
		expect(r.e.lines().filter(l => l.startsWith('docker exec'))).toEqual([]);
	});

	it('never created: up when its image is built, rebuild when it is not', async () => {
		const gone = {[INSPECT]: {exitCode: 1, stderr: 'Error: No such object: box'}};
		const built = await diagnose(
			{ref: stack()},
			deps({engine: {...gone, 'docker image inspect --format {{.Id}} hatch/stem:latest': {stdout: 'sha256:1'}}}).deps,
		);
		expect(byCheck(built, 'container')).toEqual({
			check: 'container',
			status: 'fail',
			detail: 'box is not created',
			fix: 'hatch-wizard up box creates and starts it',
		});
		const bare = await diagnose({ref: stack()}, deps({engine: gone}).deps);
		expect(byCheck(bare, 'container')?.fix).toBe('hatch-wizard rebuild box builds hatch/stem:latest and starts it');
	});

	it('restarting: its boot fails, the log names the step', async () => {
		const findings = await diagnose({ref: stack()}, deps({engine: {[INSPECT]: {stdout: 'restarting 7 []'}}}).deps);
		expect(byCheck(findings, 'container')).toEqual({
			check: 'container',
			status: 'fail',
			detail: 'box is restarting, restarted 7 time(s): its boot fails',
			fix: 'hatch-wizard logs box names the failing step; fix what it says, then: hatch-wizard up box',
		});
	});

	it('an engine that does not answer: the container is not judged, the engine is', async () => {
		const d = deps({
			host: {'docker info': 'hang'},
			engine: {[INSPECT]: {exitCode: 1, stderr: 'Cannot connect to the Docker daemon'}},
		});
		const findings = await diagnose({ref: stack()}, d.deps);
		expect(byCheck(findings, 'engine')?.status).toBe('fail');
		expect(byCheck(findings, 'container')).toEqual({
			check: 'container',
			status: 'skip',
			detail: 'the engine did not answer (see engine)',
		});
		expect(byCheck(findings, 'ssh')).toMatchObject({status: 'skip', detail: 'the engine did not answer (see engine)'});
	});

	it('sshd not answering, or answering with another host key', async () => {
		const quiet = await diagnose({ref: stack()}, deps({answers: false}).deps);
		expect(byCheck(quiet, 'ssh')).toEqual({
			check: 'ssh',
			status: 'fail',
			detail: 'nothing answers on 127.0.0.1:2222',
			fix: 'hatch-wizard logs box shows whether sshd started (after the required boot steps)',
		});
		const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIAnotherSshdOnThisPortWithItsOwnHostKey0';
		const ref = stack();
		const wrong = await diagnose({ref}, deps({engine: {[LOOKS.keyscan]: {stdout: keyscanLine(2222, other)}}}).deps);
		expect(byCheck(wrong, 'ssh')).toMatchObject({
			status: 'fail',
			detail: expect.stringContaining(`not this container's ${FP} (another sshd on that port?)`),
			fix: `stop the other sshd, or set another STEM_SSH_PORT in ${ref.dir}/.env, then: hatch-wizard up box`,
		});
	});

	it('a Host block pinning an older host key (the volumes were made again): up pins the current one', async () => {
		const home = mkdtempSync(join(tmpdir(), 'hatch-doctor-home-'));
		mkdirSync(join(home, '.ssh'));
		const old = 'AAAAC3NzaC1lZDI1NTE5AAAAIOldKeyFromBeforeDownVolumesWasRun000000';
		writeFileSync(join(home, '.ssh', 'known_hosts'), `hatch-box ssh-ed25519 ${old}\n`);
		const stale = await diagnose({ref: stack()}, deps({hostSpec: {home}}).deps);
		expect(byCheck(stale, 'ssh')).toEqual({
			check: 'ssh',
			status: 'fail',
			detail:
				`sshd answers with box's host key ${FP}, but ~/.ssh/known_hosts pins ${fingerprint(old)} for it: ssh box ` +
				'refuses to connect ("host identification has changed")',
			fix: "hatch-wizard up box pins the container's current key (read from its own volume)",
		});
		writeFileSync(join(home, '.ssh', 'known_hosts'), `hatch-box ssh-ed25519 ${HOST_KEY}\n`);
		const current = await diagnose({ref: stack()}, deps({hostSpec: {home}}).deps);
		expect(byCheck(current, 'ssh')?.status).toBe('ok');
	});

	it('the user’s ids inside differ from .env, or the user is missing: recreate the container', async () => {
		const ref = stack();
		const recreate =
			`cd ${ref.dir} && docker compose up -d --force-recreate (the boot sets the account from .env; the home ` +
			'volume stays)';
		const moved = await diagnose({ref}, deps({engine: {[ID_U]: {stdout: '1001\n'}}}).deps);
		expect(byCheck(moved, 'user')).toEqual({
			check: 'user',
			status: 'fail',
			detail: 'alice is 1001:1000 in the container, but .env says 1000:1000',
			fix: recreate,
		});
		const missing = {exitCode: 1, stderr: "id: 'alice': no such user"};
		const none = await diagnose({ref}, deps({engine: {[ID_U]: missing, [ID_G]: missing}}).deps);
		expect(byCheck(none, 'user')).toEqual({
			check: 'user',
			status: 'fail',
			detail: "id alice in box: id: 'alice': no such user",
			fix: recreate,
		});
	});

	it('a bind mount the user cannot write in: chown it on the host', async () => {
		const extra = {Type: 'bind', Source: '/srv/data', Destination: '/workspace/datasets', RW: true};
		const findings = await diagnose(
			{ref: stack()},
			deps({
				engine: {
					[INSPECT]: {stdout: `running 0 ${mounts([extra])}`},
					'docker exec -u 1000:1000 box test -w /workspace/datasets': {exitCode: 1},
				},
			}).deps,
		);
		expect(byCheck(findings, 'mount /mnt/hatch/dropbox')?.status).toBe('ok');
		expect(byCheck(findings, 'mount /workspace/datasets')).toEqual({
			check: 'mount /workspace/datasets',
			status: 'fail',
			detail: '1000:1000 cannot write in /srv/data',
			fix: "on this host: sudo chown 1000:1000 '/srv/data' (or mount a folder of your own)",
		});
		const only = await diagnose({ref: stack()}, deps({engine: {[INSPECT]: {stdout: 'running 0 []'}}}).deps);
		expect(byCheck(only, 'mounts')).toEqual({check: 'mounts', status: 'skip', detail: 'no read-write bind mounts'});
	});

	it('the boot: its warnings, a failed step, no record', async () => {
		const warned = await diagnose(
			{ref: stack()},
			deps({engine: {[LOOKS.record]: {stdout: 'ready 900\n05-bindu: dotfiles not cloned\n'}}}).deps,
		);
		expect(byCheck(warned, 'boot')).toEqual({
			check: 'boot',
			status: 'warn',
			detail: 'ready, 1 warning(s):\n  ! 05-bindu: dotfiles not cloned',
			fix: 'hatch-wizard logs box shows each warning in full',
		});
		const r = await doctor(stack(), deps({engine: {[LOOKS.record]: {stdout: 'failed 00-user-bootstrap\n'}}}));
		expect(r.text).toContain(
			'✗ boot         FAILED at 00-user-bootstrap (hatch-wizard logs shows why)\n' +
				'               → hatch-wizard logs box shows why; fix the setting it names in .env, then: ' +
				'hatch-wizard up box\n',
		);
		const old = await diagnose({ref: stack()}, deps({engine: {[LOOKS.record]: {exitCode: 1}}}).deps);
		expect(byCheck(old, 'boot')).toMatchObject({
			status: 'warn',
			fix: "hatch-wizard rebuild box builds this version's image",
		});
	});

	it('a .env the compose file does not follow: a warning with the command that applies it', async () => {
		const ref = stack();
		writeFileSync(join(ref.dir, '.env'), renderEnv('stem', {...BOX, STEM_VOLUMES_EXTERNAL: '1'}));
		const findings = await diagnose({ref}, deps().deps);
		expect(byCheck(findings, 'drift')).toEqual({
			check: 'drift',
			status: 'warn',
			detail:
				'docker-compose.yml does not follow .env: STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml ' +
				'was written for "0"',
			fix:
				`npx hatch-wizard --yes --no-build --image stem --out ${join(ref.dir, '..')} (rewrites it, with a ` +
				'diff, and restarts the container)',
		});
	});

	it('the stack’s folder without its compose file or build context: write them again', async () => {
		const ref = stack();
		rmSync(join(ref.dir, 'image'), {recursive: true});
		rmSync(join(ref.dir, 'docker-compose.yml'));
		const findings = await diagnose({ref}, deps().deps);
		expect(byCheck(findings, 'files')).toEqual({
			check: 'files',
			status: 'fail',
			detail: `${ref.dir} has .env but no docker-compose.yml or image/Dockerfile`,
			fix: `write them again: npx hatch-wizard --yes --no-build --image stem --out ${join(ref.dir, '..')}`,
		});
	});
});

describe('doctor: which stack', () => {
	const host = hostname().split('.')[0]!;
	const remembered = async (...names: string[]) => {
		const store = await Store.open(host, tmp('cfg'));
		const refs = names.map(name => stack({...BOX, STEM_CONTAINER_NAME: name}));
		for (const r of refs) store.record(r.values, 'stem', r.dir);
		return {store, refs};
	};

	it('the only one, by name, or none (the host alone, listing them when there are several)', async () => {
		const one = await remembered('box');
		expect(doctorTarget(one.store, {}).ref?.dir).toBe(one.refs[0]!.dir);
		const two = await remembered('box', 'lab');
		expect(doctorTarget(two.store, {})).toEqual({others: ['box', 'lab']});
		expect(doctorTarget(two.store, {name: 'lab'}).ref?.dir).toBe(two.refs[1]!.dir);
		const findings = await diagnose({others: ['box', 'lab']}, deps().deps);
		expect(byCheck(findings, 'stack')).toEqual({
			check: 'stack',
			status: 'skip',
			detail: '2 stacks on this host (box, lab); name one to check it',
			fix: 'hatch-wizard doctor box',
		});
		expect(byCheck(findings, 'container')).toBeUndefined();
		const none = await Store.open(host, tmp('cfg'));
		expect(doctorTarget(none, {out: tmp('empty')})).toEqual({problem: expect.stringContaining('no stem stack in')});
	});

	it('a stack whose folder is gone: a failure, and the host is still checked', async () => {
		const {store, refs} = await remembered('box');
		rmSync(refs[0]!.dir, {recursive: true});
		const target = doctorTarget(store, {name: 'box'});
		expect(target.problem).toContain('but there is no .env there now');
		const text: string[] = [];
		expect(await doctorCommand(target, {json: false, color: false}, s => text.push(s), deps().deps)).toBe(1);
		expect(text.join('')).toMatch(/^✔ engine /);
		expect(text.join('')).toContain('→ hatch-wizard list shows where each stack is; hatch-wizard forget NAME drops');
	});
});

describe('hatch-wizard doctor (the real CLI; no engine answers in unit tests)', () => {
	it('checks the host alone when no stack is written, with the engine’s fix; --json for scripts; exit 1', () => {
		const env = {HATCH_CONFIG_DIR: tmp('cfg'), SSH_AUTH_SOCK: undefined};
		const home = tmp('home'); // no stack in its default folder either
		const plain = runCli(['doctor'], {env, home});
		expect(plain.code).toBe(1);
		expect(plain.stdout).toMatch(/^✗ engine +the Docker daemon is not running or not reachable\n +→ start it: /);
		expect(plain.stdout).toMatch(/\nthis host: 1 problem\(s\) to fix \(.*\)\n$/);
		const json = runCli(['doctor', '--json'], {env, home});
		expect(json.code).toBe(1);
		const out = JSON.parse(json.stdout);
		expect(out).toMatchObject({stack: null, healthy: false});
		expect(out.findings[0]).toMatchObject({check: 'engine', status: 'fail'});
		expect(out.findings.at(-1)).toEqual({
			check: 'stack',
			status: 'skip',
			detail: 'no stack on this host yet (hatch-wizard writes one)',
		});
	});

	it('usage errors exit 2: two names, a name that is not registered', () => {
		const env = {HATCH_CONFIG_DIR: tmp('cfg')};
		const two = runCli(['doctor', 'a', 'b'], {env});
		expect(two.code).toBe(2);
		expect(two.stderr).toContain('doctor takes one stack name (got: a b)');
		const unknown = runCli(['doctor', 'nosuch'], {env});
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('no stack named "nosuch"');
	});
});

/** deps whose engine lets the command lines in `slow` run past their deadline (as proc.run reports it). */
function withSlow(d: ReturnType<typeof deps>, slow: string[]): ReturnType<typeof deps> {
	const {proc} = d.e.engine;
	const run: typeof proc.run = async (cmd, args, options) =>
		slow.includes([cmd, ...args].join(' '))
			? ({exitCode: 143, stdout: '', stderr: '', timedOut: true} satisfies Ran)
			: proc.run(cmd, args, options);
	return {...d, deps: {...d.deps, engine: {...d.e.engine, proc: {...proc, run}}}};
}

const AGENT_KEY = `env SSH_AUTH_SOCK=${AGENT} ssh-add -l`;

describe('doctor at its edges: which stack', () => {
	afterEach(() => vi.unstubAllEnvs());
	const host = hostname().split('.')[0]!;

	it('--image: that image’s stack in the default folder among several; an unknown name is a usage error', async () => {
		const docker = tmp('docker');
		vi.stubEnv('DOCKER', docker);
		const store = await Store.open(host, tmp('cfg'));
		const box = stack();
		const lab = {...defaults('neuron'), ...BOX, STEM_CONTAINER_NAME: 'lab'};
		const labDir = join(docker, 'services', host, 'neuron');
		mkdirSync(join(labDir, 'image'), {recursive: true});
		writeFileSync(join(labDir, '.env'), renderEnv('neuron', lab));
		store.record(box.values, 'stem', box.dir);
		store.record(lab, 'neuron', labDir);
		expect(doctorTarget(store, {image: 'neuron'}).ref).toMatchObject({image: 'neuron', dir: labDir});
		expect(() => doctorTarget(store, {name: 'nosuch'})).toThrow(UsageError);
		expect(() => doctorTarget(store, {name: 'nosuch'})).toThrow('no stack named "nosuch"');
		// Nothing registered, and no stack in the default folder ($DOCKER/services/<host>/stem): the host alone.
		vi.stubEnv('DOCKER', tmp('docker'));
		expect(doctorTarget(await Store.open(host, tmp('cfg')), {})).toEqual({});
	});

	it('no stack, or one that cannot be read: the host is checked and the stack line says which', async () => {
		const none = await doctor(undefined);
		expect(none.text).toContain('– stack        no stack on this host yet (hatch-wizard writes one)\n');
		expect(none.text).toMatch(/\nthis host: healthy \(5 ok, 1 skipped\)\n$/);
		const gone = await diagnose(
			{problem: 'the stack box was written to /x, but there is no .env there now'},
			deps().deps,
		);
		expect(byCheck(gone, 'stack')).toEqual({
			check: 'stack',
			status: 'fail',
			detail: 'the stack box was written to /x, but there is no .env there now',
			fix: 'hatch-wizard list shows where each stack is; hatch-wizard forget NAME drops one that is gone',
		});
	});
});

describe('doctor at its edges: the host', () => {
	afterEach(() => {
		vi.useRealTimers();
		vi.unstubAllEnvs();
	});

	it('docker info stopped by the probe’s own deadline: says so, and suggests docker info (fake timers)', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'performance']});
		const d = deps();
		const never = new Promise<RunResult>(() => {});
		const host: Host = {
			...d.host,
			run: (cmd, args, ms) => (args[0] === 'info' && args[2] === '{{json .}}' ? never : d.host.run(cmd, args, ms)),
		};
		const done = diagnose({}, {host, engine: d.e.engine});
		await vi.advanceTimersByTimeAsync(5000);
		expect(byCheck(await done, 'engine')).toEqual({
			check: 'engine',
			status: 'fail',
			detail: 'docker info: no answer within 4500 ms',
			fix: 'is the Docker daemon hung? try: docker info',
		});
	});

	it('an engine that lists no runtimes says so', async () => {
		const bare = {'docker info': ok(JSON.stringify({ServerVersion: '27.3.1'}))};
		const findings = await diagnose({}, deps({host: bare}).deps);
		expect(byCheck(findings, 'runtimes')).toEqual({
			check: 'runtimes',
			status: 'ok',
			detail: 'none listed (no nvidia runtime: only GPU stacks need it)',
		});
	});

	it('GPU stack: GPUs a container cannot use, a broken driver, no nvidia-smi, a hung one (simulated)', async () => {
		const neuron = stack({...defaults('neuron'), ...BOX, NEURON_GPUS: 'all'}, 'neuron');
		const gpus = async (host: Record<string, Canned>) =>
			byCheck(await diagnose({ref: neuron}, deps({host}).deps), 'gpus');
		const RUN = 'docker run --rm --gpus all --network none --entrypoint nvidia-smi 3f2a1b -L';
		const refused = 'Error response from daemon: could not select device driver "" with capabilities: [[gpu]]';
		expect(
			await gpus({
				'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv')),
				'docker images --quiet': ok('3f2a1b\n'),
				[RUN]: fail(125, `docker: ${refused}`),
			}),
		).toEqual({
			check: 'gpus',
			status: 'fail',
			detail: `1 GPU(s) on the host, but a container cannot use them: ${refused}`,
			fix:
				'install nvidia-container-toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && restart ' +
				'Docker',
		});
		const broken = fixture('nvidia-smi-broken.txt');
		expect(await gpus({'nvidia-smi': fail(9, '', broken)})).toMatchObject({
			status: 'fail',
			detail: `nvidia-smi failed: ${broken.trim().split('\n')[0]}`,
			fix: 'the NVIDIA driver is installed but not working; reboot or reinstall the driver',
		});
		// No nvidia-smi at all, while the runtime is registered.
		expect(await gpus({})).toMatchObject({status: 'fail', detail: 'NVIDIA runtime present, but no GPU found'});
		expect(await gpus({'nvidia-smi': 'hang'})).toMatchObject({
			status: 'fail',
			detail: 'GPU check timed out',
			fix: 'the NVIDIA driver may be hung; check nvidia-smi by hand',
		});
	});

	it('the disk: where Docker keeps its data unknown, df failing, and 3 GiB free being enough', async () => {
		const unknown = await diagnose({}, deps({host: {'docker info --format {{.DockerRootDir}}': fail(1, '')}}).deps);
		expect(byCheck(unknown, 'disk')).toEqual({
			check: 'disk',
			status: 'skip',
			detail: 'the engine did not say where it keeps its data',
		});
		const remote = await diagnose({}, deps({host: {'df -Pk /var/lib/docker': fail(1, 'df: no such file')}}).deps);
		expect(byCheck(remote, 'disk')).toEqual({
			check: 'disk',
			status: 'skip',
			detail: '/var/lib/docker is not on this host (a remote engine?), or df failed',
		});
		const edge = await diagnose({}, deps({host: {'df -Pk /var/lib/docker': df(3 * 1024 * 1024)}}).deps);
		expect(byCheck(edge, 'disk')).toEqual({check: 'disk', status: 'ok', detail: '3.0 GiB free under /var/lib/docker'});
	});

	it('the agent: none set, Docker Desktop’s socket forwarded, a forwarded path that is a file', async () => {
		const unset = await diagnose({}, deps({hostSpec: {env: {}}}).deps);
		expect(byCheck(unset, 'agent')).toEqual({
			check: 'agent',
			status: 'skip',
			detail: 'SSH_AUTH_SOCK is not set (no agent here; only forwarding needs one)',
		});
		// Docker Desktop's socket exists only inside its VM: the agent looked at is this shell's.
		const desktop = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: DOCKER_DESKTOP_AGENT});
		const viaDesktop = await diagnose({ref: desktop}, deps({engine: {[RELAY]: {}}}).deps);
		expect(byCheck(viaDesktop, 'agent')).toEqual({
			check: 'agent',
			status: 'ok',
			detail: `SSH_AUTH_SOCK=${AGENT} answers, 1 key(s)`,
		});
		const file = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: '/home/alice/agent.txt'});
		const notSocket = await diagnose(
			{ref: file},
			deps({hostSpec: {files: {'/home/alice/agent.txt': ''}}, engine: {[RELAY]: {}}}).deps,
		);
		expect(byCheck(notSocket, 'agent')).toMatchObject({
			status: 'fail',
			detail: 'STEM_SSH_AUTH_SOCK_HOST=/home/alice/agent.txt is not a socket (stale after a re-login?)',
		});
	});

	it('the agent’s answer: no ssh-add to ask, ssh-add that cannot run, one that hangs, a silent dead agent', async () => {
		const agent = async (d: ReturnType<typeof deps>) => byCheck(await diagnose({}, d.deps), 'agent');
		expect(await agent(deps({host: {[AGENT_KEY]: 'missing'}}))).toEqual({
			check: 'agent',
			status: 'skip',
			detail: `SSH_AUTH_SOCK=${AGENT} is a socket; ssh-add (OpenSSH) is not here to ask it`,
		});
		const d = deps();
		const lost: Host = {
			...d.host,
			run: (cmd, args, ms) =>
				args.includes('ssh-add') ? Promise.reject(new Error('ssh: lost')) : d.host.run(cmd, args, ms),
		};
		expect((await diagnose({}, {host: lost, engine: d.e.engine}).then(f => byCheck(f, 'agent')))?.status).toBe('skip');
		expect(await agent(deps({host: {[AGENT_KEY]: 'hang'}}))).toEqual({
			check: 'agent',
			status: 'warn',
			detail: `SSH_AUTH_SOCK=${AGENT} did not answer within 4 s`,
			fix: 'restart your agent: eval "$(ssh-agent)"; ssh-add',
		});
		expect(await agent(deps({host: {[AGENT_KEY]: fail(2, '')}}))).toMatchObject({
			status: 'warn',
			detail: `SSH_AUTH_SOCK=${AGENT} does not answer (a dead agent)`,
		});
	});

	it('the port on the address the stack listens on; an empty address (a hand edit) is every interface', async () => {
		const local = await diagnose({ref: stack({...BOX, STEM_SSH_LISTEN: '127.0.0.1'})}, deps().deps);
		expect(byCheck(local, 'port')).toMatchObject({status: 'ok', detail: '127.0.0.1:2222 is held by box itself'});
		const empty = await diagnose({ref: stack({...BOX, STEM_SSH_LISTEN: ''})}, deps({hostSpec: {taken: []}}).deps);
		expect(byCheck(empty, 'port')).toMatchObject({status: 'ok', detail: '0.0.0.0:2222 is free for box'});
	});
});

describe('doctor at its edges: the stack', () => {
	it('every difference between .env and the compose file is named, one after the other', async () => {
		const ref = stack();
		writeFileSync(
			join(ref.dir, '.env'),
			renderEnv('stem', {...BOX, STEM_VOLUMES_EXTERNAL: '1', STEM_MOSH_PORTS: '60000-60010'}),
		);
		expect(byCheck(await diagnose({ref}, deps().deps), 'drift')?.detail).toBe(
			'docker-compose.yml does not follow .env: STEM_MOSH_PORTS is set in .env, but docker-compose.yml was ' +
				'written for empty; STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"',
		);
	});

	it('docker inspect unanswered while the engine answers: a failure, not a skip; nothing inside looked at', async () => {
		const findings = await diagnose({ref: stack()}, withSlow(deps(), [INSPECT]).deps);
		expect(byCheck(findings, 'engine')?.status).toBe('ok');
		expect(byCheck(findings, 'container')).toEqual({
			check: 'container',
			status: 'fail',
			detail: 'docker inspect box: no answer within 4 s',
			fix: 'docker info says what the engine is doing',
		});
		expect(byCheck(findings, 'user')).toMatchObject({status: 'skip', detail: 'box is not running'});
	});

	it('paused: unpause it', async () => {
		const findings = await diagnose({ref: stack()}, deps({engine: {[INSPECT]: {stdout: 'paused 0 []'}}}).deps);
		expect(byCheck(findings, 'container')).toEqual({
			check: 'container',
			status: 'fail',
			detail: 'box is paused',
			fix: 'docker unpause box',
		});
	});

	it('every look has a deadline: a container never created (its image), and with forwarding (the relay)', async () => {
		const looks = async (ref: StackRef, engine: Record<string, Reply>) => {
			const d = deps({engine});
			const ready = {...doctorEngine(d.e.engine.proc).ready, answers: d.e.engine.ready.answers};
			await diagnose({ref}, {host: d.host, engine: {...d.e.engine, ready}});
			return d.e.calls.filter(c => c.kind === 'run' && c.cmd !== 'connect');
		};
		const gone = await looks(stack(), {[INSPECT]: {exitCode: 1, stderr: 'Error: No such object: box'}});
		expect(gone.map(c => c.line)).toContain('docker image inspect --format {{.Id}} hatch/stem:latest');
		const relayed = await looks(stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: AGENT}), {[RELAY]: {}});
		expect(relayed.map(c => c.line)).toContain(RELAY);
		for (const c of [...gone, ...relayed]) expect(c.options.timeoutMs, c.line).toBe(LOOK_MS);
	});

	it('sshd on the one address the stack listens on is checked there', async () => {
		const ref = stack({...BOX, STEM_SSH_LISTEN: '192.168.7.5'});
		const e = scriptedEngine({
			reply: line =>
				({
					...RUNNING,
					'ssh-keyscan -T 3 -t ed25519 -p 2222 192.168.7.5': {stdout: `[192.168.7.5]:2222 ssh-ed25519 ${HOST_KEY}\n`},
				})[line],
			answers: (address, port) => address === '192.168.7.5' && port === 2222,
		});
		const findings = await diagnose({ref}, {host: deps().host, engine: e.engine});
		expect(byCheck(findings, 'ssh')).toEqual({
			check: 'ssh',
			status: 'ok',
			detail: `sshd answers on 192.168.7.5:2222 with box's host key ${FP}`,
		});
	});

	it('sshd answering while its key cannot be read: ssh-keyscan is missing here, or sshd is still starting', async () => {
		const findings = await diagnose(
			{ref: stack()},
			deps({engine: {[LOOKS.keyscan]: {exitCode: 127, stderr: 'ssh-keyscan: not found'}}}).deps,
		);
		expect(byCheck(findings, 'ssh')).toEqual({
			check: 'ssh',
			status: 'fail',
			detail: 'port 2222 answers, but its host key could not be compared yet',
			fix: 'ssh-keyscan (OpenSSH) must be installed here; if it is, sshd is still starting: hatch-wizard status box',
		});
	});

	it('the user’s ids: a look unanswered, one failing without a word, a complaint past blank lines', async () => {
		const ref = stack();
		const user = async (d: ReturnType<typeof deps>) => byCheck(await diagnose({ref}, d.deps), 'user');
		expect(await user(withSlow(deps(), [ID_G]))).toMatchObject({
			status: 'fail',
			detail: 'id alice in box: no answer within 4 s',
		});
		expect(await user(deps({engine: {[ID_U]: {exitCode: 126}}}))).toMatchObject({
			status: 'fail',
			detail: 'id alice in box: exit 126',
		});
		const indented = {exitCode: 1, stderr: 'Error response from daemon:\n  container box is not running\n\n'};
		expect(await user(deps({engine: {[ID_U]: indented}}))).toMatchObject({
			detail: 'id alice in box: container box is not running',
		});
	});

	it('the forwarded agent’s socket is no folder to test; the relay answering with keys is ok', async () => {
		const ref = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: AGENT});
		const socket = {Type: 'bind', Source: AGENT, Destination: '/ssh-agent', RW: true};
		const d = deps({
			engine: {[INSPECT]: {stdout: `running 0 ${mounts([socket])}`}, [RELAY]: {stdout: '256 SHA256:abc\n'}},
		});
		const findings = await diagnose({ref}, d.deps);
		expect(findings.filter(f => f.check.startsWith('mount')).map(f => f.check)).toEqual(['mount /mnt/hatch/dropbox']);
		expect(d.e.lines().filter(l => l.includes('test -w'))).toEqual([TEST_W]);
		expect(byCheck(findings, 'agent relay')).toMatchObject({status: 'ok'});
	});

	it('a mount that cannot be tested (the exec fails): restart the container', async () => {
		const broken = {exitCode: 126, stderr: 'OCI runtime exec failed: exec failed: unable to start container process'};
		const findings = await diagnose({ref: stack()}, deps({engine: {[TEST_W]: broken}}).deps);
		expect(byCheck(findings, 'mount /mnt/hatch/dropbox')).toEqual({
			check: 'mount /mnt/hatch/dropbox',
			status: 'fail',
			detail: 'test -w in box: OCI runtime exec failed: exec failed: unable to start container process',
			fix: 'docker restart box',
		});
	});

	it('a boot still running its optional steps: a warning, and how to follow it', async () => {
		const findings = await diagnose({ref: stack()}, deps({engine: {[LOOKS.record]: {stdout: 'booting\n'}}}).deps);
		expect(byCheck(findings, 'boot')).toEqual({
			check: 'boot',
			status: 'warn',
			detail: 'sshd is up; optional steps still running',
			fix: 'hatch-wizard logs box -f follows the boot',
		});
	});

	it('a stopped container with forwarding: the relay is skipped with the rest', async () => {
		const ref = stack({...BOX, STEM_SSH_AUTH_SOCK_HOST: AGENT});
		const r = await doctor(ref, deps({engine: {[INSPECT]: {stdout: 'exited 0 []'}}}));
		expect(r.text).toContain('– agent relay  box is not running\n');
	});
});

describe('doctor at its edges: the lines', () => {
	afterEach(() => vi.unstubAllEnvs());

	it('a finding of several lines: the rest indented under the first', async () => {
		const r = await doctor(stack(), deps({engine: {[LOOKS.record]: {stdout: 'ready 900\n05-bindu: not cloned\n'}}}));
		expect(r.text).toContain(
			'! boot         ready, 1 warning(s):\n' +
				'                 ! 05-bindu: not cloned\n' +
				'               → hatch-wizard logs box shows each warning in full\n',
		);
	});

	it('in colour: the summary green when healthy, red with a problem; a terminal gets it unless NO_COLOR', async () => {
		const text = async (d: ReturnType<typeof deps>, color?: boolean) => {
			const out: string[] = [];
			await doctorCommand({}, {json: false, ...(color === undefined ? {} : {color})}, s => out.push(s), d.deps);
			return out.join('');
		};
		expect(await text(deps(), true)).toContain('\x1b[32mthis host: healthy (5 ok, 1 skipped)\x1b[0m\n');
		const down = deps({host: {'docker info': fail(1, fixture('docker-info-down.txt'))}});
		expect(await text(down, true)).toMatch(/\x1b\[31mthis host: 1 problem\(s\) to fix \(.*\)\x1b\[0m\n$/);
		const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
		Object.defineProperty(process.stdout, 'isTTY', {value: true, configurable: true});
		try {
			vi.stubEnv('NO_COLOR', '');
			vi.stubEnv('FORCE_COLOR', '');
			expect(await text(deps())).toContain('\x1b[32mthis host: healthy');
			vi.stubEnv('NO_COLOR', '1');
			expect(await text(deps())).not.toContain('\x1b[');
		} finally {
			if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
			else delete (process.stdout as {isTTY?: boolean}).isTTY;
		}
	});
});

describe('doctor at its edges: this machine', () => {
	it('without a host given it looks at this one (no engine answers in unit tests)', async () => {
		const findings = await diagnose({});
		expect(byCheck(findings, 'engine')).toMatchObject({
			status: 'fail',
			detail: 'the Docker daemon is not running or not reachable',
		});
		expect(findings.at(-1)).toMatchObject({check: 'stack', status: 'skip'});
	});
});
