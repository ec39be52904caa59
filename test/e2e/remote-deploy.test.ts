// `--host`: a stack written, built and started on the remote Docker host of remote-rig.sh (user hatchremote,
// 1777, behind its own sshd with MaxStartups 4:100:4, whose docker is a second engine, all in a network
// namespace of its own), then found and driven by name from this side. What is checked is what a user sees:
// the files there, the container on that engine (not this one) with that user's ids, one SSH connection for
// the whole run, the Host block that logs in through the host with the pinned key and no prompt, `list`,
// `down` and `up` by name.
import {type ChildProcess, spawn} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {until} from '../helpers/until.js';
import {BASE, sh} from './helpers.js';
import {loginThrough, type Rig, rigDown, rigUp, rigUser, sshToRig} from './remote-rig.js';

let r: Rig;
let home: string;
let env: Record<string, string | undefined>;
let busy: ChildProcess | undefined;
const name = `hatch-e2e-remote-${process.pid}`;
/** A folder of this run's own there (the rig's home outlives a run). */
const out = `hatch-e2e-remote-${process.pid}`;
/** The stack's default port, held busy on the remote side only. */
const DEFAULT_PORT = 22222;

const sshdLines = () => readFileSync(r.sshdLog, 'utf8').split(/\r?\n/);
const count = (re: RegExp) => sshdLines().filter(l => re.test(l)).length;
const CONNECTION = /^Connection from 127\.0\.0\.1 port \d+ on 127\.0\.0\.1 port 22\b/;
const DROPPED = /past MaxStartups$/;

beforeAll(async () => {
	r = rigUp();
	// A user of this side: their key pair (its public half goes to the stack there), their ssh config naming the
	// host, and no agent.
	({home, env} = rigUser(r));
	env.SSH_AUTH_SOCK = undefined;
	// Something holds the default port on the remote side only (this side's 127.0.0.1 does not see it).
	busy = spawn('ip', [
		'netns',
		'exec',
		r.netns,
		'socat',
		`TCP-LISTEN:${DEFAULT_PORT},bind=127.0.0.1,reuseaddr,fork`,
		'SYSTEM:echo busy',
	]);
	await until(
		() => sshToRig(`exec 3<>/dev/tcp/127.0.0.1/${DEFAULT_PORT}`, [], r).code === 0,
		'the default port to be held on the remote side',
	);
});

afterAll(() => {
	busy?.kill();
	if (home) {
		runCli(['down', name, '--volumes', '--yes'], {home, env, timeoutMs: 120_000});
		sshToRig(`rm -rf ~/${out}; docker rmi -f hatch-e2e/${name}:test >/dev/null 2>&1; true`, [], r);
		rmSync(home, {recursive: true, force: true});
	}
	rigDown();
});

const sets = [
	`STEM_CONTAINER_NAME=${name}`,
	`STEM_HOSTNAME=${name}`,
	'STEM_NETWORK_MODE=host',
	'STEM_SSH_LISTEN=127.0.0.1',
	`STEM_BASE_IMAGE=${BASE}`,
	`STEM_IMAGE=hatch-e2e/${name}:test`,
	'STEM_PIXI_ENABLE=0',
].flatMap(s => ['--set', s]);

/** Logs in with the Host block hatch wrote (through the Docker host), never prompting. */
const login = (cmd: string) => loginThrough(home, name, cmd);

describe('--host: a stack on a remote Docker host', () => {
	it('a folder that exists only on this side is refused as a mount there, before anything is written', () => {
		// The rig shares this machine's files, so "only on this side" is a folder its user cannot see into.
		const mine = mkdtempSync(join(tmpdir(), 'hatch-e2e-mine-'));
		chmodSync(mine, 0o700);
		const data = join(mine, 'data');
		mkdirSync(data);
		const res = runCli(
			['--yes', '--host', 'rigbox', '--out', `~/${out}`, ...sets, '--set', `STEM_EXTRA_MOUNTS=${data}:/data`],
			{
				home,
				env,
				timeoutMs: 120_000,
			},
		);
		expect(res.stderr).toContain(`error: STEM_EXTRA_MOUNTS: ${data} does not exist on rigbox`);
		expect(res.code).toBe(2);
		expect(sshToRig(`test -e ~/${out}`, [], r).code).not.toBe(0);
		rmSync(mine, {recursive: true, force: true});
	});

	it('builds and boots it there over one SSH connection: its engine, its user, a port free there, a Host block', () => {
		const connections = count(CONNECTION);
		const dropped = count(DROPPED);
		// A control socket folder of its own: the run opens its connection itself, and shares it.
		const fresh = {...env, TMPDIR: mkdtempSync('/tmp/hr-')};
		const res = runCli(['--yes', '--ssh-config', '--host', 'rigbox', '--out', `~/${out}`, ...sets], {
			home,
			env: fresh,
			timeoutMs: 300_000,
		});
		expect(res.stderr).not.toMatch(/error/i);
		expect(res.code).toBe(0);
		// The default port is held there (not here): the next one is taken, and said.
		expect(res.stdout).toContain(
			`note: port ${DEFAULT_PORT} is in use on 127.0.0.1 on rigbox: STEM_SSH_PORT=${DEFAULT_PORT + 1} instead`,
		);
		expect(res.stdout).toContain(`Wrote `);
		expect(res.stdout).toContain(`/home/${r.user}/${out}/stem on rigbox`);
		expect(res.stdout).toMatch(
			new RegExp(`✔ ready in .* ssh -J rigbox -p ${DEFAULT_PORT + 1} ${r.user}@127\\.0\\.0\\.1`),
		);
		// The whole run (inspect, read, write, build, start, readiness) over one connection: none dropped.
		expect(count(CONNECTION) - connections).toBe(1);
		expect(count(DROPPED) - dropped).toBe(0);

		// The container runs on the second engine, not on this one, with the remote user's ids.
		expect(sshToRig(`docker ps --filter name=^${name}$ --format '{{.Names}}'`, [], r).stdout.trim()).toBe(name);
		expect(sh('docker', ['ps', '-aq', '--filter', `name=^${name}$`]).stdout.trim()).toBe('');
		expect(sshToRig(`docker exec ${name} id ${r.user}`, [], r).stdout).toMatch(
			new RegExp(`^uid=${r.uid}\\(${r.user}\\) gid=${r.gid}\\(`),
		);
		// The files there: .env names the carried public key, which is this side's.
		const envThere = sshToRig(`cat ~/${out}/stem/.env`, [], r).stdout;
		expect(envThere).toContain(`STEM_AUTH_KEYS_PATH=/home/${r.user}/${out}/stem/host-files/stem_auth_keys_path`);
		expect(envThere).toContain(`STEM_UID=${r.uid}`);
		expect(sshToRig(`cat ~/${out}/stem/host-files/stem_auth_keys_path`, [], r).stdout).toBe(
			readFileSync(join(home, '.ssh', 'id_ed25519.pub'), 'utf8'),
		);

		// The Host block reaches the container through the host (nothing listens on this side's port), with
		// the pinned key: no prompt.
		const config = readFileSync(join(home, '.ssh', 'config'), 'utf8');
		expect(config).toContain(
			`Host ${name}\n  HostName 127.0.0.1\n  Port ${DEFAULT_PORT + 1}\n  User ${r.user}\n  ProxyJump rigbox`,
		);
		const who = login('id -u; hostname');
		expect(who.stderr).toBe('');
		expect(who.stdout.trim().split('\n')).toEqual([String(r.uid), name]);
	});

	it('list shows it with its host; down and up work by name from this side; the pinned key still logs in', () => {
		const listed = runCli(['list', '--json'], {home, env, timeoutMs: 120_000});
		expect(listed.code).toBe(0);
		const entry = JSON.parse(listed.stdout).find((s: {name: string}) => s.name === name);
		expect(entry).toMatchObject({host: 'rigbox', container: 'running', ssh: true, folder: 'ok'});
		const text = runCli(['list'], {home, env, timeoutMs: 120_000}).stdout;
		expect(text).toMatch(new RegExp(`on rigbox:\\n${name} +stem +running, ssh answers on ${DEFAULT_PORT + 1}`));

		const down = runCli(['down', name], {home, env, timeoutMs: 120_000});
		expect(down.code).toBe(0);
		expect(down.stdout).toContain(`${name} is down; its volumes are kept`);
		expect(sshToRig(`docker ps -aq --filter name=^${name}$`, [], r).stdout.trim()).toBe('');

		const up = runCli(['up', name], {home, env, timeoutMs: 180_000});
		expect(up.code).toBe(0);
		expect(up.stdout).toMatch(/✔ ready in /);
		// The host keys are on a volume there: the same key, so ssh logs in without a prompt.
		const who = login('id -un');
		expect(who.stderr).toBe('');
		expect(who.stdout.trim()).toBe(r.user);

		// doctor looks at that host and the stack there: healthy, its SSH check made there with the pinned key.
		const doctor = runCli(['doctor', name, '--json'], {home, env, timeoutMs: 120_000});
		const report = JSON.parse(doctor.stdout);
		const failed = report.findings.filter((f: {status: string}) => f.status === 'fail');
		expect(failed).toEqual([]);
		expect(doctor.code).toBe(0);
		expect(report.findings.find((f: {check: string}) => f.check === 'ssh')).toMatchObject({status: 'ok'});
		expect(report.findings.find((f: {check: string}) => f.check === 'user')).toMatchObject({status: 'ok'});
		expect(report.findings.find((f: {check: string}) => f.check === 'files')).toMatchObject({status: 'ok'});

		const status = runCli(['status', '--host', 'rigbox'], {home, env, timeoutMs: 120_000});
		expect(status.stdout).toContain(`${name}: running`);
		expect(status.stdout).toContain(`ssh: ok on port ${DEFAULT_PORT + 1}`);
		expect(status.code).toBe(0);
	});
});
