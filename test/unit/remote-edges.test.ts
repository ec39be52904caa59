// A Docker host over SSH (source/host/remote.ts) at its edges: the last port and socket-path length accepted,
// the exact command line ssh gets, what the remote says when a look fails or the connection drops, a macOS
// remote, and every kind of file there. As in remote.test.ts the SSH hop is a local shell (the line ssh would
// send runs in `sh -c`), or, where the remote must be another system (macOS) or lose its connection, a
// scripted answer; the e2e suite drives a real sshd.
import {type ChildProcess, spawn} from 'node:child_process';
import {chownSync, existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {type Ran, type RunOptions, run} from '../../source/docker/proc.js';
import {
	controlDir,
	parseTarget,
	RemoteError,
	remoteHost,
	remoteRunner,
	resolveTarget,
	sshOptions,
} from '../../source/host/remote.js';
import {until} from '../helpers/until.js';

const target = {destination: 'ana@box', label: 'box'};
const ctl = () => mkdtempSync(join(tmpdir(), 'hatch-ctl-'));
const ran = (r: Partial<Ran>): Ran => ({exitCode: 0, stdout: '', stderr: '', timedOut: false, ...r});

/** ssh replaced by a local shell running the remote line, with `prefix` before it (e.g. env -i); records each call. */
function hop(prefix: string[] = []) {
	const calls: {args: string[]; options: RunOptions}[] = [];
	const local = (_cmd: string, args: string[], options: RunOptions = {}) => {
		calls.push({args, options});
		const line = args.at(-1)!;
		return prefix.length
			? run(prefix[0]!, [...prefix.slice(1), 'sh', '-c', line], options)
			: run('sh', ['-c', line], options);
	};
	return {local, calls};
}

/** The first look's answer as a remote with these ids, name, system and environment prints it. */
const firstLook = (fields: string[], env: string[], missing = '') =>
	ran({stdout: `hatch-remote\0${[...fields, missing, ...env].map(f => `${f}\0`).join('')}`});

afterEach(() => vi.unstubAllEnvs());

describe('TARGET at its edges', () => {
	it('port 1 is the first port; 0 is none', () => {
		expect(parseTarget('box:1')).toEqual({destination: 'box', port: 1, label: 'box:1'});
		expect(parseTarget('box:0')).toEqual({error: '--host "box:0": the port must be 1 to 65535'});
	});

	it('only a plain name is looked up as a docker context: not ssh://host, not a name ssh would refuse', async () => {
		const calls: string[][] = [];
		const local = async (cmd: string, args: string[]) => {
			calls.push([cmd, ...args]);
			return ran({stdout: 'ssh://ana@elsewhere:2200'});
		};
		expect(await resolveTarget('ssh://gpu-box', local)).toEqual({destination: 'gpu-box', label: 'ssh://gpu-box'});
		expect(await resolveTarget('-oProxyCommand=x', local)).toMatchObject({error: expect.stringContaining('-oProxy')});
		expect(calls).toEqual([]);
	});

	it('the docker context look has a deadline; without a docker command the name is an SSH alias', async () => {
		const deadlines: (number | undefined)[] = [];
		const none = async (_cmd: string, _args: string[], options: RunOptions = {}): Promise<Ran> => {
			deadlines.push(options.timeoutMs);
			throw Object.assign(new Error('spawn docker ENOENT'), {code: 'ENOENT'});
		};
		expect(await resolveTarget('gpu-box', none)).toEqual({destination: 'gpu-box', label: 'gpu-box'});
		expect(deadlines).toHaveLength(1);
		expect(deadlines[0]).toBeGreaterThan(0);
		expect(deadlines[0]).toBeLessThanOrEqual(5000);
	});

	it('a context whose ssh:// endpoint is no SSH destination: the error names that endpoint, nothing else', async () => {
		const local = async () => ran({stdout: 'ssh://-oProxyCommand=x'});
		expect(await resolveTarget('odd', local)).toEqual(parseTarget('ssh://-oProxyCommand=x'));
		expect(await resolveTarget('odd', local)).toEqual({error: expect.stringContaining('"ssh://-oProxyCommand=x"')});
	});
});

describe('the control socket folder at its edges', () => {
	const name = `hatch-ssh-${process.getuid!()}`;
	/** A folder whose path is exactly `length` characters long. */
	const folderOf = (length: number) => {
		const base = mkdtempSync('/tmp/hc-');
		const dir = join(base, 'x'.repeat(length - base.length - 1));
		mkdirSync(dir);
		expect(dir).toHaveLength(length);
		return dir;
	};

	it('stays under $TMPDIR while the socket path fits in 100 bytes, and goes to /tmp one byte past that', () => {
		const fits = folderOf(100 - 60 - name.length);
		expect(controlDir(fits)).toBe(join(fits, name));
		const over = folderOf(100 - 60 - name.length + 1);
		expect(controlDir(over)).toBe(join('/tmp', name));
	});

	it.runIf(process.getuid?.() === 0)(
		'refuses a private folder another user owns (as root: chown makes one here)',
		() => {
			const base = mkdtempSync('/tmp/hc-');
			mkdirSync(join(base, name), {mode: 0o700});
			chownSync(join(base, name), 4242, 4242);
			expect(() => controlDir(base)).toThrow(
				`${join(base, name)} is not this user's private folder (owner 4242, mode 700)`,
			);
		},
	);
});

describe('the command line ssh gets', () => {
	it('$HATCH_SSH_COMMAND, then the options, no terminal (-T), the destination after --, and the line', async () => {
		vi.stubEnv('HATCH_SSH_COMMAND', 'ssh -F /w/ssh_config');
		const seen: {cmd: string; args: string[]}[] = [];
		const local = async (cmd: string, args: string[]) => {
			seen.push({cmd, args});
			return ran({});
		};
		const dir = ctl();
		await remoteRunner({destination: 'ana@box', port: 2200, label: 'box'}, local, dir).run('uname -s');
		expect(seen).toEqual([
			{
				cmd: 'ssh',
				args: ['-F', '/w/ssh_config', ...sshOptions({destination: 'ana@box', port: 2200, label: 'box'}, dir)].concat([
					'-T',
					'--',
					'ana@box',
					'uname -s',
				]),
			},
		]);
		expect(seen[0]!.args).toContain('BatchMode=yes');
	});
});

describe('the remote as a Host, at its edges', () => {
	it('every command there has a deadline, the first look (which opens the connection) too', async () => {
		const {local, calls} = hop();
		const host = await remoteHost(remoteRunner(target, local, ctl()));
		await host.run('true', [], 3000);
		await host.kind('/');
		expect(calls).toHaveLength(3);
		expect(calls[0]!.options.timeoutMs).toBe(20_000);
		// There, timeout(1) ends it at its deadline; here, ssh gets 6 s more to bring that answer back.
		expect(calls[1]!.args.at(-1)).toBe('env LC_ALL=C timeout -k 5 3 true');
		expect(calls[1]!.options.timeoutMs).toBe(9000);
		expect(calls[2]!.args.at(-1)).toMatch(/^env LC_ALL=C timeout -k 5 \d+ stat /);
		expect(calls[2]!.options.timeoutMs).toBeGreaterThan(0);
	});

	it('a login that prints on stdout is refused with the fix: its text would break every answer (scripted)', async () => {
		const chatty = async () => ({
			...firstLook(['ana', '1', '1', '/home/ana', 'box', 'Linux'], []),
			stdout: 'Welcome!\nhatch-remote\0',
		});
		await expect(remoteHost(remoteRunner(target, chatty, ctl()))).rejects.toThrow(
			/^--host box: the login there prints text on stdout \("Welcome!\\n.*begin ~\/\.bashrc with: case \$- in/,
		);
	});

	it('without bash or the GNU tools there: refused, naming what is missing (scripted: a macOS answer)', async () => {
		const mac = firstLook(
			['ana', '501', '20', '/Users/ana', 'mini', 'Darwin'],
			[],
			' sha256sum timeout stat(-c) base64(-w)',
		);
		await expect(remoteHost(remoteRunner(target, async () => mac, ctl()))).rejects.toThrow(
			'--host box: hatch needs bash and the GNU tools there (a Linux host); missing or not GNU: sha256sum timeout ' +
				'stat(-c) base64(-w) (macOS: run hatch-wizard on the Mac itself)',
		);
	});

	it('an address or port is data to the port probe, never code (a value with $(…) runs nothing there)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-inject-'));
		const {local} = hop();
		const host = await remoteHost(remoteRunner(target, local, ctl()));
		expect(await host.portFree(1, `$(touch ${join(dir, 'pwned')})127.0.0.1`)).toBe(true);
		expect(existsSync(join(dir, 'pwned'))).toBe(false);
	});

	it('its environment is exactly what the remote lists: a value may hold "=", no name is invented', async () => {
		const clean = ['env', '-i', 'HOME=/home/far', 'A=1', 'B=x=y'];
		const {local} = hop(clean);
		const host = await remoteHost(remoteRunner(target, local, ctl()));
		const listed = (await run(clean[0]!, [...clean.slice(1), 'sh', '-c', 'env'])).stdout.split('\n');
		expect(Object.keys(host.env).sort()).toEqual(listed.map(l => l.slice(0, l.indexOf('='))).sort());
		expect(host.env).toMatchObject({HOME: '/home/far', A: '1', B: 'x=y'});
	});

	it('a macOS remote is a darwin host with its own user, ids and home (scripted: no macOS here)', async () => {
		const mac = firstLook(['ana', '501', '20', '/Users/ana', 'mini', 'Darwin'], ['HOME=/Users/ana']);
		const host = await remoteHost(remoteRunner(target, async () => mac, ctl()));
		expect(host.platform).toBe('darwin');
		expect(host.userInfo()).toEqual({username: 'ana', uid: 501, gid: 20, homedir: '/Users/ana'});
		expect(host.hostname()).toBe('mini');
	});

	it('a first look that runs but fails (a shell without env -0) is a RemoteError with the remote’s words', async () => {
		const busybox = async () => ran({exitCode: 1, stderr: "env: unrecognized option '-0'\n"});
		const runner = remoteRunner(target, busybox, ctl());
		await expect(remoteHost(runner)).rejects.toThrow(RemoteError);
		// The message exactly: the remote's words without their line break.
		await expect(remoteHost(runner)).rejects.toThrow(
			new RemoteError("--host box: looking at the remote failed: env: unrecognized option '-0'"),
		);
	});

	it('a connection lost after the first look: every later command is a RemoteError, not a missing file', async () => {
		let n = 0;
		const dropping = async () =>
			n++ === 0
				? firstLook(['ana', '1000', '1000', '/home/ana', 'box', 'Linux'], ['HOME=/home/ana'])
				: ran({exitCode: 255, stderr: 'Connection to box closed by remote host.\n'});
		const host = await remoteHost(remoteRunner(target, dropping, ctl()));
		await expect(host.run('docker', ['info'], 4000)).rejects.toThrow(
			new RemoteError('--host box: ssh failed (Connection to box closed by remote host.)'),
		);
		await expect(host.readFile('/etc/hostname')).rejects.toThrow(RemoteError);
	});

	it('a failed read says why in the remote’s words (EIO when it is neither missing nor a folder)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-remote-'));
		writeFileSync(join(dir, 'file'), 'x');
		const {local} = hop();
		const host = await remoteHost(remoteRunner(target, local, ctl()));
		const below = join(dir, 'file', 'below');
		const error = await host.readFile(below).catch((e: NodeJS.ErrnoException) => e);
		expect(error).toMatchObject({code: 'EIO', path: below});
		expect((error as Error).message).toMatch(new RegExp(`^${below}: head: .*Not a directory$`));
		await expect(host.readdir(join(dir, 'none'))).rejects.toMatchObject({code: 'ENOENT'});
		await expect(host.realpath(join(dir, 'none'))).rejects.toMatchObject({code: 'ENOENT'});
	});

	it('a read that fails without a word there still says which file cannot be read (scripted failure)', async () => {
		let n = 0;
		const silent = async () =>
			n++ === 0 ? firstLook(['ana', '1000', '1000', '/home/ana', 'box', 'Linux'], []) : ran({exitCode: 1});
		const host = await remoteHost(remoteRunner(target, silent, ctl()));
		await expect(host.readFile('/srv/x')).rejects.toMatchObject({code: 'EIO', message: '/srv/x: cannot be read'});
	});

	it('kinds there: a socket, a FIFO (other), and a folder whose name ends in a blank resolves to itself', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-remote-'));
		const server = net.createServer();
		await new Promise<void>(r => server.listen(join(dir, 'sock'), r));
		await run('mkfifo', [join(dir, 'fifo')]);
		mkdirSync(join(dir, 'Dropbox '));
		const {local} = hop();
		const host = await remoteHost(remoteRunner(target, local, ctl()));
		try {
			expect(await host.kind(join(dir, 'sock'))).toBe('socket');
			expect(await host.kind(join(dir, 'fifo'))).toBe('other');
			expect(await host.realpath(join(dir, 'Dropbox '))).toBe(realpathSync(join(dir, 'Dropbox ')));
		} finally {
			server.close();
		}
	});

	it('an agent answers there, with no key or one (a real ssh-agent); a path with no listener does not', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-agent-'));
		const sock = join(dir, 'agent.sock');
		const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], {stdio: 'ignore'});
		try {
			await until(() => existsSync(sock), `ssh-agent's socket ${sock}`, {timeoutMs: 10_000});
			const {local} = hop();
			const host = await remoteHost(remoteRunner(target, local, ctl()));
			expect(await host.connect(sock, 1000)).toBe(true);
			expect(await host.connect(join(dir, 'none.sock'), 1000)).toBe(false);
			await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
			const added = await run('ssh-add', [join(dir, 'key')], {env: {...process.env, SSH_AUTH_SOCK: sock}});
			expect(added.exitCode, added.stderr).toBe(0);
			expect(await host.connect(sock, 1000)).toBe(true);
		} finally {
			agent.kill();
		}
	});

	it.runIf(process.platform === 'linux')(
		'a port is looked at on the address asked for, not on loopback (Linux: all of 127/8 is loopback)',
		async () => {
			const server = net.createServer();
			await new Promise<void>(r => server.listen(0, '127.0.0.2', r));
			const port = (server.address() as net.AddressInfo).port;
			const {local} = hop();
			const host = await remoteHost(remoteRunner(target, local, ctl()));
			try {
				expect(await host.portFree(port, '127.0.0.2')).toBe(false);
			} finally {
				server.close();
			}
		},
	);
});
