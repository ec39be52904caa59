// The checks before a build and start, against the real engine (which runs with --bridge=none here): each
// refusal names the setting or the tool and the fix, and --yes then writes and starts nothing.
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {createExternalVolumes} from '../../source/docker/deploy.js';
import {composeEnv, realProc} from '../../source/docker/proc.js';
import {checkPort, preflight, renameWarning} from '../../source/host/preflight.js';
import {realHost} from '../../source/host/probes.js';
import {fakeHome, runCli} from '../helpers/cli.js';
import {BASE, newKey, sh, writeStack} from './helpers.js';

const values = {
	...defaults('stem'),
	STEM_CONTAINER_NAME: 'hatch-e2e-preflight',
	STEM_SSH_PORT: '22431',
	STEM_SSH_LISTEN: '127.0.0.1',
	STEM_BASE_IMAGE: BASE,
};

describe('preflight before a build and start', () => {
	it(
		'refuses bridge mode and a default-network build on an engine without a bridge network, and says to use ' + 'host',
		async () => {
			const r = await preflight(realHost(), values, {build: true, boot: true});
			expect(r.deployErrors).toEqual([
				'STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but this Docker engine has no bridge network ' +
					'(dockerd runs with --bridge=none): use the host network instead ' +
					'(--set STEM_NETWORK_MODE=host --set STEM_BUILD_NETWORK=host)',
			]);
			const host = await preflight(
				realHost(),
				{...values, STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host'},
				{build: true, boot: true},
			);
			expect(host.deployErrors).toEqual([]);
		},
	);

	it('tells a first run from a re-run by the volumes, and asks for missing external ones', async () => {
		const name = 'hatch-e2e-pf-volumes';
		const v = {...values, STEM_CONTAINER_NAME: name};
		try {
			const first = await preflight(realHost(), v);
			expect(first.notes).toContain(`first run: compose creates ${name}-home, ${name}-sshkeys, ${name}-sshstate`);
			const external = await preflight(realHost(), {...v, STEM_VOLUMES_EXTERNAL: '1'});
			expect(external.warnings).toContain(
				`external volumes missing; create them first: docker volume create ${name}-home && docker volume create ` +
					`${name}-sshkeys && docker volume create ${name}-sshstate (or start the stack with hatch-wizard, which ` +
					`creates them)`,
			);
			sh('docker', ['volume', 'create', `${name}-home`]);
			const again = await preflight(realHost(), v);
			expect(again.notes).toContain(`re-run: volume(s) ${name}-home exist; your home and host keys are kept`);
		} finally {
			sh('docker', ['volume', 'rm', '-f', `${name}-home`], {allowFail: true});
		}
	});

	it('creates the missing external volumes a written stack names, with the real compose and engine', async () => {
		const name = 'hatch-e2e-pf-external';
		const stack = writeStack(name, 'stem', {STEM_VOLUMES_EXTERNAL: '1'});
		try {
			sh('docker', ['volume', 'create', `${name}-home`]);
			const made = await createExternalVolumes(realProc, stack.dir, composeEnv());
			expect(made).toEqual({created: [`${name}-sshkeys`, `${name}-sshstate`]});
			const listed = sh('docker', ['volume', 'ls', '-q', '--filter', `name=^${name}-`])
				.stdout.trim()
				.split('\n')
				.sort();
			expect(listed).toEqual([`${name}-home`, `${name}-sshkeys`, `${name}-sshstate`]);
			expect(await createExternalVolumes(realProc, stack.dir, composeEnv())).toEqual({created: []});
		} finally {
			for (const v of ['home', 'sshkeys', 'sshstate'])
				sh('docker', ['volume', 'rm', '-f', `${name}-${v}`], {allowFail: true});
		}
	});

	it('says whether the base image is here or will be pulled', async () => {
		const here = await preflight(
			realHost(),
			{...values, STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host'},
			{build: true, boot: false},
		);
		expect(here.notes).toContain(`base image ${BASE} is on this engine`);
		const away = await preflight(
			realHost(),
			{...values, STEM_NETWORK_MODE: 'host', STEM_BASE_IMAGE: '127.0.0.1:9/hatch/none:x'},
			{build: true, boot: false},
		);
		expect(away.notes).toContain(
			'base image 127.0.0.1:9/hatch/none:x is not on this engine: the build pulls it (needs the network, or docker login)',
		);
	});

	it('refuses a port in use when it is to start, and only warns when it is not', async () => {
		const server = net.createServer().listen(0, '127.0.0.1');
		await new Promise(r => server.once('listening', r));
		const port = String((server.address() as net.AddressInfo).port);
		try {
			const start = await preflight(
				realHost(),
				{...values, STEM_NETWORK_MODE: 'host', STEM_SSH_PORT: port},
				{build: false, boot: true},
			);
			expect(start.deployErrors).toEqual([
				`port ${port} on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT`,
			]);
			const write = await preflight(realHost(), {...values, STEM_SSH_PORT: port});
			expect(write.warnings).toContain(
				`port ${port} on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT`,
			);
		} finally {
			server.close();
		}
	});

	it('the port question refuses a taken port and names the next free one', async () => {
		const server = net.createServer().listen(0, '127.0.0.1');
		await new Promise(r => server.once('listening', r));
		const port = (server.address() as net.AddressInfo).port;
		try {
			const said = await checkPort(realHost(), values, String(port));
			expect(said).toMatch(
				new RegExp(`^STEM_SSH_PORT ${port} is in use on 127\\.0\\.0\\.1 on this host; (\\d+) is free$`),
			);
			const next = Number(/; (\d+) is free/.exec(said!)![1]);
			expect(next).toBeGreaterThan(port);
			expect(await checkPort(realHost(), values, String(next))).toBeUndefined();
		} finally {
			server.close();
		}
	});

	it('says plainly when SSH will listen on every interface', async () => {
		const open = await preflight(realHost(), {...values, STEM_SSH_LISTEN: '0.0.0.0'});
		expect(open.warnings).toContain(
			'SSH will listen on every interface of this host (0.0.0.0:22431), and Docker publishes the port past host ' +
				'firewalls such as ufw; for this host only, set ' +
				'STEM_SSH_LISTEN=127.0.0.1',
		);
		expect((await preflight(realHost(), values)).warnings.join('\n')).not.toContain('every interface');
	});

	it('says when the engine is not reachable (DOCKER_HOST pointing at no socket)', async () => {
		const saved = process.env.DOCKER_HOST;
		process.env.DOCKER_HOST = 'unix:///nonexistent/hatch-docker.sock';
		try {
			const r = await preflight(realHost(), values, {build: true, boot: true});
			expect(r.deployErrors).toEqual([
				'Docker: the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop',
			]);
		} finally {
			if (saved === undefined) delete process.env.DOCKER_HOST;
			else process.env.DOCKER_HOST = saved;
		}
	});

	it('--yes refused by the preflight writes nothing and exits 2', () => {
		const home = fakeHome();
		const out = join(mkdtempSync(join(tmpdir(), 'hatch-e2e-pf-')), 'out');
		newKey(home, 'id');
		// Bridge mode asked for on this engine, which has no bridge network (a new stack's default here is host).
		const r = runCli(
			[
				'--yes',
				'--out',
				out,
				'--set',
				'STEM_CONTAINER_NAME=hatch-e2e-preflight',
				'--set',
				`STEM_BASE_IMAGE=${BASE}`,
				'--set',
				'STEM_NETWORK_MODE=bridge',
				'--set',
				'STEM_BUILD_NETWORK=default',
			],
			{home},
		);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(
			'It cannot be built and started here yet:\n✗ STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but ' +
				'this Docker engine has no bridge network',
		);
		expect(r.stderr).toContain('Nothing was written or started.');
		expect(existsSync(out)).toBe(false);
		// Left to its defaults, a new stack here takes the host network, and is written.
		const written = runCli(
			['--yes', '--no-build', '--no-boot', '--out', out, '--set', 'STEM_CONTAINER_NAME=hatch-e2e-preflight'],
			{home},
		);
		expect(written.code).toBe(0);
		const env = readFileSync(join(out, 'stem', '.env'), 'utf8');
		expect(env).toMatch(/^STEM_NETWORK_MODE=host$/m);
		expect(env).toMatch(/^STEM_BUILD_NETWORK=host$/m);
	});

	it('a rename keeps the volumes its compose file names; without that file it warns first, naming them', async () => {
		const before = 'hatch-e2e-rename';
		expect(
			await renameWarning(realHost(), {STEM_CONTAINER_NAME: before}, {STEM_CONTAINER_NAME: 'hatch-e2e-renamed'}),
		).toBeUndefined(); // no volumes yet
		sh('docker', ['volume', 'create', `${before}-home`]);
		try {
			expect(
				await renameWarning(realHost(), {STEM_CONTAINER_NAME: before}, {STEM_CONTAINER_NAME: 'hatch-e2e-renamed'}),
			).toBe(
				`STEM_CONTAINER_NAME changes from ${before} to hatch-e2e-renamed, and no docker-compose.yml keeps the ` +
					`volume names: the container would start with a new, empty home and ` +
					`new host keys (yours stay in ${before}-home and ${before}-sshkeys). ` +
					`To keep them, keep the name ${before}`,
			);
			expect(
				await renameWarning(realHost(), {STEM_CONTAINER_NAME: before}, {STEM_CONTAINER_NAME: before}),
			).toBeUndefined();
			// A stack hatch wrote keeps its names: --yes renames the container and keeps the volumes, without a warning.
			const s = writeStack(before, 'stem', {});
			const r = runCli(
				[
					'--yes',
					'--no-build',
					'--no-boot',
					'--image',
					'stem',
					'--out',
					s.root,
					'--set',
					'STEM_CONTAINER_NAME=hatch-e2e-renamed',
				],
				{home: s.root},
			);
			expect(r.code, r.stderr).toBe(0);
			expect(r.stderr).not.toContain('STEM_CONTAINER_NAME changes');
			const compose = readFileSync(join(s.dir, 'docker-compose.yml'), 'utf8');
			expect(compose).toContain(`name: ${before}-home`);
			expect(compose).toMatch(new RegExp(`^name: ${before}$`, 'm'));
		} finally {
			sh('docker', ['volume', 'rm', '-f', `${before}-home`], {allowFail: true});
		}
	});
});
