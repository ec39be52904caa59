// The user bootstrap on awkward bases and homes, and the optional boot features (dotfiles, pixi without
// network, secrets, agent forwarding), each booted for real.
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {until} from '../helpers/until.js';
import {BASE, destroy, gitDaemon, logs, newKey, read, type Stack, sh, ssh, waitReady, writeStack} from './helpers.js';

const UBUNTU_BASE = 'hatch-e2e/base-ubuntu-user:test';

describe.sequential('user bootstrap on a base with ubuntu at 1000:1000 and a taken GID, and a big foreign home', () => {
	let fresh: Stack;
	let busy: Stack;
	const FILES = 20_000;

	beforeAll(async () => {
		// Like ubuntu:24.04: an `ubuntu` account at 1000:1000; plus a group already holding the GID we ask for.
		sh('docker', ['rm', '-f', 'hatch-e2e-mkbase'], {allowFail: true});
		sh('docker', [
			'run',
			'--name',
			'hatch-e2e-mkbase',
			'--network',
			'none',
			BASE,
			'bash',
			'-c',
			'groupadd -g 1000 ubuntu && useradd -u 1000 -g 1000 -m -s /bin/bash ubuntu && groupadd -g 1500 taken',
		]);
		sh('docker', ['commit', 'hatch-e2e-mkbase', UBUNTU_BASE]);
		sh('docker', ['rm', 'hatch-e2e-mkbase']);

		const sets = {STEM_BASE_IMAGE: UBUNTU_BASE, STEM_USER: 'alice', STEM_UID: '1000', STEM_GID: '1500'};
		fresh = writeStack('hatch-e2e-fresh', 'stem', sets);
		busy = writeStack('hatch-e2e-busy', 'stem', sets);
		// A home volume full of files owned by someone else (an old UID), as after moving hosts.
		sh('docker', ['volume', 'create', 'hatch-e2e-busy-home']);
		sh('docker', [
			'run',
			'--rm',
			'--network',
			'none',
			'-v',
			'hatch-e2e-busy-home:/home',
			BASE,
			'bash',
			'-c',
			`mkdir -p /home/alice/big && cd /home/alice/big && seq 1 ${FILES} | xargs touch && mkdir -p ` +
				`/home/alice/.config && chown -R 4242:4242 /home/alice`,
		]);
		fresh.compose('build', '--progress', 'plain');
		busy.compose('build', '--progress', 'plain');
	});

	afterAll(() => {
		destroy(fresh);
		destroy(busy);
		sh('docker', ['volume', 'rm', '-f', 'hatch-e2e-busy-home'], {allowFail: true});
		sh('docker', ['rmi', '-f', UBUNTU_BASE], {allowFail: true});
	});

	it('yields the configured user: ubuntu renamed, the taken GID used as primary group', async () => {
		fresh.compose('up', '-d');
		await waitReady(fresh);
		const r = ssh(fresh, 'id -u; id -g; id -un; getent passwd ubuntu || echo no-ubuntu', {user: 'alice'});
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout.trim().split('\n')).toEqual(['1000', '1500', 'alice', 'no-ubuntu']);
		expect(logs(fresh.name)).toContain('renamed user ubuntu (1000) to alice');
		expect(logs(fresh.name)).toContain('renamed group taken (1500) to alice');
	});

	it(`boots a home with ${FILES} foreign-owned files without touching them`, async () => {
		busy.compose('up', '-d');
		await waitReady(busy);
		const owners = sh('docker', [
			'exec',
			busy.name,
			'stat',
			'-c',
			'%u:%g',
			'/home/alice',
			'/home/alice/.config',
			'/home/alice/big',
			'/home/alice/big/1',
		])
			.stdout.trim()
			.split('\n');
		expect(owners).toEqual(['1000:1500', '1000:1500', '4242:4242', '4242:4242']);
		expect(logs(busy.name)).toContain('owner of ~ set to 1000:1500 (was 4242:4242)');
		expect(ssh(busy, 'true', {user: 'alice'}).code).toBe(0);
		// Only the listed paths were repaired: nothing under ~/big is named in the log. The time it takes is
		// bench/boot's to measure (a timed assert here would only measure the machine's load).
		expect(logs(busy.name)).not.toMatch(/~\/big/);
	});
});

describe.sequential('dotfiles, pixi without network, secrets and agent forwarding', () => {
	let s: Stack;
	let daemon: ChildProcess | undefined;
	let gitPort = 0;
	let repos = '';
	let agentPid: string;
	let agentSock: string;
	let secrets: string;
	let agentKeyFp: string;
	const host = 'hatch-e2e-feat';

	beforeAll(async () => {
		s = writeStack(host, 'stem', {});
		// A dotfiles repository served by git daemon on 127.0.0.1.
		const work = join(s.root, 'bindu-src');
		mkdirSync(join(work, 'apogee'), {recursive: true});
		mkdirSync(join(work, 'pixi', 'hosts', host, '.pixi', 'manifests'), {recursive: true});
		writeFileSync(join(work, 'bindu-marker.txt'), 'from bindu\n');
		writeFileSync(join(work, 'apogee', 'config.toml'), 'theme = "dark"\n');
		writeFileSync(join(work, 'pixi', 'hosts', host, '.pixi', 'manifests', 'pixi-global.toml'), 'version = 1\n');
		const git = (...a: string[]) =>
			sh(
				'git',
				['-c', 'user.name=hatch', '-c', 'user.email=hatch@example.invalid', '-c', 'init.defaultBranch=main', ...a],
				{cwd: work},
			);
		git('init', '-q');
		git('add', '.');
		git('commit', '-qm', 'dotfiles');
		sh('git', ['clone', '-q', '--bare', work, join(s.root, 'repos', 'bindu.git')]);
		gitPort = s.port + 1000;
		repos = join(s.root, 'repos');

		// An ssh-agent on the host (owned by root, as Docker Desktop's is) holding one key.
		agentSock = join(s.root, 'agent.sock');
		const out = sh('ssh-agent', ['-s', '-a', agentSock]).stdout;
		agentPid = /SSH_AGENT_PID=(\d+)/.exec(out)![1]!;
		const agentKey = newKey(s.root, 'agent-key');
		sh('ssh-add', [agentKey], {env: {...process.env, SSH_AUTH_SOCK: agentSock}});
		agentKeyFp = sh('ssh-keygen', ['-lf', `${agentKey}.pub`]).stdout.split(' ')[1]!;

		// Readable by root only, as a careful user keeps it: the boot must still copy it.
		secrets = join(s.root, 'apogee-secrets.env');
		writeFileSync(secrets, 'APOGEE_TOKEN=hatch-e2e-secret-4f9d2\n', {mode: 0o600});

		s = writeStack(
			host,
			'stem',
			{
				BINDU_REPO: `git://127.0.0.1:${gitPort}/bindu.git`,
				BINDU_REF: 'main',
				STEM_PIXI_ENABLE: '1',
				STEM_PIXI_INSTALL_URL: 'http://127.0.0.1:9/install.sh',
				APOGEE_SECRETS_PATH: secrets,
				STEM_SSH_AUTH_SOCK_HOST: agentSock,
			},
			s,
		);
		// First boot: the dotfiles server is not up yet.
		s.compose('up', '-d', '--build');
		await waitReady(s);
	});

	afterAll(() => {
		daemon?.kill();
		if (agentPid) sh('kill', [agentPid], {allowFail: true});
		destroy(s);
	});

	it(
		'boots with a warning when the dotfiles cannot be fetched, and clones them on the next boot, keeping the ' +
			'secrets',
		async () => {
			expect(logs(s.name)).toMatch(
				new RegExp(
					'WARNING: dotfiles not cloned from git://127\\.0\\.0\\.1:\\d+/bindu\\.git at main: fatal: .*; ' +
						'continuing without them',
				),
			);
			expect(ssh(s, 'ls -A ~/.config; ls ~/.config/apogee').stdout.trim().split('\n')).toEqual([
				'apogee',
				'secrets.env',
			]);
			daemon = await gitDaemon(repos, gitPort, 'bindu.git');
			s.compose('restart', '--timeout', '2');
			await waitReady(s, 2);
			const r = ssh(s, 'cat ~/.config/bindu-marker.txt; stat -c %U ~/.config ~/.config/bindu-marker.txt');
			expect(r.stdout.trim().split('\n')).toEqual(['from bindu', 'dev', 'dev']);
			const second = logs(s.name).split('hatch: boot ').pop()!;
			expect(second).toContain('kept the Apogee secrets already in ~/.config/apogee');
			expect(second).toMatch(/cloned git:\/\/127\.0\.0\.1:\d+\/bindu\.git at main \([0-9a-f]{12}\) into ~\/\.config/);
		},
	);

	it('warns when pixi cannot be fetched, stows the host manifest, and still lets you in', () => {
		expect(logs(s.name)).toContain('WARNING: pixi not installed from http://127.0.0.1:9/install.sh');
		const r = ssh(s, 'readlink ~/.pixi/manifests/pixi-global.toml');
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout.trim()).toBe(`/home/dev/.config/pixi/hosts/${host}/.pixi/manifests/pixi-global.toml`);
	});

	it('copies the secrets with mode 0600 and never overwrites them silently', async () => {
		const r = ssh(
			s,
			'stat -c "%a %U" ~/.config/apogee/secrets.env; cat ~/.config/apogee/secrets.env; ls ~/.config/apogee',
		);
		expect(r.stdout.trim().split('\n')).toEqual([
			'600 dev',
			'APOGEE_TOKEN=hatch-e2e-secret-4f9d2',
			'config.toml',
			'secrets.env',
		]);
		writeFileSync(secrets, 'APOGEE_TOKEN=rotated\n');
		s.compose('restart', '--timeout', '2');
		await waitReady(s, 3);
		const after = ssh(
			s,
			'cat ~/.config/apogee/secrets.env ~/.config/apogee/secrets.env.new; stat -c %a ~/.config/apogee/secrets.env.new',
		);
		expect(after.stdout.trim().split('\n')).toEqual([
			'APOGEE_TOKEN=hatch-e2e-secret-4f9d2',
			'APOGEE_TOKEN=rotated',
			'600',
		]);
		expect(logs(s.name)).toContain('differs from the host file: kept yours');
	});

	it('does not re-clone or touch ~/.config on the second boot', () => {
		const second = logs(s.name).split('hatch: boot ').pop()!;
		expect(second).toContain('~/.config is not empty; left as is');
	});

	it('forwards the host agent to the user even though the socket is root-owned, unless ssh -A brings one', () => {
		const r = ssh(s, "bash -lc 'ssh-add -l'; test -w /ssh-agent && echo direct || echo relayed");
		expect(r.stdout).toContain(agentKeyFp);
		expect(r.stdout).toContain('relayed');
		// A plain `ssh host command` (no login shell) sees it too.
		expect(ssh(s, 'ssh-add -l').stdout).toContain(agentKeyFp);
		// A session that forwards its own agent keeps it.
		const mine = sh('ssh-agent', ['-s']).stdout;
		const env = {...process.env, SSH_AUTH_SOCK: /SSH_AUTH_SOCK=([^;]+)/.exec(mine)![1]!};
		try {
			sh('ssh-add', [s.key], {env});
			const forwarded = ssh(s, 'echo $SSH_AUTH_SOCK; ssh-add -l', {extra: ['-A'], env});
			expect(forwarded.stdout).toMatch(/^\/tmp\/ssh-/);
			expect(forwarded.stdout).toContain(sh('ssh-keygen', ['-lf', `${s.key}.pub`]).stdout.split(' ')[1]!);
		} finally {
			sh('kill', [/SSH_AGENT_PID=(\d+)/.exec(mine)![1]!], {allowFail: true});
		}
	});

	it('keeps the secret out of the image', () => {
		const history = sh('docker', [
			'history',
			'--no-trunc',
			'--format',
			'{{.CreatedBy}}',
			`hatch-e2e/${s.name}:test`,
		]).stdout;
		expect(history).not.toContain('hatch-e2e-secret');
		const grep = sh('bash', [
			'-c',
			`docker save hatch-e2e/${s.name}:test | grep -a -c hatch-e2e-secret-4f9d2 || true`,
		]).stdout.trim();
		expect(grep).toBe('0');
		expect(read(secrets)).toContain('rotated');
	});
});

describe.sequential('pixi from an installer served on 127.0.0.1', () => {
	let s: Stack;
	let server: ChildProcess;

	beforeAll(async () => {
		s = writeStack('hatch-e2e-pixi', 'stem', {});
		// A stand-in installer, as a mirror would serve it: it puts a pixi into ~/.pixi/bin.
		const www = join(s.root, 'www');
		mkdirSync(www);
		writeFileSync(
			join(www, 'install.sh'),
			'#!/bin/sh\nset -e\nmkdir -p "$HOME/.pixi/bin"\nprintf \'#!/bin/sh\\necho "pixi 0.0.0-test"\\n\' > ' +
				'"$HOME/.pixi/bin/pixi"\nchmod +x "$HOME/.pixi/bin/pixi"\n',
		);
		const port = s.port + 3000;
		server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', www, String(port)], {
			stdio: 'ignore',
		});
		await until(
			() =>
				sh('curl', ['-fsS', '-o', '/dev/null', `http://127.0.0.1:${port}/install.sh`], {allowFail: true}).code === 0,
			'the installer’s web server',
			{timeoutMs: 10_000, everyMs: 100},
		);
		s = writeStack(
			s.name,
			'stem',
			{STEM_PIXI_ENABLE: '1', STEM_PIXI_INSTALL_URL: `http://127.0.0.1:${port}/install.sh`},
			s,
		);
		s.compose('up', '-d', '--build');
		await waitReady(s);
	});

	afterAll(() => {
		server?.kill();
		destroy(s);
	});

	it('runs the installer as the user and finds pixi on the next boot', async () => {
		expect(logs(s.name)).toContain('installed pixi (pixi 0.0.0-test)');
		expect(ssh(s, 'stat -c %U ~/.pixi/bin/pixi; ~/.pixi/bin/pixi').stdout.trim().split('\n')).toEqual([
			'dev',
			'pixi 0.0.0-test',
		]);
		s.compose('restart', '--timeout', '2');
		await waitReady(s, 2);
		expect(logs(s.name).split('hatch: boot ').pop()).toContain('pixi present (pixi 0.0.0-test)');
	});
});
