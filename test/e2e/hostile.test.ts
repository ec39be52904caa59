// A hostile home, with STEM_SUDO=0: the user plants traps over SSH, the container restarts, and the boot must
// neither run anything of theirs as root, nor change a system file, nor keep sshd from answering. The traps
// are the attacks found by review, then every home path the boot scripts declare (test/helpers/boot-paths.ts)
// with each kind of trap in turn.
import type {ChildProcess} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {homePaths} from '../helpers/boot-paths.js';
import {runCli} from '../helpers/cli.js';
import {until} from '../helpers/until.js';
import {destroy, gitDaemon, logs, type Stack, sh, ssh, waitReady, writeStack} from './helpers.js';

const UID = '1001';
const PLANTED_LOG = '/tmp/hatch-planted.log';
// Programs root might be tricked into running from the user's PATH folders.
const TOOLS =
	'mktemp git cat cmp rm mv ln chmod chown stat sh bash env timeout curl ls tee mkdir readlink id dirname ' +
	'basename realpath ssh rsync find tail head grep sed awk date sleep cp ' +
	'install setpriv runuser sudo cut getent hostname tr'; // ~/.pixi/bin/pixi itself is run, as the user: see below
// What a root that follows the user's links would damage: the snapshot compares all of it after every boot.
const SNAPSHOT = `find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \\
  -o -path /var/tmp -o -path /var/log -o -path /home -o -path /root \\) -prune -o -printf '%p %U:%G %m %y %s\\n' | sort
md5sum /etc/sudoers /etc/sudoers.d/* /etc/ssh/sshd_config /etc/ssh/sshd_config.d/* \\
  /etc/hatch/my_init.d/* /etc/passwd /etc/group /etc/shadow /etc/hatch-canary/f
stat -c '%n %U:%G %a %F' / /var/lib/hatch/ssh /var/lib/hatch/ssh/dev \\
  /var/lib/hatch/ssh/dev/authorized_keys /etc/ssh/hatch-hostkeys /etc/ssh/hatch-hostkeys/*`;

describe.sequential('a hostile home cannot get root or stop sshd (STEM_SUDO=0)', () => {
	let s: Stack;
	let daemon: ChildProcess;
	const cli = (...args: string[]) => runCli([...args, '--image', 'stem', '--out', s.root]);
	const asUser = (script: string) => {
		const r = ssh(s, script);
		if (r.code !== 0) throw new Error(`as the user: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
		return r.stdout;
	};
	const root = (script: string) => sh('docker', ['exec', s.name, 'bash', '-c', script]).stdout;
	// Kept in root's home inside the container (the user cannot read or change it); only the difference comes back.
	const snapshot = (file: string) =>
		root(`{\n${SNAPSHOT}\n} > /root/${file} 2>&1; diff /root/hatch-baseline /root/${file} || true`);
	const readyCount = () => [...logs(s.name).matchAll(/hatch: ready: /g)].length;

	/** Restarts the container; returns ms until a login worked, then waits for the boot's ready line. */
	async function reboot(): Promise<number> {
		const n = readyCount();
		const t0 = Date.now();
		sh('docker', ['restart', '-t', '1', s.name]);
		await until(
			() => ssh(s, 'true').code === 0,
			() => `a login after the restart:\n${logs(s.name).slice(-3000)}`,
			{timeoutMs: 30_000, everyMs: 100},
		);
		const loginMs = Date.now() - t0;
		await waitReady(s, n + 1, 120_000);
		return loginMs;
	}

	/** The asserts after every hostile boot. */
	function unharmed(label: string) {
		const ran = root(`cat ${PLANTED_LOG} 2>/dev/null || true`).split('\n').filter(Boolean);
		expect(
			ran.filter(l => l.startsWith('0 ')),
			`${label}: a planted program ran as root`,
		).toEqual([]);
		expect(snapshot('hatch-now'), `${label}: system files changed`).toBe('');
		const sudo = ssh(s, 'sudo -n true');
		expect(sudo.code, `${label}: sudo must stay refused`).not.toBe(0);
		expect(ssh(s, 'true', {user: 'root'}).code, `${label}: root login must stay refused`).toBe(255);
		expect(ssh(s, 'id -u').stdout.trim()).toBe(UID);
	}

	function boot(): string {
		return logs(s.name).split('hatch: boot ').pop()!;
	}

	beforeAll(async () => {
		s = writeStack('hatch-e2e-hostile', 'stem', {STEM_SUDO: '0', STEM_UID: UID, STEM_GID: UID});
		// A real dotfiles repository on 127.0.0.1, so the clone, and a user's git hooks, really run.
		const work = join(s.root, 'bindu-src');
		mkdirSync(join(work, 'apogee'), {recursive: true});
		writeFileSync(join(work, 'apogee', 'config.toml'), 'theme = "dark"\n');
		const git = (...a: string[]) =>
			sh(
				'git',
				['-c', 'user.name=hatch', '-c', 'user.email=hatch@example.invalid', '-c', 'init.defaultBranch=main', ...a],
				{cwd: work},
			);
		git('init', '-q');
		git('add', '.');
		git('commit', '-qm', 'dotfiles');
		const repos = join(s.root, 'repos');
		sh('git', ['clone', '-q', '--bare', work, join(repos, 'bindu.git')]);
		const gitPort = s.port + 1000;
		daemon = await gitDaemon(repos, gitPort, 'bindu.git');
		const secrets = join(s.root, 'secrets.env');
		writeFileSync(secrets, 'APOGEE_TOKEN=host\n', {mode: 0o600});
		const dropbox = join(s.root, 'dropbox');
		mkdirSync(dropbox);
		s = writeStack(
			s.name,
			'stem',
			{
				BINDU_REPO: `git://127.0.0.1:${gitPort}/bindu.git`,
				BINDU_FORCE: '1',
				STEM_PIXI_ENABLE: '1',
				STEM_PIXI_INSTALL_URL: 'http://127.0.0.1:9/install.sh',
				APOGEE_SECRETS_PATH: secrets,
				DROPBOX_PATH_ON_HOST: dropbox,
			},
			s,
		);
		s.compose('up', '-d', '--build');
		await waitReady(s);
		root('install -d -m 0755 /etc/hatch-canary && echo canary > /etc/hatch-canary/f && chmod 0644 /etc/hatch-canary/f');
		snapshot('hatch-baseline');
		expect(ssh(s, 'sudo -n true').code).not.toBe(0);
	}, 600_000);

	afterAll(() => {
		daemon?.kill();
		if (s) destroy(s);
	});

	it(
		'runs no program from the home as root, and a user racing ~/.config during the clone moves nothing into ' + '/etc',
		async () => {
			const shim = (name: string) =>
				`#!/bin/sh\necho "$(/usr/bin/id -u) ${name}" >> ${PLANTED_LOG}\n[ ${name} = mktemp ] && echo ` +
				`/etc/sudoers.d/README\nexit 0\n`;
			const plant = TOOLS.split(' ').flatMap(t =>
				['.pixi/bin', '.local/bin', 'bin'].map(
					d =>
						`mkdir -p ~/${d} && printf '%s' '${shim(t).replace(/'/g, "'\\''")}' > ~/${d}/${t} && chmod +x ~/${d}/${t}`,
				),
			);
			// The user's own git settings run a hook at clone time, as the user, that swaps ~/.config and
			// ~/.cache/hatch for links into /etc until the boot is over.
			const racer = `#!/bin/sh
echo "$(/usr/bin/id -u) hook" >> ${PLANTED_LOG}
setsid sh -c 'end=$(($(date +%s) + 60)); while [ $(date +%s) -lt $end ] && ! grep -q "^ready" /run/hatch/boot-state; do
  rm -rf ~/.config.swap; mv -T ~/.config ~/.config.swap 2>/dev/null; ln -sfn /etc/ssh/sshd_config.d ~/.config
  rm -rf ~/.cache/hatch; ln -sfn /etc/hatch/my_init.d ~/.cache/hatch
  rm -f ~/.config; mv -T ~/.config.swap ~/.config 2>/dev/null
done' </dev/null >/dev/null 2>&1 &
exit 0
`;
			asUser(
				[
					...plant,
					'mkdir -p ~/.git-template/hooks',
					`printf '%s' '${racer.replace(/'/g, "'\\''")}' > ~/.git-template/hooks/post-checkout && chmod +x ` +
						`~/.git-template/hooks/post-checkout`,
					'printf "[init]\\n\\ttemplateDir = %s/.git-template\\n" "$HOME" > ~/.gitconfig',
					'rm -f ~/.cache/hatch/bindu-commit', // so the boot clones again (BINDU_FORCE=1)
				].join(' && '),
			);
			await reboot();
			const ran = root(`cat ${PLANTED_LOG}`).split('\n').filter(Boolean);
			expect(ran, 'the racing hook ran as the user').toContain(`${UID} hook`);
			expect(
				ran.filter(l => !l.endsWith(' hook')),
				'no planted tool ran at all',
			).toEqual([]);
			unharmed('planted tools and a racing hook');
			expect(root('ls /etc/sudoers.d')).toContain('README');
			asUser(
				'rm -rf ~/.pixi ~/.local/bin ~/bin ~/.git-template ~/.gitconfig ~/.config.swap; [ -L ~/.cache/hatch ] && rm ' +
					'~/.cache/hatch; [ -L ~/.config ] && rm ~/.config; true',
			);
		},
	);

	it('follows no ~/.ssh link with chmod: ~/.ssh -> / and ~/.local -> /usr change nothing', async () => {
		asUser('rm -rf ~/.ssh ~/.local && ln -s / ~/.ssh && ln -s /usr ~/.local');
		const ms = await reboot();
		unharmed('~/.ssh -> /');
		expect(root('stat -c %a /').trim()).toBe('755');
		expect(ms).toBeLessThan(30_000);
		asUser('rm ~/.ssh ~/.local');
	});

	it('a pixi that never answers and a dangling secrets.env.new only cost warnings, shown by status', async () => {
		asUser(
			[
				'mkdir -p ~/.pixi/bin ~/.config/apogee',
				`printf '#!/bin/sh\\necho "$(id -u) pixi" >> ${PLANTED_LOG}\\nexec sleep 100000\\n' > ~/.pixi/bin/pixi && ` +
					`chmod +x ~/.pixi/bin/pixi`,
				'echo "APOGEE_TOKEN=mine" > ~/.config/apogee/secrets.env',
				'rm -f ~/.config/apogee/secrets.env.new && ln -s /nonexistent/hatch ~/.config/apogee/secrets.env.new',
			].join(' && '),
		);
		const ms = await reboot();
		unharmed('pixi that hangs');
		expect(ms).toBeLessThan(30_000);
		expect(root(`cat ${PLANTED_LOG}`)).toContain(`${UID} pixi`);
		expect(asUser('cat ~/.config/apogee/secrets.env ~/.config/apogee/secrets.env.new')).toBe(
			'APOGEE_TOKEN=mine\nAPOGEE_TOKEN=host\n',
		);
		const status = cli('status');
		expect(status.code, status.stdout + status.stderr).toBe(0);
		expect(status.stdout).toMatch(/boot: ready, 2 warning\(s\):/);
		expect(status.stdout).toContain('! 06-pixi: ~/.pixi/bin/pixi --version failed or did not answer within 10 s');
		expect(status.stdout).toContain(
			'! 07-apogee-secrets: ~/.config/apogee/secrets.env differs from the host file: kept yours',
		);
		// The wizard on a stack that is already up reads the same record: ready, with the warnings.
		const again = runCli(['--yes', '--no-build', '--image', 'stem', '--out', s.root], {home: s.root});
		expect(again.code, again.stdout + again.stderr).toBe(0);
		expect(again.stdout).toContain('ready with 2 boot warning(s):');
		expect(again.stdout).toContain('  ! 06-pixi: ~/.pixi/bin/pixi --version failed or did not answer within 10 s');
		asUser('rm -rf ~/.pixi');
	});

	it('a FIFO as the secrets file or as the installed-commit record blocks nothing', async () => {
		asUser('rm -f ~/.config/apogee/secrets.env && mkfifo ~/.config/apogee/secrets.env');
		await reboot();
		unharmed('FIFO at secrets.env');
		expect(cli('status').stdout).toContain(
			'! 07-apogee-secrets: secrets not copied: ~/.config/apogee/secrets.env is not a regular file',
		);
		asUser('rm -f ~/.config/apogee/secrets.env ~/.cache/hatch/bindu-commit && mkfifo ~/.cache/hatch/bindu-commit');
		await reboot();
		unharmed('FIFO at bindu-commit');
		expect(boot()).toMatch(/cloned git:\/\/.* into ~\/\.config/);
		expect(asUser('stat -c %F ~/.cache/hatch/bindu-commit')).toBe('regular file\n');
	});

	// Every path the boot touches, with each kind of trap, one depth at a time (so no trap hides another).
	const TRAPS: Record<string, (p: string) => string> = {
		'a symlink to a system file': p => `ln -s /etc/hatch-canary/f "${p}"`,
		'a symlink to a system folder': p => `ln -s /etc/hatch-canary "${p}"`,
		'a FIFO': p => `mkfifo "${p}"`,
		'a folder where a file is expected': p => `mkdir "${p}"`,
		'a dangling symlink': p => `ln -s /nonexistent/hatch "${p}"`,
	};
	// A FIFO as a shell start-up file stalls the user's own shells, as any broken start-up file would; the
	// boot is not affected, but these asserts log in with a shell.
	const SHELL_FILES = new Set(['.bashrc', '.profile', '.bash_logout']);
	const paths = homePaths();
	const depths = [...new Set(paths.map(p => p.split('/').length))].sort();

	it.each(Object.keys(TRAPS))('at every home path the boot touches, %s', async kind => {
		for (const depth of depths) {
			const here = paths.filter(p => p.split('/').length === depth && !(kind === 'a FIFO' && SHELL_FILES.has(p)));
			const reset = paths.map(p => `"${p}"`).join(' ');
			asUser(
				`cd ~ && rm -rf ${reset} && for p in ${here.map(p => `"${p}"`).join(' ')}; do mkdir -p "$(dirname "$p")"; ` +
					`done && ${here.map(TRAPS[kind]!).join(' && ')}`,
			);
			const ms = await reboot();
			unharmed(`${kind} at depth ${depth}: ${here.join(' ')}`);
			expect(ms).toBeLessThan(30_000);
			const status = cli('status');
			expect(status.code, status.stdout + status.stderr).toBe(0);
			expect(status.stdout).toMatch(/boot: ready/);
		}
		asUser(`cd ~ && rm -rf ${paths.map(p => `"${p}"`).join(' ')}`);
	});

	it('a setuid file left in the home from when the user had sudo gives no root (no-new-privileges)', () => {
		root('cp /bin/bash /home/dev/rootsh && chown root:root /home/dev/rootsh && chmod 4755 /home/dev/rootsh');
		try {
			expect(asUser('stat -c "%U %a" ~/rootsh; ~/rootsh -p -c "id -u; id -un"')).toBe(`root 4755\n${UID}\ndev\n`);
			expect(boot()).not.toContain('may gain privileges');
		} finally {
			root('rm -f /home/dev/rootsh');
		}
	});

	it('a full disk where the boot keeps its record costs the record, not the boot', async () => {
		// /run/hatch on a one-page tmpfs: the state file takes the page, every warning after it hits ENOSPC.
		const name = `${s.name}-full`;
		const port = s.port + 500;
		sh('docker', ['rm', '-f', name], {allowFail: true});
		sh('docker', [
			'run',
			'-d',
			'--name',
			name,
			'--network',
			'host',
			'--mount',
			'type=tmpfs,destination=/run/hatch,tmpfs-size=4096',
			'-e',
			'STEM_SUDO=0',
			'-e',
			'STEM_NETWORK_MODE=host',
			'-e',
			'STEM_SSH_LISTEN=127.0.0.1',
			'-e',
			`STEM_SSH_PORT=${port}`,
			'-e',
			'STEM_PIXI_ENABLE=1',
			'-e',
			'STEM_PIXI_INSTALL_URL=http://127.0.0.1:9/install.sh',
			'-e',
			'BINDU_REPO=git://127.0.0.1:9/none.git',
			'-v',
			`${s.key}.pub:/etc/hatch/authorized_keys.host:ro`,
			`hatch-e2e/${s.name}:test`,
		]);
		try {
			const full = {...s, name, port};
			await waitReady(full, 1, 60_000);
			expect(ssh(full, 'id -un').stdout).toBe('dev\n');
			expect(sh('docker', ['inspect', '--format', '{{.State.Status}} {{.RestartCount}}', name]).stdout.trim()).toBe(
				'running 0',
			);
			// The user scripts cannot write their output either: each optional step ends as a warning in the log.
			expect(logs(name)).toMatch(/hatch\[05-bindu\]: WARNING: bindu failed \(exit 1\)/);
			expect(sh('docker', ['exec', name, 'cat', '/run/hatch/boot-warnings']).stdout).toBe('');
		} finally {
			sh('docker', ['rm', '-f', name], {allowFail: true});
		}
	});

	it('after up -d --force-recreate too (a new container, the same home): ~/.ssh -> / and a hanging pixi', async () => {
		asUser(
			`rm -rf ~/.ssh ~/.pixi && ln -s / ~/.ssh && mkdir -p ~/.pixi/bin && printf '#!/bin/sh\\nexec sleep ` +
				`100000\\n' > ~/.pixi/bin/pixi && chmod +x ~/.pixi/bin/pixi`,
		);
		s.compose('up', '-d', '--force-recreate');
		await until(
			() => ssh(s, 'true').code === 0,
			() => `a login after the recreate:\n${logs(s.name)}`,
			{timeoutMs: 30_000, everyMs: 100},
		);
		await waitReady(s, 1, 120_000);
		expect(root('stat -c %a /').trim()).toBe('755');
		expect(ssh(s, 'sudo -n true').code).not.toBe(0);
		expect(ssh(s, 'true', {user: 'root'}).code).toBe(255);
		expect(cli('status').stdout).toContain(
			'! 06-pixi: ~/.pixi/bin/pixi --version failed or did not answer within 10 s',
		);
		asUser('rm -rf ~/.ssh ~/.pixi');
	});

	it('refuses a UID or GID with leading zeros at boot, with the field and the fix', () => {
		for (const [key, value] of [
			['STEM_UID', '08'],
			['STEM_GID', '01000'],
		]) {
			const r = sh(
				'docker',
				['run', '--rm', '--network', 'none', '-e', `${key}=${value}`, `hatch-e2e/${s.name}:test`],
				{allowFail: true},
			);
			expect(r.code).toBe(1);
			expect(r.stdout).toContain(
				`${key} '${value}' must be a whole number from 1 to 2147483646, without leading zeros; fix it in .env`,
			);
		}
	});
});
