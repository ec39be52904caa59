// status, logs, bindu-update and publish against a stack that hatch-wizard built and booted.
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';
import {destroy, gitDaemon, hostKeyFingerprint, type Stack, sh, ssh, writeStack} from './helpers.js';

describe.sequential('commands on a running stack', () => {
	let s: Stack;
	let daemon: ChildProcess;
	let registry: ChildProcess;
	let work: string;
	let registryAddr: string;
	const git = (...a: string[]) =>
		sh(
			'git',
			['-c', 'user.name=hatch', '-c', 'user.email=hatch@example.invalid', '-c', 'init.defaultBranch=main', ...a],
			{cwd: work},
		);
	const cli = (...args: string[]) => runCli([...args, '--image', 'stem', '--out', s.root]);

	beforeAll(async () => {
		s = writeStack('hatch-e2e-cmds', 'stem', {});
		work = join(s.root, 'bindu-src');
		mkdirSync(join(work, 'apogee'), {recursive: true});
		writeFileSync(join(work, 'apogee', 'a.toml'), 'a = 1\n');
		writeFileSync(join(work, 'top.txt'), 'top v1\n');
		git('init', '-q');
		git('add', '.');
		git('commit', '-qm', 'v1');
		const repos = join(s.root, 'repos');
		sh('git', ['clone', '-q', '--bare', work, join(repos, 'bindu.git')]);
		git('remote', 'add', 'origin', join(repos, 'bindu.git'));
		const gitPort = s.port + 1000;
		daemon = await gitDaemon(repos, gitPort, 'bindu.git');

		const regPort = s.port + 2000;
		registryAddr = `127.0.0.1:${regPort}`;
		const regConfig = join(s.root, 'registry.yml');
		writeFileSync(
			regConfig,
			`version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(s.root, 'registry')}\nhttp:\n  addr: ` +
				`${registryAddr}\n`,
		);
		registry = spawn('docker-registry', ['serve', regConfig], {stdio: 'ignore'});

		const r = runCli([
			'--yes',
			'--image',
			'stem',
			'--out',
			s.root,
			'--set',
			`BINDU_REPO=git://127.0.0.1:${gitPort}/bindu.git`,
		]);
		expect(r.code, r.stdout + r.stderr).toBe(0);
	});

	afterAll(() => {
		daemon?.kill();
		registry?.kill();
		if (s) destroy(s);
		sh('bash', ['-c', `docker images -q --filter reference='${registryAddr}/*/*' | sort -u | xargs -r docker rmi -f`], {
			allowFail: true,
		});
	});

	it('status shows the container running and SSH answering with its host key', () => {
		const r = cli('status');
		expect(r.code, r.stdout + r.stderr).toBe(0);
		expect(r.stdout).toMatch(new RegExp(`^${s.name}: running since `));
		expect(r.stdout).toContain(`ssh: ok on port ${s.port}, host key ${hostKeyFingerprint(s)}`);
		expect(r.stdout).toContain('boot: ready, no warnings');
	});

	it('logs shows the boot', () => {
		const r = cli('logs');
		expect(r.code).toBe(0);
		expect(r.stdout).toContain('hatch: ready: sshd listening on 127.0.0.1:');
		expect(r.stdout).not.toMatch(/[\x1b\r]/); // piped: no ESC[2K or carriage returns
	});

	it('bindu-update --subtree updates only that folder of ~/.config', () => {
		writeFileSync(join(work, 'apogee', 'a.toml'), 'a = 2\n');
		writeFileSync(join(work, 'apogee', 'new.toml'), 'new = true\n');
		writeFileSync(join(work, 'top.txt'), 'top v2\n');
		git('commit', '-qam', 'v2');
		git('add', '.');
		git('commit', '-qm', 'v2 new');
		git('push', '-q', 'origin', 'main');
		const r = cli('bindu-update', '--subtree', 'apogee');
		expect(r.code, r.stdout + r.stderr).toBe(0);
		expect(r.stdout).toMatch(/~\/\.config\/apogee updated from .* main \([0-9a-f]+\): \d+ change\(s\)/);
		const inside = ssh(s, 'cat ~/.config/apogee/a.toml ~/.config/apogee/new.toml ~/.config/top.txt');
		expect(inside.stdout).toBe('a = 2\nnew = true\ntop v1\n');
		expect(cli('bindu-update', '--subtree', '../etc').code).toBe(2);
	});

	it(
		'bindu-update never deletes local files without --delete, lists them and needs --yes with it, keeps a copy ' +
			'and the secrets',
		() => {
			git('rm', '-q', 'apogee/new.toml');
			git('commit', '-qm', 'v3: new.toml dropped');
			git('push', '-q', 'origin', 'main');
			ssh(s, 'printf "TOKEN=keep\\n" > ~/.config/apogee/secrets.env; echo mine > ~/.config/apogee/notes.txt');
			const kept = 'cat ~/.config/apogee/secrets.env ~/.config/apogee/notes.txt; ls ~/.config/apogee';
			expect(cli('bindu-update', '--subtree', 'apogee').code).toBe(0);
			expect(ssh(s, kept).stdout).toBe('TOKEN=keep\nmine\na.toml\nnew.toml\nnotes.txt\nsecrets.env\n');

			// --delete with no terminal and no --yes: the list, and nothing changed.
			const asked = cli('bindu-update', '--subtree', 'apogee', '--delete');
			expect(asked.code).toBe(2);
			expect(asked.stdout).toContain('--delete removes 2 file(s) from ~/.config/apogee');
			expect(asked.stdout).toMatch(/ {2}- new\.toml\n {2}- notes\.txt\n/);
			expect(asked.stdout).not.toContain('secrets.env');
			expect(asked.stdout).toContain('nothing changed: pass --yes');
			expect(ssh(s, kept).stdout).toBe('TOKEN=keep\nmine\na.toml\nnew.toml\nnotes.txt\nsecrets.env\n');

			const r = cli('bindu-update', '--subtree', 'apogee', '--delete', '--yes');
			expect(r.code, r.stdout + r.stderr).toBe(0);
			expect(r.stdout).toMatch(/the folder as it was is kept as ~\/\.config\/apogee\.bak-\d{8}-\d{6}/);
			expect(ssh(s, 'ls ~/.config/apogee; cat ~/.config/apogee.bak-*/notes.txt').stdout).toBe(
				'a.toml\nsecrets.env\nmine\n',
			);
		},
	);

	it('publish builds once and pushes NAME:VERSION and NAME:latest with the version in the OCI labels', () => {
		const repo = `${registryAddr}/hatch-e2e/stem`;
		// Pushing the image's layers to the local registry takes a while on a loaded machine.
		const r = runCli(['publish', '--repo', repo, '--version', '1.2.3', '--image', 'stem', '--out', s.root], {
			timeoutMs: 300_000,
		});
		expect(r.code, r.stdout + r.stderr).toBe(0);
		expect(r.stdout).toContain(`published ${repo}:1.2.3 and ${repo}:latest`);
		const id = sh('docker', ['image', 'inspect', '--format', '{{.Id}}', `${repo}:1.2.3`]).stdout.trim();
		sh('docker', ['rmi', `${repo}:1.2.3`, `${repo}:latest`]);
		sh('docker', ['pull', '-q', `${repo}:1.2.3`]);
		sh('docker', ['pull', '-q', `${repo}:latest`]);
		expect(sh('docker', ['image', 'inspect', '--format', '{{.Id}}', `${repo}:latest`]).stdout.trim()).toBe(id);
		expect(
			sh('docker', [
				'image',
				'inspect',
				'--format',
				'{{index .Config.Labels "org.opencontainers.image.version"}}',
				`${repo}:1.2.3`,
			]).stdout.trim(),
		).toBe('1.2.3');
		expect(cli('publish', '--repo', repo, '--version', 'one').stderr).toContain('--version must look like 1.2.3');
	}, 320_000);

	it('by name from any folder: status from /, down keeps the volumes, up brings the same stack back', () => {
		const byName = (...args: string[]) => runCli(args, {cwd: '/', timeoutMs: 200_000});
		const status = byName('status', s.name);
		expect(status.code, status.stdout + status.stderr).toBe(0);
		expect(status.stdout).toContain(`ssh: ok on port ${s.port}`);
		const key = hostKeyFingerprint(s);
		ssh(s, 'echo kept > ~/marker');
		const down = byName('down', s.name);
		expect(down.code, down.stdout + down.stderr).toBe(0);
		expect(down.stdout).toContain(
			`${s.name} is down; its volumes are kept (hatch-wizard up ${s.name} starts it again)`,
		);
		const listed = JSON.parse(byName('list', '--json').stdout).find((x: {name: string}) => x.name === s.name);
		expect(listed).toMatchObject({dir: s.dir, folder: 'ok', container: 'absent'});
		const up = byName('up', s.name);
		expect(up.code, up.stdout + up.stderr).toBe(0);
		// The same home and the same host key: the volumes were kept.
		expect(ssh(s, 'cat ~/marker').stdout).toBe('kept\n');
		expect(hostKeyFingerprint(s)).toBe(key);
		const again = JSON.parse(byName('list', '--json').stdout).find((x: {name: string}) => x.name === s.name);
		expect(again).toMatchObject({container: 'running', ssh: true});
	}, 300_000);

	it('status says so when the container is stopped', () => {
		s.compose('stop', '--timeout', '2');
		const r = cli('status');
		expect(r.code).toBe(1);
		expect(r.stdout).toContain(`${s.name}: exited`);
	});
});
