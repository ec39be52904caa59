// A stack as Kubernetes objects, in one multi-document YAML file that `kubectl apply -f` takes: a Deployment
// (one replica, recreated rather than rolled: a ReadWriteOnce volume cannot follow a rolling update), the
// volumes as PersistentVolumeClaims, the settings and the authorized keys as ConfigMaps, the Apogee secrets as
// a Secret, and optionally a Service. Derived from FIELDS like the compose file: a setting the container gets
// as a variable goes into the settings ConfigMap, a host path is carried as content (keys, secrets) or left
// out with a note (folders, sockets): a pod cannot mount this host's paths. Pure.
import {Document, parseAllDocuments} from 'yaml';
import {parseGpus} from './compose.js';
import {CONTAINER_PATHS, defaults, fieldsFor, type Image, KEY, type Values} from './model.js';

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** The container's name in the pod: `kubectl exec -c stem` reaches it in both images. */
export const CONTAINER = 'stem';

/** Where sshd listens in the pod: the pod has a network of its own, so the boot's bridge-mode address. */
export const POD_SSH_PORT = 22;

/** Where the settings ConfigMap's authorized keys appear: a folder at the path the boot reads the keys from. */
export const KEYS_FILE = 'authorized_keys';

/** The Secret's one entry, the file the boot copies into the home (07-apogee-secrets.sh). */
const SECRETS_FILE = 'apogee-secrets.env';

/** The settings sshd's address is made of: in a pod it listens on POD_SSH_PORT of the pod's own network. */
const NETWORK_KEYS: readonly string[] = [KEY.network, KEY.listen, KEY.port];

/**
 * The capabilities the boot and sshd use, as root: the account and its home's owner (CHOWN, DAC_OVERRIDE,
 * FOWNER, FSETID), the user's processes (SETUID, SETGID, KILL), sshd's privilege separation and its login
 * records (SYS_CHROOT, AUDIT_WRITE), port 22 (NET_BIND_SERVICE). All in Pod Security's baseline set.
 */
export const CAPABILITIES = [
	'AUDIT_WRITE',
	'CHOWN',
	'DAC_OVERRIDE',
	'FOWNER',
	'FSETID',
	'KILL',
	'NET_BIND_SERVICE',
	'SETGID',
	'SETUID',
	'SYS_CHROOT',
] as const;

export interface K8sOptions {
	/** The image reference the cluster pulls. */
	image: string;
	/** Whether `image` is one `publish` pushed; false: the file and the output say the cluster cannot pull it. */
	published: boolean;
	/** Written into each object; else kubectl's current namespace. */
	namespace?: string;
	/** The PVCs' storage class; else the cluster's default. */
	storageClass?: string;
	/** The home PVC's size (a Kubernetes quantity); the host keys and SSH state get 1Gi. */
	homeSize?: string;
	/** A Service for SSH (and mosh's UDP ports); none by default: `kubectl exec` reaches sshd. */
	service?: ServiceType;
	runtimeClass?: string;
	nodeSelector?: Record<string, string>;
	/** The authorized_keys text (STEM_AUTH_KEYS_PATH's content); undefined: none, nobody can log in yet. */
	authorizedKeys?: string;
	/** The Apogee secrets file's content (APOGEE_SECRETS_PATH's); undefined: none. */
	secrets?: string;
}

export interface K8sExport {
	/** The Deployment's name, and the prefix of every other object's. */
	name: string;
	objects: Record<string, unknown>[];
	/** What the cluster gets differently from the Docker host, and why: printed, and written as comments. */
	notes: string[];
}

export const DEFAULT_HOME_SIZE = '20Gi';
const SMALL_SIZE = '1Gi';

/** A DNS-1035 label (Service names are): lower case, a letter first, at most 63 with the longest suffix. */
export function k8sName(containerName: string): string {
	let n = containerName
		.toLowerCase()
		.replace(/[^a-z0-9-]+/g, '-')
		.replace(/^-+|-+$/g, '');
	if (!/^[a-z]/.test(n)) n = `hatch-${n}`;
	// "-authorized-keys" is the longest suffix: 16 characters.
	return n.slice(0, 47).replace(/-+$/, '');
}

/** A Kubernetes quantity, e.g. 20Gi, 500M. */
export function checkQuantity(v: string): string | undefined {
	return /^[1-9]\d*(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(v)
		? undefined
		: 'must be a Kubernetes quantity like 20Gi or 500Mi';
}

/** A DNS-1123 label (namespaces). */
export function checkLabelName(v: string): string | undefined {
	return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v)
		? undefined
		: 'must be lower-case letters, digits and "-", at most 63, starting and ending with a letter or digit';
}

/** A DNS-1123 subdomain (storage and runtime classes). */
export function checkSubdomain(v: string): string | undefined {
	return v.length <= 253 && v.split('.').every(part => !checkLabelName(part))
		? undefined
		: 'must be lower-case letters, digits, "-" and ".", each part starting and ending with a letter or digit';
}

/** The GPUs a pod asks for: Kubernetes takes a count, never "all" or device ids. */
function gpuCount(value: string | undefined, notes: string[]): number {
	const req = parseGpus(value);
	if (req.kind === 'none') return 0;
	if (req.kind === 'count') return req.count;
	if (req.kind === 'all') {
		notes.push(`${KEY.gpus}=all: a pod asks for a number of GPUs; it asks for 1 (--set ${KEY.gpus}=N for more)`);
		return 1;
	}
	notes.push(
		`${KEY.gpus}=${value}: a pod cannot pick device ids; it asks for ${req.ids.length} GPU(s), the scheduler picks them`,
	);
	return req.ids.length;
}

/** Why a host-path setting is not in the pod, by what FIELDS says it is. */
function leftOutWhy(hostPath: string | undefined): string {
	return hostPath === 'agent'
		? "the Docker host's agent socket is not in the cluster; forward your own with ssh -A"
		: 'a folder on the Docker host, which a pod does not mount (no hostPath); copy what you need into the home';
}

export function k8sObjects(image: Image, values: Values, options: K8sOptions): K8sExport {
	const all = {...defaults(image), ...values};
	const name = k8sName(all[KEY.name]!);
	const notes: string[] = [];
	if (name !== all[KEY.name])
		notes.push(`${KEY.name}=${all[KEY.name]} is not a Kubernetes name: the objects are named ${name}`);
	if (!options.published)
		notes.push(
			`the image ${options.image} is the name of the local build, not one published to a registry: push it ` +
				`(hatch-wizard publish ${all[KEY.name]} --repo REPO --version X.Y.Z) and export again with --repo REPO:X.Y.Z`,
		);
	const labels = {
		'app.kubernetes.io/name': `hatch-${image}`,
		'app.kubernetes.io/instance': name,
		'app.kubernetes.io/managed-by': 'hatch-wizard',
	};
	const selector = {'app.kubernetes.io/name': labels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': name};
	const meta = (suffix: string) => ({
		name: `${name}${suffix}`,
		...(options.namespace ? {namespace: options.namespace} : {}),
		labels,
	});

	const settings: Record<string, string> = {};
	for (const f of fieldsFor(image)) {
		const value = all[f.key] ?? '';
		if (f.container === 'env') {
			if (!NETWORK_KEYS.includes(f.key)) settings[f.key] = value;
			continue;
		}
		// Host paths: the keys and the secrets travel as their content; folders and sockets stay on the host.
		const hostOnly =
			f.container === 'mounts' || (typeof f.container === 'object' && f.hostPath !== 'keys' && f.hostPath !== 'file');
		if (value && hostOnly) notes.push(`${f.key}=${value} left out: ${leftOutWhy(f.hostPath)}`);
	}
	if (all[KEY.network] === 'host')
		notes.push(
			`${KEY.network}=host left out: a pod has a network of its own; sshd listens on port ${POD_SSH_PORT} there`,
		);
	if (all[KEY.listen] !== '0.0.0.0')
		notes.push(`${KEY.listen}=${all[KEY.listen]} left out: who reaches the pod is the Service's (--service) to say`);
	const hostname = all[KEY.hostname]!.toLowerCase();
	if (hostname !== all[KEY.hostname]) notes.push(`${KEY.hostname}=${all[KEY.hostname]}: a pod's is lower case`);
	if (options.authorizedKeys === undefined)
		notes.push(`no authorized keys (${KEY.authKeys} is empty): nobody can log in until you export with one`);
	if (image === 'neuron')
		notes.push(`${CONTAINER_PATHS.workspace} is the container's own in a pod, not a volume: keep work in the home`);

	const pvc = (suffix: string, size: string) => ({
		apiVersion: 'v1',
		kind: 'PersistentVolumeClaim',
		metadata: meta(suffix),
		spec: {
			accessModes: ['ReadWriteOnce'],
			...(options.storageClass ? {storageClassName: options.storageClass} : {}),
			resources: {requests: {storage: size}},
		},
	});
	const claims = [
		{volume: 'home', suffix: '-home', size: options.homeSize ?? DEFAULT_HOME_SIZE, path: CONTAINER_PATHS.home},
		{volume: 'sshkeys', suffix: '-sshkeys', size: SMALL_SIZE, path: CONTAINER_PATHS.hostKeys},
		{volume: 'sshstate', suffix: '-sshstate', size: SMALL_SIZE, path: CONTAINER_PATHS.sshState},
	];
	const keysField = fieldsFor(image).find(f => f.hostPath === 'keys')!;
	const secretsField = fieldsFor(image).find(f => f.hostPath === 'file')!;
	const mountPath = (f: typeof keysField) => (typeof f.container === 'object' ? f.container.mount : '');
	const secretsPath = mountPath(secretsField);

	const volumes: Record<string, unknown>[] = claims.map(c => ({
		name: c.volume,
		persistentVolumeClaim: {claimName: `${name}${c.suffix}`},
	}));
	const mounts: Record<string, unknown>[] = claims.map(c => ({name: c.volume, mountPath: c.path}));
	if (options.authorizedKeys !== undefined) {
		// A folder where the boot looks for the file: a ConfigMap volume holds files (02-authorized-keys.sh).
		volumes.push({
			name: 'authorized-keys',
			configMap: {name: `${name}-authorized-keys`, items: [{key: KEYS_FILE, path: KEYS_FILE}]},
		});
		mounts.push({name: 'authorized-keys', mountPath: mountPath(keysField), readOnly: true});
	}
	if (options.secrets !== undefined) {
		const dir = secretsPath.slice(0, secretsPath.lastIndexOf('/'));
		volumes.push({name: 'apogee-secrets', secret: {secretName: `${name}-apogee`, defaultMode: 0o400}});
		mounts.push({name: 'apogee-secrets', mountPath: dir, readOnly: true});
	}
	if (image === 'neuron') {
		// compose's shm_size: PyTorch's data loaders share memory through /dev/shm.
		volumes.push({name: 'shm', emptyDir: {medium: 'Memory', sizeLimit: '8Gi'}});
		mounts.push({name: 'shm', mountPath: '/dev/shm'});
	}

	const gpus = image === 'neuron' ? gpuCount(all[KEY.gpus], notes) : 0;
	const mosh = /^(\d+)-(\d+)$/.exec(all[KEY.moshPorts] ?? '');
	const moshPorts = mosh ? range(Number(mosh[1]), Number(mosh[2])) : [];
	const container: Record<string, unknown> = {
		name: CONTAINER,
		image: options.image,
		envFrom: [{configMapRef: {name: `${name}-settings`}}],
		ports: [
			{name: 'ssh', containerPort: POD_SSH_PORT, protocol: 'TCP'},
			...moshPorts.map(p => ({containerPort: p, protocol: 'UDP'})),
		],
		// The boot starts as root (it creates the user, owns the host keys, starts sshd): not privileged, and
		// only the capabilities it uses.
		securityContext: {privileged: false, capabilities: {drop: ['ALL'], add: [...CAPABILITIES]}},
		...(gpus ? {resources: {limits: {'nvidia.com/gpu': gpus}}} : {}),
		readinessProbe: {tcpSocket: {port: 'ssh'}, periodSeconds: 5},
		volumeMounts: mounts,
	};
	const deployment = {
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: meta(''),
		spec: {
			replicas: 1,
			strategy: {type: 'Recreate'},
			selector: {matchLabels: selector},
			template: {
				metadata: {labels},
				spec: {
					hostname,
					...(options.runtimeClass ? {runtimeClassName: options.runtimeClass} : {}),
					...(options.nodeSelector && Object.keys(options.nodeSelector).length
						? {nodeSelector: options.nodeSelector}
						: {}),
					terminationGracePeriodSeconds: 10,
					containers: [container],
					volumes,
				},
			},
		},
	};

	const objects: Record<string, unknown>[] = [
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('-settings'), data: settings},
		...(options.authorizedKeys === undefined
			? []
			: [
					{
						apiVersion: 'v1',
						kind: 'ConfigMap',
						metadata: meta('-authorized-keys'),
						data: {[KEYS_FILE]: options.authorizedKeys},
					},
				]),
		...(options.secrets === undefined
			? []
			: [
					{
						apiVersion: 'v1',
						kind: 'Secret',
						metadata: meta('-apogee'),
						type: 'Opaque',
						data: {[SECRETS_FILE]: Buffer.from(options.secrets).toString('base64')},
					},
				]),
		...claims.map(c => pvc(c.suffix, c.size)),
		deployment,
	];
	if (options.service) {
		const port = Number(all[KEY.port]);
		objects.push({
			apiVersion: 'v1',
			kind: 'Service',
			metadata: meta('-ssh'),
			spec: {
				type: options.service,
				selector,
				ports: [
					{name: 'ssh', port, targetPort: 'ssh', protocol: 'TCP'},
					...moshPorts.map(p => ({name: `mosh-${p}`, port: p, targetPort: p, protocol: 'UDP'})),
				],
			},
		});
		if (moshPorts.length && options.service === 'NodePort')
			notes.push(
				"mosh through a NodePort Service: the node's ports differ from the pod's, which mosh-server announces; " +
					'use LoadBalancer for mosh',
			);
	}
	return {name, objects, notes};
}

function range(lo: number, hi: number): number[] {
	return Array.from({length: hi - lo + 1}, (_, i) => lo + i);
}

/** The YAML file: the notes as comments at its top, then one document per object. */
export function renderK8s(image: Image, values: Values, options: K8sOptions): K8sExport & {text: string} {
	const out = k8sObjects(image, values, options);
	const docs = out.objects.map((o, i) => {
		const doc = new Document(o, {aliasDuplicateObjects: false});
		if (i === 0)
			doc.commentBefore = [
				` hatch ${image} ${out.name}: written by hatch-wizard export k8s from the stack's settings.`,
				' Apply it with kubectl apply -f. The PersistentVolumeClaims hold the home and the host keys:',
				' kubectl delete -f on this file deletes them too.',
				...out.notes.map(n => ` note: ${n}`),
			].join('\n');
		return doc.toString({lineWidth: 0});
	});
	return {...out, text: docs.join('---\n')};
}

/** The file with every Secret's values hidden: what a diff of it may show. Unreadable YAML gives undefined. */
export function maskSecrets(text: string): string | undefined {
	const docs = parseAllDocuments(text);
	if (!Array.isArray(docs) || docs.some(d => d.errors.length)) return undefined;
	return docs
		.map(doc => {
			if (doc.get('kind') === 'Secret')
				for (const key of ['data', 'stringData']) {
					const map = doc.get(key) as {items?: {value: unknown}[]} | undefined;
					for (const item of map?.items ?? []) item.value = doc.createNode('(hidden)');
				}
			// Each document after the first keeps its own "---" line.
			return doc.toString({lineWidth: 0});
		})
		.join('');
}

/** Every Secret's values in the file, to tell whether they changed without showing them. */
export function secretValues(text: string): string {
	const docs = parseAllDocuments(text);
	const docList = Array.isArray(docs) ? docs : [];
	return JSON.stringify(
		docList.map(d => d.toJS() as {kind?: unknown; data?: unknown}).flatMap(o => (o?.kind === 'Secret' ? [o.data] : [])),
	);
}

/** Quoted for sh and for ssh_config's ProxyCommand (which expands %-tokens), unless it needs no quotes. */
function shellWord(s: string): string {
	const q = /^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
	return q.replaceAll('%', '%%');
}

/** kubectl with the context and namespace given (else its current ones). */
export function kubectl(context?: string, namespace?: string): string {
	return [
		'kubectl',
		...(context ? ['--context', shellWord(context)] : []),
		...(namespace ? ['-n', shellWord(namespace)] : []),
	].join(' ');
}

/** The command, run in the container, that joins its stdin and stdout to sshd (socat is in the image). */
export function inPodConnect(port = POD_SSH_PORT): string {
	return `/usr/bin/socat STDIO TCP:127.0.0.1:${port}`;
}

/** The ProxyCommand: the Kubernetes API carries the SSH connection into the container, no port exposed. */
export function proxyCommand(name: string, context?: string, namespace?: string): string {
	return `${kubectl(context, namespace)} exec -i deploy/${name} -c ${CONTAINER} -- ${inPodConnect()}`;
}
