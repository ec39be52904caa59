// The Kubernetes export (source/core/k8s.ts): every object it writes is checked against the Kubernetes schemas
// (kubernetes-models, as the API server's OpenAPI document describes them), read back from the YAML text, and
// holds the invariants a stack needs there: one replica recreated (never rolled), every claim a PVC of the file,
// a selector that matches the pod, GPUs only as limits, no host path and no privileged container.
import {Deployment} from 'kubernetes-models/apps/v1/Deployment';
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap';
import {PersistentVolumeClaim} from 'kubernetes-models/v1/PersistentVolumeClaim';
import {Secret} from 'kubernetes-models/v1/Secret';
import {Service} from 'kubernetes-models/v1/Service';
import {describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';
import {
	CAPABILITIES,
	type K8sOptions,
	k8sName,
	k8sObjects,
	maskSecrets,
	proxyCommand,
	renderK8s,
} from '../../source/core/k8s.js';
import {defaults, FIELDS, type Image, type Values} from '../../source/core/model.js';

type Obj = Record<string, any>;

const KEYS = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOv9dB3B8Cr5hWp0qKq1m4eJ0m5m7c2bIu7kq2mN3xYz alice@laptop\n';
const SECRETS = 'APOGEE_TOKEN=s3cr3t-value\n';

const MODELS: Record<string, new (data: any) => {validate(): void}> = {
	Deployment,
	ConfigMap,
	PersistentVolumeClaim,
	Secret,
	Service,
};

/** The objects as the file holds them: the YAML text parsed back. */
function fromText(image: Image, values: Values, options: K8sOptions): Obj[] {
	const docs = parseAllDocuments(renderK8s(image, values, options).text);
	if (!Array.isArray(docs)) throw new Error('no documents');
	for (const d of docs) expect(d.errors).toEqual([]);
	return docs.map(d => d.toJS() as Obj);
}

const FULL: K8sOptions = {
	image: 'registry.example:5000/team/stem:1.2.3',
	published: true,
	namespace: 'dev-boxes',
	storageClass: 'fast.ssd',
	homeSize: '50Gi',
	service: 'LoadBalancer',
	runtimeClass: 'nvidia',
	nodeSelector: {'nvidia.com/gpu.present': 'true'},
	authorizedKeys: KEYS,
	secrets: SECRETS,
};

const CASES: [string, Image, Values, K8sOptions][] = [
	['a plain stem', 'stem', {}, {image: 'hatch/stem:latest', published: false}],
	['stem with everything set', 'stem', {STEM_MOSH_PORTS: '60000-60003', STEM_ENV: 'EDITOR=vim'}, FULL],
	['neuron with 2 GPUs', 'neuron', {NEURON_GPUS: '2'}, {...FULL, service: 'NodePort'}],
	['neuron with all GPUs', 'neuron', {NEURON_GPUS: 'all'}, {...FULL, service: 'ClusterIP'}],
];

/** Every value anywhere inside `o`, with its key. */
function* entries(o: unknown): Generator<[string, unknown]> {
	if (o && typeof o === 'object')
		for (const [k, v] of Object.entries(o)) {
			yield [k, v];
			yield* entries(v);
		}
}

const ofKind = (objs: Obj[], kind: string) => objs.filter(o => o.kind === kind);

describe('every exported object is valid against the Kubernetes schemas', () => {
	it.each(CASES)('%s', (_what, image, values, options) => {
		const objs = fromText(image, values, options);
		expect(objs.length).toBeGreaterThanOrEqual(5);
		for (const o of objs) {
			const Model = MODELS[o.kind];
			expect(Model, `a model for ${o.kind}`).toBeDefined();
			expect(() => new Model!(o).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
		}
	});

	it('the schema check is real: a Deployment with a broken field fails it', () => {
		const objs = fromText('stem', {}, FULL);
		const deployment = ofKind(objs, 'Deployment')[0]!;
		deployment.spec.replicas = 'one';
		expect(() => new Deployment(deployment as any).validate()).toThrow();
		const pvc = ofKind(objs, 'PersistentVolumeClaim')[0]!;
		pvc.spec.accessModes = 'ReadWriteOnce';
		expect(() => new PersistentVolumeClaim(pvc as any).validate()).toThrow();
	});
});

describe('the invariants of a stack in a cluster', () => {
	it.each(CASES)('%s', (_what, image, values, options) => {
		const objs = fromText(image, values, options);
		const [deployment, ...more] = ofKind(objs, 'Deployment');
		expect(more).toEqual([]);
		const spec = deployment!.spec;
		expect(spec.replicas).toBe(1);
		expect(spec.strategy).toEqual({type: 'Recreate'});
		// The selector picks the pod the template makes (and the Service, when there is one, the same pod).
		const podLabels = spec.template.metadata.labels;
		for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
		for (const svc of ofKind(objs, 'Service'))
			for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
		// Every claim is a PVC of the file, every PVC is claimed, and each mounted volume exists.
		const pvcs = ofKind(objs, 'PersistentVolumeClaim')
			.map(p => p.metadata.name)
			.sort();
		const claims = spec.template.spec.volumes
			.filter((v: Obj) => v.persistentVolumeClaim)
			.map((v: Obj) => v.persistentVolumeClaim.claimName)
			.sort();
		expect(claims).toEqual(pvcs);
		expect(pvcs).toHaveLength(3);
		for (const p of ofKind(objs, 'PersistentVolumeClaim')) expect(p.spec.accessModes).toEqual(['ReadWriteOnce']);
		const volumeNames = spec.template.spec.volumes.map((v: Obj) => v.name);
		const [container, ...others] = spec.template.spec.containers;
		expect(others).toEqual([]);
		expect(container.name).toBe('stem');
		expect(container.image).toBe(options.image);
		for (const m of container.volumeMounts) expect(volumeNames).toContain(m.name);
		// The ConfigMaps and the Secret the pod names are in the file.
		const names = new Set(objs.map(o => `${o.kind}/${o.metadata.name}`));
		for (const ref of container.envFrom) expect(names).toContain(`ConfigMap/${ref.configMapRef.name}`);
		for (const v of spec.template.spec.volumes) {
			if (v.configMap) expect(names).toContain(`ConfigMap/${v.configMap.name}`);
			if (v.secret) expect(names).toContain(`Secret/${v.secret.secretName}`);
		}
		// No host path, nothing privileged, only the capabilities the boot needs (Pod Security baseline).
		for (const [k, v] of entries(objs)) {
			expect(k).not.toBe('hostPath');
			expect(k).not.toBe('hostNetwork');
			if (k === 'privileged' || k === 'allowPrivilegeEscalation') expect(v).toBe(false);
		}
		expect(container.securityContext.capabilities).toEqual({drop: ['ALL'], add: [...CAPABILITIES]});
		// GPUs: only under limits, never requested.
		const gpuPaths = [...entries(objs)].filter(([k]) => k === 'nvidia.com/gpu');
		if (image === 'neuron') {
			expect(gpuPaths).toHaveLength(1);
			expect(container.resources.limits['nvidia.com/gpu']).toBe(values.NEURON_GPUS === 'all' ? 1 : 2);
			expect(container.resources.requests).toBeUndefined();
		} else expect(gpuPaths).toEqual([]);
		// Namespaced where asked, every object alike.
		for (const o of objs) expect(o.metadata.namespace).toBe(options.namespace);
	});
});

describe('what the pod gets from the settings', () => {
	it('the settings ConfigMap holds every variable the boot reads, but the network ones, and no host path', () => {
		const values = {STEM_USER: 'alice', STEM_UID: '1234', STEM_NETWORK_MODE: 'host', STEM_SSH_PORT: '2222'};
		const objs = k8sObjects('stem', values, FULL).objects as Obj[];
		const settings = objs.find(o => o.metadata.name === 'stem-settings')!.data;
		const env = FIELDS.filter(f => f.images.includes('stem') && f.container === 'env').map(f => f.key);
		expect(Object.keys(settings).sort()).toEqual(
			env.filter(k => !['STEM_NETWORK_MODE', 'STEM_SSH_LISTEN', 'STEM_SSH_PORT'].includes(k)).sort(),
		);
		expect(settings.STEM_USER).toBe('alice');
		expect(settings.STEM_UID).toBe('1234');
		expect(settings.STEM_PIXI_INSTALL_URL).toBe(defaults('stem').STEM_PIXI_INSTALL_URL);
	});

	it('the keys and the secrets travel as content, mounted where the boot reads them', () => {
		const objs = k8sObjects('stem', {APOGEE_SECRETS_PATH: '/x/secrets.env'}, FULL).objects as Obj[];
		expect(objs.find(o => o.metadata.name === 'stem-authorized-keys')!.data).toEqual({authorized_keys: KEYS});
		const secret = objs.find(o => o.kind === 'Secret')!;
		expect(Buffer.from(secret.data['apogee-secrets.env'], 'base64').toString()).toBe(SECRETS);
		const pod = objs.find(o => o.kind === 'Deployment')!.spec.template.spec;
		const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m: Obj) => [m.name, m]));
		expect(mounts['authorized-keys']).toEqual({
			name: 'authorized-keys',
			mountPath: '/etc/hatch/authorized_keys.host',
			readOnly: true,
		});
		// The file the boot copies is /opt/secrets/apogee-secrets.env: the Secret's one key, in that folder.
		expect(mounts['apogee-secrets']).toMatchObject({mountPath: '/opt/secrets', readOnly: true});
		expect(Object.keys(secret.data)).toEqual(['apogee-secrets.env']);
		expect(mounts.home.mountPath).toBe('/home');
		expect(mounts.sshkeys.mountPath).toBe('/etc/ssh/hatch-hostkeys');
		expect(mounts.sshstate.mountPath).toBe('/var/lib/hatch/ssh');
	});

	it('without keys or secrets there is neither object nor volume, and a note says nobody can log in', () => {
		const out = k8sObjects('stem', {}, {image: 'hatch/stem:latest', published: false});
		expect(out.objects.map(o => (o as Obj).kind)).not.toContain('Secret');
		expect(out.objects.map(o => (o as Obj).metadata.name)).not.toContain('stem-authorized-keys');
		expect(out.notes.join('\n')).toContain('nobody can log in');
	});

	it('every host path a pod cannot have is left out with a note naming it, never silently', () => {
		const values: Values = {
			DROPBOX_PATH_ON_HOST: '/home/a/Dropbox',
			STEM_EXTRA_MOUNTS: '/mnt/nfs:/data/nfs',
			NEURON_PROJECTS_PATH: '/srv/projects',
			NEURON_EXTRA_MOUNTS: '/srv/x:/workspace/x',
			STEM_SSH_AUTH_SOCK_HOST: '/run/agent.sock',
			STEM_NETWORK_MODE: 'host',
			STEM_SSH_LISTEN: '127.0.0.1',
		};
		const out = renderK8s('neuron', values, {...FULL, secrets: undefined});
		for (const [key, value] of Object.entries(values)) {
			expect(out.notes.some(n => n.startsWith(`${key}=${value}`))).toBe(true);
			expect(out.text).toContain(`# note: ${key}=${value}`);
			// Not in the pod in any form.
			expect(JSON.stringify(out.objects)).not.toContain(value === 'host' ? '"host"' : value);
		}
	});

	it('GPUs: all and device ids become a count, with a note; none asks for nothing', () => {
		const limit = (gpus: string) => {
			const out = k8sObjects('neuron', {NEURON_GPUS: gpus}, FULL);
			const c = (out.objects as Obj[]).find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0];
			return {limit: c.resources?.limits?.['nvidia.com/gpu'], notes: out.notes.filter(n => n.includes('GPU'))};
		};
		expect(limit('none')).toEqual({limit: undefined, notes: []});
		expect(limit('3')).toEqual({limit: 3, notes: []});
		expect(limit('all').limit).toBe(1);
		expect(limit('all').notes).toHaveLength(1);
		expect(limit('0,1').limit).toBe(2);
		expect(limit('0,1').notes[0]).toContain('cannot pick device ids');
	});

	it('a Service only when asked: SSH on STEM_SSH_PORT to the pod, and mosh UDP ports as the pod has them', () => {
		expect(k8sObjects('stem', {}, {...FULL, service: undefined}).objects.map(o => (o as Obj).kind)).not.toContain(
			'Service',
		);
		const objs = k8sObjects('stem', {STEM_SSH_PORT: '2200', STEM_MOSH_PORTS: '60000-60001'}, FULL).objects as Obj[];
		const svc = objs.find(o => o.kind === 'Service')!;
		expect(svc.spec.type).toBe('LoadBalancer');
		expect(svc.spec.ports.map((p: Obj) => [p.port, p.targetPort, p.protocol])).toEqual([
			[2200, 'ssh', 'TCP'],
			[60000, 60000, 'UDP'],
			[60001, 60001, 'UDP'],
		]);
	});

	it('the image: published or not, and the file and notes say which', () => {
		const local = renderK8s('stem', {}, {image: 'hatch/stem:latest', published: false});
		expect(local.text).toContain('# note: the image hatch/stem:latest is the name of the local build');
		const pushed = renderK8s('stem', {}, {image: 'you/stem:1.0.0', published: true});
		expect(pushed.notes.join('\n')).not.toContain('local build');
		expect(pushed.text).toContain('image: you/stem:1.0.0');
	});

	it('names: a container name Kubernetes would refuse becomes one it takes, and says so', () => {
		expect(k8sName('stem')).toBe('stem');
		expect(k8sName('My_Box.1')).toBe('my-box-1');
		expect(k8sName('9lives')).toBe('hatch-9lives');
		expect(k8sName('x'.repeat(64))).toHaveLength(47);
		const out = k8sObjects('stem', {STEM_CONTAINER_NAME: 'My_Box'}, FULL);
		expect(out.name).toBe('my-box');
		expect(out.notes[0]).toContain('the objects are named my-box');
	});
});

describe('the file', () => {
	it('hides the Secret in what a diff may show, and nothing else', () => {
		const text = renderK8s('stem', {}, FULL).text;
		expect(text).toContain(Buffer.from(SECRETS).toString('base64'));
		const masked = maskSecrets(text)!;
		expect(masked).not.toContain(Buffer.from(SECRETS).toString('base64'));
		expect(masked).toContain('apogee-secrets.env: (hidden)');
		expect(masked.replace('apogee-secrets.env: (hidden)', '')).toBe(
			text.replace(`apogee-secrets.env: ${Buffer.from(SECRETS).toString('base64')}`, ''),
		);
		expect(maskSecrets('a: [')).toBeUndefined();
	});

	it('the ProxyCommand reaches sshd inside the container through kubectl exec, quoted for ssh and sh', () => {
		expect(proxyCommand('stem', 'prod', 'dev')).toBe(
			'kubectl --context prod -n dev exec -i deploy/stem -c stem -- /usr/bin/socat STDIO TCP:127.0.0.1:22',
		);
		expect(proxyCommand('stem')).toBe('kubectl exec -i deploy/stem -c stem -- /usr/bin/socat STDIO TCP:127.0.0.1:22');
		expect(proxyCommand('stem', "it's 100%")).toContain(`--context 'it'\\''s 100%%'`);
	});
});
