// The readiness gate's edges that need no container: nothing listening, and a Ctrl-C while waiting.
import net from 'node:net';
import {describe, expect, it} from 'vitest';
import {waitForSsh} from '../../source/docker/ready.js';
import {hasCompose} from '../helpers/docker.js';

async function freePort(): Promise<number> {
	const s = net.createServer().listen(0, '127.0.0.1');
	await new Promise(r => s.once('listening', r));
	const port = (s.address() as net.AddressInfo).port;
	await new Promise(r => s.close(r));
	return port;
}

describe.skipIf(!hasCompose)('waitForSsh', () => {
	it('gives up at its deadline with the reason', async () => {
		const port = await freePort();
		const r = await waitForSsh({container: 'hatch-no-such-container', address: '127.0.0.1', port, since: new Date().toISOString(), timeoutMs: 800});
		expect(r.ok).toBe(false);
		expect(r.reason).toBe(`sshd did not answer on 127.0.0.1:${port} within 1 s`);
	});

	it('stops waiting as soon as it is cancelled', async () => {
		const port = await freePort();
		let stop = false;
		setTimeout(() => (stop = true), 300);
		const t0 = Date.now();
		const r = await waitForSsh({container: 'hatch-no-such-container', address: '0.0.0.0', port, since: new Date().toISOString(), timeoutMs: 30_000, canceled: () => stop});
		expect(r.reason).toBe('interrupted while waiting for sshd');
		expect(Date.now() - t0).toBeLessThan(5000);
	});
});
