// A stack on a remote Docker host (source/remote-stack.ts, remoteProc): staging its folder here, sending the
// changes back (checked, backed up, placed atomically), the files carried from this side, the remote's view of
// the host paths, and remote commands that stop when this side cancels. The SSH hop is replaced by a local
// shell (the line ssh would send runs in `sh -c`), so every script and quoting runs for real; the e2e suite
// (test/e2e/remote-deploy.test.ts) drives a real sshd and a second engine.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {
	chmodSync,
	existsSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {type Ran, type RunOptions, run} from '../../source/docker/proc.js';
import {remoteHost, remoteProc, remoteReadyHost, remoteRunner} from '../../source/host/remote.js';
import {
	carried,
	carryFiles,
	fetchStack,
	pushChanges,
	pushScript,
	type Remote,
	relabel,
	remoteFiles,
	remoteOut,
	slug,
	via,
} from '../../source/remote-stack.js';
import {compare, hostFileProblems} from '../../source/stack.js';
import {until} from '../helpers/until.js';

const target = {destination: 'ana@box', label: 'box'};
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `hatch-rs-${name}-`));

/** `run` as ssh would do it, with the hop replaced by a local shell (the last word is the remote line). */
const hop = (cmd: string, args: string[], options: RunOptions = {}) => {
	expect(cmd).toBe('ssh');
	return run('sh', ['-c', args.at(-1)!], options);
};

async function connected(env: Record<string, string> = {}): Promise<Remote> {
	const runner = remoteRunner(target, hop, tmp('ctl'));
	const host = await remoteHost(runner);
	Object.assign(host.env, env);
	return {text: 'box', target, runner, host, engine: {proc: remoteProc(runner), ready: remoteReadyHost(runner)}};
}

describe('the stack folder there, staged here and sent back', () => {
	it('copies the files hatch writes (not logs or backups); a folder that is not there stages nothing', async () => {
		const there = tmp('there');
		mkdirSync(join(there, 'image', 'stem'), {recursive: true});
		mkdirSync(join(there, 'logs'));
		writeFileSync(join(there, '.env'), 'STEM_USER=ana\n');
		writeFileSync(join(there, 'docker-compose.yml'), 'services: {}\n');
		writeFileSync(join(there, 'image', 'stem', 'a b.sh'), '#!/bin/sh\n');
		mkdirSync(join(there, 'host-files'));
		writeFileSync(join(there, 'host-files', 'stem_auth_keys_path'), 'ssh-ed25519 AAAA\n');
		writeFileSync(join(there, 'logs', 'hatch-1.log'), 'old\n');
		const here = tmp('here');
		const r = await connected();
		await fetchStack(r, there, here);
		expect(readFileSync(join(here, '.env'), 'utf8')).toBe('STEM_USER=ana\n');
		expect(readFileSync(join(here, 'image', 'stem', 'a b.sh'), 'utf8')).toBe('#!/bin/sh\n');
		expect(readFileSync(join(here, 'host-files', 'stem_auth_keys_path'), 'utf8')).toBe('ssh-ed25519 AAAA\n');
		expect(existsSync(join(here, 'logs'))).toBe(false);
		const empty = tmp('empty');
		await fetchStack(r, join(there, 'nothing'), empty);
		expect(readdirSync(empty)).toEqual([]);
	});

	it('writes new files with their modes, backs up a changed one (0600) and replaces it; leaves the rest', async () => {
		const there = tmp('there');
		writeFileSync(join(there, '.env'), 'OLD=1\n');
		writeFileSync(join(there, 'README.md'), 'same\n');
		const here = tmp('here');
		const r = await connected();
		await fetchStack(r, there, here);
		const changes = await compare([
			{path: join(here, '.env'), content: 'NEW=1\n', mode: 0o600, showDiff: true},
			{path: join(here, 'README.md'), content: 'same\n', mode: 0o644, showDiff: false},
			{
				path: join(here, 'image', 'x.sh'),
				content: 'echo x\n',
				mode: 0o755,
				showDiff: false,
				backupAs: join(here, '.hatch', 'backups', 'image', 'x.sh'),
			},
		]);
		const before = statSync(join(there, 'README.md')).mtimeMs;
		const done = await pushChanges(r, there, here, changes);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('NEW=1\n');
		expect(statSync(join(there, '.env')).mode & 0o777).toBe(0o600);
		expect(statSync(join(there, 'image', 'x.sh')).mode & 0o777).toBe(0o755);
		expect(statSync(join(there, 'README.md')).mtimeMs).toBe(before);
		const env = done.find(c => c.path === join(there, '.env'))!;
		expect(env.backup).toMatch(new RegExp(`^${there}/\\.env\\.bak-\\d{8}-\\d{6}$`));
		expect(readFileSync(env.backup!, 'utf8')).toBe('OLD=1\n');
		expect(statSync(env.backup!).mode & 0o777).toBe(0o600);
		// Nothing left of the staging folder there.
		expect(readdirSync(join(there, '.hatch'))).toEqual([]);

		// A build-context file that changes is backed up outside the build context.
		await fetchStack(r, there, here);
		const again = await compare([
			{
				path: join(here, 'image', 'x.sh'),
				content: 'echo y\n',
				mode: 0o755,
				showDiff: false,
				backupAs: join(here, '.hatch', 'backups', 'image', 'x.sh'),
			},
		]);
		const [x] = await pushChanges(r, there, here, again);
		expect(x!.backup).toMatch(new RegExp(`^${there}/\\.hatch/backups/image/x\\.sh\\.bak-`));
		expect(readFileSync(x!.backup!, 'utf8')).toBe('echo x\n');
	});

	it('writes nothing when a file there changed (or appeared) since it was read, and says so', async () => {
		const there = tmp('there');
		writeFileSync(join(there, '.env'), 'A=1\n');
		const here = tmp('here');
		const r = await connected();
		await fetchStack(r, there, here);
		const changes = await compare([
			{path: join(here, '.env'), content: 'A=2\n', mode: 0o600, showDiff: true},
			{path: join(here, 'docker-compose.yml'), content: 'services: {}\n', mode: 0o644, showDiff: true},
		]);
		writeFileSync(join(there, '.env'), 'A=edited\n');
		await expect(pushChanges(r, there, here, changes)).rejects.toThrow(
			/changed meanwhile: \.env \(on box\); nothing was written/,
		);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('A=edited\n');
		expect(existsSync(join(there, 'docker-compose.yml'))).toBe(false);

		writeFileSync(join(there, '.env'), 'A=1\n');
		writeFileSync(join(there, 'docker-compose.yml'), 'mine\n');
		await expect(pushChanges(r, there, here, changes)).rejects.toThrow(/changed meanwhile: docker-compose\.yml/);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('A=1\n');
	});

	it('a folder that cannot be made there stops it: nothing is written anywhere else (not into the home)', async () => {
		const there = tmp('there');
		writeFileSync(join(there, 'file'), 'x');
		const r = await connected();
		const here = tmp('here');
		const changes = await compare([{path: join(here, '.env'), content: 'A=1\n', mode: 0o600, showDiff: true}]);
		const home = r.host.userInfo().homedir;
		const before = existsSync(join(home, '.env'));
		await expect(pushChanges(r, join(there, 'file', 'stem'), here, changes)).rejects.toThrow(
			/failed: .*check that you can write there, or pick another folder/,
		);
		expect(existsSync(join(home, '.env'))).toBe(before);
		expect(readdirSync(there)).toEqual(['file']);
	});

	it('a backup that cannot be made stops it before that file is replaced, and says so', async () => {
		const there = tmp('there');
		mkdirSync(join(there, 'image'));
		writeFileSync(join(there, 'image', 'Dockerfile'), 'FROM old\n');
		// Where the backups go is a file: no backup can be made there (as on a full or read-only disk).
		writeFileSync(join(there, '.hatch'), 'not a folder');
		const here = tmp('here');
		const r = await connected();
		const hashes = await fetchStack(r, there, here);
		const changes = await compare([
			{
				path: join(here, 'image', 'Dockerfile'),
				content: 'FROM new\n',
				mode: 0o644,
				showDiff: false,
				backupAs: join(here, '.hatch', 'backups', 'image', 'Dockerfile'),
			},
		]);
		await expect(pushChanges(r, there, here, changes, hashes)).rejects.toThrow(/failed/);
		expect(readFileSync(join(there, 'image', 'Dockerfile'), 'utf8')).toBe('FROM old\n');
	});

	it('runs nothing until the whole script has arrived: a connection cut while sending it changes nothing', () => {
		const there = tmp('there');
		writeFileSync(join(there, '.env'), 'OLD=1\n');
		const script = pushScript([
			{rel: '.env', oldHash: createHash('sha256').update('OLD=1\n').digest('hex'), content: 'NEW=1\n', mode: 0o600},
			{rel: 'docker-compose.yml', content: `services: {}\n${'#'.repeat(4000)}\n`, mode: 0o644},
		]);
		const cut = script.slice(0, script.indexOf('place 1'));
		const r = spawnSync('bash', ['-s', '--', there, '20260101-000000'], {input: cut, encoding: 'utf8'});
		expect(r.status).not.toBe(0);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('OLD=1\n');
		expect(existsSync(join(there, 'docker-compose.yml'))).toBe(false);
		const whole = spawnSync('bash', ['-s', '--', there, '20260101-000000'], {input: script, encoding: 'utf8'});
		expect(whole.status).toBe(0);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('NEW=1\n');
	});

	it('a file that is not UTF-8 there is compared by its bytes; a link there is written where it points', async () => {
		const there = tmp('there');
		writeFileSync(join(there, '.env'), Buffer.from('# caf\xe9\nA=1\n', 'latin1'));
		const target = join(tmp('dotfiles'), 'compose.yml');
		writeFileSync(target, 'services: {}\n');
		symlinkSync(target, join(there, 'docker-compose.yml'));
		const here = tmp('here');
		const r = await connected();
		const hashes = await fetchStack(r, there, here);
		const changes = await compare([
			{path: join(here, '.env'), content: 'A=2\n', mode: 0o600, showDiff: true},
			{path: join(here, 'docker-compose.yml'), content: 'services: {x: {}}\n', mode: 0o644, showDiff: true},
		]);
		await pushChanges(r, there, here, changes, hashes);
		expect(readFileSync(join(there, '.env'), 'utf8')).toBe('A=2\n');
		expect(lstatSync(join(there, 'docker-compose.yml')).isSymbolicLink()).toBe(true);
		expect(readFileSync(target, 'utf8')).toBe('services: {x: {}}\n');
	});

	it('shows each change as the file there (TARGET:/path), diff headers too', async () => {
		const here = tmp('here');
		writeFileSync(join(here, '.env'), 'A=1\n');
		const [c] = relabel(
			await compare([{path: join(here, '.env'), content: 'A=2\n', mode: 0o600, showDiff: true}]),
			here,
			'/home/ana/hatch/stem',
			'box',
		);
		expect(c!.path).toBe('box:/home/ana/hatch/stem/.env');
		expect(c!.diff).toContain('box:/home/ana/hatch/stem/.env');
		expect(c!.diff).not.toContain(here);
	});
});

describe('what the remote answers, at its edges (scripted answers: the remote misbehaving)', () => {
	/** A remote whose every command gets `answer` (after a first look from a local shell). */
	async function answering(answer: Partial<Ran>): Promise<Remote> {
		const r = await connected();
		const runner = remoteRunner(
			target,
			async () => ({exitCode: 0, stdout: '', stderr: '', timedOut: false, ...answer}),
			tmp('ctl'),
		);
		return {...r, runner};
	}

	it('a file name that leads out of the stack folder is refused, and nothing is staged', async () => {
		for (const name of ['../evil', '/etc/passwd', 'image/../../x', '']) {
			const r = await answering({stdout: `${name}\0${Buffer.from('x').toString('base64')}\0`});
			const here = tmp('here');
			await expect(fetchStack(r, '/srv/stem', here)).rejects.toThrow(
				`reading /srv/stem on box: unexpected file name ${JSON.stringify(name)}`,
			);
			expect(readdirSync(here)).toEqual([]);
		}
		const ok = await answering({stdout: `image/a..b\0${Buffer.from('y').toString('base64')}\0`});
		const here = tmp('here');
		await fetchStack(ok, '/srv/stem', here);
		expect(readFileSync(join(here, 'image', 'a..b'), 'utf8')).toBe('y');
	});

	it("a failed read there is said in its words, without control characters; a lost link, in ssh's", async () => {
		const failing = await answering({exitCode: 1, stderr: 'find: \x1b]0;title\x07image: Permission denied\n'});
		await expect(fetchStack(failing, '/srv/stem', tmp('here'))).rejects.toThrow(
			'reading /srv/stem on box failed: find: image: Permission denied',
		);
		const silent = await answering({exitCode: 2});
		await expect(fetchStack(silent, '/srv/stem', tmp('here'))).rejects.toThrow(
			'reading /srv/stem on box failed: exit 2',
		);
		const lost = await answering({exitCode: 255, stderr: 'Connection to box closed by remote host.\n'});
		await expect(fetchStack(lost, '/srv/stem', tmp('here'))).rejects.toThrow(
			'--host box: ssh failed (Connection to box closed by remote host.)',
		);
	});

	it("a push that stops half way names the old copies already made; a lost link is said in ssh's words", async () => {
		const here = tmp('here');
		writeFileSync(join(here, '.env'), 'A=1\n');
		const changes = await compare([{path: join(here, '.env'), content: 'A=2\n', mode: 0o600, showDiff: true}]);
		const half = await answering({
			exitCode: 4,
			stdout: 'backup\t.env.bak-20260101-000000\n',
			stderr: 'cannot replace docker-compose.yml\n',
		});
		await expect(pushChanges(half, '/srv/stem', here, changes)).rejects.toThrow(
			'writing /srv/stem on box failed: cannot replace docker-compose.yml; the old copies of what was replaced: ' +
				'.env.bak-20260101-000000; check that you can write there, or pick another folder there (--out DIR)',
		);
		const mute = await answering({exitCode: 1});
		await expect(pushChanges(mute, '/srv/stem', here, changes)).rejects.toThrow(
			'writing /srv/stem on box failed: exit 1; check',
		);
		const lost = await answering({exitCode: 255, stderr: 'Broken pipe\n'});
		await expect(pushChanges(lost, '/srv/stem', here, changes)).rejects.toThrow('--host box: ssh failed (Broken pipe)');
		// Done: each file with its path there, and its backup there when it had one.
		const done = await answering({stdout: 'backup\t.env.bak-20260101-000000\n'});
		const [env] = await pushChanges(done, '/srv/stem', here, changes);
		expect(env).toMatchObject({path: '/srv/stem/.env', backup: '/srv/stem/.env.bak-20260101-000000'});
	});

	it('a diff of a file there is shown without its control characters; the log folder is a plain name', async () => {
		const here = tmp('here');
		writeFileSync(join(here, '.env'), 'A=1\n');
		const [c] = relabel(
			await compare([
				{path: join(here, '.env'), content: 'A=\x1b]52;c;ZXZpbA==\x07\x1b[31m2\n', mode: 0o600, showDiff: true},
			]),
			here,
			'/srv/stem',
			'box',
		);
		expect(c!.diff).toContain('+A=2');
		expect(c!.diff).not.toContain('\x1b');
		expect(slug('ana@gpu box:2200/../x')).toBe('ana_gpu_box_2200_.._x');
		expect(slug('x'.repeat(100))).toHaveLength(80);
	});
});

describe('where stacks go there', () => {
	it('~/hatch there by default, $DOCKER/services/<host> when set there; --out from the home there', async () => {
		const r = await connected({HOME: '/home/ana'});
		const home = r.host.userInfo().homedir;
		const name = r.host.hostname();
		delete r.host.env.DOCKER;
		expect(remoteOut(r, undefined)).toBe(`${home}/hatch`);
		expect(remoteOut(r, '~/stacks')).toBe(`${home}/stacks`);
		expect(remoteOut(r, 'rel')).toBe(`${home}/rel`);
		expect(remoteOut(r, '/srv/x/')).toBe('/srv/x');
		r.host.env.DOCKER = '/srv/docker';
		expect(remoteOut(r, undefined)).toBe(`/srv/docker/services/${name}`);
		// What the remote says never leads elsewhere: a relative $DOCKER is not used, an odd host name is not a path.
		r.host.env.DOCKER = '../../../tmp/x';
		expect(remoteOut(r, undefined)).toBe(`${home}/hatch`);
		r.host.env.DOCKER = '/srv/docker';
		const odd = {...r, host: {...r.host, hostname: () => '../../etc'}};
		expect(remoteOut(odd, undefined)).toBe('/srv/docker/services/host');
		expect(remoteOut(r, '~/../../x')).toBe('/x');
	});
});

describe('host files: carried from this side, or checked there', () => {
	const dir = '/home/ana/hatch/stem';
	const there = {dir};

	it('the public key and the secrets named here are copied into the stack folder there, which the .env names', () => {
		const here = tmp('keys');
		writeFileSync(join(here, 'id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmE me\n');
		writeFileSync(join(here, 'secrets.env'), 'TOKEN=x\n');
		const staged = tmp('staged');
		const {values, files} = carryFiles(
			{STEM_AUTH_KEYS_PATH: join(here, 'id.pub'), APOGEE_SECRETS_PATH: join(here, 'secrets.env'), STEM_USER: 'ana'},
			there,
			staged,
		);
		expect(values.STEM_AUTH_KEYS_PATH).toBe(`${dir}/host-files/stem_auth_keys_path`);
		expect(values.APOGEE_SECRETS_PATH).toBe(`${dir}/host-files/apogee_secrets_path`);
		expect(values.STEM_USER).toBe('ana');
		// Listed with the stack's files, never with a diff: the secrets stay off the screen.
		expect(files.every(f => f.showDiff && f.quiet)).toBe(true);
		expect(files.map(f => [f.path, f.mode, f.content])).toEqual([
			[join(staged, 'host-files', 'stem_auth_keys_path'), 0o644, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmE me\n'],
			[join(staged, 'host-files', 'apogee_secrets_path'), 0o600, 'TOKEN=x\n'],
		]);
		// Already there (a second run): not carried again, and folders are never carried.
		expect(carried('STEM_AUTH_KEYS_PATH', values.STEM_AUTH_KEYS_PATH, there)).toBe(false);
		expect(carried('NEURON_PROJECTS_PATH', '/data', there)).toBe(false);
		expect(carried('STEM_AUTH_KEYS_PATH', '', there)).toBe(false);
	});

	it("a path the remote's .env already had is a path there: never read here, never sent there", async () => {
		const here = tmp('secret');
		// Say the remote's .env names a file of this machine (it could name ~/.ssh/id_ed25519 as well).
		const mine = join(here, 'private.env');
		writeFileSync(mine, 'TOKEN=mine\n');
		const existing = {APOGEE_SECRETS_PATH: mine, STEM_AUTH_KEYS_PATH: join(here, 'id.pub')};
		const fromThere = {dir, existing};
		const {values, files} = carryFiles(existing, fromThere, tmp('staged'));
		expect(files).toEqual([]);
		expect(values).toEqual(existing);
		// Checked there, as paths there: the "remote" here is this machine through a shell, and the key file is
		// not there, so it cannot be read there.
		const r = await connected();
		const {errors} = hostFileProblems(existing, await remoteFiles(r, existing, fromThere));
		expect(errors.join('\n')).toContain(`STEM_AUTH_KEYS_PATH ${join(here, 'id.pub')} cannot be read on box`);
		// The same path given in this run (--set, an answer) is the user's choice: carried.
		expect(carried('APOGEE_SECRETS_PATH', join(here, 'other.env'), fromThere)).toBe(true);
	});

	it('what is there, as it is there: a socket or a FIFO is no folder; a key file there is read there', async () => {
		const place = tmp('kinds');
		const server = net.createServer();
		await new Promise<void>(resolve => server.listen(join(place, 'sock'), resolve));
		spawnSync('mkfifo', [join(place, 'fifo')]);
		writeFileSync(join(place, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n');
		try {
			const r = await connected();
			const values = {
				NEURON_PROJECTS_PATH: join(place, 'sock'),
				NEURON_DATASETS_PATH: join(place, 'fifo'),
				STEM_AUTH_KEYS_PATH: join(place, 'id'),
			};
			// The key path is the one the .env there holds: a path there, read there.
			const {errors} = hostFileProblems(values, await remoteFiles(r, values, {dir, existing: values}));
			expect(errors[0]).toMatch(/^STEM_AUTH_KEYS_PATH .*private key/i);
			expect(errors).toContain(`NEURON_PROJECTS_PATH ${join(place, 'sock')} is a socket; it must be a folder`);
			expect(errors).toContain(`NEURON_DATASETS_PATH ${join(place, 'fifo')} is a special file; it must be a folder`);
		} finally {
			server.close();
		}
	});

	it('a folder that exists only on this side is refused, naming the remote; one there passes', async () => {
		const here = tmp('only-here');
		const r = await connected();
		// The "remote" is this machine through a local shell: a path it lacks is one that exists nowhere.
		const missing = join(here, 'not-there');
		const problems = hostFileProblems(
			{NEURON_PROJECTS_PATH: missing, STEM_EXTRA_MOUNTS: `${missing}:/x`},
			await remoteFiles(r, {NEURON_PROJECTS_PATH: missing, STEM_EXTRA_MOUNTS: `${missing}:/x`}, there),
		);
		expect(problems.errors).toEqual([
			`NEURON_PROJECTS_PATH ${missing} does not exist on box; create it (mkdir -p '${missing}') or leave the ` +
				'setting empty',
			`STEM_EXTRA_MOUNTS: ${missing} does not exist on box; mount the share or create it (mkdir -p '${missing}'), ` +
				`or take "${missing}:/x" out of the list`,
		]);
		const ok = hostFileProblems(
			{NEURON_PROJECTS_PATH: here},
			await remoteFiles(r, {NEURON_PROJECTS_PATH: here}, there),
		);
		expect(ok.errors).toEqual([]);
	});

	it('a folder there that the container user cannot write is warned about with its owner and mode there', async () => {
		const folder = tmp('ro');
		chmodSync(folder, 0o755);
		const r = await connected();
		const values = {NEURON_PROJECTS_PATH: folder, STEM_UID: '4242', STEM_GID: '4242'};
		const {warnings} = hostFileProblems(values, await remoteFiles(r, values, there));
		expect(warnings.join('\n')).toContain(`belongs to ${process.getuid!()}:${process.getgid!()} (mode 755)`);
	});

	it('a carried key file is read here: a private key is refused before anything is sent', async () => {
		const here = tmp('priv');
		writeFileSync(join(here, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n');
		const r = await connected();
		const values = {STEM_AUTH_KEYS_PATH: join(here, 'id')};
		const {errors} = hostFileProblems(values, await remoteFiles(r, values, there));
		expect(errors.join('\n')).toMatch(/private key/i);
	});

	it('ssh reaches the stack through the Docker host, with the private key next to the carried public one', async () => {
		const here = tmp('via');
		writeFileSync(join(here, 'id'), 'private');
		writeFileSync(join(here, 'id.pub'), 'public');
		const r = await connected();
		expect(via(r, {STEM_AUTH_KEYS_PATH: join(here, 'id.pub')}, there)).toEqual({
			jump: 'ana@box',
			identity: join(here, 'id'),
		});
		expect(via(r, {STEM_AUTH_KEYS_PATH: `${dir}/host-files/stem_auth_keys_path`}, there)).toEqual({jump: 'ana@box'});
		expect(via({...r, target: {...target, port: 2222}}, {}, there)).toEqual({jump: 'ana@box:2222'});
		// A public key with no private key beside it: no IdentityFile (ssh picks its own).
		const lone = tmp('lone');
		writeFileSync(join(lone, 'id.pub'), 'public');
		expect(via(r, {STEM_AUTH_KEYS_PATH: join(lone, 'id.pub')}, there)).toEqual({jump: 'ana@box'});
		expect(via(r, {STEM_AUTH_KEYS_PATH: join(here, 'id')}, there)).toEqual({jump: 'ana@box'});
	});
});

describe('commands there (the SSH hop replaced by a local shell that runs the line)', () => {
	const saved = process.env.HATCH_SSH_COMMAND;
	afterEach(() => {
		if (saved === undefined) delete process.env.HATCH_SSH_COMMAND;
		else process.env.HATCH_SSH_COMMAND = saved;
	});

	/** A stand-in for ssh that runs the remote line in a local shell, as sshd would. */
	function fakeSsh(): string {
		const bin = join(tmp('bin'), 'fake-ssh');
		writeFileSync(bin, '#!/bin/bash\nfor last; do :; done\nexec sh -c "$last"\n');
		chmodSync(bin, 0o755);
		return bin;
	}

	it('run: in the folder there, without the settings of the login environment, under a deadline there too', async () => {
		const dir = tmp('cwd');
		const proc = remoteProc(remoteRunner(target, hop, tmp('ctl')));
		process.env.STEM_USER = 'leaked';
		try {
			const r = await proc.run('sh', ['-c', 'pwd; echo "user=${STEM_USER-unset}"'], {cwd: dir, timeoutMs: 5000});
			expect(r.stdout).toBe(`${dir}\nuser=unset`);
		} finally {
			delete process.env.STEM_USER;
		}
		// The login's COMPOSE_* (named at connect) are unset there too, as composeEnv does here.
		const composed = remoteProc(remoteRunner(target, hop, tmp('ctl')), ['COMPOSE_FILE']);
		process.env.COMPOSE_FILE = '/elsewhere.yml';
		try {
			const r = await composed.run('sh', ['-c', 'echo "file=${COMPOSE_FILE-unset}"'], {timeoutMs: 5000});
			expect(r.stdout).toBe('file=unset');
		} finally {
			delete process.env.COMPOSE_FILE;
		}
		const slow = await proc.run('sleep', ['30'], {timeoutMs: 1000});
		expect(slow.exitCode).toBe(124); // timeout(1) there ended it
	});

	it('stream: every line comes back, with plain BuildKit progress; cancelling stops the command there', async () => {
		process.env.HATCH_SSH_COMMAND = fakeSsh();
		const dir = tmp('stream');
		const proc = remoteProc(remoteRunner(target, run, tmp('ctl')));
		const lines: string[] = [];
		const done = await proc.stream('sh', ['-c', 'echo "$BUILDKIT_PROGRESS"; pwd; echo err >&2'], {
			cwd: dir,
			onLine: l => lines.push(l),
		}).done;
		expect(done.exitCode).toBe(0);
		expect(lines.sort()).toEqual([dir, 'err', 'plain'].sort());

		const mark = join(dir, 'pid');
		const long = proc.stream('sh', ['-c', `echo $$ > ${mark}; exec sleep 300`], {cwd: dir});
		const pid = Number(await until(() => existsSync(mark) && readFileSync(mark, 'utf8').trim(), 'the remote pid'));
		const alive = () => spawnSync('kill', ['-0', String(pid)]).status === 0;
		expect(alive()).toBe(true);
		long.cancel();
		expect((await long.done).canceled).toBe(true);
		await until(() => !alive(), 'the remote command to stop after the cancel', {timeoutMs: 10_000});
	});
});
