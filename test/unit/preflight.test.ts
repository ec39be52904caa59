// The preflight's reading of what the engine said, for the answers this machine cannot give: a full disk
// and a missing compose plugin are simulated here (the real engine's answers are checked in e2e/preflight).
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {avoidBusyPort, checkPort, preflight, refusal, renameWarning} from '../../source/host/preflight.js';
import {type Canned, fail, fakeHost, ok} from '../helpers/fake-host.js';

const values = {
	...defaults('stem'),
	STEM_NETWORK_MODE: 'host',
	STEM_BUILD_NETWORK: 'host',
	STEM_SSH_LISTEN: '127.0.0.1',
	STEM_BASE_IMAGE: 'base:1',
};
const engine: Record<string, Canned> = {
	'docker version': ok('27.3.1\n'),
	'docker compose version': ok('2.29.7\n'),
	'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
	'docker image inspect': ok('sha256:1\n'),
	'docker ps': ok(''),
	'docker volume ls': ok(''),
};
const df = (availKiB: number) =>
	ok(`Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 263174212 1 ${availKiB} 99% /\n`);

describe('preflight (simulated engine answers)', () => {
	it('refuses a build with under 1 GiB free where Docker keeps its data (simulated: no full disk here)', async () => {
		const r = await preflight(fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(300 * 1024)}}), values, {
			build: true,
			boot: true,
		});
		expect(r.deployErrors).toEqual([
			'only 300 MiB free under /var/lib/docker; a build needs about 1 GiB: docker system prune frees space',
		]);
		const roomy = await preflight(
			fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}}),
			values,
			{build: true, boot: true},
		);
		expect(roomy.deployErrors).toEqual([]);
	});

	it('refuses when the compose plugin is missing (simulated: CI installs it)', async () => {
		const {'docker compose version': _, ...noCompose} = engine;
		const r = await preflight(
			fakeHost({commands: {...noCompose, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}}),
			values,
			{build: true, boot: true},
		);
		expect(r.deployErrors).toEqual([
			'docker compose (v2) is missing: install the compose plugin (docker-compose-plugin, or docker-compose 2.x), ' +
				'then run again',
		]);
	});

	it(
		'names each setting that needs the bridge network the engine lacks (simulated: the real one is ' + 'in e2e)',
		async () => {
			const host = fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}});
			const build = await preflight(host, {...values, STEM_BUILD_NETWORK: 'default'}, {build: true, boot: true});
			expect(build.deployErrors).toEqual([
				'STEM_BUILD_NETWORK=default, but this Docker engine has no bridge network (dockerd runs with ' +
					'--bridge=none): use the host network instead (--set ' +
					'STEM_BUILD_NETWORK=host)',
			]);
			// Without a build, the build network does not matter.
			expect(
				(await preflight(host, {...values, STEM_BUILD_NETWORK: 'default'}, {build: false, boot: true})).deployErrors,
			).toEqual([]);
			const both = await preflight(
				host,
				{...values, STEM_NETWORK_MODE: 'bridge', STEM_BUILD_NETWORK: 'default'},
				{build: true, boot: true},
			);
			expect(both.deployErrors[0]).toContain('STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but');
			expect(both.deployErrors[0]).toContain('(--set STEM_NETWORK_MODE=host --set STEM_BUILD_NETWORK=host)');
		},
	);

	it('says docker is not installed when there is no docker at all', async () => {
		const r = await preflight(fakeHost({commands: {}}), values, {build: true, boot: true});
		expect(r.deployErrors).toEqual([
			'Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop',
		]);
	});
});

// A real public key file, so the host file checks have nothing to say.
const keyFile = join(mkdtempSync(join(tmpdir(), 'hatch-pf-')), 'id.pub');
writeFileSync(keyFile, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchKey you@host\n');

describe('preflight in words (simulated engine answers)', () => {
	const roomy = {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)};
	const v = {...values, STEM_CONTAINER_NAME: 'box', STEM_SSH_PORT: '2222', STEM_AUTH_KEYS_PATH: keyFile};

	it('names the engine problem: permission, not running, not installed, or what docker said', async () => {
		const said = async (r: Canned) =>
			(await preflight(fakeHost({commands: {...roomy, 'docker version': r}}), v, {build: true, boot: true}))
				.deployErrors;
		expect(await said(fail(1, 'permission denied while trying to connect to the Docker daemon socket'))).toEqual([
			'Docker: no permission on the Docker socket: sudo usermod -aG docker $USER, then log out and in',
		]);
		expect(
			await said(
				fail(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'),
			),
		).toEqual([
			'Docker: the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop',
		]);
		expect(await said(fail(1, 'first\nsomething odd happened\n'))).toEqual(['Docker: something odd happened']);
		expect(await said(fail(1, ''))).toEqual(['Docker: docker version failed']);
		expect(await said('missing')).toEqual([
			'Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop',
		]);
	});

	it('notes little room, the base image and the volumes; warns about external ones that are missing', async () => {
		const tight = await preflight(fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(2 * 1024 * 1024)}}), v, {
			build: true,
			boot: true,
		});
		expect(tight.notes).toContain('2.0 GiB free under /var/lib/docker');
		expect(tight.notes).toContain('base image base:1 is on this engine');
		const pulled = await preflight(
			fakeHost({commands: {...roomy, 'docker image inspect': fail(1, 'No such image')}}),
			v,
			{build: true, boot: false},
		);
		expect(pulled.notes).toContain(
			'base image base:1 is not on this engine: the build pulls it (needs the network, or docker login)',
		);
		const noBuild = await preflight(fakeHost({commands: roomy}), v, {build: false, boot: true});
		expect(noBuild.notes.join('\n')).not.toContain('base image');
		const first = await preflight(fakeHost({commands: roomy}), v);
		expect(first.notes).toEqual(['first run: compose creates box-home, box-sshkeys, box-sshstate']);
		const again = await preflight(
			fakeHost({commands: {...roomy, 'docker volume ls': ok('other\nbox-home\nbox-sshkeys\n')}}),
			v,
		);
		expect(again.notes).toEqual(['re-run: volume(s) box-home, box-sshkeys exist; your home and host keys are kept']);
		const external = await preflight(fakeHost({commands: {...roomy, 'docker volume ls': ok('box-home\n')}}), {
			...v,
			STEM_VOLUMES_EXTERNAL: '1',
		});
		expect(external.warnings).toEqual([
			'external volumes missing; create them first: docker volume create box-sshkeys && docker volume create ' +
				'box-sshstate (or start the stack with hatch-wizard, which creates them)',
		]);
		// Started by hatch: it creates them (deploy), and says so before the write.
		const starting = await preflight(
			fakeHost({commands: {...roomy, 'docker volume ls': ok('box-home\n')}}),
			{...v, STEM_VOLUMES_EXTERNAL: '1', STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host'},
			{build: false, boot: true},
		);
		expect(starting.warnings.filter(w => w.includes('volume'))).toEqual([]);
		expect(starting.notes).toContain(
			'first run: hatch creates the external volumes box-sshkeys, box-sshstate before the start',
		);
		const kept = await preflight(
			fakeHost({commands: {...roomy, 'docker volume ls': ok('stem-home\n')}}),
			v,
			undefined,
			{project: 'stem', volumes: {home: 'stem-home', sshkeys: 'stem-sshkeys', sshstate: 'stem-sshstate'}},
		);
		expect(kept.notes).toEqual(['re-run: volume(s) stem-home exist; your home and host keys are kept']);
	});

	it('says plainly when SSH listens on every interface, per network mode', async () => {
		const open = {...v, STEM_SSH_LISTEN: '0.0.0.0'};
		expect((await preflight(fakeHost({commands: roomy}), {...open, STEM_NETWORK_MODE: 'host'})).warnings).toEqual([
			'SSH will listen on every interface of this host (0.0.0.0:2222); for this host only, set STEM_SSH_LISTEN=127.0.0.1',
		]);
		expect((await preflight(fakeHost({commands: roomy}), {...open, STEM_NETWORK_MODE: 'bridge'})).warnings).toEqual([
			'SSH will listen on every interface of this host (0.0.0.0:2222), and Docker publishes the port past host ' +
				'firewalls such as ufw; for this host only, set ' +
				'STEM_SSH_LISTEN=127.0.0.1',
		]);
	});

	it('a taken port: refused for a start, a warning for a write, a note when this stack holds it', async () => {
		const taken = ['127.0.0.1:2222'];
		const start = await preflight(fakeHost({commands: roomy, taken}), v, {build: false, boot: true});
		expect(start.deployErrors).toEqual([
			'port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT',
		]);
		const write = await preflight(fakeHost({commands: roomy, taken}), v);
		expect(write.warnings).toEqual([
			'port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT',
		]);
		const ours = await preflight(fakeHost({commands: {...roomy, 'docker ps': ok('abc123\n')}, taken}), v, {
			build: false,
			boot: true,
		});
		expect(ours.deployErrors).toEqual([]);
		expect(ours.notes).toContain('box is running and holds port 2222; docker compose up -d will recreate it');
	});
});

describe('checkPort, renameWarning and refusal (simulated engine answers)', () => {
	const v = {...values, STEM_CONTAINER_NAME: 'box'};
	it('checkPort: a free port passes; a taken one names the next free one, or none within 100', async () => {
		expect(await checkPort(fakeHost(), v, '2222')).toBeUndefined();
		expect(await checkPort(fakeHost({taken: ['2222', '2223']}), v, '2222')).toBe(
			'STEM_SSH_PORT 2222 is in use on 127.0.0.1 on this host; 2224 is free',
		);
		expect(await checkPort(fakeHost({taken: Array.from({length: 101}, (_, i) => String(3000 + i))}), v, '3000')).toBe(
			'STEM_SSH_PORT 3000 is in use on 127.0.0.1 on this host',
		);
		expect(await checkPort(fakeHost({taken: ['65535']}), {...v, STEM_SSH_LISTEN: ''}, '65535')).toBe(
			'STEM_SSH_PORT 65535 is in use on 0.0.0.0 on this host',
		);
		expect(
			await checkPort(fakeHost({taken: ['2222'], commands: {'docker ps': ok('abc\n')}}), v, '2222'),
		).toBeUndefined();
		expect(await checkPort(fakeHost(), v, 'x')).toBeUndefined();
	});

	it('avoidBusyPort: a default port held by another moves to the next free one, said; else it stays', async () => {
		expect(await avoidBusyPort(fakeHost(), {...v, STEM_SSH_PORT: '2222'})).toBeUndefined();
		expect(await avoidBusyPort(fakeHost({taken: ['2222', '2223']}), {...v, STEM_SSH_PORT: '2222'})).toEqual({
			port: '2224',
			note: 'port 2222 is in use on 127.0.0.1 on this host: STEM_SSH_PORT=2224 instead',
		});
		// This stack's own container holds it: it stays.
		const own = fakeHost({taken: ['2222'], commands: {'docker ps': ok('abc\n')}});
		expect(await avoidBusyPort(own, {...v, STEM_SSH_PORT: '2222'})).toBeUndefined();
		// Nothing free within 100: it stays, and the preflight refuses it with its fix.
		const full = fakeHost({taken: Array.from({length: 101}, (_, i) => String(3000 + i))});
		expect(await avoidBusyPort(full, {...v, STEM_SSH_PORT: '3000'})).toBeUndefined();
	});

	it('on a remote host (--host), the messages name it instead of "this host" (simulated answers)', async () => {
		const remote = {...fakeHost({taken: ['2222']}), label: 'gpu-box'};
		expect(await checkPort(remote, v, '2222')).toBe(
			'STEM_SSH_PORT 2222 is in use on 127.0.0.1 on gpu-box; 2223 is free',
		);
		expect((await avoidBusyPort(remote, {...v, STEM_SSH_PORT: '2222'}))?.note).toBe(
			'port 2222 is in use on 127.0.0.1 on gpu-box: STEM_SSH_PORT=2223 instead',
		);
		const noDocker = {...fakeHost(), label: 'gpu-box'};
		expect((await preflight(noDocker, v, {build: true, boot: true})).deployErrors[0]).toBe(
			'Docker on gpu-box: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop',
		);
		const noCompose = {
			...fakeHost({commands: {'docker version': ok('27.0.1\n'), 'docker info': ok('/var/lib/docker\n')}}),
			label: 'gpu-box',
		};
		expect((await preflight(noCompose, v, {build: true, boot: true})).deployErrors[0]).toMatch(
			/^docker compose \(v2\) is missing on gpu-box: install the compose plugin/,
		);
	});

	it('renameWarning: only for a rename whose old volumes exist and whose names no compose file keeps', async () => {
		const withHome = fakeHost({commands: {'docker volume ls': ok('old-home\n')}});
		expect(await renameWarning(withHome, {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'})).toBe(
			'STEM_CONTAINER_NAME changes from old to new, and no docker-compose.yml keeps the volume names: the ' +
				'container would start with a new, empty home and new host keys (yours ' +
				'stay in old-home and old-sshkeys). To keep them, keep the name old',
		);
		expect(withHome.calls).toContain('docker volume ls -q --filter name=^old-home$');
		expect(
			await renameWarning(
				withHome,
				{STEM_CONTAINER_NAME: 'old'},
				{STEM_CONTAINER_NAME: 'new'},
				{project: 'old', volumes: {home: 'old-home', sshkeys: 'old-sshkeys', sshstate: 'old-sshstate'}},
			),
		).toBeUndefined();
		expect(
			await renameWarning(
				fakeHost({commands: {'docker volume ls': ok('')}}),
				{STEM_CONTAINER_NAME: 'old'},
				{STEM_CONTAINER_NAME: 'new'},
			),
		).toBeUndefined();
		expect(await renameWarning(withHome, undefined, {STEM_CONTAINER_NAME: 'new'})).toBeUndefined();
		expect(await renameWarning(withHome, {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'old'})).toBeUndefined();
		expect(await renameWarning(fakeHost(), {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'})).toBeUndefined();
	});

	it('refusal: the same lines for the wizard and --yes, written or not', () => {
		expect(refusal(['a', 'b'], false)).toEqual([
			{text: 'It cannot be built and started here yet:', tone: 'plain'},
			{text: '✗ a', tone: 'bad'},
			{text: '✗ b', tone: 'bad'},
			{text: 'Nothing was written or started. (--no-build --no-boot writes the files only.)', tone: 'plain'},
		]);
		expect(refusal(['a'], true).at(-1)).toEqual({
			text: 'The files are written; fix these, then run hatch-wizard again.',
			tone: 'plain',
		});
	});
});

/** The stack the exact-command tests check: box, on port 2222, on the bridge network. */
const BOX_ON_BRIDGE = {
	...values,
	STEM_CONTAINER_NAME: 'box',
	STEM_SSH_PORT: '2222',
	STEM_NETWORK_MODE: 'bridge',
	STEM_BUILD_NETWORK: 'default',
};

/** What a healthy engine answers to each command the preflight runs for BOX_ON_BRIDGE. */
const HEALTHY_ENGINE = {
	'docker version --format {{.Server.Version}}': ok('27.3.1\n'),
	'docker compose version --short': ok('2.29.7\n'),
	'docker network inspect --format {{.Name}} bridge': ok('bridge\n'),
	'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
	'df -Pk /var/lib/docker': df(80 * 1024 * 1024),
	'docker image inspect --format {{.Id}} base:1': ok('sha256:1\n'),
	'docker ps -q --filter name=^box$': ok(''),
	'docker volume ls -q': ok(''),
};

describe('preflight: the exact commands and the edges of what they say (simulated engine answers)', () => {
	const v = BOX_ON_BRIDGE;
	const EXACT = HEALTHY_ENGINE;

	it('runs exactly these commands for a build and start, and nothing else', async () => {
		const host = fakeHost({commands: EXACT});
		const r = await preflight(host, v, {build: true, boot: true});
		expect(r.deployErrors).toEqual([]);
		expect([...host.calls].sort()).toEqual(Object.keys(EXACT).sort());
		expect(r.notes).toEqual([
			'base image base:1 is on this engine',
			'first run: compose creates box-home, box-sshkeys, box-sshstate',
		]);
	});

	it(
		'no bridge network: both settings that need it named, with the flags that avoid it; none asked when both ' +
			'use the host',
		async () => {
			const host = fakeHost({
				commands: {
					...EXACT,
					'docker network inspect --format {{.Name}} bridge': fail(1, 'Error: No such network: bridge'),
				},
			});
			expect((await preflight(host, v, {build: true, boot: true})).deployErrors).toEqual([
				'STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but this Docker engine has no bridge network ' +
					'(dockerd runs with --bridge=none): use the host network instead ' +
					'(--set STEM_NETWORK_MODE=host --set STEM_BUILD_NETWORK=host)',
			]);
			const hostOnly = fakeHost({commands: EXACT});
			await preflight(
				hostOnly,
				{...v, STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host'},
				{build: true, boot: true},
			);
			expect(hostOnly.calls.some(c => c.includes('network inspect'))).toBe(false);
		},
	);

	it('the engine’s words from stdout too; an unknown failure’s last line, trimmed', async () => {
		const said = async (r: ReturnType<typeof fail>) =>
			(
				await preflight(fakeHost({commands: {...EXACT, 'docker version --format {{.Server.Version}}': r}}), v, {
					build: true,
					boot: true,
				})
			).deployErrors;
		expect(await said(fail(1, '', 'Got permission denied'))).toEqual([
			'Docker: no permission on the Docker socket: sudo usermod -aG docker $USER, then log out and in',
		]);
		expect(await said(fail(1, '', 'dial unix: no such file or directory'))).toEqual([
			'Docker: the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop',
		]);
		expect(await said(fail(3, 'one\n   the last one   \n\n'))).toEqual(['Docker: the last one']);
		expect(await said(fail(127, 'sh: docker: nope'))).toEqual([
			'Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop',
		]);
	});

	it(
		'room: exactly 1 GiB is enough for a build, exactly 3 GiB is not worth a note; an unreadable df says ' + 'nothing',
		async () => {
			const room = async (kib: number | ReturnType<typeof fail>, build = true) =>
				preflight(
					fakeHost({commands: {...EXACT, 'df -Pk /var/lib/docker': typeof kib === 'number' ? df(kib) : kib}}),
					v,
					{build, boot: true},
				);
			expect((await room(1024 * 1024)).deployErrors).toEqual([]);
			expect((await room(1024 * 1024)).notes).toContain('1.0 GiB free under /var/lib/docker');
			expect((await room(1024 * 1024 - 1)).deployErrors).toEqual([
				'only 1024 MiB free under /var/lib/docker; a build needs about 1 GiB: docker system prune frees space',
			]);
			expect((await room(3 * 1024 * 1024)).notes.filter(n => n.includes('free'))).toEqual([]);
			expect((await room(100 * 1024, false)).notes).toContain('0.1 GiB free under /var/lib/docker');
			expect((await room(100 * 1024, false)).deployErrors).toEqual([]);
			const unreadable = await room(fail(1, 'df: no such folder'));
			expect(unreadable.deployErrors).toEqual([]);
			expect(unreadable.notes.filter(n => n.includes('free'))).toEqual([]);
			const noRoot = await preflight(
				fakeHost({commands: {...EXACT, 'docker info --format {{.DockerRootDir}}': fail(1, '')}}),
				v,
				{build: true, boot: true},
			);
			expect(noRoot.deployErrors).toEqual([]);
			const spaced = await preflight(
				fakeHost({
					commands: {
						...EXACT,
						'df -Pk /var/lib/docker': ok(
							'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda    263174212    1    524288    99%   /\n',
						),
					},
				}),
				v,
				{build: true, boot: true},
			);
			expect(spaced.deployErrors).toEqual([
				'only 512 MiB free under /var/lib/docker; a build needs about 1 GiB: docker system prune frees space',
			]);
		},
	);

	it('the default base image when none is set', async () => {
		const host = fakeHost({commands: EXACT});
		const r = await preflight(host, {...v, STEM_BASE_IMAGE: ''}, {build: true, boot: false});
		expect(host.calls).toContain('docker image inspect --format {{.Id}} ubuntu:24.04');
		expect(r.notes).toContain(
			'base image ubuntu:24.04 is not on this engine: the build pulls it (needs the network, or docker login)',
		);
	});

	it(
		'the volumes listed with blanks around them still count; a port that is not a number is not ' + 'looked at',
		async () => {
			const host = fakeHost({
				commands: {...EXACT, 'docker volume ls -q': ok('  box-home  \n\nbox-sshkeys\nbox-sshstate\n')},
				taken: ['2222'],
			});
			const r = await preflight(host, {...v, STEM_SSH_PORT: 'x'});
			expect(r.notes).toEqual([
				're-run: volume(s) box-home, box-sshkeys, box-sshstate exist; your home and host keys are kept',
			]);
			expect(r.warnings.filter(w => w.includes('in use'))).toEqual([]);
			const zero = await preflight(fakeHost({commands: EXACT, taken: ['0']}), {...v, STEM_SSH_PORT: '0'});
			expect(zero.warnings.filter(w => w.includes('in use'))).toEqual([]);
		},
	);

	it('checkPort looks up to 100 ports on, and asks whether this stack’s own container holds the port', async () => {
		const host = fakeHost({taken: Array.from({length: 100}, (_, i) => String(3000 + i))});
		expect(await checkPort(host, {...v, STEM_SSH_LISTEN: '127.0.0.1'}, '3000')).toBe(
			'STEM_SSH_PORT 3000 is in use on 127.0.0.1 on this host; 3100 is free',
		);
		expect(host.calls).toEqual(['docker ps -q --filter name=^box$']);
		const noName = fakeHost({taken: ['2222']});
		await checkPort(noName, {STEM_SSH_LISTEN: '127.0.0.1'}, '2222');
		expect(noName.calls).toEqual(['docker ps -q --filter name=^$']);
	});

	it(
		'renameWarning when the compose file keeps the new name’s volumes (a stack renamed before): the old ones ' +
			'are looked for',
		async () => {
			const host = fakeHost({commands: {'docker volume ls -q --filter name=^old-home$': ok('old-home\n')}});
			expect(
				await renameWarning(
					host,
					{STEM_CONTAINER_NAME: 'old'},
					{STEM_CONTAINER_NAME: 'new'},
					{project: 'new', volumes: {home: 'new-home', sshkeys: 'new-sshkeys', sshstate: 'new-sshstate'}},
				),
			).toMatch(/^STEM_CONTAINER_NAME changes from old to new/);
			const blank = fakeHost({commands: {'docker volume ls -q --filter name=^old-home$': ok('  \n')}});
			expect(await renameWarning(blank, {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'})).toBeUndefined();
		},
	);
});

describe('preflight when a command cannot even be started (simulated: the host’s run rejects)', () => {
	const v = BOX_ON_BRIDGE;
	const EXACT = HEALTHY_ENGINE;
	/** The fake host, except that the commands starting with one of `broken` reject instead of answering. */
	const rejecting = (broken: string[], commands: Record<string, Canned> = EXACT) => {
		const host = fakeHost({commands});
		const run = host.run.bind(host);
		return Object.assign(host, {
			run: (cmd: string, args: string[], timeoutMs: number) => {
				const line = [cmd, ...args].join(' ');
				return broken.some(b => line.startsWith(b))
					? Promise.reject(new Error('spawn EAGAIN'))
					: run(cmd, args, timeoutMs);
			},
		});
	};

	it('an engine check that cannot start means docker is not installed', async () => {
		const r = await preflight(rejecting(['docker']), v, {build: true, boot: true});
		expect(r.deployErrors).toEqual([
			'Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop',
		]);
		expect(r.notes).toEqual([]);
	});

	it('a compose, bridge or image check that cannot start counts as that thing missing', async () => {
		const r = await preflight(rejecting(['docker compose', 'docker network', 'docker image']), v, {
			build: true,
			boot: true,
		});
		expect(r.deployErrors).toEqual([
			'docker compose (v2) is missing: install the compose plugin (docker-compose-plugin, or docker-compose 2.x), ' +
				'then run again',
			'STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but this Docker engine has no bridge network ' +
				'(dockerd runs with --bridge=none): use the host network instead ' +
				'(--set STEM_NETWORK_MODE=host --set STEM_BUILD_NETWORK=host)',
		]);
		expect(r.notes).toContain(
			'base image base:1 is not on this engine: the build pulls it (needs the network, or docker login)',
		);
	});

	it('no engine folder, no container and no volume list when those commands cannot start: nothing said', async () => {
		const host = rejecting(['docker info', 'docker ps', 'docker volume ls'], {...EXACT, df: df(300 * 1024)});
		const r = await preflight(host, v, {build: true, boot: true});
		expect(r.deployErrors).toEqual([]);
		expect(r.notes).toEqual(['base image base:1 is on this engine']);
		expect(host.calls.filter(c => c.startsWith('df'))).toEqual([]);
		const taken = rejecting(['docker ps'], {...EXACT});
		expect(await checkPort(Object.assign(taken, {portFree: async () => false}), v, '2222')).toBe(
			'STEM_SSH_PORT 2222 is in use on 127.0.0.1 on this host',
		);
	});

	it('renameWarning: a volume lookup that cannot start warns of nothing', async () => {
		expect(
			await renameWarning(rejecting(['docker volume ls']), {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'}),
		).toBeUndefined();
	});
});

describe('preflight: what a failed command printed is not taken as an answer (simulated engine answers)', () => {
	const v = {...values, STEM_CONTAINER_NAME: 'box', STEM_SSH_PORT: '2222'};
	const EXACT = {
		'docker version --format {{.Server.Version}}': ok('27.3.1\n'),
		'docker compose version --short': ok('2.29.7\n'),
		'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
		'docker image inspect --format {{.Id}} base:1': ok('sha256:1\n'),
		'docker ps -q --filter name=^box$': ok(''),
		'docker volume ls -q': ok(''),
		df: df(300 * 1024),
	};

	it('a failed docker info’s output is no folder to measure', async () => {
		const host = fakeHost({
			commands: {
				...EXACT,
				'docker info --format {{.DockerRootDir}}': fail(1, 'error during connect', '/var/lib/docker'),
			},
		});
		const r = await preflight(host, v, {build: true, boot: true});
		expect(r.deployErrors).toEqual([]);
		expect(host.calls.filter(c => c.startsWith('df'))).toEqual([]);
		const none = fakeHost({commands: {...EXACT, 'docker info --format {{.DockerRootDir}}': fail(1, '')}});
		await preflight(none, v, {build: true, boot: true});
		expect(none.calls.filter(c => c.startsWith('df'))).toEqual([]);
	});

	it('a failed docker ps does not mean this stack’s container runs; blank output is no container', async () => {
		const taken = ['127.0.0.1:2222'];
		for (const ps of [fail(1, 'error', 'abc123\n'), ok('\n  \n')]) {
			const r = await preflight(fakeHost({commands: {...EXACT, 'docker ps -q --filter name=^box$': ps}, taken}), v, {
				build: false,
				boot: true,
			});
			expect(r.deployErrors).toEqual([
				'port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT',
			]);
			expect(r.notes.join('\n')).not.toContain('is running');
		}
	});

	it('a failed volume list says nothing about a first run or a re-run', async () => {
		const r = await preflight(fakeHost({commands: {...EXACT, 'docker volume ls -q': fail(1, 'error', '')}}), v);
		expect(r.notes).toEqual([]);
		expect(r.warnings).toEqual([]);
	});

	it('a write without a start checks nothing of the engine and refuses nothing', async () => {
		for (const deploy of [undefined, {build: false, boot: false}]) {
			const host = fakeHost({commands: EXACT, taken: ['127.0.0.1:2222']});
			const r = await preflight(host, v, deploy);
			expect(r.deployErrors).toEqual([]);
			expect(r.warnings).toEqual(['port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT']);
			expect(host.calls.sort()).toEqual(['docker ps -q --filter name=^box$', 'docker volume ls -q']);
		}
	});

	it('no container name: the image’s own volume names, and no container of that name asked about', async () => {
		const {STEM_CONTAINER_NAME: _, ...unnamed} = v;
		const host = fakeHost({commands: {...EXACT, 'docker volume ls -q': ok('stem-home\n')}});
		const r = await preflight(host, unnamed);
		expect(r.notes).toEqual(['re-run: volume(s) stem-home exist; your home and host keys are kept']);
		expect(host.calls).toContain('docker ps -q --filter name=^$');
		const blank = await preflight(fakeHost({commands: {...EXACT, 'docker volume ls -q': ok('stem-home\n')}}), {
			...v,
			STEM_CONTAINER_NAME: '',
		});
		expect(blank.notes).toEqual(['re-run: volume(s) stem-home exist; your home and host keys are kept']);
	});

	it('no listen address means every interface, and is warned about', async () => {
		const r = await preflight(fakeHost({commands: EXACT}), {...v, STEM_SSH_LISTEN: '', STEM_NETWORK_MODE: 'host'});
		expect(r.warnings).toEqual([
			'SSH will listen on every interface of this host (0.0.0.0:2222); for this host only, set STEM_SSH_LISTEN=127.0.0.1',
		]);
	});
});
