// The preflight's reading of what the engine said, for the answers this machine cannot give: a full disk
// and a missing compose plugin are simulated here (the real engine's answers are checked in e2e/preflight).
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {checkPort, preflight, refusal, renameWarning} from '../../source/host/preflight.js';
import {type Canned, fail, fakeHost, ok} from '../helpers/fake-host.js';

const values = {...defaults('stem'), STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host', STEM_SSH_LISTEN: '127.0.0.1', STEM_BASE_IMAGE: 'base:1'};
const engine: Record<string, Canned> = {
	'docker version': ok('27.3.1\n'),
	'docker compose version': ok('2.29.7\n'),
	'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
	'docker image inspect': ok('sha256:1\n'),
	'docker ps': ok(''),
	'docker volume ls': ok(''),
};
const df = (availKiB: number) => ok(`Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 263174212 1 ${availKiB} 99% /\n`);

describe('preflight (simulated engine answers)', () => {
	it('refuses a build with under 1 GiB free where Docker keeps its data (simulated: no full disk here)', async () => {
		const r = await preflight(fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(300 * 1024)}}), values, {build: true, boot: true});
		expect(r.deployErrors).toEqual(['only 300 MiB free under /var/lib/docker; a build needs about 1 GiB: docker system prune frees space']);
		const roomy = await preflight(fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}}), values, {build: true, boot: true});
		expect(roomy.deployErrors).toEqual([]);
	});

	it('refuses when the compose plugin is missing (simulated: CI installs it)', async () => {
		const {'docker compose version': _, ...noCompose} = engine;
		const r = await preflight(fakeHost({commands: {...noCompose, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}}), values, {build: true, boot: true});
		expect(r.deployErrors).toEqual(['docker compose (v2) is missing: install the compose plugin (docker-compose-plugin, or docker-compose 2.x), then run again']);
	});

	it('names each setting that needs the bridge network the engine lacks (simulated: the real one is in e2e)', async () => {
		const host = fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)}});
		const build = await preflight(host, {...values, STEM_BUILD_NETWORK: 'default'}, {build: true, boot: true});
		expect(build.deployErrors).toEqual(['STEM_BUILD_NETWORK=default, but this Docker engine has no bridge network (dockerd runs with --bridge=none): use the host network instead (--set STEM_BUILD_NETWORK=host)']);
		// Without a build, the build network does not matter.
		expect((await preflight(host, {...values, STEM_BUILD_NETWORK: 'default'}, {build: false, boot: true})).deployErrors).toEqual([]);
		const both = await preflight(host, {...values, STEM_NETWORK_MODE: 'bridge', STEM_BUILD_NETWORK: 'default'}, {build: true, boot: true});
		expect(both.deployErrors[0]).toContain('STEM_NETWORK_MODE=bridge and STEM_BUILD_NETWORK=default, but');
		expect(both.deployErrors[0]).toContain('(--set STEM_NETWORK_MODE=host --set STEM_BUILD_NETWORK=host)');
	});

	it('says docker is not installed when there is no docker at all', async () => {
		const r = await preflight(fakeHost({commands: {}}), values, {build: true, boot: true});
		expect(r.deployErrors).toEqual(['Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop']);
	});
});

// A real public key file, so the host file checks have nothing to say.
const keyFile = join(mkdtempSync(join(tmpdir(), 'hatch-pf-')), 'id.pub');
writeFileSync(keyFile, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchKey you@host\n');

describe('preflight in words (simulated engine answers)', () => {
	const roomy = {...engine, 'df -Pk /var/lib/docker': df(80 * 1024 * 1024)};
	const v = {...values, STEM_CONTAINER_NAME: 'box', STEM_SSH_PORT: '2222', STEM_AUTH_KEYS_PATH: keyFile};

	it('names the engine problem: permission, not running, not installed, or what docker said', async () => {
		const said = async (r: Canned) => (await preflight(fakeHost({commands: {...roomy, 'docker version': r}}), v, {build: true, boot: true})).deployErrors;
		expect(await said(fail(1, 'permission denied while trying to connect to the Docker daemon socket'))).toEqual(['Docker: no permission on the Docker socket: sudo usermod -aG docker $USER, then log out and in']);
		expect(await said(fail(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'))).toEqual(['Docker: the Docker engine is not running: sudo systemctl start docker (Linux), or open Docker Desktop']);
		expect(await said(fail(1, 'first\nsomething odd happened\n'))).toEqual(['Docker: something odd happened']);
		expect(await said(fail(1, ''))).toEqual(['Docker: docker version failed']);
		expect(await said('missing')).toEqual(['Docker: docker is not installed (or not on PATH): install Docker Engine or Docker Desktop']);
	});

	it('notes little room, the base image and the volumes; warns about external ones that are missing', async () => {
		const tight = await preflight(fakeHost({commands: {...engine, 'df -Pk /var/lib/docker': df(2 * 1024 * 1024)}}), v, {build: true, boot: true});
		expect(tight.notes).toContain('2.0 GiB free under /var/lib/docker');
		expect(tight.notes).toContain('base image base:1 is on this engine');
		const pulled = await preflight(fakeHost({commands: {...roomy, 'docker image inspect': fail(1, 'No such image')}}), v, {build: true, boot: false});
		expect(pulled.notes).toContain('base image base:1 is not on this engine: the build pulls it (needs the network, or docker login)');
		const noBuild = await preflight(fakeHost({commands: roomy}), v, {build: false, boot: true});
		expect(noBuild.notes.join('\n')).not.toContain('base image');
		const first = await preflight(fakeHost({commands: roomy}), v);
		expect(first.notes).toEqual(['first run: compose creates box-home, box-sshkeys, box-sshstate']);
		const again = await preflight(fakeHost({commands: {...roomy, 'docker volume ls': ok('other\nbox-home\nbox-sshkeys\n')}}), v);
		expect(again.notes).toEqual(['re-run: volume(s) box-home, box-sshkeys exist; your home and host keys are kept']);
		const external = await preflight(fakeHost({commands: {...roomy, 'docker volume ls': ok('box-home\n')}}), {...v, STEM_VOLUMES_EXTERNAL: '1'});
		expect(external.warnings).toEqual(['external volumes missing; create them first: docker volume create box-sshkeys && docker volume create box-sshstate']);
		const kept = await preflight(fakeHost({commands: {...roomy, 'docker volume ls': ok('stem-home\n')}}), v, undefined, {project: 'stem', volumes: {home: 'stem-home', sshkeys: 'stem-sshkeys', sshstate: 'stem-sshstate'}});
		expect(kept.notes).toEqual(['re-run: volume(s) stem-home exist; your home and host keys are kept']);
	});

	it('says plainly when SSH listens on every interface, per network mode', async () => {
		const open = {...v, STEM_SSH_LISTEN: '0.0.0.0'};
		expect((await preflight(fakeHost({commands: roomy}), {...open, STEM_NETWORK_MODE: 'host'})).warnings).toEqual(['SSH will listen on every interface of this host (0.0.0.0:2222); for this host only, set STEM_SSH_LISTEN=127.0.0.1']);
		expect((await preflight(fakeHost({commands: roomy}), {...open, STEM_NETWORK_MODE: 'bridge'})).warnings).toEqual([
			'SSH will listen on every interface of this host (0.0.0.0:2222), and Docker publishes the port past host firewalls such as ufw; for this host only, set STEM_SSH_LISTEN=127.0.0.1',
		]);
	});

	it('a taken port: refused for a start, a warning for a write, a note when this stack holds it', async () => {
		const taken = ['127.0.0.1:2222'];
		const start = await preflight(fakeHost({commands: roomy, taken}), v, {build: false, boot: true});
		expect(start.deployErrors).toEqual(['port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT']);
		const write = await preflight(fakeHost({commands: roomy, taken}), v);
		expect(write.warnings).toEqual(['port 2222 on 127.0.0.1 is already in use on this host; pick another STEM_SSH_PORT']);
		const ours = await preflight(fakeHost({commands: {...roomy, 'docker ps': ok('abc123\n')}, taken}), v, {build: false, boot: true});
		expect(ours.deployErrors).toEqual([]);
		expect(ours.notes).toContain('box is running and holds port 2222; docker compose up -d will recreate it');
	});
});

describe('checkPort, renameWarning and refusal (simulated engine answers)', () => {
	const v = {...values, STEM_CONTAINER_NAME: 'box'};
	it('checkPort: 22 never; a free port passes; a taken one names the next free one, or none within 100', async () => {
		expect(await checkPort(fakeHost(), v, '22')).toBe("STEM_SSH_PORT 22 is where this host's own sshd listens (or will, once it is installed): pick another, e.g. 22222");
		expect(await checkPort(fakeHost(), v, '2222')).toBeUndefined();
		expect(await checkPort(fakeHost({taken: ['2222', '2223']}), v, '2222')).toBe('STEM_SSH_PORT 2222 is in use on 127.0.0.1 on this host; 2224 is free');
		expect(await checkPort(fakeHost({taken: Array.from({length: 101}, (_, i) => String(3000 + i))}), v, '3000')).toBe('STEM_SSH_PORT 3000 is in use on 127.0.0.1 on this host');
		expect(await checkPort(fakeHost({taken: ['65535']}), {...v, STEM_SSH_LISTEN: ''}, '65535')).toBe('STEM_SSH_PORT 65535 is in use on 0.0.0.0 on this host');
		expect(await checkPort(fakeHost({taken: ['2222'], commands: {'docker ps': ok('abc\n')}}), v, '2222')).toBeUndefined();
		expect(await checkPort(fakeHost(), v, 'x')).toBeUndefined();
	});

	it('renameWarning: only for a rename whose old volumes exist and whose names no compose file keeps', async () => {
		const withHome = fakeHost({commands: {'docker volume ls': ok('old-home\n')}});
		expect(await renameWarning(withHome, {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'})).toBe(
			'STEM_CONTAINER_NAME changes from old to new, and no docker-compose.yml keeps the volume names: the container would start with a new, empty home and new host keys (yours stay in old-home and old-sshkeys). To keep them, keep the name old',
		);
		expect(withHome.calls).toContain('docker volume ls -q --filter name=^old-home$');
		expect(await renameWarning(withHome, {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'}, {project: 'old', volumes: {home: 'old-home', sshkeys: 'old-sshkeys', sshstate: 'old-sshstate'}})).toBeUndefined();
		expect(await renameWarning(fakeHost({commands: {'docker volume ls': ok('')}}), {STEM_CONTAINER_NAME: 'old'}, {STEM_CONTAINER_NAME: 'new'})).toBeUndefined();
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
		expect(refusal(['a'], true).at(-1)).toEqual({text: 'The files are written; fix these, then run hatch-wizard again.', tone: 'plain'});
	});
});
