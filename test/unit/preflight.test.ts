// The preflight's reading of what the engine said, for the answers this machine cannot give: a full disk
// and a missing compose plugin are simulated here (the real engine's answers are checked in e2e/preflight).
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {preflight} from '../../source/host/preflight.js';
import {type Canned, fakeHost, ok} from '../helpers/fake-host.js';

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
