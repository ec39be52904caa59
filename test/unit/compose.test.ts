import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {
	composeDrift,
	composeObject,
	describeDrift,
	gpuStanza,
	identityFor,
	parseGpus,
	readIdentity,
	renderCompose,
	writtenFor,
} from '../../source/core/compose.js';
import {defaults, FIELDS} from '../../source/core/model.js';

type Service = Record<string, any>;
const service = (image: 'stem' | 'neuron', values: Record<string, string>, composeVersion?: string): Service => {
	const doc = parse(renderCompose(image, values, {composeVersion}));
	return doc.services[image];
};

/** The mounts every stack has, in their fixed order: the volumes, then the host files (/dev/null when empty). */
const ALWAYS_MOUNTED = [
	'/home',
	'/etc/ssh/hatch-hostkeys',
	'/var/lib/hatch/ssh',
	'/etc/hatch/authorized_keys.host',
	'/mnt/hatch/dropbox',
	'/opt/secrets/apogee-secrets.env',
	'/ssh-agent',
];

describe('compose rendering', () => {
	it('takes the network mode from .env: the port is published in bridge mode, discarded by Docker in host mode', () => {
		for (const mode of ['bridge', 'host']) {
			const s = service('stem', {...defaults('stem'), STEM_NETWORK_MODE: mode});
			expect(s.network_mode).toBe('${STEM_NETWORK_MODE:-bridge}');
			expect(s.ports).toEqual(['${STEM_SSH_LISTEN:-0.0.0.0}:${STEM_SSH_PORT:-22222}:22']);
			expect(s.environment).toMatchObject({
				STEM_NETWORK_MODE: '${STEM_NETWORK_MODE:-bridge}',
				STEM_SSH_PORT: '${STEM_SSH_PORT:-22222}',
			});
		}
	});

	it('takes the build network from .env, which follows the network mode unless set', () => {
		const s = service('stem', defaults('stem'));
		expect(s.build).toMatchObject({
			context: './image',
			target: 'stem',
			network: '${STEM_BUILD_NETWORK:-default}',
			args: {BASE_IMAGE: '${STEM_BASE_IMAGE:-ubuntu:24.04}'},
		});
		expect(s.image).toBe('${STEM_IMAGE:-hatch/stem:latest}');
		expect(defaults('stem').STEM_BUILD_NETWORK).toBe('default');
		expect(defaults('stem', {}, {STEM_NETWORK_MODE: 'host'}).STEM_BUILD_NETWORK).toBe('host');
	});

	it('leaves no-new-privileges to the boot (it follows STEM_SUDO from .env there)', () => {
		for (const sudo of ['0', '1'])
			expect(service('stem', {...defaults('stem'), STEM_SUDO: sudo}).security_opt).toBeUndefined();
	});

	it('names the project and volumes once: a renamed container keeps them; external when asked', () => {
		const plain = composeObject('stem', defaults('stem')) as any;
		expect(plain.name).toBe('stem');
		expect(plain.volumes.home).toEqual({name: 'stem-home'});
		const renamed = composeObject(
			'stem',
			{...defaults('stem'), STEM_CONTAINER_NAME: 'box'},
			{identity: identityFor('stem', defaults('stem'))},
		) as any;
		expect(renamed.name).toBe('stem');
		expect(renamed.volumes.sshkeys).toEqual({name: 'stem-sshkeys'});
		expect(renamed.services.stem.container_name).toBe('${STEM_CONTAINER_NAME:-stem}');
		const ext = composeObject('stem', {...defaults('stem'), STEM_VOLUMES_EXTERNAL: '1'}) as any;
		expect(ext.volumes.sshkeys).toEqual({name: 'stem-sshkeys', external: true});
	});

	it('reads the names back from a file it wrote, and from one written before they were fixed', () => {
		const box = {...defaults('stem'), STEM_CONTAINER_NAME: 'box'};
		expect(readIdentity('stem', renderCompose('stem', box), {})).toEqual(identityFor('stem', box));
		const older =
			'name: box\nservices: {}\nvolumes:\n  home: {name: "${STEM_CONTAINER_NAME:-stem}-home"}\n  sshkeys: {name: ' +
			'"${STEM_CONTAINER_NAME:-stem}-sshkeys"}\n  sshstate: {name: ' +
			'"${STEM_CONTAINER_NAME:-stem}-sshstate"}\n';
		expect(readIdentity('stem', older, box)).toEqual(identityFor('stem', box));
		expect(readIdentity('stem', 'name: [unclosed', box)).toBeUndefined();
	});

	it('falls back to the names of the .env it was written with for what the file does not name', () => {
		const box = {...defaults('stem'), STEM_CONTAINER_NAME: 'box'};
		const texts = [
			'',
			'just text',
			'services: {}\n',
			'name: ""\nservices: {}\nvolumes: {home: null}\n',
			'name: 2024\n',
		];
		for (const text of texts) expect(readIdentity('stem', text, box)).toEqual(identityFor('stem', box));
		expect(readIdentity('neuron', 'name: lab\nservices: {}\n', {})).toEqual({
			project: 'lab',
			volumes: {home: 'neuron-home', sshkeys: 'neuron-sshkeys', sshstate: 'neuron-sshstate'},
		});
	});

	it('finds no fixed identity when any one name still depends on a variable other than the container name', () => {
		const text =
			'name: box\nvolumes:\n  home: {name: box-home}\n  sshkeys: {name: box-sshkeys}\n' +
			'  sshstate: {name: "${OTHER:-x}-sshstate"}\n';
		expect(readIdentity('stem', text, {})).toBeUndefined();
		expect(readIdentity('stem', text.replace('"${OTHER:-x}-sshstate"', 'box-sshstate'), {})).toEqual({
			project: 'box',
			volumes: {home: 'box-home', sshkeys: 'box-sshkeys', sshstate: 'box-sshstate'},
		});
	});

	it('mounts the seed volumes and the optional host files, /dev/null when unset', () => {
		const s = service('stem', defaults('stem'));
		const targets = Object.fromEntries(s.volumes.map((v: any) => [v.target, v]));
		expect(targets['/home']).toMatchObject({type: 'volume', source: 'home'});
		expect(targets['/etc/hatch/authorized_keys.host']).toMatchObject({
			source: '${STEM_AUTH_KEYS_PATH:-/dev/null}',
			read_only: true,
		});
		expect(targets['/mnt/hatch/dropbox'].source).toBe('${DROPBOX_PATH_ON_HOST:-/dev/null}');
		expect(targets['/opt/secrets/apogee-secrets.env']).toMatchObject({
			source: '${APOGEE_SECRETS_PATH:-/dev/null}',
			read_only: true,
		});
		expect(targets['/ssh-agent'].source).toBe('${STEM_SSH_AUTH_SOCK_HOST:-/dev/null}');
		expect(s.environment.SSH_AUTH_SOCK).toBe('/ssh-agent');
	});

	it('passes the container exactly the settings FIELDS says it reads, each from .env with its default, in order', () => {
		const s = service('stem', defaults('stem'));
		const d = defaults('stem');
		const env = FIELDS.filter(f => f.images.includes('stem') && f.container === 'env');
		expect(Object.keys(s.environment).filter(k => k.startsWith('STEM_') || k.startsWith('BINDU_'))).toEqual(
			env.map(f => f.key),
		);
		for (const f of env) expect(s.environment[f.key]).toBe(d[f.key] ? `\${${f.key}:-${d[f.key]}}` : `\${${f.key}:-}`);
		// The mounts in a fixed order: the volumes, the host files (of /dev/null when empty), then the set folders.
		expect(s.volumes.map((v: any) => v.target)).toEqual(ALWAYS_MOUNTED);
		expect(s.volumes.filter((v: any) => v.read_only).map((v: any) => v.target)).toEqual([
			'/etc/hatch/authorized_keys.host',
			'/opt/secrets/apogee-secrets.env',
		]);
	});

	it('mounts neuron workspaces only when set, extra mounts with their mode', () => {
		const none = service('neuron', defaults('neuron'));
		expect(none.volumes.some((v: any) => String(v.target).startsWith('/workspace'))).toBe(false);
		const s = service('neuron', {
			...defaults('neuron'),
			NEURON_PROJECTS_PATH: '/srv/p',
			NEURON_MODELS_PATH: '/srv/m',
			NEURON_EXTRA_MOUNTS: '/srv/x:/data/x:ro,/srv/y:/data/y',
		});
		const byTarget = Object.fromEntries(s.volumes.map((v: any) => [v.target, v]));
		expect(byTarget['/workspace/projects'].source).toBe('${NEURON_PROJECTS_PATH}');
		expect(byTarget['/workspace/models'].source).toBe('${NEURON_MODELS_PATH}');
		expect(byTarget['/workspace/datasets']).toBeUndefined();
		expect(byTarget['/data/x']).toMatchObject({source: '/srv/x', read_only: true});
		expect(byTarget['/data/y'].read_only).toBeUndefined();
		expect(s.build.target).toBe('neuron');
	});

	it("mounts this host's own folders (STEM_EXTRA_MOUNTS) in both images, after neuron's list-less mounts", () => {
		const stem = service('stem', {...defaults('stem'), STEM_EXTRA_MOUNTS: '/mnt/nfs/src:/data/src,/srv/$v:/data/v:ro'});
		expect(stem.volumes.slice(ALWAYS_MOUNTED.length)).toEqual([
			{type: 'bind', source: '/mnt/nfs/src', target: '/data/src', bind: {create_host_path: false}},
			{type: 'bind', source: '/srv/$$v', target: '/data/v', read_only: true, bind: {create_host_path: false}},
		]);
		const neuron = service('neuron', {
			...defaults('neuron'),
			STEM_EXTRA_MOUNTS: '/mnt/nfs:/data/nfs',
			NEURON_EXTRA_MOUNTS: '/srv/x:/data/x',
		});
		expect(neuron.volumes.slice(ALWAYS_MOUNTED.length).map((v: any) => v.target)).toEqual(['/data/nfs', '/data/x']);
	});

	it('writes every bind mount so that a missing host path is an error, never an empty folder made for it', () => {
		const s = service('neuron', {
			...defaults('neuron'),
			NEURON_PROJECTS_PATH: '/srv/p',
			STEM_EXTRA_MOUNTS: '/mnt/nfs:/data/nfs',
			NEURON_EXTRA_MOUNTS: '/srv/x:/data/x',
		});
		const binds = s.volumes.filter((v: any) => v.type === 'bind');
		// The four host files, the set workspace folder and one mount of each list.
		expect(binds.length).toBe(7);
		for (const b of binds) expect(b.bind, b.target).toEqual({create_host_path: false});
		for (const v of s.volumes.filter((v: any) => v.type === 'volume')) expect(v.bind).toBeUndefined();
	});

	it('publishes the mosh UDP range only when set, as the same numbers on the listen address', () => {
		expect(service('stem', defaults('stem')).ports).toHaveLength(1);
		const s = service('stem', {...defaults('stem'), STEM_MOSH_PORTS: '60000-60010'});
		expect(s.ports).toEqual([
			'${STEM_SSH_LISTEN:-0.0.0.0}:${STEM_SSH_PORT:-22222}:22',
			'${STEM_SSH_LISTEN:-0.0.0.0}:${STEM_MOSH_PORTS}:${STEM_MOSH_PORTS}/udp',
		]);
	});

	it('mounts a host file once, from .env, when it is set: the same mounts as when it is empty', () => {
		const set = service('stem', {
			...defaults('stem'),
			STEM_AUTH_KEYS_PATH: '/home/me/.ssh/authorized_keys',
			DROPBOX_PATH_ON_HOST: '/home/me/Dropbox',
			APOGEE_SECRETS_PATH: '/home/me/secrets.env',
			STEM_SSH_AUTH_SOCK_HOST: '/run/agent.sock',
		});
		expect(set.volumes).toEqual(service('stem', defaults('stem')).volumes);
	});

	it('renders from a partial .env: a missing setting counts as empty (no extra mounts, no GPUs)', () => {
		const s = service('neuron', {});
		expect(s.volumes.map((v: any) => v.target)).toEqual(ALWAYS_MOUNTED);
		expect(s.gpus).toBeUndefined();
		expect(s.deploy).toBeUndefined();
		expect(s.environment.HATCH_WRITTEN_FOR).toContain('NEURON_EXTRA_MOUNTS=\n');
	});

	it("ignores neuron-only settings found in stem's .env: no extra mounts, no GPUs, no GPU note", () => {
		const values = {...defaults('stem'), NEURON_EXTRA_MOUNTS: '/srv/x:/data/x', NEURON_GPUS: 'all'};
		const text = renderCompose('stem', values, {composeVersion: '2.40.0'});
		const s = parse(text).services.stem;
		expect(s.volumes.some((v: any) => v.target === '/data/x')).toBe(false);
		expect(s.gpus).toBeUndefined();
		expect(s.deploy).toBeUndefined();
		expect(text).not.toContain('GPU');
	});

	it('notes the compose version of the GPU stanza only when GPUs are asked for', () => {
		const note = (gpus: string) =>
			renderCompose('neuron', {...defaults('neuron'), NEURON_GPUS: gpus}, {composeVersion: '2.40.0'});
		expect(note('all')).toContain('# GPU stanza written for docker compose 2.40.0.');
		expect(renderCompose('neuron', {...defaults('neuron'), NEURON_GPUS: '2'})).toContain(
			'# GPU stanza written for docker compose < 2.30.',
		);
		for (const none of ['none', '']) expect(note(none)).not.toContain('GPU stanza');
		expect(renderCompose('stem', defaults('stem'))).not.toContain('GPU stanza');
	});

	it('writes a long value on one line, as it is in .env', () => {
		const src = '/srv/my project folder with a rather long name that goes on/and on and on';
		const text = renderCompose('neuron', {...defaults('neuron'), NEURON_EXTRA_MOUNTS: `${src}:/data/x`});
		expect(text).toContain(`source: ${src}\n`);
		expect(parse(text).services.neuron.volumes.at(-1).source).toBe(src);
	});
});

describe('GPU stanza follows the compose version', () => {
	const device = {driver: 'nvidia', count: 'all'};
	it('uses deploy.resources for compose before 2.30 and when the version is unknown', () => {
		for (const v of ['2.26.1', '2.29.9', undefined]) {
			expect(gpuStanza(parseGpus('all'), v)).toEqual({
				deploy: {resources: {reservations: {devices: [{...device, capabilities: ['gpu']}]}}},
			});
		}
		expect(gpuStanza(parseGpus('2'), '2.26.1')).toEqual({
			deploy: {resources: {reservations: {devices: [{driver: 'nvidia', count: 2, capabilities: ['gpu']}]}}},
		});
	});

	it('uses the gpus list from 2.30 and `gpus: all` from 2.33', () => {
		expect(gpuStanza(parseGpus('all'), '2.30.0')).toEqual({gpus: [device]});
		expect(gpuStanza(parseGpus('0,1'), 'v2.31.0-desktop.2')).toEqual({
			gpus: [{driver: 'nvidia', device_ids: ['0', '1']}],
		});
		expect(gpuStanza(parseGpus('all'), '2.33.1')).toEqual({gpus: 'all'});
		expect(gpuStanza(parseGpus('3'), '2.40.0')).toEqual({gpus: [{driver: 'nvidia', count: 3}]});
		expect(gpuStanza(parseGpus('all'), '3.0.0')).toEqual({gpus: 'all'});
	});

	it('reads a GPU count of any size, and any version number of several digits', () => {
		expect(parseGpus('12')).toEqual({kind: 'count', count: 12});
		expect(gpuStanza(parseGpus('12'), '2.30.0')).toStrictEqual({gpus: [{driver: 'nvidia', count: 12}]});
		expect(gpuStanza(parseGpus('all'), '10.0.0')).toEqual({gpus: 'all'});
		expect(gpuStanza(parseGpus('all'), 'Docker Compose version v12.1.0')).toEqual({gpus: 'all'});
	});

	it('treats a major version below 2 as older than 2.30, whatever its minor', () => {
		expect(gpuStanza(parseGpus('all'), '1.40.0')).toEqual({
			deploy: {resources: {reservations: {devices: [{...device, capabilities: ['gpu']}]}}},
		});
	});

	it('asks for nothing when the request is none', () => {
		const s = service('neuron', {...defaults('neuron'), NEURON_GPUS: 'none'}, '2.40.0');
		expect(s.gpus).toBeUndefined();
		expect(s.deploy).toBeUndefined();
	});
});

describe('the record of what docker-compose.yml was written for', () => {
	const neuron = {...defaults('neuron'), NEURON_GPUS: 'all'};
	it('finds no drift between a file and the .env it was written from', () => {
		expect(composeDrift('neuron', renderCompose('neuron', neuron), neuron)).toEqual([]);
		expect(composeDrift('stem', renderCompose('stem', defaults('stem')), defaults('stem'))).toEqual([]);
	});

	it('names a hand edit compose cannot follow, with both values; a new path for a mount that exists is no drift', () => {
		const text = renderCompose('neuron', {...neuron, NEURON_PROJECTS_PATH: '/srv/p'});
		const edited = {...neuron, NEURON_PROJECTS_PATH: '/srv/other', NEURON_GPUS: '2', NEURON_MODELS_PATH: '/srv/m'};
		const drift = composeDrift('neuron', text, edited)!;
		expect(drift).toEqual([
			{key: 'NEURON_MODELS_PATH', written: '', now: 'set'},
			{key: 'NEURON_GPUS', written: 'all', now: '2'},
		]);
		expect(drift.map(describeDrift)).toEqual([
			'NEURON_MODELS_PATH is set in .env, but docker-compose.yml was written for empty',
			'NEURON_GPUS is "2" in .env, but docker-compose.yml was written for "all"',
		]);
	});

	it('keeps a literal $ in a recorded mount list intact', () => {
		const values = {...neuron, NEURON_EXTRA_MOUNTS: '/srv/$x:/data/x'};
		const text = renderCompose('neuron', values);
		expect(writtenFor('neuron', values)).toContain('NEURON_EXTRA_MOUNTS=/srv/$x:/data/x');
		expect(composeDrift('neuron', text, values)).toEqual([]);
	});

	it('counts a setting missing from .env, or from the record, as empty', () => {
		expect(writtenFor('neuron', {NEURON_GPUS: 'all'}).split('\n')).toEqual([
			'STEM_MOSH_PORTS=',
			'STEM_VOLUMES_EXTERNAL=',
			'NEURON_PROJECTS_PATH=',
			'NEURON_DATASETS_PATH=',
			'NEURON_MODELS_PATH=',
			'STEM_EXTRA_MOUNTS=',
			'NEURON_EXTRA_MOUNTS=',
			'NEURON_GPUS=all',
		]);
		const partial = 'services:\n  neuron:\n    environment:\n      HATCH_WRITTEN_FOR: "NEURON_GPUS=all"\n';
		expect(composeDrift('neuron', partial, {NEURON_GPUS: 'all'})).toEqual([]);
		expect(composeDrift('neuron', partial, {NEURON_GPUS: 'all', STEM_VOLUMES_EXTERNAL: '1'})).toEqual([
			{key: 'STEM_VOLUMES_EXTERNAL', written: '', now: '1'},
		]);
	});

	it('says nothing for a file without a record (written by an older hatch)', () => {
		expect(composeDrift('stem', 'services:\n  stem:\n    image: x\n', defaults('stem'))).toBeUndefined();
		expect(composeDrift('stem', 'services: [', defaults('stem'))).toBeUndefined();
	});
});
