import {render} from 'ink-testing-library';
import React from 'react';
import {describe, expect, it, vi} from 'vitest';
import type {Stack, Values} from '../core/model.js';
import {KEY, press, tick, waitFor} from '../../test/helpers/ink.js';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import type {FileChange} from '../stack.js';
import {Wizard, type WizardDeps} from './Wizard.js';

function deps(overrides: Partial<WizardDeps> = {}, inspection = fakeInspection()) {
	const saved: {name: string; stack: Stack; values: Values}[] = [];
	const exits: number[] = [];
	const d: WizardDeps = {
		version: '1.0.0',
		identity: {user: 'alice', uid: 1000, gid: 1000, home: '/home/alice', hostname: 'vortex'},
		inspect: async () => inspection,
		loadStarts: async () => ({
			starts: [
				{label: 'start fresh', value: 'fresh'},
				{label: 'neuron-gpus', value: 'shipped:neuron-gpus'},
			],
			warnings: [],
		}),
		presetFor: s => (s === 'shipped:neuron-gpus' ? {name: 'neuron-gpus', image: 'neuron', settings: {STEM_SSH_PORT: '22555'}} : undefined),
		stackDir: s => `/out/${s}`,
		loadExisting: () => undefined,
		sets: {},
		plan: async (stack, values) => [{path: `/out/${stack}/.env`, content: JSON.stringify(values), mode: 0o600, showDiff: true, state: 'new', diff: ''}],
		write: async (changes: FileChange[]) => changes,
		preflight: async () => ({errors: [], warnings: [], notes: ['first run: compose creates stem-home, stem-sshkeys, stem-sshstate']}),
		check: () => undefined,
		save: async (name, stack, values) => {
			saved.push({name, stack, values});
		},
		onExit: code => exits.push(code),
		...overrides,
	};
	return {d, saved, exits};
}

/** Presses Enter until `text` is on screen (each question answered with its prefilled default). */
async function enterUntil(lastFrame: () => string | undefined, stdin: {write: (s: string) => void}, text: string, max = 60) {
	for (let n = 0; n < max; n++) {
		if ((lastFrame() ?? '').includes(text)) return;
		await press(stdin, KEY.enter);
	}
	throw new Error(`never saw ${text}; last frame:\n${lastFrame()}`);
}

describe('Wizard', () => {
	it('takes a newcomer from Enter-Enter-Enter to a written stem stack, and saves the answers as a preset', async () => {
		const {d, saved, exits} = deps();
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, '/home/alice/Dropbox');
		await enterUntil(lastFrame, stdin, 'Which container?');
		await enterUntil(lastFrame, stdin, 'Review: stem → /out/stem');
		await waitFor(lastFrame, '· first run: compose creates stem-home');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, '✔ Wrote 1 file(s) to /out/stem');
		expect(exits).toEqual([0]);
		expect(saved).toHaveLength(1);
		expect(saved[0]).toMatchObject({name: 'stem', stack: 'stem', values: {STEM_USER: 'alice', STEM_UID: '1000', STEM_AUTH_KEYS_PATH: '/home/alice/.ssh/id_ed25519.pub', DROPBOX_PATH_ON_HOST: '/home/alice/Dropbox'}});
		expect(lastFrame()).toContain('ssh -p 22222 alice@<docker-host>');
		unmount();
	});

	it('goes back with Esc without losing answers', async () => {
		const {d} = deps();
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await enterUntil(lastFrame, stdin, 'Your user name inside the container');
		await press(stdin, ...Array(5).fill(KEY.backspace), ...'bob', KEY.enter);
		await waitFor(lastFrame, 'User id (UID)');
		await press(stdin, KEY.esc);
		await waitFor(lastFrame, 'Your user name inside the container');
		expect(lastFrame()).toContain('bob');
		await press(stdin, KEY.esc, KEY.esc, KEY.esc);
		await waitFor(lastFrame, 'Which container?');
		await press(stdin, KEY.enter);
		await enterUntil(lastFrame, stdin, 'Your user name inside the container');
		expect(lastFrame()).toContain('bob');
		unmount();
	});

	it('quits with 130 on Ctrl-C', async () => {
		const {d, exits} = deps();
		const {stdin, unmount} = render(<Wizard deps={d} />);
		await tick();
		await press(stdin, KEY.ctrlC);
		expect(exits).toEqual([130]);
		unmount();
	});

	it('offers only the GPUs that were detected, and agent forwarding only when a socket was found', async () => {
		const {d, saved} = deps({}, fakeInspection({gpus: 8, agent: true}));
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, '8 GPU(s)');
		await press(stdin, KEY.down, KEY.enter); // the neuron-gpus preset
		await waitFor(lastFrame, 'Which container?');
		await enterUntil(lastFrame, stdin, 'Forward this host’s ssh-agent');
		expect(lastFrame()).toContain('yes: /tmp/ssh-a/agent.1 (detected)');
		expect(lastFrame()).toMatch(/❯ no/); // opt-in: forwarding an agent is the user's call
		await press(stdin, KEY.up, KEY.enter);
		await waitFor(lastFrame, 'GPUs for the container');
		const f = lastFrame()!;
		expect(f).toContain('all 8 GPU(s)');
		expect(f).toContain('only GPU 7: NVIDIA H100 80GB HBM3, 80 GiB');
		await press(stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter); // none, GPU 0, 1, 2
		await enterUntil(lastFrame, stdin, 'Review: neuron');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, '✔ Wrote');
		expect(saved[0]!.values).toMatchObject({NEURON_GPUS: '2', STEM_SSH_PORT: '22555', STEM_SSH_AUTH_SOCK_HOST: '/tmp/ssh-a/agent.1'});
		unmount();
	});

	it('does not ask about agent forwarding without a socket, nor about GPUs that are not there', async () => {
		const {d} = deps();
		const seen: string[] = [];
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await press(stdin, KEY.enter, KEY.down, KEY.enter); // fresh, neuron
		for (let n = 0; n < 60 && !(lastFrame() ?? '').includes('Review:'); n++) {
			seen.push(lastFrame()!);
			await press(stdin, KEY.enter);
		}
		expect(seen.some(f => f.includes('ssh-agent'))).toBe(false);
		const gpu = seen.find(f => f.includes('GPUs for the container'))!;
		expect(gpu).toContain('none (no GPU found on this host)');
		expect(gpu).not.toContain('all ');
		unmount();
	});

	it('shows a failed write and exits 1', async () => {
		const {d, exits} = deps({write: vi.fn(async () => Promise.reject(new Error('EACCES: permission denied, open /out/stem/.env')))});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await enterUntil(lastFrame, stdin, 'Review:');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, '✗ EACCES');
		expect(exits).toEqual([1]);
		unmount();
	});
});

describe('Wizard, before the host checks answer', () => {
	it('waits for them before filling in defaults, so a fast Enter still gets the detected key', async () => {
		let answer: (i: ReturnType<typeof fakeInspection>) => void = () => {};
		const {d} = deps({inspect: () => new Promise(resolve => (answer = resolve))});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await tick();
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, 'Which container?');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, 'Finishing the host checks');
		answer(fakeInspection());
		await waitFor(lastFrame, 'Container name');
		await enterUntil(lastFrame, stdin, 'Which public key may log in?');
		expect(lastFrame()).toMatch(/❯ \/home\/alice\/\.ssh\/id_ed25519\.pub \(detected\)/);
		unmount();
	});
});
