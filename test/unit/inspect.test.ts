import {describe, expect, it} from 'vitest';
import {dropboxPath, publicKeys} from '../../source/host/probes.js';
import {factsFrom, gpuSummary, inspectHost, parseNvidiaSmi} from '../../source/host/inspect.js';
import {fail, fakeHost, fixture, ok} from '../helpers/fake-host.js';

const dockerOk = {'docker info': ok(fixture('docker-info-nvidia.json')), 'docker compose version': ok('2.29.7\n')};

describe('GPU probe (fixtures captured from real hosts; no GPU here)', () => {
	it('parses nvidia-smi with 1 and 8 GPUs', () => {
		expect(parseNvidiaSmi(fixture('nvidia-smi-1gpu.csv'))).toEqual([
			{index: 0, name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24564, driver: '550.120', uuid: 'GPU-5c3a1d2e-8f4b-4a6e-9c1d-2b7e0f9a3c41'},
		]);
		const eight = parseNvidiaSmi(fixture('nvidia-smi-8gpu.csv'));
		expect(eight.map(g => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(new Set(eight.map(g => g.name))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
	});

	it('reports GPUs with the runtime, and a GPU without the runtime as "runtime missing"', async () => {
		const withRuntime = await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-8gpu.csv'))}}));
		expect(withRuntime.gpus.status).toBe('ok');
		expect(gpuSummary(withRuntime)).toBe('8 GPU(s): NVIDIA H100 80GB HBM3');
		expect(factsFrom(withRuntime)).toMatchObject({gpuCount: 8, nvidiaRuntime: true, composeVersion: '2.29.7'});

		const noRuntime = await inspectHost(fakeHost({commands: {'docker info': ok(fixture('docker-info-desktop.json')), 'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))}}));
		expect(gpuSummary(noRuntime)).toContain('1 GPU(s) found (NVIDIA GeForce RTX 4090), runtime missing');
	});

	it('says what a broken nvidia-smi means', async () => {
		const i = await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': fail(9, '', fixture('nvidia-smi-broken.txt'))}}));
		expect(i.gpus.status).toBe('error');
		expect(i.gpus.detail).toContain("couldn't communicate with the NVIDIA driver");
		expect(i.gpus.hint).toContain('driver');
	});

	it('reports a hung nvidia-smi as timed out, within its 2 s deadline', async () => {
		const start = Date.now();
		const i = await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': 'hang'}}));
		expect(i.gpus.status).toBe('timeout');
		expect(Date.now() - start).toBeLessThan(3500);
		expect(gpuSummary(i)).toBe('GPU check timed out');
	});

	it('falls back to systeminformation only when nvidia-smi is missing', async () => {
		let asked = 0;
		const graphics = async () => {
			asked++;
			return [{vendor: 'NVIDIA Corporation', model: 'GA102 [GeForce RTX 3090]', vram: 24576}, {vendor: 'Intel', model: 'UHD 770'}];
		};
		const i = await inspectHost(fakeHost({commands: dockerOk}), {graphics});
		expect(asked).toBe(1);
		expect(i.gpus.value).toEqual({source: 'systeminformation', gpus: [{index: 0, name: 'GA102 [GeForce RTX 3090]', memoryMiB: 24576}]});
		await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))}}), {graphics});
		expect(asked).toBe(1);
	});
});

describe('Docker probe', () => {
	it.each([
		['docker-info-permission.txt', 'permission denied on the Docker socket', 'usermod -aG docker'],
		['docker-info-down.txt', 'not running or not reachable', 'systemctl start docker'],
	])('explains %s with a fix', async (file, detail, hint) => {
		const i = await inspectHost(fakeHost({commands: {'docker info': fail(1, fixture(file))}}));
		expect(i.docker.status).toBe('error');
		expect(i.docker.detail).toContain(detail);
		expect(i.docker.hint).toContain(hint);
	});

	it('reports a missing docker and compose', async () => {
		const i = await inspectHost(fakeHost());
		expect(i.docker).toMatchObject({status: 'missing', hint: expect.stringContaining('install Docker')});
		expect(i.compose.status).toBe('missing');
	});

	it('reads runtimes and Docker Desktop', async () => {
		const i = await inspectHost(fakeHost({commands: {'docker info': ok(fixture('docker-info-desktop.json'))}}));
		expect(i.docker.value).toEqual({serverVersion: '27.4.0', runtimes: ['io.containerd.runc.v2', 'runc'], nvidiaRuntime: false, desktop: true});
	});
});

describe('Dropbox probe', () => {
	const home = '/home/alice';
	it.each([
		['dropbox-info-personal.json', '/home/alice/Dropbox'],
		['dropbox-info-business.json', '/home/alice/Dropbox (Acme)'],
		['dropbox-info-both.json', '/Users/alice/Library/CloudStorage/Dropbox'],
	])('reads %s', async (file, expected) => {
		const host = fakeHost({files: {[`${home}/.dropbox/info.json`]: fixture(file)}, dirs: [expected]});
		expect(await dropboxPath(host, home)).toBe(expected);
	});

	it('falls back to ~/Dropbox, then the macOS CloudStorage folder, and survives a truncated info.json', async () => {
		const files = {[`${home}/.dropbox/info.json`]: fixture('dropbox-info-truncated.json')};
		expect(await dropboxPath(fakeHost({files, dirs: [`${home}/Dropbox`]}), home)).toBe(`${home}/Dropbox`);
		expect(await dropboxPath(fakeHost({files, dirs: [`${home}/Library/CloudStorage/Dropbox`]}), home)).toBe(`${home}/Library/CloudStorage/Dropbox`);
		expect(await dropboxPath(fakeHost({files}), home)).toBeUndefined();
	});
});

describe('agent and keys probes', () => {
	it('accepts a live agent socket and explains a dead or stale one', async () => {
		const live = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1'}, sockets: {'/tmp/ssh-x/agent.1': true}}));
		expect(live.agent).toMatchObject({status: 'ok', value: '/tmp/ssh-x/agent.1'});
		const dead = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1'}, sockets: {'/tmp/ssh-x/agent.1': false}}));
		expect(dead.agent).toMatchObject({status: 'error', detail: expect.stringContaining('dead agent')});
		const gone = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-gone/agent.9'}}));
		expect(gone.agent.detail).toContain('stale after a re-login');
		expect((await inspectHost(fakeHost())).agent.status).toBe('missing');
	});

	it('lists public keys, ed25519 first', async () => {
		const host = fakeHost({files: {'/home/alice/.ssh/id_rsa.pub': 'x', '/home/alice/.ssh/id_ed25519.pub': 'y', '/home/alice/.ssh/id_ed25519': 'z', '/home/alice/.ssh/config': ''}});
		expect(await publicKeys(host, '/home/alice')).toEqual(['/home/alice/.ssh/id_ed25519.pub', '/home/alice/.ssh/id_rsa.pub']);
	});
});
