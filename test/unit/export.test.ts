// `hatch-wizard export k8s` (source/commands/export.ts), in process: a registered stack found by its name is
// written to <stack>/k8s/<name>.yaml with a diff and a backup like every other file, the Secret never shown;
// the output gives the kubectl apply line and the Host block that reaches sshd through kubectl exec.
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';
import {fakeHome} from '../helpers/cli.js';
import {runMain} from '../helpers/main.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const SECRET = 'APOGEE_TOKEN=do-not-show-me';

/** A stem stack named `name` written with --yes (no build, no start), with a key and a secrets file. */
async function stack(name: string) {
	const config = tmp('hatch-cfg-');
	const out = tmp('hatch-out-');
	const home = fakeHome();
	const secrets = join(home, 'secrets.env');
	writeFileSync(secrets, `${SECRET}\n`, {mode: 0o600});
	const sets = {
		STEM_CONTAINER_NAME: name,
		STEM_USER: 'alice',
		STEM_AUTH_KEYS_PATH: join(home, '.ssh', 'id_ed25519.pub'),
		APOGEE_SECRETS_PATH: secrets,
		DROPBOX_PATH_ON_HOST: home,
	};
	const args = ['--yes', '--no-build', '--no-boot', '--out', out];
	for (const [k, v] of Object.entries(sets)) args.push('--set', `${k}=${v}`);
	const r = await runMain(args, {home, env: {HATCH_CONFIG_DIR: config}});
	expect(r.code, r.stderr).toBe(0);
	const run = (...more: string[]) => runMain(more, {home, env: {HATCH_CONFIG_DIR: config}});
	return {config, dir: join(out, 'stem'), home, secrets, run};
}

describe('export k8s NAME', () => {
	it('writes the stack as YAML in its folder, says how to apply it and how ssh reaches the pod', async () => {
		const s = await stack('box');
		const r = await s.run(
			'export',
			'k8s',
			'box',
			'--context',
			'prod',
			'--namespace',
			'dev',
			'--repo',
			'you/stem:1.0.0',
		);
		expect(r.code, r.stderr).toBe(0);
		const file = join(s.dir, 'k8s', 'box.yaml');
		const text = readFileSync(file, 'utf8');
		const kinds = parseAllDocuments(text) as {toJS(): {kind: string}}[];
		expect(kinds.map(d => d.toJS().kind)).toEqual([
			'ConfigMap',
			'ConfigMap',
			'Secret',
			'PersistentVolumeClaim',
			'PersistentVolumeClaim',
			'PersistentVolumeClaim',
			'Deployment',
		]);
		expect(text).toContain('image: you/stem:1.0.0');
		expect(text).toContain('STEM_USER: alice');
		// The Secret is in the file (so the file is the user's alone), never in what is printed.
		expect(text).toContain(Buffer.from(`${SECRET}\n`).toString('base64'));
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(r.stdout).not.toContain(Buffer.from(`${SECRET}\n`).toString('base64'));
		expect(r.stdout).toContain(`created   ${file}`);
		expect(r.stdout).toContain(`kubectl --context prod -n dev apply -f ${file}`);
		expect(r.stdout).toContain(
			'  ProxyCommand kubectl --context prod -n dev exec -i deploy/box -c stem -- /usr/bin/socat STDIO TCP:127.0.0.1:22',
		);
		expect(r.stdout).toContain('Host box-k8s\n');
		expect(r.stdout).toContain('  User alice\n');
		expect(r.stdout).toContain('  HostKeyAlias hatch-box-k8s\n');
		expect(r.stdout).toContain(`"hatch-box-k8s", $1, $2`);
		// The Dropbox folder is a path on this host: left out, and said so.
		expect(r.stdout).toContain(`note: DROPBOX_PATH_ON_HOST=${s.home} left out`);
		expect(r.stdout).not.toContain('not one published');
	});

	it('again: unchanged; a change shows its diff with the Secret hidden, and keeps a backup', async () => {
		const s = await stack('box2');
		expect((await s.run('export', 'k8s', 'box2')).code).toBe(0);
		const file = join(s.dir, 'k8s', 'box2.yaml');
		const first = readFileSync(file, 'utf8');
		// Without --repo the image is the local build's name, and the output says it is not published.
		expect(first).toContain('# note: the image hatch/stem:latest is the name of the local build');
		const same = await s.run('export', 'k8s', 'box2');
		expect(same.stdout).toContain(`unchanged ${file}`);
		expect(readdirSync(join(s.dir, 'k8s'))).toEqual(['box2.yaml']);

		writeFileSync(s.secrets, 'APOGEE_TOKEN=a-new-one\n');
		const changed = await s.run('export', 'k8s', 'box2', '--size', '50Gi');
		expect(changed.code, changed.stderr).toBe(0);
		expect(changed.stdout).toContain('-      storage: 20Gi');
		expect(changed.stdout).toContain('+      storage: 50Gi');
		expect(changed.stdout).toContain("the Secret's values changed too (APOGEE_SECRETS_PATH's content; not shown)");
		expect(changed.stdout).not.toContain(Buffer.from(`${SECRET}\n`).toString('base64'));
		expect(changed.stdout).not.toContain(Buffer.from('APOGEE_TOKEN=a-new-one\n').toString('base64'));
		const backups = readdirSync(join(s.dir, 'k8s')).filter(f => f.startsWith('box2.yaml.bak-'));
		expect(backups).toHaveLength(1);
		expect(readFileSync(join(s.dir, 'k8s', backups[0]!), 'utf8')).toBe(first);
		expect(changed.stdout).toContain(`(old copy: ${join(s.dir, 'k8s', backups[0]!)})`);
	});

	it('--service and --out: the Service is written, to the file named', async () => {
		const s = await stack('box3');
		const file = join(tmp('hatch-k8s-'), 'box.yaml');
		const r = await s.run('export', 'k8s', 'box3', '--service', 'NodePort', '--out', file);
		expect(r.code, r.stderr).toBe(0);
		expect(readFileSync(file, 'utf8')).toContain('type: NodePort');
		expect(existsSync(join(s.dir, 'k8s'))).toBe(false);
	});
});

describe('export k8s without a stack, and its refusals', () => {
	it('--set alone, with --out: the settings given, no stack needed', async () => {
		const home = fakeHome();
		const file = join(tmp('hatch-k8s-'), 'x.yaml');
		const r = await runMain(
			[
				'export',
				'k8s',
				'--image',
				'neuron',
				'--set',
				'STEM_CONTAINER_NAME=gpu',
				'--set',
				'NEURON_GPUS=2',
				'--out',
				file,
			],
			{home, env: {HATCH_CONFIG_DIR: tmp('hatch-cfg-')}},
		);
		expect(r.code, r.stderr).toBe(0);
		const text = readFileSync(file, 'utf8');
		expect(text).toContain('nvidia.com/gpu: 2');
		expect(text).toContain('name: gpu');
		expect(r.stdout).toContain('note: no authorized keys');
	});

	it.each([
		[['export', 'k8s', '--set', 'STEM_USER=bob'], '--out FILE'],
		[['export', 'swarm', 'box'], 'k8s'],
		[['export', 'k8s', 'a', 'b'], 'one stack name'],
		[['export', 'k8s', 'nobox'], 'no stack named "nobox"'],
		[['export', 'k8s', '--service', 'Ingress', '--set', 'STEM_USER=bob', '--out', '/tmp/x.yaml'], '--service'],
		[['export', 'k8s', '--namespace', 'Not_A_Name', '--set', 'STEM_USER=bob', '--out', '/tmp/x.yaml'], '--namespace'],
		[['export', 'k8s', '--size', 'lots', '--set', 'STEM_USER=bob', '--out', '/tmp/x.yaml'], '--size'],
		[['export', 'k8s', '--set', 'STEM_USER=root', '--out', '/tmp/x.yaml'], 'STEM_USER'],
	])('%j is refused (exit 2), naming %s', async (args, words) => {
		const r = await runMain(args, {home: fakeHome(), env: {HATCH_CONFIG_DIR: tmp('hatch-cfg-')}});
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(words);
	});

	it('a key file that is gone is named with its setting', async () => {
		const s = await stack('box4');
		const r = await s.run('export', 'k8s', 'box4', '--set', 'STEM_AUTH_KEYS_PATH=/nonexistent/id.pub');
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('STEM_AUTH_KEYS_PATH /nonexistent/id.pub does not exist');
	});
});
