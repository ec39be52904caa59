import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {composeObject, gpuStanza, parseGpus, renderCompose} from '../../source/core/compose.js';
import {defaults} from '../../source/core/model.js';

type Service = Record<string, any>;
const service = (stack: 'stem' | 'neuron', values: Record<string, string>, composeVersion?: string): Service => {
	const doc = parse(renderCompose(stack, values, {composeVersion}));
	return doc.services[stack];
};

describe('compose rendering', () => {
	it('bridge mode publishes the port on the listen address and builds without host networking', () => {
		const s = service('stem', defaults('stem'));
		expect(s.ports).toEqual(['${STEM_SSH_LISTEN:-0.0.0.0}:${STEM_SSH_PORT:-22222}:22']);
		expect(s.network_mode).toBeUndefined();
		expect(s.build).toMatchObject({context: './image', target: 'stem', args: {BASE_IMAGE: '${STEM_BASE_IMAGE:-ubuntu:24.04}'}});
		expect(s.build.network).toBeUndefined();
		expect(s.image).toBe('${STEM_IMAGE:-hatch/stem:latest}');
	});

	it('host mode uses the host network for the container and the build', () => {
		const s = service('stem', {...defaults('stem'), STEM_NETWORK_MODE: 'host'});
		expect(s.network_mode).toBe('host');
		expect(s.build.network).toBe('host');
		expect(s.ports).toBeUndefined();
		expect(s.environment).toMatchObject({STEM_NETWORK_MODE: '${STEM_NETWORK_MODE:-bridge}', STEM_SSH_PORT: '${STEM_SSH_PORT:-22222}'});
	});

	it('adds no-new-privileges only without sudo (sudo itself needs setuid)', () => {
		expect(service('stem', {...defaults('stem'), STEM_SUDO: '0'}).security_opt).toEqual(['no-new-privileges:true']);
		expect(service('neuron', {...defaults('neuron'), STEM_SUDO: '0'}).security_opt).toEqual(['no-new-privileges:true']);
		expect(service('stem', {...defaults('stem'), STEM_SUDO: '1'}).security_opt).toBeUndefined();
	});

	it('mounts the seed volumes and the optional host files, /dev/null when unset', () => {
		const s = service('stem', defaults('stem'));
		const targets = Object.fromEntries(s.volumes.map((v: any) => [v.target, v]));
		expect(targets['/home']).toMatchObject({type: 'volume', source: 'home'});
		expect(targets['/etc/hatch/authorized_keys.host']).toMatchObject({source: '${STEM_AUTH_KEYS_PATH:-/dev/null}', read_only: true});
		expect(targets['/mnt/hatch/dropbox'].source).toBe('${DROPBOX_PATH_ON_HOST:-/dev/null}');
		expect(targets['/opt/secrets/apogee-secrets.env']).toMatchObject({source: '${APOGEE_SECRETS_PATH:-/dev/null}', read_only: true});
		expect(targets['/ssh-agent'].source).toBe('${STEM_SSH_AUTH_SOCK_HOST:-/dev/null}');
		expect(s.environment.SSH_AUTH_SOCK).toBe('/ssh-agent');
	});

	it('names volumes after the container and marks them external when asked', () => {
		const plain = composeObject('stem', defaults('stem')) as any;
		expect(plain.volumes.home).toEqual({name: '${STEM_CONTAINER_NAME:-stem}-home'});
		const ext = composeObject('stem', {...defaults('stem'), STEM_VOLUMES_EXTERNAL: '1'}) as any;
		expect(ext.volumes.sshkeys).toEqual({name: '${STEM_CONTAINER_NAME:-stem}-sshkeys', external: true});
	});

	it('mounts neuron workspaces only when set, extra mounts with their mode', () => {
		const none = service('neuron', defaults('neuron'));
		expect(none.volumes.some((v: any) => String(v.target).startsWith('/workspace'))).toBe(false);
		const s = service('neuron', {...defaults('neuron'), NEURON_PROJECTS_PATH: '/srv/p', NEURON_MODELS_PATH: '/srv/m', NEURON_EXTRA_MOUNTS: '/srv/x:/data/x:ro,/srv/y:/data/y'});
		const byTarget = Object.fromEntries(s.volumes.map((v: any) => [v.target, v]));
		expect(byTarget['/workspace/projects'].source).toBe('${NEURON_PROJECTS_PATH}');
		expect(byTarget['/workspace/models'].source).toBe('${NEURON_MODELS_PATH}');
		expect(byTarget['/workspace/datasets']).toBeUndefined();
		expect(byTarget['/data/x']).toMatchObject({source: '/srv/x', read_only: true});
		expect(byTarget['/data/y'].read_only).toBeUndefined();
		expect(s.build.target).toBe('neuron');
	});
});

describe('GPU stanza follows the compose version', () => {
	const device = {driver: 'nvidia', count: 'all'};
	it('uses deploy.resources for compose before 2.30 and when the version is unknown', () => {
		for (const v of ['2.26.1', '2.29.9', undefined]) {
			expect(gpuStanza(parseGpus('all'), v)).toEqual({deploy: {resources: {reservations: {devices: [{...device, capabilities: ['gpu']}]}}}});
		}
		expect(gpuStanza(parseGpus('2'), '2.26.1')).toEqual({deploy: {resources: {reservations: {devices: [{driver: 'nvidia', count: 2, capabilities: ['gpu']}]}}}});
	});

	it('uses the gpus list from 2.30 and `gpus: all` from 2.33', () => {
		expect(gpuStanza(parseGpus('all'), '2.30.0')).toEqual({gpus: [device]});
		expect(gpuStanza(parseGpus('0,1'), 'v2.31.0-desktop.2')).toEqual({gpus: [{driver: 'nvidia', device_ids: ['0', '1']}]});
		expect(gpuStanza(parseGpus('all'), '2.33.1')).toEqual({gpus: 'all'});
		expect(gpuStanza(parseGpus('3'), '2.40.0')).toEqual({gpus: [{driver: 'nvidia', count: 3}]});
		expect(gpuStanza(parseGpus('all'), '3.0.0')).toEqual({gpus: 'all'});
	});

	it('asks for nothing when the request is none', () => {
		const s = service('neuron', {...defaults('neuron'), NEURON_GPUS: 'none'}, '2.40.0');
		expect(s.gpus).toBeUndefined();
		expect(s.deploy).toBeUndefined();
	});
});
