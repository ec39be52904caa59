import {describe, expect, it} from 'vitest';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import {defaults, FIELDS} from '../core/model.js';
import type {Gpu, Inspection} from '../host/inspect.js';
import {OTHER, questions} from './questions.js';

describe('questions', () => {
	it('reach every setting of the model, for stem and neuron', () => {
		const asked = new Set<string>();
		for (const image of ['stem', 'neuron'] as const) {
			const values = {...defaults(image), BINDU_REPO: 'https://example.invalid/b.git', STEM_PIXI_ENABLE: '1'};
			for (const q of questions(image, values, fakeInspection({gpus: 2, agent: true}))) asked.add(q.key);
		}
		expect([...asked].sort()).toEqual(FIELDS.map(f => f.key).sort());
	});

	it('ask only what applies: no dotfile ref without a repository, no pixi details without pixi', () => {
		const keys = questions('stem', {...defaults('stem'), BINDU_REPO: '', STEM_PIXI_ENABLE: '0'}, fakeInspection()).map(
			q => q.key,
		);
		expect(keys).not.toContain('BINDU_REF');
		expect(keys).not.toContain('STEM_PIXI_STOW');
		expect(keys).not.toContain('STEM_SSH_AUTH_SOCK_HOST');
		expect(keys).not.toContain('NEURON_GPUS');
	});

	it('offer the detected keys, another file, or none, and keep a current value that was not detected', () => {
		const q = questions(
			'stem',
			{...defaults('stem'), STEM_AUTH_KEYS_PATH: '/srv/keys/team.pub'},
			fakeInspection(),
		).find(x => x.key === 'STEM_AUTH_KEYS_PATH')!;
		expect(q.options!.map(o => o.value)).toEqual(['/home/alice/.ssh/id_ed25519.pub', OTHER, '', '/srv/keys/team.pub']);
	});
});

describe('questions, run as root', () => {
	it('the UID and GID questions say why they default to 1000', () => {
		const asRoot = {...fakeInspection(), identity: {user: 'root', uid: 0, gid: 0, home: '/root', hostname: 'vortex'}};
		const qs = questions('stem', defaults('stem'), asRoot);
		for (const key of ['STEM_UID', 'STEM_GID']) {
			expect(qs.find(q => q.key === key)!.help).toContain('You run hatch-wizard as root, so this defaults to 1000');
		}
		expect(questions('stem', defaults('stem'), fakeInspection()).find(q => q.key === 'STEM_UID')!.help).not.toContain(
			'as root',
		);
	});
});

describe('questions, as FIELDS declares them', () => {
	const all = (image: 'stem' | 'neuron') =>
		questions(
			image,
			{...defaults(image), BINDU_REPO: 'https://example.invalid/b.git', STEM_PIXI_ENABLE: '1'},
			fakeInspection({gpus: 1, agent: true}),
		);

	it('step by step in the wizard’s order, the image last; within a step in the order of FIELDS', () => {
		const qs = all('neuron');
		const steps = qs.map(q => q.step).filter((s, i, a) => a.indexOf(s) === i);
		expect(steps).toEqual([
			'Container',
			'Identity',
			'SSH',
			'Mounts',
			'Dotfiles',
			'Pixi',
			'Secrets',
			'Agent',
			'GPU',
			'Image and volumes',
		]);
		expect(qs.filter(q => q.step === 'SSH').map(q => q.key)).toEqual([
			'STEM_NETWORK_MODE',
			'STEM_SSH_LISTEN',
			'STEM_SSH_PORT',
			'STEM_AUTH_KEYS_PATH',
			'STEM_ENV',
			'STEM_MOSH_PORTS',
		]);
		const order = FIELDS.map(f => f.key);
		for (const step of steps) {
			const keys = qs.filter(q => q.step === step).map(q => q.key);
			expect(keys).toEqual([...keys].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
		}
	});

	it('each with its prompt and its field’s help; labelled choices in the order of the field’s choices', () => {
		for (const q of all('neuron')) {
			const f = FIELDS.find(x => x.key === q.key)!;
			expect(q.help).toBe(f.help);
			expect(q.prompt).toBe(typeof f.ask.prompt === 'string' ? f.ask.prompt : q.prompt);
			if (f.ask.labels) expect(q.options).toEqual(f.choices!.map(c => ({label: f.ask.labels![c], value: c})));
			if (!f.ask.labels && !f.ask.detected) expect(q.options).toBeUndefined();
		}
		const sudo = all('stem').find(q => q.key === 'STEM_SUDO')!;
		expect(sudo).toEqual({
			key: 'STEM_SUDO',
			step: 'Identity',
			prompt: 'sudo for this user?',
			help: FIELDS.find(f => f.key === 'STEM_SUDO')!.help,
			options: [
				{label: 'yes, passwordless sudo', value: '1'},
				{label: 'no sudo', value: '0'},
			],
		});
	});

	it('prompts that follow the answers and the host: the listen address by network mode, Dropbox when detected', () => {
		const listen = (mode: string) =>
			questions('stem', {...defaults('stem'), STEM_NETWORK_MODE: mode}, fakeInspection()).find(
				q => q.key === 'STEM_SSH_LISTEN',
			)!.prompt;
		expect(listen('host')).toBe('Address sshd listens on');
		expect(listen('bridge')).toBe('Host address the port is published on');
		const dropbox = (found: boolean) =>
			questions('stem', defaults('stem'), {
				...fakeInspection(),
				dropbox: found ? {status: 'ok', value: '/home/alice/Dropbox', ms: 1} : {status: 'missing', ms: 1},
			}).find(q => q.key === 'DROPBOX_PATH_ON_HOST')!.prompt;
		expect(dropbox(true)).toBe('Dropbox folder (detected; empty for none)');
		expect(dropbox(false)).toBe('Dropbox folder (empty for none)');
		expect(questions('stem', defaults('stem')).find(q => q.key === 'DROPBOX_PATH_ON_HOST')!.prompt).toBe(
			'Dropbox folder (empty for none)',
		);
	});

	it('the agent: the detected socket, Docker Desktop’s on a Mac, or the current one; none of them: not asked', () => {
		const agent = (inspection: ReturnType<typeof fakeInspection>, current?: string) =>
			questions(
				'stem',
				{...defaults('stem'), ...(current === undefined ? {} : {STEM_SSH_AUTH_SOCK_HOST: current})},
				inspection,
			).find(q => q.key === 'STEM_SSH_AUTH_SOCK_HOST');
		expect(agent(fakeInspection({agent: true}))!.options).toEqual([
			{label: 'yes: /tmp/ssh-a/agent.1 (detected)', value: '/tmp/ssh-a/agent.1'},
			{label: 'no', value: ''},
		]);
		expect(agent({...fakeInspection(), platform: 'darwin'})!.options).toEqual([
			{label: 'yes: /run/host-services/ssh-auth.sock (Docker Desktop)', value: '/run/host-services/ssh-auth.sock'},
			{label: 'no', value: ''},
		]);
		expect(agent(fakeInspection(), '/tmp/old.sock')!.options).toEqual([
			{label: 'no', value: ''},
			{label: 'yes: /tmp/old.sock (current)', value: '/tmp/old.sock'},
		]);
		expect(agent(fakeInspection())).toBeUndefined();
		expect(agent(fakeInspection(), '')).toBeUndefined();
	});

	it('the GPUs: all, none, or one by its UUID, with its memory; none found: only none, and a current value kept', () => {
		const gpus = (n: number, current?: string) =>
			questions(
				'neuron',
				{...defaults('neuron'), ...(current ? {NEURON_GPUS: current} : {})},
				fakeInspection({gpus: n}),
			).find(q => q.key === 'NEURON_GPUS')!.options;
		expect(gpus(2)).toEqual([
			{label: 'all 2 GPU(s)', value: 'all'},
			{label: 'none', value: 'none'},
			{label: 'only GPU 0: NVIDIA H100 80GB HBM3, 80 GiB', value: 'GPU-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50'},
			{label: 'only GPU 1: NVIDIA H100 80GB HBM3, 80 GiB', value: 'GPU-1f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50'},
		]);
		expect(gpus(0, 'none')).toEqual([{label: 'none (no GPU found on this host)', value: 'none'}]);
		expect(gpus(0, '0,1')).toEqual([
			{label: 'none (no GPU found on this host)', value: 'none'},
			{label: '0,1 (current; not detected here)', value: '0,1'},
		]);
	});
});

describe('questions, with what the inspection did not find', () => {
	const options = (key: string, inspection?: Inspection, values = {}) =>
		questions('neuron', values, inspection).find(q => q.key === key)?.options;

	it('the keys question in words: each detected key, another file, none, and a current one', () => {
		expect(options('STEM_AUTH_KEYS_PATH', fakeInspection(), {STEM_AUTH_KEYS_PATH: '/srv/team.pub'})).toEqual([
			{label: '/home/alice/.ssh/id_ed25519.pub (detected)', value: '/home/alice/.ssh/id_ed25519.pub'},
			{label: 'another file…', value: OTHER},
			{label: 'none for now (add keys later)', value: ''},
			{label: '/srv/team.pub (current)', value: '/srv/team.pub'},
		]);
	});

	it('no answer yet: no “current” option is added', () => {
		const inspection = fakeInspection({gpus: 1, agent: true});
		expect(options('STEM_AUTH_KEYS_PATH', inspection)!.map(o => o.value)).toEqual([
			'/home/alice/.ssh/id_ed25519.pub',
			OTHER,
			'',
		]);
		expect(options('STEM_SSH_AUTH_SOCK_HOST', inspection)!.map(o => o.value)).toEqual(['/tmp/ssh-a/agent.1', '']);
		expect(options('NEURON_GPUS', inspection)!.map(o => o.value)).toEqual([
			'all',
			'none',
			'GPU-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50',
		]);
	});

	it('no key found, docker missing, GPUs timed out: the questions still come, with only what is known', () => {
		const bare: Inspection = {
			...fakeInspection({agent: true}),
			publicKeys: {status: 'missing', detail: 'no ~/.ssh/*.pub', ms: 0},
			docker: {status: 'missing', detail: 'the docker command is not installed', ms: 0},
			gpus: {status: 'timeout', detail: 'no answer within 4500 ms', ms: 4500},
		};
		expect(options('STEM_AUTH_KEYS_PATH', bare)!.map(o => o.value)).toEqual([OTHER, '']);
		expect(options('STEM_SSH_AUTH_SOCK_HOST', bare)!.map(o => o.value)).toEqual(['/tmp/ssh-a/agent.1', '']);
		expect(options('NEURON_GPUS', bare)).toEqual([{label: 'none (no GPU found on this host)', value: 'none'}]);
	});

	it('no inspection at all: GPUs none, keys another file or none', () => {
		expect(options('NEURON_GPUS')).toEqual([{label: 'none (no GPU found on this host)', value: 'none'}]);
		expect(options('STEM_AUTH_KEYS_PATH')!.map(o => o.value)).toEqual([OTHER, '']);
	});

	it('GPUs found without nvidia-smi (no UUID) are offered as all or none; one without its memory named plainly', () => {
		const found = (gpus: Gpu[]): Inspection => ({
			...fakeInspection(),
			gpus: {status: 'ok', value: {gpus, source: 'systeminformation'}, ms: 1},
		});
		expect(options('NEURON_GPUS', found([{index: 0, name: 'GA102'}]))).toEqual([
			{label: 'all 1 GPU(s)', value: 'all'},
			{label: 'none', value: 'none'},
		]);
		expect(options('NEURON_GPUS', found([{index: 0, name: 'T4', uuid: 'GPU-1'}]))).toEqual([
			{label: 'all 1 GPU(s)', value: 'all'},
			{label: 'none', value: 'none'},
			{label: 'only GPU 0: T4', value: 'GPU-1'},
		]);
	});
});
