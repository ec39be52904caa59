// `hatch-wizard export k8s [NAME]`: the stack as one Kubernetes YAML file (source/core/k8s.ts), written with a
// diff and a backup like every other file, then how to apply it and how ssh reaches the pod (through
// `kubectl exec`, with the host key pinned under its alias).
import {existsSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {ansi, changeLines, colorFor} from '../core/describe.js';
import {unifiedDiff} from '../core/diff.js';
import {
	checkLabelName,
	checkQuantity,
	checkSubdomain,
	kubectl,
	maskSecrets,
	POD_SSH_PORT,
	proxyCommand,
	renderK8s,
	SERVICE_TYPES,
	type ServiceType,
	secretValues,
} from '../core/k8s.js';
import {CONTAINER_PATHS, checkAuthorizedKeysText, checkImageRef, fieldsFor, type Image, KEY} from '../core/model.js';
import {parseSets, resolveConfig} from '../core/resolve.js';
import {FileError, readBounded} from '../files.js';
import {hostBlock} from '../sshconfig.js';
import {apply, compare} from '../stack.js';
import type {Store} from '../store.js';
import {CommandError, type StackRef, UsageError} from './common.js';
import {findStack} from './stacks.js';

const FILE_MAX = 1_000_000;

export interface ExportOptions {
	/** The stack's name (a registered stack); else --image finds one, or --set alone makes one up. */
	name?: string;
	image?: Image;
	set: string[];
	/** The file to write; default: <stack folder>/k8s/<name>.yaml. */
	out?: string;
	/** REPO[:TAG] that publish pushed; default: the stack's STEM_IMAGE, said to be unpublished. */
	repo?: string;
	context?: string;
	namespace?: string;
	storageClass?: string;
	size?: string;
	service?: string;
	runtimeClass?: string;
	nodeSelector?: string[];
}

function option(flag: string, value: string | undefined, check: (v: string) => string | undefined): void {
	const why = value === undefined ? undefined : check(value);
	if (why) throw new UsageError(`${flag} ${why} (got "${value}")`);
}

function nodeSelector(items: string[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const item of items.flatMap(i => i.split(','))) {
		const m = /^([A-Za-z0-9][A-Za-z0-9._/-]*)=([A-Za-z0-9._-]*)$/.exec(item);
		if (!m) throw new UsageError(`--node-selector "${item}" must be KEY=VALUE (e.g. nvidia.com/gpu.present=true)`);
		out[m[1]!] = m[2]!;
	}
	return out;
}

/** A host file the stack names, read here; its problem named with the setting and the fix. */
function hostFile(key: string, path: string): string {
	try {
		return readBounded(path, FILE_MAX, key);
	} catch (error) {
		if (error instanceof FileError) throw new CommandError(`${error.message}; fix ${key} (or --set ${key}=)`);
		throw error;
	}
}

/** The stack to export and its values (--set over them): a registered one, or none with --set alone. */
function stackOf(store: Store, o: ExportOptions): {ref?: StackRef; image: Image; sets: Record<string, string>} {
	const how = {...(o.name === undefined ? {} : {name: o.name}), ...(o.image ? {image: o.image} : {})};
	const ref = o.name !== undefined || o.set.length === 0 ? findStack(store, how) : undefined;
	const image = ref?.image ?? o.image ?? 'stem';
	const {sets, errors} = parseSets(
		o.set,
		fieldsFor(image).map(f => f.key),
	);
	if (errors.length) throw new UsageError(errors.join('\n'));
	if (!ref && o.out === undefined)
		throw new UsageError('export k8s without a stack (--set alone) needs --out FILE: there is no stack folder');
	return {...(ref ? {ref} : {}), image, sets};
}

export async function exportCommand(
	store: Store,
	args: string[],
	options: Omit<ExportOptions, 'name'>,
	out: (s: string) => void,
): Promise<number> {
	const [target, name, ...extra] = args;
	if (target !== 'k8s') throw new UsageError(`export takes what to export to: k8s (got ${target ?? 'nothing'})`);
	if (extra.length) throw new UsageError(`export k8s takes one stack name (got: ${args.slice(1).join(' ')})`);
	const o: ExportOptions = {...options, ...(name === undefined ? {} : {name})};
	option('--namespace', o.namespace, checkLabelName);
	option('--runtime-class', o.runtimeClass, checkSubdomain);
	option('--storage-class', o.storageClass, checkSubdomain);
	option('--size', o.size, checkQuantity);
	option('--repo', o.repo, checkImageRef);
	option('--service', o.service, v =>
		(SERVICE_TYPES as readonly string[]).includes(v) ? undefined : `must be one of: ${SERVICE_TYPES.join(', ')}`,
	);
	const {ref, image, sets} = stackOf(store, o);
	const resolved = resolveConfig({image, ...(ref ? {existing: ref.values} : {}), sets});
	if (resolved.problems.length) throw new UsageError(resolved.problems.map(p => p.message).join('\n'));
	const values = resolved.values;

	const keysPath = values[KEY.authKeys];
	const authorizedKeys = keysPath ? hostFile(KEY.authKeys, keysPath) : undefined;
	const keysError = authorizedKeys === undefined ? undefined : checkAuthorizedKeysText(authorizedKeys).error;
	if (keysError) throw new CommandError(keysError);
	const secretsKey = fieldsFor(image).find(f => f.hostPath === 'file')!.key;
	const secrets = values[secretsKey] ? hostFile(secretsKey, values[secretsKey]!) : undefined;

	const exported = renderK8s(image, values, {
		image: o.repo ?? values[KEY.image]!,
		published: o.repo !== undefined,
		...(o.namespace ? {namespace: o.namespace} : {}),
		...(o.storageClass ? {storageClass: o.storageClass} : {}),
		...(o.size ? {homeSize: o.size} : {}),
		...(o.service ? {service: o.service as ServiceType} : {}),
		...(o.runtimeClass ? {runtimeClass: o.runtimeClass} : {}),
		...(o.nodeSelector?.length ? {nodeSelector: nodeSelector(o.nodeSelector)} : {}),
		...(authorizedKeys === undefined ? {} : {authorizedKeys}),
		...(secrets === undefined ? {} : {secrets}),
	});
	const file = o.out === undefined ? join(ref!.dir, 'k8s', `${exported.name}.yaml`) : resolve(o.out);

	// A file with a Secret is the user's alone, and its diff shows the Secret's values hidden.
	const [change] = await compare([
		{path: file, content: exported.text, mode: secrets ? 0o600 : 0o644, showDiff: true, quiet: Boolean(secrets)},
	]);
	if (secrets && change!.state === 'changed') {
		const [was, now] = [maskSecrets(change!.old!), maskSecrets(exported.text)];
		change!.diff = was === undefined || now === undefined ? '' : unifiedDiff(was, now, file, `${file} (new)`);
	}
	const color = colorFor(process.stdout.isTTY, process.env);
	if (change!.diff) out(ansi(changeLines(change!), color));
	if (secrets && change!.state === 'changed' && secretValues(change!.old!) !== secretValues(exported.text))
		out(`the Secret's values changed too (${secretsKey}'s content; not shown)\n`);
	const [done] = await apply([change!]);
	out(ansi(changeLines({...done!, diff: ''}, true), color));
	for (const note of exported.notes) out(`note: ${note}\n`);

	const alias = `${exported.name}-k8s`;
	const identity = keysPath?.endsWith('.pub') && existsSync(keysPath.slice(0, -4)) ? keysPath.slice(0, -4) : undefined;
	const block = hostBlock({
		name: alias,
		hostName: exported.name,
		port: String(POD_SSH_PORT),
		user: values[KEY.user]!,
		...(identity ? {identityFile: identity} : {}),
		forwardAgent: false,
		proxyCommand: proxyCommand(exported.name, o.context, o.namespace),
	});
	const k = kubectl(o.context, o.namespace);
	out(
		[
			'',
			'Apply it:',
			`  ${k} apply -f ${file}`,
			`  ${k} rollout status deploy/${exported.name}`,
			'',
			'Nothing is exposed: ssh goes through the Kubernetes API (kubectl exec) into the container. Add this to',
			'~/.ssh/config:',
			'',
			block,
			'',
			`Once the pod is ready, pin its host key (kept on its volume, so a new pod keeps it):`,
			`  ${k} exec deploy/${exported.name} -c stem -- /bin/cat ${CONTAINER_PATHS.hostKeys}/ssh_host_ed25519_key.pub \\`,
			`    | awk '{print "hatch-${alias}", $1, $2}' >> ~/.ssh/known_hosts`,
			`Then: ssh ${alias}`,
			'',
		].join('\n'),
	);
	return 0;
}
