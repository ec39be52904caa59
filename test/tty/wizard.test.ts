// The whole wizard in a real terminal: tmux runs the built CLI, send-keys types, capture-pane reads the
// screen. Needs tmux (installed by .ci/setup-docker.sh); required under CI=true.
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {BIN} from '../helpers/cli.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) {
	if (process.env.CI === 'true') throw new Error('CI=true but tmux is missing: run .ci/setup-docker.sh');
	console.warn('SKIPPING terminal tests: tmux is not installed');
}

const sessions: string[] = [];
afterEach(() => {
	for (const s of sessions.splice(0)) spawnSync('tmux', ['kill-session', '-t', s]);
});

function start(env: Record<string, string>, args: string[]) {
	const name = `hatch-tty-${process.pid}-${sessions.length}-${Date.now() % 100000}`;
	sessions.push(name);
	const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
	const cmd = `env -u CI ${vars} node ${BIN} ${args.join(' ')}; echo "EXIT=$?"; stty -a | grep -o -- '-\\?icanon' | head -1; sleep 60`;
	execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '140', '-y', '50', cmd]);
	const screen = (escapes = false) => execFileSync('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name], {encoding: 'utf8'});
	const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', name, ...k]);
	const waitFor = async (text: string, ms = 10_000) => {
		const t0 = Date.now();
		while (Date.now() - t0 < ms) {
			const s = screen();
			if (s.includes(text)) return s;
			await new Promise(r => setTimeout(r, 50));
		}
		throw new Error(`no "${text}" on screen:\n${screen()}`);
	};
	/** Presses Enter (one frame at a time) until `text` shows. */
	const enterUntil = async (text: string, max = 60) => {
		for (let n = 0; n < max; n++) {
			const before = screen();
			if (before.includes(text)) return before;
			keys('Enter');
			const t0 = Date.now();
			while (screen() === before && Date.now() - t0 < 2000) await new Promise(r => setTimeout(r, 20));
		}
		throw new Error(`never reached "${text}":\n${screen()}`);
	};
	return {screen, keys, waitFor, enterUntil};
}

function sandbox() {
	const root = mkdtempSync(join(tmpdir(), 'hatch-tty-'));
	const home = join(root, 'home');
	mkdirSync(join(home, '.ssh'), {recursive: true});
	writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchTtyTest tty@hatch\n');
	return {root, home, out: join(root, 'out'), env: {HOME: home, HATCH_CONFIG_DIR: join(root, 'config'), SSH_AUTH_SOCK: ''}};
}

describe.skipIf(!hasTmux)('the wizard in a real terminal', () => {
	it('a newcomer presses Enter through the defaults and gets a stack; a second run comes prefilled from the saved preset', async () => {
		const box = sandbox();
		const first = start(box.env, ['--out', box.out]);
		await first.waitFor('start fresh');
		await first.enterUntil('Your user name inside the container');
		// One key per write, as a person types (a burst arrives as one chunk of input).
		for (let n = 0; n < 5; n++) {
			first.keys('BSpace');
			await new Promise(r => setTimeout(r, 30));
		}
		first.keys('-l', 'carol');
		await first.waitFor('carol');
		await first.enterUntil('Review: stem');
		const review = first.screen();
		expect(review).toContain('create    docker-compose.yml');
		expect(review).toContain('create    .env');
		first.keys('Enter');
		const done = await first.waitFor('EXIT=0');
		expect(done).toContain(`✔ Wrote`);
		expect(done).toContain(`cd ${join(box.out, 'stem')} && docker compose up -d --build`);
		const env = parseEnv(readFileSync(join(box.out, 'stem', '.env'), 'utf8'));
		expect(env).toMatchObject({STEM_USER: 'carol', STEM_AUTH_KEYS_PATH: join(box.home, '.ssh', 'id_ed25519.pub')});
		expect(existsSync(join(box.out, 'stem', 'image', 'Dockerfile'))).toBe(true);

		const second = start(box.env, ['--out', box.out]);
		const welcome = await second.waitFor('(saved ');
		expect(welcome).toMatch(/❯ stem \(saved \d{4}-\d\d-\d\d, stem\)/);
		await second.enterUntil('Your user name inside the container');
		expect(second.screen()).toContain('carol');
		await second.enterUntil('Review: stem');
		expect(second.screen()).toContain('unchanged .env');
		expect(second.screen()).toContain('Done (nothing to write)');
		second.keys('Enter');
		await second.waitFor('EXIT=0');
	});

	it('Ctrl-C quits with 130 and gives the terminal back as it was', async () => {
		const box = sandbox();
		const t = start(box.env, ['--out', box.out]);
		await t.waitFor('start fresh');
		await t.enterUntil('Which container?');
		t.keys('C-c');
		const s = await t.waitFor('icanon');
		expect(s).toMatch(/EXIT=130\s+icanon/); // canonical mode restored (raw mode would show -icanon)
		expect(existsSync(box.out)).toBe(false);
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
