// Pre-write checks against the real engine and real sockets: port in use, volumes present or not.
import {execFileSync} from 'node:child_process';
import net from 'node:net';
import {afterAll, describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {preflight} from '../../source/host/preflight.js';
import {realHost} from '../../source/host/probes.js';
import {hasCompose} from '../helpers/docker.js';

const name = `hatch-pf-${process.pid}`;

describe.skipIf(!hasCompose)('preflight', () => {
	afterAll(() => {
		execFileSync('docker', ['volume', 'rm', '-f', `${name}-home`, `${name}-sshkeys`, `${name}-sshstate`], {stdio: 'ignore'});
	});

	it('tells a first run from a re-run by the volumes, and asks for missing external ones', async () => {
		const values = {...defaults('stem'), STEM_CONTAINER_NAME: name, STEM_SSH_PORT: '1', STEM_SSH_LISTEN: '127.0.0.1'};
		const first = await preflight(realHost(), values);
		expect(first.notes).toContain(`first run: compose creates ${name}-home, ${name}-sshkeys, ${name}-sshstate`);
		const external = await preflight(realHost(), {...values, STEM_VOLUMES_EXTERNAL: '1'});
		expect(external.warnings.join('\n')).toContain(`docker volume create ${name}-home && docker volume create ${name}-sshkeys`);
		execFileSync('docker', ['volume', 'create', `${name}-home`], {stdio: 'ignore'});
		const again = await preflight(realHost(), values);
		expect(again.notes).toContain(`re-run: volume(s) ${name}-home exist; your home and host keys are kept`);
	});

	it('warns when the SSH port is taken on the listen address', async () => {
		const server = net.createServer().listen(0, '127.0.0.1');
		await new Promise(r => server.once('listening', r));
		const port = (server.address() as net.AddressInfo).port;
		try {
			const r = await preflight(realHost(), {...defaults('stem'), STEM_CONTAINER_NAME: name, STEM_SSH_PORT: String(port), STEM_SSH_LISTEN: '127.0.0.1'});
			expect(r.warnings).toContain(`port ${port} on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT`);
		} finally {
			server.close();
		}
	});
});
