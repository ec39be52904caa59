import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {fakeInspection, fixture} from '../../test/helpers/fake-host.js';
import {KEY, press, waitFor, waitForChange} from '../../test/helpers/ink.js';
import type {Image, Values} from '../core/model.js';
import {BuildProgress} from '../docker/buildkit.js';
import type {DeployEvents, DeployResult} from '../docker/deploy.js';
import type {FileChange} from '../stack.js';
import {settingLine, Wizard, type WizardDeps} from './Wizard.js';

/** The screen the fake deploy waits on, set by toDeploy: it goes on when the view has shown each stage. */
const view: {lastFrame: () => string | undefined} = {lastFrame: () => undefined};

/** Plays a real build log through the events, then resolves as told (no Docker here: UI test). */
function fakeDeploy(events: DeployEvents, outcome: {ok: boolean; hang?: boolean; warnings?: string[]}) {
	const progress = new BuildProgress();
	let cancel: () => void = () => {};
	// Cancelling works from the first moment, as the real deploy's does.
	const canceled = new Promise<void>(r => (cancel = r));
	const done = (async (): Promise<DeployResult> => {
		events.onStart?.('/out/stem/logs/hatch-1.log');
		events.onPhase?.('build');
		for (const line of fixture('buildkit-stem-ok.txt').split('\n')) {
			progress.feed(line);
			events.onBuildLine?.(line, progress);
		}
		await waitFor(view.lastFrame, '9/9 steps'); // the live view has shown the whole build
		if (outcome.hang) await canceled;
		const base = {logFile: '/out/stem/logs/hatch-1.log', progress, tail: ['boom'], ms: 3200};
		if (outcome.hang) return {...base, ok: false, canceled: true, phase: 'build', exitCode: 130};
		if (!outcome.ok)
			return {
				...base,
				ok: false,
				canceled: false,
				phase: 'up',
				exitCode: 1,
				hint: 'the SSH port is taken: pick another STEM_SSH_PORT',
			};
		events.onPhase?.('up');
		events.onPhase?.('ready');
		events.onBoot?.({kind: 'step', text: '00-user-bootstrap.sh', ms: 49});
		for (const w of outcome.warnings ?? []) events.onBoot?.({kind: 'warning', text: w});
		// The live view has shown the boot so far, its last warning too.
		await waitFor(view.lastFrame, 'waiting for sshd');
		for (const w of outcome.warnings ?? []) await waitFor(view.lastFrame, `! ${w}`);
		return {
			...base,
			ok: true,
			canceled: false,
			phase: 'ready',
			exitCode: 0,
			ready: {
				ok: true,
				fingerprint: 'SHA256:abc',
				keyBlob: 'AAAA',
				warnings: outcome.warnings ?? [],
				logTail: [],
				ms: 900,
			},
		};
	})();
	return {done, cancel: () => cancel()};
}

function deps(overrides: Partial<WizardDeps> = {}, inspection = fakeInspection()) {
	const saved: {name: string; image: Image; values: Values}[] = [];
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
		presetFor: s =>
			s === 'shipped:neuron-gpus'
				? {name: 'neuron-gpus', image: 'neuron', settings: {STEM_SSH_PORT: '22555'}}
				: undefined,
		stackDir: s => `/out/${s}`,
		loadExisting: () => undefined,
		sets: {},
		plan: async (image, values) => [
			{
				path: `/out/${image}/.env`,
				content: JSON.stringify(values),
				mode: 0o600,
				showDiff: true,
				state: 'new',
				diff: '',
			},
		],
		write: async (changes: FileChange[]) => changes,
		preflight: async () => ({
			errors: [],
			warnings: [],
			notes: ['first run: compose creates stem-home, stem-sshkeys, stem-sshstate'],
		}),
		check: () => undefined,
		save: async (name, image, values) => {
			saved.push({name, image, values});
		},
		deploy: (_stack, _values, events) => fakeDeploy(events, {ok: true}),
		planSshConfig: async () => [
			{
				path: '/home/alice/.ssh/config',
				content: 'x',
				mode: 0o600,
				showDiff: true,
				state: 'changed',
				diff: '--- a\n+++ b\n@@ -1,0 +1,1 @@\n+Host stem\n',
			},
		],
		onExit: code => exits.push(code),
		...overrides,
	};
	return {d, saved, exits};
}

/**
 * Presses Enter until `text` is on screen (each question answered with its prefilled default); returns the screens
 * passed.
 */
async function enterUntil(
	lastFrame: () => string | undefined,
	stdin: {write: (s: string) => void},
	text: string,
	max = 60,
): Promise<string[]> {
	const passed: string[] = [];
	for (let n = 0; n < max; n++) {
		// One Enter per screen that shows a field (a list's ❯ or a text field's ›), never to a spinner: an Enter
		// sent there would wait for the next field and answer it too.
		const before = await waitFor(lastFrame, new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|❯ |› `));
		if (before.includes(text)) return passed;
		passed.push(before);
		await press(stdin, KEY.enter);
		await waitForChange(lastFrame, before);
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
		await waitFor(lastFrame, 'Build and start it now?');
		await press(stdin, KEY.down, KEY.enter);
		expect(exits).toEqual([0]);
		expect(saved).toHaveLength(1);
		expect(saved[0]).toMatchObject({
			name: 'stem',
			image: 'stem',
			values: {
				STEM_USER: 'alice',
				STEM_UID: '1000',
				STEM_AUTH_KEYS_PATH: '/home/alice/.ssh/id_ed25519.pub',
				DROPBOX_PATH_ON_HOST: '/home/alice/Dropbox',
			},
		});
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

	it(
		'a start chosen again begins from that start: a preset left with Esc leaves none of its values ' + 'behind',
		async () => {
			const {d} = deps();
			const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
			await waitFor(lastFrame, '❯ start fresh');
			await press(stdin, KEY.down, KEY.enter);
			await waitFor(lastFrame, 'Which container?');
			await press(stdin, KEY.enter);
			await enterUntil(lastFrame, stdin, 'SSH port on the Docker host');
			expect(lastFrame()).toContain('22555');
			await press(stdin, KEY.esc);
			await waitForChange(lastFrame, lastFrame());
			// Back to the first screen, one Esc per screen, then "start fresh" and the same image.
			for (
				let n = 0;
				n < 20 && !lastFrame()!.includes('❯ start fresh') && !lastFrame()!.includes('❯ neuron-gpus');
				n++
			) {
				const before = lastFrame()!;
				await press(stdin, KEY.esc);
				await waitForChange(lastFrame, before);
			}
			await waitFor(lastFrame, 'neuron-gpus');
			if (lastFrame()!.includes('❯ neuron-gpus')) await press(stdin, KEY.up);
			await waitFor(lastFrame, '❯ start fresh');
			await press(stdin, KEY.enter);
			await waitFor(lastFrame, 'Which container?');
			await waitFor(lastFrame, '❯ neuron');
			await press(stdin, KEY.enter);
			await enterUntil(lastFrame, stdin, 'SSH port on the Docker host');
			expect(lastFrame()).not.toContain('22555');
			unmount();
		},
	);

	it('quits with 130 on Ctrl-C, having written and saved nothing', async () => {
		const write = vi.fn(async (c: FileChange[]) => c);
		const {d, exits, saved} = deps({write});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'start fresh');
		await press(stdin, KEY.ctrlC);
		expect(exits).toEqual([130]);
		expect(write).not.toHaveBeenCalled();
		expect(saved).toEqual([]);
		unmount();
	});

	it('offers only the GPUs that were detected, and agent forwarding only when a socket was found', async () => {
		const {d, saved} = deps({}, fakeInspection({gpus: 8, agent: true}));
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, '8 GPU(s)');
		await waitFor(lastFrame, 'neuron-gpus'); // the list of starts loads after the first frame
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
		await waitFor(lastFrame, 'Build and start it now?');
		expect(saved[0]!.values).toMatchObject({
			NEURON_GPUS: 'GPU-2f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50',
			STEM_SSH_PORT: '22555',
			STEM_SSH_AUTH_SOCK_HOST: '/tmp/ssh-a/agent.1',
		});
		unmount();
	});

	it('does not ask about agent forwarding without a socket, nor about GPUs that are not there', async () => {
		const {d} = deps();
		const seen: string[] = [];
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await waitFor(lastFrame, 'start fresh');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, 'Which container?');
		await press(stdin, KEY.down, KEY.enter); // neuron
		seen.push(...(await enterUntil(lastFrame, stdin, 'Review:')));
		expect(seen.some(f => f.includes('ssh-agent'))).toBe(false);
		const gpu = seen.find(f => f.includes('GPUs for the container'))!;
		expect(gpu).toContain('none (no GPU found on this host)');
		expect(gpu).not.toContain('all ');
		unmount();
	});

	it('says at the review when the chosen preset replaces a value of your .env', async () => {
		const {d} = deps({loadExisting: image => (image === 'neuron' ? {STEM_SSH_PORT: '2299'} : undefined)});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'neuron-gpus');
		await press(stdin, KEY.down, KEY.enter);
		await enterUntil(lastFrame, stdin, 'Review: neuron');
		const f = await waitFor(lastFrame, 'Write');
		expect(f.replace(/\s+/g, ' ')).toContain(
			'! preset over your .env: STEM_SSH_PORT: the preset sets "22555", your .env has "2299"',
		);
		unmount();
	});

	it('edits a stack on the list in its own folder, from its own .env, and saves under its name', async () => {
		const planned: (string | undefined)[] = [];
		const {d, saved} = deps({
			loadStarts: async () => ({
				starts: [
					{label: 'edit gpu (neuron, /srv/gpu/neuron)', value: 'stack:gpu'},
					{label: 'new stack', value: 'fresh'},
				],
				warnings: [],
			}),
			stackFor: s =>
				s === 'stack:gpu'
					? {image: 'neuron', dir: '/srv/gpu/neuron', existing: {STEM_CONTAINER_NAME: 'gpu', STEM_SSH_PORT: '2444'}}
					: undefined,
			plan: async (_image, values, dir) => {
				planned.push(dir);
				return [
					{path: `${dir}/.env`, content: JSON.stringify(values), mode: 0o600, showDiff: true, state: 'new', diff: ''},
				];
			},
		});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, '❯ edit gpu');
		await press(stdin, KEY.enter);
		const passed = await enterUntil(lastFrame, stdin, 'Review: neuron');
		// No image screen: the stack has its image.
		expect(passed.some(f => f.includes('Which container?'))).toBe(false);
		expect(await waitFor(lastFrame, 'Write')).toContain('/srv/gpu/neuron');
		await press(stdin, KEY.enter);
		await vi.waitFor(() => expect(saved).toHaveLength(1));
		expect(saved[0]).toMatchObject({name: 'gpu', image: 'neuron', values: {STEM_SSH_PORT: '2444'}});
		expect(planned.every(dir => dir === '/srv/gpu/neuron')).toBe(true);
		unmount();
	});

	it('asks where a new stack goes when no --out was given: the default, or a folder typed in (~/ is home)', async () => {
		for (const [keys, dir] of [
			[[KEY.enter], '/out/stem'],
			[[KEY.down, KEY.enter, ...'~/stacks', KEY.enter], '/home/alice/stacks/stem'],
		] as const) {
			const planned: (string | undefined)[] = [];
			const read: string[] = [];
			const {d} = deps({
				askWhere: true,
				existingAt: (_image, at) => {
					read.push(at);
					return undefined;
				},
				plan: async (_image, values, at) => {
					planned.push(at);
					return [
						{path: `${at}/.env`, content: JSON.stringify(values), mode: 0o600, showDiff: true, state: 'new', diff: ''},
					];
				},
			});
			const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
			await waitFor(lastFrame, '❯ start fresh');
			await press(stdin, KEY.enter);
			await waitFor(lastFrame, 'Which container?');
			await press(stdin, KEY.enter);
			expect(await waitFor(lastFrame, 'Where should the stem stack go?')).toContain('❯ /out/stem');
			await press(stdin, ...keys);
			await enterUntil(lastFrame, stdin, 'Review: stem');
			expect(await waitFor(lastFrame, 'Write')).toContain(dir);
			expect(read).toEqual([dir]);
			expect(planned.every(at => at === dir)).toBe(true);
			unmount();
		}
	});

	it('changes one setting from the review and comes back to it, compared again', async () => {
		const planned: string[] = [];
		const {d, saved} = deps({
			plan: async (image, values) => {
				planned.push(JSON.stringify(values));
				return [{path: `/out/${image}/.env`, content: 'x', mode: 0o600, showDiff: true, state: 'new', diff: ''}];
			},
		});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await enterUntil(lastFrame, stdin, 'Review: stem');
		await waitFor(lastFrame, 'Change a setting…');
		await press(stdin, KEY.down, KEY.enter);
		const list = await waitFor(lastFrame, 'Change which setting?');
		expect(list).toContain('22222');
		// Down to the SSH port's line, whatever its place in the list.
		const lines = list
			.split('\n')
			.filter(l => /^\s*(❯ )?\S/.test(l) && !l.includes('Change which') && !l.includes('↑↓'));
		const at = lines.findIndex(l => l.includes('22222'));
		await press(stdin, ...Array(at).fill(KEY.down), KEY.enter);
		await waitFor(lastFrame, 'STEM_SSH_PORT');
		await press(stdin, ...Array(5).fill(KEY.backspace), ...'2399', KEY.enter);
		const review = await waitFor(lastFrame, 'Write');
		expect(review).toContain('Review: stem');
		// Written with the changed value, from a comparison made after the change.
		await press(stdin, KEY.enter);
		await vi.waitFor(() => expect(saved).toHaveLength(1));
		expect(saved[0]!.values.STEM_SSH_PORT).toBe('2399');
		expect(JSON.parse(planned.at(-1)!).STEM_SSH_PORT).toBe('2399');
		unmount();
	});

	it('shows a failed write and exits 1', async () => {
		const {d, exits} = deps({
			write: vi.fn(async () => Promise.reject(new Error('EACCES: permission denied, open /out/stem/.env'))),
		});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'Dropbox');
		await enterUntil(lastFrame, stdin, 'Review:');
		await press(stdin, KEY.enter);
		await waitFor(lastFrame, '✗ EACCES');
		await vi.waitFor(() => expect(exits).toEqual([1]));
		unmount();
	});
});

describe('Wizard, other Docker hosts', () => {
	it('a host entry of the welcome list moves the wizard there; nothing is started here', async () => {
		const moved: (string | undefined)[] = [];
		const {d} = deps({
			loadStarts: async () => ({
				starts: [
					{label: 'start fresh', value: 'fresh'},
					{label: 'on another Docker host: gpu (ssh config)', value: 'host:gpu'},
					{label: 'on this machine instead (vm)', value: 'host:'},
				],
				warnings: [],
			}),
			switchHost: target => moved.push(target),
		});
		const {lastFrame, stdin} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'on another Docker host: gpu');
		await press(stdin, KEY.down);
		await waitFor(lastFrame, '❯ on another Docker host: gpu');
		await press(stdin, KEY.enter);
		expect(moved).toEqual(['gpu']);
		// Still the welcome screen: the switch is the app's (a new wizard for that host), not a start.
		expect(lastFrame()).toContain('start fresh');
		const back = render(<Wizard deps={d} />);
		await waitFor(back.lastFrame, 'on this machine instead');
		await press(back.stdin, KEY.down);
		await press(back.stdin, KEY.down);
		await waitFor(back.lastFrame, '❯ on this machine instead');
		await press(back.stdin, KEY.enter);
		expect(moved).toEqual(['gpu', undefined]);
	});

	it('on a remote host, the screens name it: the welcome, the review and the ready login through it', async () => {
		const {d} = deps({remote: {label: 'gpu', jump: 'ana@gpu:2200'}, stackDir: s => `/home/ana/hatch/${s}`});
		const {lastFrame, stdin} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'for the Docker host gpu, over SSH');
		expect(lastFrame()).toContain('Docker host gpu');
		await enterUntil(lastFrame, stdin, 'Review: stem → gpu:/home/ana/hatch/stem');
		expect(lastFrame()).toContain('saved as preset "stem" for gpu (hatch-wizard --preset stem --yes --host gpu');
		await enterUntil(lastFrame, stdin, 'Build and start it now?');
		expect(lastFrame()).toContain('to /home/ana/hatch/stem on gpu');
		expect(lastFrame()).toContain("ssh gpu 'cd /home/ana/hatch/stem && docker compose up -d --build'");
		expect(lastFrame()).toMatch(/ssh -J ana@gpu:2200 -p \d+ /);
	});
});

describe('Wizard, before the host checks answer', () => {
	it('waits for them before filling in defaults, so a fast Enter still gets the detected key', async () => {
		let answer: (i: ReturnType<typeof fakeInspection>) => void = () => {};
		const {d} = deps({inspect: () => new Promise(resolve => (answer = resolve))});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'start fresh');
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

describe('Wizard, building and booting', () => {
	async function toDeploy(d: WizardDeps) {
		const r = render(<Wizard deps={d} />);
		view.lastFrame = r.lastFrame;
		await waitFor(r.lastFrame, 'Dropbox');
		await enterUntil(r.lastFrame, r.stdin, 'Review:');
		await press(r.stdin, KEY.enter);
		await waitFor(r.lastFrame, 'Build and start it now?');
		await press(r.stdin, KEY.enter);
		return r;
	}

	it(
		'shows the steps, then ready with the ssh command and fingerprint, then offers ~/.ssh/config ' + 'with its diff',
		async () => {
			const write = vi.fn(async (c: FileChange[]) => c);
			const {d, exits} = deps({write});
			const {lastFrame, frames, stdin, unmount} = await toDeploy(d);
			const live = await waitFor(lastFrame, '9/9 steps');
			expect(live).toContain('full log: /out/stem/logs/hatch-1.log');
			expect(live).toMatch(/✔ step 4\/9 RUN \/usr\/local\/lib\/hatch\/install-packages\.sh.* 0\.8s/);
			const f = await waitFor(lastFrame, '✔ ready in 3.2 s');
			expect(f).toContain('ssh -p 22222 alice@127.0.0.1');
			expect(f).toContain('host key SHA256:abc');
			expect(frames.some(fr => fr.includes('✔ 00-user-bootstrap.sh (49 ms)'))).toBe(true);
			await waitFor(lastFrame, 'Add “Host stem” to ~/.ssh/config');
			expect(lastFrame()).toContain('+Host stem');
			expect(lastFrame()).toContain('old copy kept as /home/alice/.ssh/config.bak-<time>');
			await press(stdin, KEY.enter);
			await vi.waitFor(() => expect(exits.length).toBeGreaterThan(0));
			expect(write).toHaveBeenCalledTimes(2);
			expect(exits).toEqual([0]);
			// What it wrote stays on the screen.
			expect(lastFrame()).toContain('✔ updated /home/alice/.ssh/config');
			expect(lastFrame()).toContain('Now: ssh stem');
			unmount();
		},
	);

	it('exits 0 after ready when ~/.ssh is already right', async () => {
		const {d, exits} = deps({
			planSshConfig: async () => [
				{path: '/home/alice/.ssh/config', content: 'x', mode: 0o600, showDiff: true, state: 'unchanged', diff: ''},
			],
		});
		const {lastFrame, unmount} = await toDeploy(d);
		await waitFor(lastFrame, '✔ ready in');
		await vi.waitFor(() => expect(exits.length).toBeGreaterThan(0));
		expect(exits).toEqual([0]);
		unmount();
	});

	it('a refused preflight shows why at the review and instead of "Build and start", and exits 2', async () => {
		const bridge =
			'STEM_NETWORK_MODE=bridge, but this Docker engine has no bridge network (dockerd runs with --bridge=none): ' +
			'set STEM_NETWORK_MODE=host (--set STEM_NETWORK_MODE=host)';
		const deploy = vi.fn();
		const {d, exits} = deps({
			preflight: async () => ({errors: [], warnings: [], notes: [], deployErrors: [bridge]}),
			deploy,
		});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'start fresh');
		await enterUntil(lastFrame, stdin, 'Review: stem');
		expect(await waitFor(lastFrame, 'Write')).toContain(
			'! to build and start here: STEM_NETWORK_MODE=bridge, but this Docker engine',
		);
		await press(stdin, KEY.enter);
		const f = await waitFor(lastFrame, 'It cannot be built and started here yet:');
		expect(f).toContain('✗ STEM_NETWORK_MODE=bridge, but this Docker engine');
		expect(f).not.toContain('Build and start it now?');
		await press(stdin, KEY.enter);
		expect(exits).toEqual([2]);
		expect(deploy).not.toHaveBeenCalled();
		unmount();
	});

	it('shows the boot warnings live and keeps them on the ready screen', async () => {
		const warning = '05-bindu: dotfiles not cloned from git://127.0.0.1:9/x.git at main: fatal: unable to connect';
		const {d} = deps({deploy: (_s, _v, events) => fakeDeploy(events, {ok: true, warnings: [warning]})});
		const {lastFrame, frames, unmount} = await toDeploy(d);
		const f = await waitFor(lastFrame, '✔ ready in 3.2 s');
		expect(frames.some(fr => fr.includes(`! ${warning}`) && fr.includes('waiting for sshd'))).toBe(true);
		expect(f).toContain('ready with 1 boot warning(s):');
		expect(f).toContain(`! ${warning}`);
		unmount();
	});

	it('explains a failure with the hint and the log, and exits 1', async () => {
		const {d, exits} = deps({deploy: (_s, _v, events) => fakeDeploy(events, {ok: false})});
		const {lastFrame, unmount} = await toDeploy(d);
		const f = await waitFor(lastFrame, '✗ start failed (exit 1)');
		expect(f).toContain('Hint: the SSH port is taken');
		expect(f).toContain('Full log: /out/stem/logs/hatch-1.log');
		await vi.waitFor(() => expect(exits).toEqual([1]));
		unmount();
	});

	it('Build, then Ctrl-C in the same burst of keys: no build is started behind the exit (130)', async () => {
		const deploy = vi.fn((_s: Image, _v: Values, events: DeployEvents) => fakeDeploy(events, {ok: true}));
		const {d, exits} = deps({deploy});
		const r = render(<Wizard deps={d} />);
		view.lastFrame = r.lastFrame;
		await waitFor(r.lastFrame, 'Dropbox');
		await enterUntil(r.lastFrame, r.stdin, 'Review:');
		await press(r.stdin, KEY.enter);
		await waitFor(r.lastFrame, 'Build and start it now?');
		await press(r.stdin, KEY.enter + KEY.ctrlC);
		await vi.waitFor(() => expect(exits).toEqual([130]));
		// The handler asked for this module first, so its continuation has run once ours does: it stood down.
		await import('./Deploy.js');
		expect(deploy).not.toHaveBeenCalled();
		r.unmount();
	});

	it('Ctrl-C during the build stops it first, says what state the stack is in, and exits 130', async () => {
		const {d, exits} = deps({deploy: (_s, _v, events) => fakeDeploy(events, {ok: false, hang: true})});
		const {lastFrame, stdin, unmount} = await toDeploy(d);
		await waitFor(lastFrame, 'steps');
		await press(stdin, KEY.ctrlC);
		const f = await waitFor(lastFrame, 'Interrupted: stopped during the build');
		expect(f).toContain('Log: /out/stem/logs/hatch-1.log');
		// The exit comes once that screen is on the terminal (after its frame, not with it).
		await vi.waitFor(() => expect(exits).toEqual([130]));
		unmount();
	});
});

describe('Wizard, edges', () => {
	it('writes what the latest review showed, even when an older comparison finishes last', async () => {
		let call = 0;
		let endFirst: () => void = () => {};
		const firstMayEnd = new Promise<void>(r => (endFirst = r));
		const write = vi.fn(async (c: FileChange[]) => c);
		const {d} = deps({
			write,
			plan: async (image, values) => {
				const n = ++call;
				if (n === 1) await firstMayEnd; // the first comparison is slow
				return [
					{
						path: `/out/${image}/.env`,
						content: `plan ${n} ${values.STEM_SSH_PORT}`,
						mode: 0o600,
						showDiff: true,
						state: 'new',
						diff: '',
					},
				];
			},
		});
		const r = render(<Wizard deps={d} />);
		await waitFor(r.lastFrame, 'Dropbox');
		await enterUntil(r.lastFrame, r.stdin, 'Comparing with what is on disk');
		await press(r.stdin, KEY.esc);
		await waitFor(r.lastFrame, 'Who creates the volumes?');
		await press(r.stdin, KEY.enter);
		await waitFor(r.lastFrame, 'Write 1 file(s)');
		// The slow first comparison ends now, after the second: the wizard has taken its result once this resolves.
		endFirst();
		await firstMayEnd;
		await press(r.stdin, KEY.enter);
		await waitFor(r.lastFrame, 'Build and start it now?');
		expect(write.mock.calls[0]![0][0]!.content).toBe('plan 2 22222');
		r.unmount();
	});
});

describe('Wizard, when the host checks fail outright', () => {
	it('says so on the welcome screen and still gets to the questions', async () => {
		const {d} = deps({inspect: async () => Promise.reject(new Error('spawn EAGAIN'))});
		const {lastFrame, stdin, unmount} = render(<Wizard deps={d} />);
		await waitFor(lastFrame, 'host check failed: spawn EAGAIN');
		await enterUntil(lastFrame, stdin, 'Your user name inside the container');
		expect(lastFrame()).toContain('alice');
		unmount();
	});
});

describe('the review’s list of settings', () => {
	it('one line each: the question, then the value as its choices name it, in a column; long ones cut', () => {
		const q = {prompt: 'sudo for this user?', options: [{label: 'yes, passwordless sudo', value: '1'}]};
		expect(settingLine(q, '1')).toBe(`${'sudo for this user?'.padEnd(42)}  yes, passwordless sudo`);
		expect(settingLine(q, '7')).toBe(`${'sudo for this user?'.padEnd(42)}  7`);
		expect(settingLine({prompt: 'Dotfiles repository'}, '')).toBe(`${'Dotfiles repository'.padEnd(42)}  (empty)`);
		const long = settingLine({prompt: 'P'.repeat(60)}, 'v'.repeat(50));
		expect(long).toBe(`${'P'.repeat(41)}…  ${'v'.repeat(33)}…`);
	});
});
