// The live Host (source/host/probes.ts) against this machine: real files, folders, links, a FIFO, unix
// sockets and TCP ports in a temporary folder, real programs (never docker). The key and Dropbox lookups
// run on it over a home built in that folder.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os, {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {dropboxPath, identity, publicKeys, realHost} from '../../source/host/probes.js';
import {fakeHost} from '../helpers/fake-host.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hatch-probe-'));

afterEach(() => vi.unstubAllEnvs());

function listen(server: net.Server, where: string | {port: number; host: string}): Promise<void> {
	return new Promise(r => server.listen(where as never, () => r()));
}

// Each test makes its own host: the host's functions are made when realHost() is called, inside the test.
describe('realHost', () => {
	it('runs programs with untranslated messages (LC_ALL=C) and the rest of hatch’s environment', async () => {
		const host = realHost();
		vi.stubEnv('LC_ALL', 'de_DE.UTF-8');
		vi.stubEnv('HATCH_X', 'kept');
		expect(await host.run('sh', ['-c', 'echo "$LC_ALL $HATCH_X"; echo e >&2; exit 2'], 5000)).toEqual({
			stdout: 'C kept',
			stderr: 'e',
			exitCode: 2,
			timedOut: false,
		});
	});

	it('a missing program is exit 127; one past its deadline is stopped and marked', async () => {
		const host = realHost();
		expect(await host.run('hatch-no-such-program', [], 5000)).toMatchObject({exitCode: 127, timedOut: false});
		expect(await host.run('sleep', ['30'], 100)).toMatchObject({timedOut: true});
	});

	it('reads files and folders, tells files, folders, sockets and other things apart, resolves links', async () => {
		const host = realHost();
		const dir = tmp();
		writeFileSync(join(dir, 'f'), 'text\n');
		mkdirSync(join(dir, 'd'));
		symlinkSync(join(dir, 'd'), join(dir, 'link'));
		spawnSync('mkfifo', [join(dir, 'fifo')]);
		const server = net.createServer();
		await listen(server, join(dir, 's.sock'));
		try {
			expect(await host.readFile(join(dir, 'f'))).toBe('text\n');
			expect((await host.readdir(dir)).sort()).toEqual(['d', 'f', 'fifo', 'link', 's.sock']);
			expect(await host.kind(join(dir, 'f'))).toBe('file');
			expect(await host.kind(join(dir, 'd'))).toBe('dir');
			expect(await host.kind(join(dir, 'link'))).toBe('dir');
			expect(await host.kind(join(dir, 's.sock'))).toBe('socket');
			expect(await host.kind(join(dir, 'fifo'))).toBe('other');
			expect(await host.kind(join(dir, 'missing'))).toBeUndefined();
			expect(await host.realpath(join(dir, 'link'))).toBe(join(dir, 'd'));
			await expect(host.readFile(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
		} finally {
			server.close();
		}
	});

	it('connect: true when something accepts on the socket, false when nothing does or it is not a socket', async () => {
		const host = realHost();
		const dir = tmp();
		const server = net.createServer(s => s.end());
		await listen(server, join(dir, 'agent.sock'));
		try {
			expect(await host.connect(join(dir, 'agent.sock'), 2000)).toBe(true);
		} finally {
			await new Promise(r => server.close(r));
		}
		expect(await host.connect(join(dir, 'agent.sock'), 2000)).toBe(false);
		writeFileSync(join(dir, 'plain'), '');
		expect(await host.connect(join(dir, 'plain'), 2000)).toBe(false);
	});

	it('connect hangs up once it knows: the agent sees its connection closed', async () => {
		const host = realHost();
		const dir = tmp();
		const server = net.createServer();
		const closed = new Promise<void>(r => server.once('connection', s => s.once('close', () => r())));
		await listen(server, join(dir, 'agent.sock'));
		try {
			expect(await host.connect(join(dir, 'agent.sock'), 2000)).toBe(true);
			await closed;
		} finally {
			server.close();
		}
	});

	it('portFree: false while something listens on the port, true once it has stopped', async () => {
		const host = realHost();
		const server = net.createServer();
		await listen(server, {port: 0, host: '127.0.0.1'});
		const port = (server.address() as net.AddressInfo).port;
		expect(await host.portFree(port, '127.0.0.1')).toBe(false);
		await new Promise(r => server.close(r));
		expect(await host.portFree(port, '127.0.0.1')).toBe(true);
	});

	it('who and where: this user’s ids, $HOME as the home, the host name, the platform, the environment', () => {
		const host = realHost();
		const home = tmp();
		vi.stubEnv('HOME', home);
		const me = os.userInfo();
		expect(host.userInfo()).toEqual({username: me.username, uid: me.uid, gid: me.gid, homedir: home});
		expect(host.hostname()).toBe(os.hostname());
		expect(host.platform).toBe(process.platform);
		expect(host.env).toBe(process.env);
	});

	it('an empty $HOME falls back to the account’s home', () => {
		const host = realHost();
		vi.stubEnv('HOME', '');
		expect(host.userInfo().homedir).toBe(os.userInfo().homedir);
	});
});

describe('identity', () => {
	it('the short host name, without its domain', () => {
		expect(identity(fakeHost())).toEqual({
			user: 'alice',
			uid: 1000,
			gid: 1000,
			home: '/home/alice',
			hostname: 'vortex',
		});
	});
});

describe('publicKeys on a real home', () => {
	it('ed25519 first, then ecdsa, rsa and others, each kind by name; only files ending in .pub', async () => {
		const home = tmp();
		const ssh = join(home, '.ssh');
		mkdirSync(ssh);
		for (const n of [
			'id_rsa.pub',
			'z_other.pub',
			'id_ecdsa.pub',
			'b_ed25519.pub',
			'a_ed25519.pub',
			'id_ed25519',
			'config',
			'a_rsa.pub',
			'id_dsa.pub',
		])
			writeFileSync(join(ssh, n), 'ssh-x AAAA\n');
		mkdirSync(join(ssh, 'folder.pub'));
		expect(await publicKeys(realHost(), home)).toEqual(
			['a_ed25519.pub', 'b_ed25519.pub', 'id_ecdsa.pub', 'a_rsa.pub', 'id_rsa.pub', 'id_dsa.pub', 'z_other.pub'].map(
				n => join(ssh, n),
			),
		);
	});

	it('no ~/.ssh: none', async () => {
		expect(await publicKeys(realHost(), tmp())).toEqual([]);
	});
});

describe('dropboxPath on a real home', () => {
	it('the personal folder from info.json, then the business one, then ~/Dropbox; links resolved', async () => {
		const home = tmp();
		const real = join(home, 'data', 'Dropbox (Personal)');
		const business = join(home, 'data', 'Dropbox (Work)');
		mkdirSync(real, {recursive: true});
		mkdirSync(business, {recursive: true});
		mkdirSync(join(home, '.dropbox'));
		symlinkSync(real, join(home, 'personal-link'));
		writeFileSync(
			join(home, '.dropbox', 'info.json'),
			JSON.stringify({business: {path: business}, personal: {path: join(home, 'personal-link')}}),
		);
		expect(await dropboxPath(realHost(), home)).toBe(real);
		writeFileSync(
			join(home, '.dropbox', 'info.json'),
			JSON.stringify({business: {path: business}, personal: {path: join(home, 'gone')}}),
		);
		expect(await dropboxPath(realHost(), home)).toBe(business);
		writeFileSync(join(home, '.dropbox', 'info.json'), JSON.stringify({personal: {path: ''}, business: {path: 42}}));
		expect(await dropboxPath(realHost(), home)).toBeUndefined();
		mkdirSync(join(home, 'Dropbox'));
		expect(await dropboxPath(realHost(), home)).toBe(join(home, 'Dropbox'));
	});

	it('macOS’s CloudStorage folder when there is no ~/Dropbox; a file named Dropbox is not a folder', async () => {
		const home = tmp();
		writeFileSync(join(home, 'Dropbox'), '');
		mkdirSync(join(home, 'Library', 'CloudStorage', 'Dropbox'), {recursive: true});
		expect(await dropboxPath(realHost(), home)).toBe(join(home, 'Library', 'CloudStorage', 'Dropbox'));
	});
});

describe('dropboxPath when a link cannot be resolved (simulated: the folder goes between the two looks)', () => {
	it('the folder found is named as it was found', async () => {
		const host = {
			...fakeHost({dirs: ['/home/alice/Dropbox']}),
			realpath: async () => {
				throw Object.assign(new Error('ENOENT: gone'), {code: 'ENOENT'});
			},
		};
		expect(await dropboxPath(host, '/home/alice')).toBe('/home/alice/Dropbox');
	});
});
