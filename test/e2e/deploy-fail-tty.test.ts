// When the build or the start fails, or is interrupted, in the real terminal UI: what is left on the screen
// after the wizard exits, and the exit code. The same failures in --yes print the same facts (deploy.test.ts).
import {mkdirSync, rmSync} from 'node:fs';
import net from 'node:net';
import {join} from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {killSessions} from '../helpers/tmux.js';
import {BASE, destroy, type Stack, sh, wizardInTerminal, writeStack} from './helpers.js';

const BROKEN_BASE = 'hatch-e2e/base-broken:test';
const COLD_BASE = 'hatch-e2e/base-cold:test';

describe.sequential('a failed or interrupted deploy leaves its story on the screen', () => {
	const stacks: Stack[] = [];
	afterEach(killSessions);
	afterAll(() => {
		for (const s of stacks) destroy(s);
		sh('docker', ['rmi', '-f', BROKEN_BASE, COLD_BASE], {allowFail: true});
	});

	/** Writes the stack, answers every question with its default, and says yes to build and start. */
	async function deployInTerminal(name: string, sets: Record<string, string>) {
		const s = writeStack(name, 'stem', sets);
		stacks.push(s);
		const t = wizardInTerminal(s);
		await t.waitFor('new stack (defaults from this host)');
		await t.enterUntil('Review: stem');
		await t.enterUntil('Build and start it now?');
		t.keys('Enter');
		return {s, t};
	}

	it('a base image that cannot be pulled: the step, its error and the log stay on screen, exit 1', async () => {
		// A registry address on 127.0.0.1 where nothing listens: the pull fails at once, and no traffic leaves.
		const {t} = await deployInTerminal('hatch-e2e-ttyfail-pull', {
			STEM_BASE_IMAGE: '127.0.0.1:9/hatch/no-such-base:none',
		});
		const screen = await t.waitFor('EXIT=1', 120_000);
		expect(screen).toContain('✗ build failed (exit');
		expect(screen).toContain('127.0.0.1:9/hatch/no-such-base');
		expect(screen).toMatch(/Full log: .*\/logs\/hatch-/);
	});

	it('a build step that fails: its number, title and last lines stay on screen, exit 1', async () => {
		// A base where hatch's folder is a file: the first COPY into it fails.
		sh('docker', ['rm', '-f', 'hatch-e2e-mkbroken'], {allowFail: true});
		sh('docker', [
			'run',
			'--name',
			'hatch-e2e-mkbroken',
			'--network',
			'none',
			BASE,
			'bash',
			'-c',
			'mkdir -p /usr/local/lib && touch /usr/local/lib/hatch',
		]);
		sh('docker', ['commit', 'hatch-e2e-mkbroken', BROKEN_BASE]);
		sh('docker', ['rm', 'hatch-e2e-mkbroken']);
		const {t} = await deployInTerminal('hatch-e2e-ttyfail-step', {STEM_BASE_IMAGE: BROKEN_BASE});
		const screen = await t.waitFor('EXIT=1', 120_000);
		expect(screen).toMatch(/✗ build failed \(exit \d+\) at step \d+\/\d+: .*COPY/);
		expect(screen).toContain('Full log:');
	});

	it('a port in use: refused at its question, which names a free one; taking it goes on to the review', async () => {
		const server = net.createServer().listen(0, '127.0.0.1');
		await new Promise(r => server.once('listening', r));
		const port = String((server.address() as net.AddressInfo).port);
		try {
			const s = writeStack('hatch-e2e-ttyfail-port', 'stem', {STEM_SSH_PORT: port});
			stacks.push(s);
			const t = wizardInTerminal(s);
			await t.waitFor('new stack (defaults from this host)');
			await t.enterUntil('SSH port on the Docker host');
			t.keys('Enter');
			const screen = await t.waitFor('is in use on 127.0.0.1');
			const free = new RegExp(`✗ STEM_SSH_PORT ${port} is in use on 127\\.0\\.0\\.1 on this host; (\\d+) is free`).exec(
				screen,
			)?.[1];
			expect(free, screen).toBeDefined();
			t.burst(`\x15${free}\r`);
			await t.enterUntil('Review: stem');
		} finally {
			server.close();
		}
	});

	it('a mount source that is gone: the question says so and how to fix it', async () => {
		const s = writeStack('hatch-e2e-ttyfail-mount', 'stem', {});
		stacks.push(s);
		const gone = join(s.root, 'Dropbox');
		mkdirSync(gone);
		writeStack(s.name, 'stem', {DROPBOX_PATH_ON_HOST: gone}, s);
		rmSync(gone, {recursive: true});
		const t = wizardInTerminal(s);
		await t.waitFor('new stack (defaults from this host)');
		// The question's own line (the welcome screen mentions Dropbox folders too).
		await t.enterUntil('DROPBOX_PATH_ON_HOST:');
		t.keys('Enter');
		const screen = await t.waitFor('does not exist on this host');
		expect(screen.replace(/\s+/g, ' ')).toContain(
			`DROPBOX_PATH_ON_HOST ${gone} does not exist on this host; create it (mkdir -p '${gone}') or leave the ` +
				`setting empty`,
		);
	});

	it('Ctrl-C during the boot: says what state the stack is in, exit 130', async () => {
		// An installer URL whose server accepts and never answers: the pixi step (after sshd) is still running.
		const hang = net.createServer(() => {}).listen(0, '127.0.0.1');
		await new Promise(r => hang.once('listening', r));
		const url = `http://127.0.0.1:${(hang.address() as net.AddressInfo).port}/install.sh`;
		try {
			const {t} = await deployInTerminal('hatch-e2e-ttyfail-boot', {STEM_PIXI_ENABLE: '1', STEM_PIXI_INSTALL_URL: url});
			await t.waitFor('✔ 05-bindu.sh', 120_000);
			t.keys('C-c');
			const screen = await t.waitFor('EXIT=130', 60_000);
			expect(screen).toContain(
				'Interrupted: the container is running and finishes its boot on its own, but ready was not confirmed',
			);
			expect(screen).toContain('Log: ');
		} finally {
			hang.close();
		}
	});

	it('Ctrl-C during the build: says what state the stack is in, exit 130', async () => {
		// A base of its own, so the build cache is cold and the build is still running at the Ctrl-C.
		sh('docker', ['rm', '-f', 'hatch-e2e-mkcold'], {allowFail: true});
		sh('docker', [
			'run',
			'--name',
			'hatch-e2e-mkcold',
			'--network',
			'none',
			BASE,
			'touch',
			`/etc/hatch-cold-${Date.now()}`,
		]);
		sh('docker', ['commit', 'hatch-e2e-mkcold', COLD_BASE]);
		sh('docker', ['rm', 'hatch-e2e-mkcold']);
		const {t} = await deployInTerminal('hatch-e2e-ttyfail-int', {STEM_BASE_IMAGE: COLD_BASE});
		await t.waitFor('steps', 60_000);
		t.keys('C-c');
		const screen = await t.waitFor('EXIT=130', 60_000);
		expect(screen).toContain('Interrupted: stopped during the build');
		expect(screen).toContain('Log: ');
	});
});
