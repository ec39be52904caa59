// The whole wizard in a real terminal: tmux runs the built CLI, send-keys types, capture-pane reads the
// screen. Needs tmux (installed by .ci/setup-docker.sh); required under CI=true.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {killSessions, start} from '../helpers/tmux.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) {
	if (process.env.CI === 'true') throw new Error('CI=true but tmux is missing: run .ci/setup-docker.sh');
	console.warn('SKIPPING terminal tests: tmux is not installed');
}

function sandbox() {
	const root = mkdtempSync(join(tmpdir(), 'hatch-tty-'));
	const home = join(root, 'home');
	mkdirSync(join(home, '.ssh'), {recursive: true});
	writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchTtyTest tty@hatch\n');
	return {
		root,
		home,
		out: join(root, 'out'),
		env: {HOME: home, HATCH_CONFIG_DIR: join(root, 'config'), SSH_AUTH_SOCK: ''},
	};
}

// This machine's engine has no bridge network, so the wizard would (rightly) refuse to build in bridge mode.
const HOST_MODE = ['--set', 'STEM_NETWORK_MODE=host', '--set', 'STEM_SSH_LISTEN=127.0.0.1'];

afterEach(killSessions);

describe.skipIf(!hasTmux)('the wizard in a real terminal', () => {
	it(
		'a newcomer presses Enter through the defaults and gets a stack; a second run offers to edit it, ' +
			'prefilled from its .env',
		async () => {
			const box = sandbox();
			const first = start(box.env, ['--out', box.out, ...HOST_MODE]);
			await first.waitFor('new stack (defaults from this host)');
			await first.enterUntil('Your user name inside the container');
			// One key per write, as a person types (a burst arrives as one chunk of input).
			for (let n = 0; n < 5; n++) first.keys('BSpace');
			first.keys('-l', 'carol');
			await first.waitFor('carol');
			await first.enterUntil('Review: stem');
			const review = first.screen();
			expect(review).toContain('create    docker-compose.yml');
			expect(review).toContain('create    .env');
			first.keys('Enter');
			// Outside the e2e suite no engine answers (vitest.config.ts): the wizard writes, then says why it cannot
			// build here, and no test can start a stack on the developer's engine.
			await first.waitFor('It cannot be built and started here yet:');
			expect(first.screen()).toContain('✗ Docker: the Docker engine is not running');
			first.keys('Enter'); // quit
			const done = await first.waitFor('EXIT=2');
			expect(done).toContain(`✔ Wrote`);
			expect(done).toContain(`cd ${join(box.out, 'stem')} && docker compose up -d --build`);
			const env = parseEnv(readFileSync(join(box.out, 'stem', '.env'), 'utf8'));
			expect(env).toMatchObject({STEM_USER: 'carol', STEM_AUTH_KEYS_PATH: join(box.home, '.ssh', 'id_ed25519.pub')});
			expect(existsSync(join(box.out, 'stem', 'image', 'Dockerfile'))).toBe(true);

			const second = start(box.env, ['--out', box.out, ...HOST_MODE]);
			// The stack just written comes first, to edit in its own folder, from its own .env.
			const welcome = await second.waitFor('edit stem');
			expect(welcome).toContain(`❯ edit stem (stem, ${join(box.out, 'stem')})`);
			await second.enterUntil('Your user name inside the container');
			expect(second.screen()).toContain('carol');
			await second.enterUntil('Review: stem');
			expect(second.screen()).toContain('unchanged .env');
			expect(second.screen()).toContain('Continue (nothing to write)');
			second.keys('Enter');
			await second.waitFor('Nothing to write');
			await second.waitFor('It cannot be built and started here yet:');
			second.keys('Enter'); // quit
			await second.waitFor('EXIT=2');
		},
	);

	it(
		'applies every key of a burst: Ctrl-U and a name in one write, then two Enters in one write, ' + 'one per screen',
		async () => {
			const box = sandbox();
			const t = start(box.env, ['--out', box.out, ...HOST_MODE]);
			await t.waitFor('new stack (defaults from this host)');
			await t.enterUntil('Your user name inside the container');
			t.burst('\x15bob\x7f\x7fen');
			await t.waitFor('› ben');
			await t.enterUntil('Review: stem');
			// Enter on Review, then Enter on what follows, in one write: each screen takes its own.
			t.burst('\r\r');
			const done = await t.waitFor('EXIT=2');
			expect(done).toContain('It cannot be built and started here yet:');
			expect(done).toContain('✔ Wrote');
			expect(parseEnv(readFileSync(join(box.out, 'stem', '.env'), 'utf8')).STEM_USER).toBe('ben');
		},
	);

	it('Ctrl-C quits with 130 and gives the terminal back as it was', async () => {
		const box = sandbox();
		const t = start(box.env, ['--out', box.out]);
		await t.waitFor('new stack (defaults from this host)');
		await t.enterUntil('Which container?');
		t.keys('C-c');
		const s = await t.waitFor('icanon');
		expect(s).toMatch(/EXIT=130\s+icanon/); // canonical mode restored (raw mode would show -icanon)
		expect(existsSync(box.out)).toBe(false);
	});

	it('the plain first frame, written before the UI loads, is replaced by the UI: one welcome screen', async () => {
		const box = sandbox();
		const t = start(box.env, ['--out', box.out]);
		await t.waitFor('new stack (defaults from this host)');
		const settled = await t.waitFor('✔ SSH keys');
		const count = (text: string) => settled.split(text).length - 1;
		expect(count('hatch-wizard 0.1.0 — SSH-able dev containers')).toBe(1);
		expect(count('This host')).toBe(1);
		expect(count('Start from')).toBe(1);
		expect(count('↑↓ choose')).toBe(1);
		expect(settled).not.toContain('loading presets…');
		expect(settled.trimStart().startsWith('hatch-wizard 0.1.0')).toBe(true);
	});

	it('respects NO_COLOR', async () => {
		const box = sandbox();
		const colored = start(box.env, ['--out', box.out]);
		await colored.waitFor('Start from');
		expect(colored.screen(true)).toMatch(/\x1b\[[0-9;]*m/);
		const plain = start({...box.env, NO_COLOR: '1'}, ['--out', box.out]);
		await plain.waitFor('Start from');
		expect(plain.screen(true)).not.toMatch(/\x1b\[[0-9;]*[1-9][0-9;]*m/);
	});
});
