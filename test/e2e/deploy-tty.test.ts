// The wizard in a real terminal (tmux) building and booting a real stack: steps advance on screen, then
// "ready" with the container's own host key.
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {killSessions} from '../helpers/tmux.js';
import {until} from '../helpers/until.js';
import {BASE, destroy, hostKeyFingerprint, type Stack, sh, wizardInTerminal, writeStack} from './helpers.js';

const TTY_BASE = 'hatch-e2e/base-tty:test';

describe('the wizard builds and boots in a terminal', () => {
	let s: Stack;
	afterEach(killSessions);
	afterAll(() => {
		if (s) destroy(s);
		sh('docker', ['rmi', '-f', TTY_BASE], {allowFail: true});
	});

	it('shows the build steps advancing, the boot steps, and ready', async () => {
		// A base of its own, so the build cache is cold and the steps take long enough to watch.
		sh('docker', ['rm', '-f', 'hatch-e2e-tty-base'], {allowFail: true});
		sh('docker', [
			'run',
			'--name',
			'hatch-e2e-tty-base',
			'--network',
			'none',
			BASE,
			'touch',
			`/etc/hatch-tty-${Date.now()}`,
		]);
		sh('docker', ['commit', 'hatch-e2e-tty-base', TTY_BASE]);
		sh('docker', ['rm', 'hatch-e2e-tty-base']);
		s = writeStack('hatch-e2e-tty', 'stem', {STEM_BASE_IMAGE: TTY_BASE});
		const t = wizardInTerminal(s);
		await t.waitFor('new stack (defaults from this host)');
		await t.enterUntil('Review: stem');
		await t.enterUntil('Build and start it now?');
		t.keys('Enter');
		const seen = new Set<string>();
		const screens: string[] = [];
		let screen = '';
		await until(
			() => {
				screen = t.screen();
				screens.push(screen);
				for (const m of screen.matchAll(/(\d+)\/\d+ steps/g)) seen.add(m[1]!);
				return screen.includes('✔ ready in');
			},
			() => `"✔ ready in" on screen:\n${screen}`,
			{timeoutMs: 120_000, everyMs: 20},
		);
		expect(screen).toContain('✔ ready in');
		expect(screen).toContain(`host key ${hostKeyFingerprint(s)} (ED25519)`);
		expect(screen).toMatch(/built \d+ step\(s\)/);
		expect(seen.size).toBeGreaterThan(1); // the count moved while we watched
		expect(screens.some(x => /✔ step (\d+)\/\1 RUN echo/.test(x))).toBe(true);
		expect(screens.some(x => x.includes('✔ 00-user-bootstrap.sh'))).toBe(true);
		await t.waitFor('to ~/.ssh/config');
		t.keys('Down');
		t.keys('Enter');
		await t.waitFor('EXIT=0');
	});
});
