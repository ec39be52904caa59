// `hatch-wizard export k8s`, run: the stem image built by the engine is loaded into podman, which plays the
// exported Deployment, PVCs and ConfigMaps as Kubernetes would (`podman kube play`), and ssh logs in through the
// exported Host block, `podman exec -i` standing in for `kubectl exec`: the right user and ids, the host key
// pinned under its alias. Then `podman kube down` and play again: the home and the host key are still there.
// (podman 4.3 panics on Secret volumes: this stack has no Apogee secrets; the Secret is covered by the schema
// test in test/unit/k8s.test.ts.)
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {type Document, parseAllDocuments} from 'yaml';
import {parseEnv} from '../../source/core/env.js';
import {runCli} from '../helpers/cli.js';
import {until} from '../helpers/until.js';
import {destroy, type Stack, sh, writeStack} from './helpers.js';

const NAME = 'hatch-e2e-k8s-export';
const ALIAS = `${NAME}-k8s`;
/** podman names a Deployment's pod <name>-pod-0, and its container <pod>-<container>. */
const CONTAINER = `${NAME}-pod-0-stem`;
const IMAGE = `localhost/hatch-e2e/${NAME}:test`;

describe.sequential('export k8s, played by podman', () => {
	let s: Stack;
	let env: NodeJS.ProcessEnv;
	let file: string;
	let played: string;
	let sshConfig: string;
	let knownHosts: string;
	let exported: ReturnType<typeof runCli>;
	const podman = (...args: string[]) => sh('podman', args, {env});

	/** The boot's log of the pod's container now. */
	const bootLog = () => {
		const r = sh('podman', ['logs', CONTAINER], {env, allowFail: true});
		return r.stdout + r.stderr;
	};
	const waitReady = () =>
		until(
			() => {
				const text = bootLog();
				if (text.includes('FAILED (exit')) throw new Error(`boot failed:\n${text}`);
				return text.includes('hatch: ready');
			},
			() => `the pod's boot to be ready:\n${bootLog()}`,
			{timeoutMs: 90_000, everyMs: 200},
		);
	const hostKey = () =>
		podman('exec', CONTAINER, '/bin/cat', '/etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub')
			.stdout.trim()
			.split(' ')
			.slice(0, 2)
			.join(' ');
	/** ssh through the exported Host block, the host key checked against the pin. */
	const login = (command: string) =>
		sh(
			'ssh',
			[
				'-F',
				sshConfig,
				'-o',
				`UserKnownHostsFile=${knownHosts}`,
				'-o',
				'StrictHostKeyChecking=yes',
				'-o',
				'BatchMode=yes',
				'-o',
				'LogLevel=ERROR',
				ALIAS,
				command,
			],
			{env, allowFail: true},
		);

	beforeAll(() => {
		s = writeStack(NAME, 'stem', {});
		// This machine's podman: no default ulimits (the engine here refuses to raise them).
		const conf = join(s.root, 'containers.conf');
		writeFileSync(conf, '[containers]\ndefault_ulimits = []\n');
		env = {...process.env, CONTAINERS_CONF: conf};
		s.compose('build', '--progress', 'plain');
		const save = spawnSync('bash', ['-c', 'docker save "$1" | podman load', 'save', `hatch-e2e/${NAME}:test`], {
			env,
			encoding: 'utf8',
			timeout: 300_000,
		});
		if (save.status !== 0) throw new Error(`docker save | podman load failed:\n${save.stdout}\n${save.stderr}`);

		exported = runCli(['export', 'k8s', NAME, '--repo', IMAGE, '--context', 'ci', '--namespace', 'dev'], {
			home: s.root,
		});
		if (exported.code !== 0) throw new Error(`export failed:\n${exported.stdout}\n${exported.stderr}`);
		file = join(s.dir, 'k8s', `${NAME}.yaml`);
		// podman plays the objects into its own namespace-less world: the file as written, less the namespace.
		played = join(s.root, 'played.yaml');
		writeFileSync(played, readFileSync(file, 'utf8').replaceAll('  namespace: dev\n', ''));

		// The exported Host block, with `podman exec -i` where kubectl exec would reach the pod.
		const block = exported.stdout.slice(
			exported.stdout.indexOf(`# >>> hatch ${ALIAS} >>>`),
			exported.stdout.indexOf(`# <<< hatch ${ALIAS} <<<`),
		);
		const kubectlExec = `kubectl --context ci -n dev exec -i deploy/${NAME} -c stem --`;
		expect(block).toContain(`ProxyCommand ${kubectlExec} /usr/bin/socat STDIO TCP:127.0.0.1:22`);
		sshConfig = join(s.root, 'ssh_config');
		writeFileSync(sshConfig, block.replace(kubectlExec, `podman exec -i ${CONTAINER}`));
		knownHosts = join(s.root, 'known_hosts');
	});

	afterAll(() => {
		if (!s) return;
		sh('podman', ['kube', 'down', played], {env, allowFail: true});
		for (const v of ['home', 'sshkeys', 'sshstate', 'settings', 'authorized-keys'])
			sh('podman', ['volume', 'rm', '-f', `${NAME}-${v}`], {env, allowFail: true});
		sh('podman', ['rmi', '-f', IMAGE], {env, allowFail: true});
		destroy(s);
	});

	it('plays: the boot is ready, and ssh through the Host block logs in as the stack user, host key pinned', async () => {
		expect(exported.stdout).toContain(`kubectl --context ci -n dev apply -f ${file}`);
		// writeStack's host networking is not the pod's: the output says it left it out.
		expect(exported.stdout).toContain('note: STEM_NETWORK_MODE=host left out');
		podman('kube', 'play', played);
		await waitReady();
		writeFileSync(knownHosts, `hatch-${ALIAS} ${hostKey()}\n`);
		const values = parseEnv(readFileSync(join(s.dir, '.env'), 'utf8'));
		const r = login('id -un; id -u; id -g; echo kept-across-pods > ~/kept');
		expect(r.stderr).toBe('');
		expect(r.stdout.trim().split('\n')).toEqual([values.STEM_USER, values.STEM_UID, values.STEM_GID]);
		// A wrong pin is refused: the check is real.
		writeFileSync(knownHosts, `hatch-${ALIAS} ${hostKey().replace(/.{8}$/, 'AAAAAAAA')}\n`);
		expect(login('true').code).not.toBe(0);
		writeFileSync(knownHosts, `hatch-${ALIAS} ${hostKey()}\n`);
	});

	it('after kube down and play again: the home file is there and the host key is the same', async () => {
		const before = hostKey();
		podman('kube', 'down', played);
		expect(sh('podman', ['container', 'exists', CONTAINER], {env, allowFail: true}).code).not.toBe(0);
		// podman 4.3 refuses to play a PVC whose volume exists (kubectl apply leaves it as it is): play the rest,
		// whose claims find the volumes by name, as a cluster's pod finds its PVCs.
		const again = join(s.root, 'again.yaml');
		const docs = parseAllDocuments(readFileSync(played, 'utf8')) as Document[];
		writeFileSync(again, docs.filter(d => d.get('kind') !== 'PersistentVolumeClaim').join(''));
		expect(readFileSync(again, 'utf8')).toContain('claimName: hatch-e2e-k8s-export-home');
		podman('kube', 'play', again);
		await waitReady();
		expect(hostKey()).toBe(before);
		const r = login('cat ~/kept');
		expect(r.stderr).toBe('');
		expect(r.stdout).toBe('kept-across-pods\n');
	});
});
