// A Docker host over SSH (source/host/remote.ts): reading TARGET, quoting for the remote shell, ssh's
// failures in words, and the remote as a Host. The SSH hop itself is replaced by a local shell here (the
// line ssh would send runs in `sh -c`), so the quoting and every command the probes send run for real; the
// e2e suite drives a real sshd and a second engine.
import {chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {type Ran, type RunOptions, run} from '../../source/docker/proc.js';
import {
	controlDir,
	parseTarget,
	RemoteError,
	remoteHost,
	remoteRunner,
	resolveTarget,
	shellQuote,
	sshCommand,
	sshConfigFile,
	sshConfigHosts,
	sshContexts,
	sshOptions,
	sshProblem,
} from '../../source/host/remote.js';
import {until} from '../helpers/until.js';

describe('TARGET', () => {
	it('takes an alias, user@host, a port, and the ssh:// form', () => {
		expect(parseTarget('gpu-box')).toEqual({destination: 'gpu-box', label: 'gpu-box'});
		expect(parseTarget('ana@gpu.lan')).toEqual({destination: 'ana@gpu.lan', label: 'ana@gpu.lan'});
		expect(parseTarget('ana@10.0.0.5:2222')).toEqual({
			destination: 'ana@10.0.0.5',
			port: 2222,
			label: 'ana@10.0.0.5:2222',
		});
		expect(parseTarget('ssh://ana@gpu.lan:22')).toEqual({
			destination: 'ana@gpu.lan',
			port: 22,
			label: 'ssh://ana@gpu.lan:22',
		});
		expect(parseTarget('ssh://gpu.lan/')).toEqual({destination: 'gpu.lan', label: 'ssh://gpu.lan/'});
	});

	it('refuses what ssh would read as an option, odd characters and bad ports, naming the forms it takes', () => {
		const forms =
			'is not an SSH destination: use an alias from ~/.ssh/config, user@host, user@host:port, ssh://user@host:port, ' +
			'or a docker context whose endpoint is ssh://';
		for (const bad of ['-oProxyCommand=x', 'ana@-x', '-x@host', 'a b', 'a@b@c', '', 'host;rm', 'ssh://', 'ana@']) {
			expect(parseTarget(bad), bad).toEqual({error: `--host "${bad}" ${forms}`});
		}
		expect(parseTarget('box:0')).toEqual({error: '--host "box:0": the port must be 1 to 65535'});
		expect(parseTarget('box:65536')).toEqual({error: '--host "box:65536": the port must be 1 to 65535'});
		expect(parseTarget('box:65535')).toMatchObject({port: 65535});
	});

	it('an ssh:// docker context is read through docker context inspect; other names stay an alias', async () => {
		const calls: string[][] = [];
		const local = (answers: Record<string, Partial<Ran>>) => async (cmd: string, args: string[]) => {
			calls.push([cmd, ...args]);
			const a = answers[args.at(-1)!] ?? {exitCode: 1, stderr: 'context not found'};
			return {exitCode: 0, stdout: '', stderr: '', timedOut: false, ...a};
		};
		const contexts = local({
			remote: {stdout: 'ssh://ana@gpu.lan:2200\n'},
			desktop: {stdout: 'unix:///var/run/docker.sock\n'},
		});
		expect(await resolveTarget('remote', contexts)).toEqual({
			destination: 'ana@gpu.lan',
			port: 2200,
			label: 'remote (ssh://ana@gpu.lan:2200)',
		});
		expect(calls[0]).toEqual([
			'docker',
			'context',
			'inspect',
			'--format',
			'{{.Endpoints.docker.Host}}',
			'--',
			'remote',
		]);
		expect(await resolveTarget('desktop', contexts)).toEqual({
			error: '--host desktop: that docker context points at unix:///var/run/docker.sock, not at an ssh:// host',
		});
		expect(await resolveTarget('gpu-box', contexts)).toEqual({destination: 'gpu-box', label: 'gpu-box'});
		// user@host and ports are never looked up as contexts.
		calls.length = 0;
		expect(await resolveTarget('ana@gpu-box', contexts)).toMatchObject({destination: 'ana@gpu-box'});
		expect(await resolveTarget('gpu-box:2', contexts)).toMatchObject({port: 2});
		expect(calls).toEqual([]);
	});
});

describe('the remote shell line', () => {
	it('quotes each word so that the remote shell reads it back unchanged', async () => {
		const words = ['plain', "it's", 'a b', '$HOME', '`x`', '"q"', '\\', 'x;y', '*', '', 'é', '-n'];
		const r = await run('sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`]);
		expect(r.stdout.split('\n')).toEqual(words);
		expect(shellQuote('a/b.c:d=e@f%g+h,i-j')).toBe('a/b.c:d=e@f%g+h,i-j');
	});

	it('one shared connection: a control socket in a private folder, no prompts, a connect deadline, the port', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-ctl-'));
		expect(sshOptions({destination: 'box', port: 2200, label: 'box'}, dir)).toEqual([
			'-o',
			'BatchMode=yes',
			'-o',
			'ConnectTimeout=10',
			'-o',
			'ControlMaster=auto',
			'-o',
			`ControlPath=${dir}/%C`,
			'-o',
			'ControlPersist=120',
			'-p',
			'2200',
		]);
		// Without a port: the same options, and nothing else.
		expect(sshOptions({destination: 'box', label: 'box'}, dir)).toEqual(
			sshOptions({destination: 'box', port: 2200, label: 'box'}, dir).slice(0, -2),
		);
	});
});

describe('the control socket folder', () => {
	it("is this user's own, 0700, under $TMPDIR, or under /tmp when $TMPDIR is too long for a socket path", () => {
		const short = mkdtempSync('/tmp/hc-');
		const dir = controlDir(short);
		expect(dir).toBe(join(short, `hatch-ssh-${process.getuid!()}`));
		expect(statSync(dir).mode & 0o777).toBe(0o700);
		const long = mkdtempSync(join(tmpdir(), 'a-folder-name-as-long-as-the-one-macos-gives-'));
		expect(controlDir(long)).toBe(`/tmp/hatch-ssh-${process.getuid!()}`);
		// One another user could have made, or with room for others, is refused.
		const shared = mkdtempSync('/tmp/hc-');
		mkdirSync(join(shared, `hatch-ssh-${process.getuid!()}`), {mode: 0o777});
		chmodSync(join(shared, `hatch-ssh-${process.getuid!()}`), 0o777);
		expect(() => controlDir(shared)).toThrow(
			/is not this user's private folder \(owner \d+, mode 777\); remove it, or set TMPDIR to a folder of your own/,
		);
	});
});

describe('the ssh program', () => {
	it('is ssh, or $HATCH_SSH_COMMAND split into words (a wrapper, or ssh with its own config file)', () => {
		expect(sshCommand({})).toEqual(['ssh']);
		expect(sshCommand({HATCH_SSH_COMMAND: ''})).toEqual(['ssh']);
		expect(sshCommand({HATCH_SSH_COMMAND: '  ssh   -F /w/ssh config '})).toEqual(['ssh', '-F', '/w/ssh', 'config']);
		// No shell: a leading ~/ is the home folder, nothing else is expanded.
		expect(sshCommand({HATCH_SSH_COMMAND: 'ssh -F ~/work/cfg ~x $HOME'}, '/home/ana')).toEqual([
			'ssh',
			'-F',
			'/home/ana/work/cfg',
			'~x',
			'$HOME',
		]);
	});
});

describe('the Docker hosts the user can name (offered on the welcome screen)', () => {
	it("are the concrete Host aliases of the ssh config, not patterns, and not hatch's own container blocks", () => {
		const text = [
			'Host gpu-box laptop',
			'  HostName 10.0.0.2',
			'Host *.lan !bad ?x',
			'Host *',
			'  ServerAliveInterval 30',
			'# >>> hatch stem >>>',
			'Host stem',
			'  HostName 127.0.0.1',
			'# <<< hatch stem <<<',
			'  host   spaced',
			'Host gpu-box -oProxyCommand=x',
			'Match host x',
		].join('\n');
		expect(sshConfigHosts(text)).toEqual(['gpu-box', 'laptop', 'spaced']);
		expect(sshConfigHosts('')).toEqual([]);
	});

	it('the config read is the one given with -F in $HATCH_SSH_COMMAND, else ~/.ssh/config', () => {
		expect(sshConfigFile({}, '/home/ana')).toBe('/home/ana/.ssh/config');
		expect(sshConfigFile({HATCH_SSH_COMMAND: 'ssh -F ~/w/cfg'}, '/home/ana')).toBe('/home/ana/w/cfg');
		expect(sshConfigFile({HATCH_SSH_COMMAND: 'ssh -v'}, '/home/ana')).toBe('/home/ana/.ssh/config');
	});

	it('docker contexts count when their endpoint is ssh:// (docker context ls answered by a stand-in)', async () => {
		const ls = async (cmd: string, args: string[]): Promise<Ran> => {
			expect([cmd, ...args]).toEqual(['docker', 'context', 'ls', '--format', '{{.Name}}\t{{.DockerEndpoint}}']);
			return {
				exitCode: 0,
				stdout: 'default\tunix:///var/run/docker.sock\ngpu\tssh://ana@gpu.lan\n-evil\tssh://x\ntcp\ttcp://1.2.3.4:2376',
				stderr: '',
				timedOut: false,
			};
		};
		expect(await sshContexts(ls)).toEqual(['gpu']);
		const none = async (): Promise<Ran> => ({exitCode: 127, stdout: '', stderr: 'docker: not found', timedOut: false});
		expect(await sshContexts(none)).toEqual([]);
	});
});

describe("ssh's failures in words, each with its fix", () => {
	const t = {destination: 'ana@gpu.lan', label: 'gpu'};
	const failed = (stderr: string, exitCode = 255): Ran => ({exitCode, stdout: '', stderr, timedOut: false});
	it('names authentication, an unknown host, a changed host key, an unreachable one; other exits are not ssh’s', () => {
		expect(sshProblem(t, failed('ana@gpu.lan: Permission denied (publickey).\n'))).toBe(
			'--host gpu: SSH authentication failed (ana@gpu.lan: Permission denied (publickey).); add your key there ' +
				'(ssh-copy-id ana@gpu.lan) or load it into your agent (ssh-add), then check with: ssh ana@gpu.lan',
		);
		expect(sshProblem(t, failed('ssh: Could not resolve hostname gpu.lan: Name or service not known'))).toBe(
			'--host gpu: no such host (ssh: Could not resolve hostname gpu.lan: Name or service not known); check the ' +
				'name, or add a Host block for it to ~/.ssh/config',
		);
		expect(sshProblem(t, failed('Host key verification failed.'))).toBe(
			'--host gpu: its host key is unknown or changed; connect once with ssh ana@gpu.lan to check and accept it',
		);
		expect(sshProblem(t, failed('ssh: connect to host gpu.lan port 22: Connection refused'))).toBe(
			'--host gpu: cannot reach it (ssh: connect to host gpu.lan port 22: Connection refused); check that it is up ' +
				'and that sshd listens on that port',
		);
		expect(sshProblem(t, failed('kex_exchange_identification: read: Connection reset by peer'))).toBe(
			'--host gpu: ssh failed (kex_exchange_identification: read: Connection reset by peer)',
		);
		expect(sshProblem(t, failed(''))).toBe('--host gpu: ssh failed (exit 255)');
		expect(sshProblem(t, failed('channel 3: open failed: administratively prohibited: open failed'))).toBe(
			'--host gpu: sshd there refused another session on the shared connection (channel 3: open failed: ' +
				'administratively prohibited: open failed); hatch runs up to 7 at once: set MaxSessions 10 (the default) ' +
				'or more in its sshd_config',
		);
		expect(sshProblem(t, failed('Permission denied', 1))).toBeUndefined();
	});
});

/** `run` as ssh would do it, with the hop replaced by a local shell (the last word is the remote line). */
function localHop(env: Record<string, string> = {}) {
	const lines: string[] = [];
	const hop = (cmd: string, args: string[], options: RunOptions = {}) => {
		expect(cmd).toBe('ssh');
		expect(args.slice(-3, -1)).toEqual(['--', 'ana@box']);
		lines.push(args.at(-1)!);
		return run('sh', ['-c', args.at(-1)!], {...options, env: {...process.env, ...env}});
	};
	return {hop, lines};
}

describe('the remote as a Host (the SSH hop replaced by a local shell)', () => {
	const target = {destination: 'ana@box', label: 'box'};

	it('learns the user, ids, home, name and environment there in one command', async () => {
		const {hop, lines} = localHop({HOME: '/home/elsewhere', HATCH_REMOTE_MARK: 'a=b\nc'});
		const host = await remoteHost(remoteRunner(target, hop, mkdtempSync(join(tmpdir(), 'hatch-ctl-'))));
		expect(lines).toHaveLength(1);
		expect(host.userInfo()).toMatchObject({uid: process.getuid!(), gid: process.getgid!(), homedir: '/home/elsewhere'});
		expect(host.env.HATCH_REMOTE_MARK).toBe('a=b\nc');
		expect(host.platform).toBe('linux');
		expect(host.hostname()).toBe((await run('hostname', [])).stdout.trim());
	});

	it('reads files, folders and kinds there, and fails as a local read would', async () => {
		const dir = mkdtempSync(join(tmpdir(), "hatch-remote-'it'-"));
		writeFileSync(join(dir, 'a $b.txt'), 'hello\n');
		mkdirSync(join(dir, 'sub'));
		const {hop} = localHop();
		const host = await remoteHost(remoteRunner(target, hop, mkdtempSync(join(tmpdir(), 'hatch-ctl-'))));
		expect(await host.readFile(join(dir, 'a $b.txt'))).toBe('hello\n');
		expect((await host.readdir(dir)).sort()).toEqual(['a $b.txt', 'sub']);
		expect(await host.kind(join(dir, 'a $b.txt'))).toBe('file');
		expect(await host.kind(join(dir, 'sub'))).toBe('dir');
		expect(await host.kind(join(dir, 'none'))).toBeUndefined();
		expect(await host.realpath(join(dir, 'sub', '..'))).toBe(dir);
		await expect(host.readFile(join(dir, 'none'))).rejects.toMatchObject({code: 'ENOENT'});
		await expect(host.readFile(join(dir, 'sub'))).rejects.toMatchObject({code: 'EISDIR'});
		expect((await host.run('printf', ['%s', "x'y"], 5000)).stdout).toBe("x'y");
	});

	it('sees a port in use there as taken, and a free one as free', async () => {
		const server = net.createServer();
		await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
		const port = (server.address() as net.AddressInfo).port;
		const {hop} = localHop();
		const host = await remoteHost(remoteRunner(target, hop, mkdtempSync(join(tmpdir(), 'hatch-ctl-'))));
		expect(await host.portFree(port, '127.0.0.1')).toBe(false);
		expect(await host.portFree(port, '0.0.0.0')).toBe(false);
		server.close();
		await new Promise(r => server.once('close', r));
		expect(await host.portFree(port, '127.0.0.1')).toBe(true);
	});

	it('an unreachable target or a failed login is a RemoteError naming the fix', async () => {
		const denied = async (): Promise<Ran> => ({
			exitCode: 255,
			stdout: '',
			stderr: 'ana@box: Permission denied (publickey).',
			timedOut: false,
		});
		const runner = remoteRunner(target, denied, mkdtempSync(join(tmpdir(), 'hatch-ctl-')));
		await expect(remoteHost(runner)).rejects.toThrow(RemoteError);
		await expect(remoteHost(runner)).rejects.toThrow(/SSH authentication failed.*ssh-copy-id ana@box/);
	});

	it('with no shared connection up yet, the first command opens it alone; the others wait, then run', async () => {
		const order: string[] = [];
		const release: (() => void)[] = [];
		const slow = (_cmd: string, args: string[]) =>
			new Promise<Ran>(resolve => {
				order.push(`start ${args.at(-1)}`);
				release.push(() => {
					order.push(`end ${args.at(-1)}`);
					resolve({exitCode: 0, stdout: '', stderr: '', timedOut: false});
				});
			});
		const runner = remoteRunner(target, slow, mkdtempSync(join(tmpdir(), 'hatch-ctl-')));
		const all = Promise.all(['a', 'b', 'c'].map(l => runner.run(l)));
		await until(() => release.length === 1, 'the first command');
		// Only the first has started: it opens the connection.
		expect(order).toEqual(['start a']);
		release.shift()!();
		await until(() => release.length === 2, 'the two others, at once');
		expect(order).toEqual(['start a', 'end a', 'start b', 'start c']);
		for (const r of release.splice(0)) r();
		await all;
	});

	it('never runs more than six commands at once over the one connection (sshd allows ten sessions)', async () => {
		let now = 0;
		let most = 0;
		const release: (() => void)[] = [];
		const slow = (_cmd: string, _args: string[]) =>
			new Promise<Ran>(resolve => {
				now++;
				most = Math.max(most, now);
				release.push(() => {
					now--;
					resolve({exitCode: 0, stdout: '', stderr: '', timedOut: false});
				});
			});
		const runner = remoteRunner(target, slow, mkdtempSync(join(tmpdir(), 'hatch-ctl-')));
		let finished = 0;
		const all = Promise.all(Array.from({length: 10}, () => runner.run('true').then(() => finished++)));
		while (finished < 10) {
			await new Promise(r => setImmediate(r));
			release.shift()?.();
		}
		await all;
		expect(most).toBe(6);
	});
});
