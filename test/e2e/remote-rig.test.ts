// The remote Docker host the --host tests use (remote-rig.sh), checked for what they rely on: a second user
// reached by key with a pinned host key, whose docker is a second engine with the base image and a runtime named
// nvidia but no GPU, a fake nvidia-smi on that user's PATH only, an sshd that drops connections past
// MaxStartups 4:100:4 unless they share one ControlMaster connection, and a network of its own: a port there
// (of a host-network container too) is not this machine's port.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseNvidiaSmi} from '../../source/host/inspect.js';
import {until} from '../helpers/until.js';
import {BASE} from './helpers.js';
import {type Rig, rigDown, rigSshArgs, rigUp, sshToRig} from './remote-rig.js';

let r: Rig;
let dir: string;

beforeAll(() => {
	r = rigUp();
	dir = mkdtempSync(join(tmpdir(), 'hatch-e2e-rig-'));
});
afterAll(() => {
	if (dir) rmSync(dir, {recursive: true, force: true});
	rigDown();
});

const run = (cmd: string, options: string[] = []) => sshToRig(cmd, options, r);

/** ssh started without waiting: resolves when it ends. */
function sshAsync(cmd: string, options: string[] = []): Promise<{code: number; stderr: string}> {
	return new Promise(resolve => {
		const child = spawn('ssh', [...rigSshArgs(r, options), '--', cmd], {stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', d => {
			stderr += d;
		});
		child.on('close', code => resolve({code: code ?? -1, stderr}));
	});
}

/** sshd's log from line `from` on, and how many lines it has (sshd -E ends its lines with CR LF). */
function sshdLog(from = 0): {lines: string[]; length: number} {
	const all = readFileSync(r.sshdLog, 'utf8').split(/\r?\n/).slice(0, -1);
	return {lines: all.slice(from), length: all.length};
}
const count = (lines: string[], re: RegExp) => lines.filter(l => re.test(l)).length;
// sshd listens on port 22 of the rig's namespace; the forwarder there connects to it from 127.0.0.1.
const CONNECTION = /^Connection from 127\.0\.0\.1 port \d+ on 127\.0\.0\.1 port 22 /;
const DROPPED = /^drop connection #\d+ from \[127\.0\.0\.1\]:\d+ on \[127\.0\.0\.1\]:22 past MaxStartups$/;

/** A listener on this machine's 127.0.0.1 (a free port) that answers `local` to each connection. */
async function localListener(): Promise<{port: number; server: net.Server}> {
	const server = net.createServer(s => s.end('local\n'));
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {port: (server.address() as net.AddressInfo).port, server};
}

/** What a connection to this machine's 127.0.0.1:port reads until the other end closes, or the error's code. */
function readLocal(port: number): Promise<string> {
	return new Promise(resolve => {
		let got = '';
		const s = net.connect(port, '127.0.0.1');
		s.on('data', d => {
			got += d;
		});
		s.on('end', () => resolve(got));
		s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
	});
}

/** What a rig session reads from the remote's 127.0.0.1:port (nothing when nothing listens there). */
const readRemote = (port: number) => run(`exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`).stdout;
const SESSION = /^Starting session: command for hatchremote/;

describe('the remote rig', () => {
	it('lets its user (uid/gid 1777) in with the test key, and only against the pinned host key', () => {
		const id = run('id -u; id -g');
		expect(id.stderr).toBe('');
		expect(id.stdout).toBe(`${r.uid}\n${r.gid}\n`);
		expect([r.uid, r.gid]).toEqual([1777, 1777]);

		const empty = join(dir, 'empty_known_hosts');
		writeFileSync(empty, '');
		const unpinned = sshToRig('true', [], {...r, knownHosts: empty});
		expect(unpinned.code).toBe(255);
		expect(unpinned.stderr).toMatch(/Host key verification failed/);
	});

	it("runs docker there against the second engine, which has the base image; the first engine's root differs", () => {
		const remote = run(`docker info --format '{{.DockerRootDir}}'; docker image inspect -f '{{.Id}}' ${BASE}`);
		expect(remote.stderr).toBe('');
		const local = spawnSync('docker', ['info', '--format', '{{.DockerRootDir}}'], {encoding: 'utf8'}).stdout.trim();
		const localBase = spawnSync('docker', ['image', 'inspect', '-f', '{{.Id}}', BASE], {encoding: 'utf8'});
		expect(remote.stdout).toBe(`${r.dockerRoot}\n${localBase.stdout.trim()}\n`);
		expect(local).not.toBe(r.dockerRoot);
		expect(run('echo $DOCKER_HOST').stdout.trim()).toBe(r.dockerHost);
	});

	it('lists a runtime named nvidia there, not here, that runs containers but has no GPU (mocked GPU: none here)', () => {
		const runtimes = (json: string) => Object.keys(JSON.parse(json) as Record<string, unknown>);
		expect(runtimes(run(`docker info --format '{{json .Runtimes}}'`).stdout)).toContain('nvidia');
		const local = spawnSync('docker', ['info', '--format', '{{json .Runtimes}}'], {encoding: 'utf8'}).stdout;
		expect(runtimes(local)).not.toContain('nvidia');

		const name = 'hatch-e2e-rig-runtime';
		const ran = run(
			`docker run --name ${name} --runtime nvidia --network host ${BASE} echo ran; ` +
				`docker inspect -f '{{.HostConfig.Runtime}}' ${name}; docker rm ${name} >/dev/null`,
		);
		expect(ran.stdout).toBe('ran\nnvidia\n');
		const gpus = run(`docker run --rm --gpus all --network host ${BASE} true`);
		expect(gpus.code).toBe(125);
		expect(gpus.stderr).toContain('could not select device driver "" with capabilities: [[gpu]]');
	});

	it("answers nvidia-smi over ssh with one fake GPU (mocked GPU: none here), on that user's PATH only", () => {
		const list = run('nvidia-smi -L');
		expect(list.stdout).toMatch(/^GPU 0: Fake \(UUID: GPU-00000000-[0-9-]+\)\n$/);
		const query = run('nvidia-smi --query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader');
		expect(parseNvidiaSmi(query.stdout.trim())).toEqual([
			{index: 0, name: 'Fake', memoryMiB: 16384, driver: '000.00', uuid: 'GPU-00000000-0000-0000-0000-000000000000'},
		]);
		// Here (root), the fake is not on the PATH: no nvidia-smi at all on this machine, or a real one elsewhere.
		const local = spawnSync('sh', ['-c', 'command -v nvidia-smi'], {encoding: 'utf8'});
		expect(local.stdout).not.toContain(`/home/${r.user}/`);
		expect(run('command -v nvidia-smi').stdout).toBe(`/home/${r.user}/bin/nvidia-smi\n`);
	});

	it('has a network of its own: a port in its namespace is reached by its sessions, not from here', async () => {
		// The port is taken here first, and still free there.
		const local = await localListener();
		const listen = [`TCP-LISTEN:${local.port},bind=127.0.0.1,reuseaddr,fork`, 'SYSTEM:echo remote'];
		const remote = spawn('ip', ['netns', 'exec', r.netns, 'socat', ...listen], {stdio: 'ignore'});
		try {
			await until(
				() => {
					if (remote.exitCode !== null) throw new Error(`the listener in ${r.netns} exited ${remote.exitCode}`);
					return readRemote(local.port) === 'remote\n';
				},
				`a rig session reading "remote" from 127.0.0.1:${local.port}`,
				{timeoutMs: 30_000},
			);
			// Here, the same address is this machine's listener; once it is gone, nothing answers here.
			expect(await readLocal(local.port)).toBe('local\n');
			await new Promise(resolve => local.server.close(resolve));
			expect(await readLocal(local.port)).toBe('ECONNREFUSED');
			expect(readRemote(local.port)).toBe('remote\n');
		} finally {
			remote.kill();
			if (local.server.listening) local.server.close();
		}
	});

	it("runs a host-network container of the second engine on the remote's network, not this machine's", async () => {
		const local = await localListener();
		const name = `hatch-e2e-rig-netns-${process.pid}`;
		try {
			const started = run(
				`docker run -d --pull never --network host --name ${name} ${BASE} ` +
					`socat TCP-LISTEN:${local.port},bind=127.0.0.1,reuseaddr,fork 'SYSTEM:echo container'`,
			);
			expect(started.stderr).toBe('');
			expect(started.code).toBe(0);
			await until(
				() => {
					const state = run(`docker inspect -f '{{.State.Status}}' ${name}`).stdout.trim();
					if (state !== 'running') throw new Error(`the container is ${state}: ${run(`docker logs ${name}`).stderr}`);
					return readRemote(local.port) === 'container\n';
				},
				`a rig session reading "container" from 127.0.0.1:${local.port}`,
				{timeoutMs: 60_000},
			);
			expect(await readLocal(local.port)).toBe('local\n');
		} finally {
			run(`docker rm -f ${name}`);
			await new Promise(resolve => local.server.close(resolve));
		}
	});

	it('drops fresh connections past MaxStartups 4:100:4 when six start at once, and logs each drop', async () => {
		const before = sshdLog().length;
		const results = await Promise.all(Array.from({length: 6}, () => sshAsync('true')));
		const failed = results.filter(x => x.code !== 0);
		const log = sshdLog(before).lines;
		// The first four accepted always get a slot; a fifth or sixth that arrives while four are unauthenticated
		// is closed before the key exchange.
		expect(results.length - failed.length).toBeGreaterThanOrEqual(4);
		expect(failed.length).toBeGreaterThanOrEqual(1);
		for (const f of failed) {
			expect(f.code).toBe(255);
			expect(f.stderr).toMatch(/kex_exchange_identification|Connection reset|Connection closed/);
		}
		expect(count(log, DROPPED)).toBe(failed.length);
		expect(count(log, CONNECTION)).toBe(results.length - failed.length);
	});

	it('runs six commands at once over one ControlMaster connection while the four slots are taken', async () => {
		const cm = ['ControlMaster=auto', `ControlPath=${join(dir, 'cm-%C')}`, 'ControlPersist=30'];
		// The master first: six commands started with ControlMaster=auto and no master would each open their own.
		expect(run('true', cm).code).toBe(0);
		// Four connections that stay unauthenticated fill MaxStartups: each counts once sshd has sent its banner.
		const held = await Promise.all(
			Array.from(
				{length: 4},
				() =>
					new Promise<net.Socket>((resolve, reject) => {
						const s = net.connect(r.sshPort, '127.0.0.1');
						s.once('data', d => (String(d).startsWith('SSH-2.0-') ? resolve(s) : reject(new Error(String(d)))));
						s.once('error', reject);
					}),
			),
		);
		try {
			const before = sshdLog().length;
			const fresh = await sshAsync('true');
			expect(fresh.code).toBe(255);
			const results = await Promise.all(Array.from({length: 6}, (_, i) => sshAsync(`echo ${i}`, cm)));
			expect(results.map(x => x.code)).toEqual([0, 0, 0, 0, 0, 0]);
			const log = sshdLog(before).lines;
			expect(count(log, DROPPED)).toBe(1);
			expect(count(log, CONNECTION)).toBe(0);
			expect(count(log, SESSION)).toBe(6);
		} finally {
			for (const s of held) s.destroy();
			spawnSync('ssh', [...rigSshArgs(r, cm), '-O', 'exit'], {encoding: 'utf8'});
		}
	});
});
