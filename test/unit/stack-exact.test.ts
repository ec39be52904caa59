// The safe writer (source/stack.ts), edge by edge: what goes into the build context, what the stack's
// compose file keeps, how changes are compared and applied, and every host path check with its message.
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {renderCompose} from '../../source/core/compose.js';
import {renderEnv} from '../../source/core/env.js';
import {defaults} from '../../source/core/model.js';
import {
	apply,
	backupPath,
	ChangedMeanwhile,
	checkHostFile,
	compare,
	fileSystemProblem,
	hostFileProblems,
	planStack,
	readTextFile,
	stackDrift,
	stackIdentity,
	timestamp,
} from '../../source/stack.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `hatch-${name}-`));

describe('the build context copied into a stack', () => {
	it('takes every file but examples and dot files (at any depth), in name order, scripts executable', () => {
		const images = tmp('ctx');
		mkdirSync(join(images, 'sub', '.hidden'), {recursive: true});
		for (const [name, mode] of [
			['b.sh', 0o755],
			['a.txt', 0o644],
			['c.', 0o644],
			['sub/z.txt', 0o644],
			['sub/.hidden/f', 0o644],
			['.shellcheckrc', 0o644],
			['x.example', 0o644],
			['y.example.yml', 0o644],
			['sub/.env.example', 0o644],
		] as const) {
			writeFileSync(join(images, name), name, {mode});
		}
		const out = tmp('ctx-out');
		const ctx = planStack('stem', defaults('stem'), out, {images}).slice(3);
		expect(
			ctx.map(f => [
				f.path.replace(`${out}/stem/image/`, ''),
				f.mode,
				f.showDiff,
				f.backupAs?.replace(`${out}/stem/`, ''),
			]),
		).toEqual([
			['a.txt', 0o644, false, '.hatch/backups/image/a.txt'],
			['b.sh', 0o755, false, '.hatch/backups/image/b.sh'],
			['c.', 0o644, false, '.hatch/backups/image/c.'],
			['sub/z.txt', 0o644, false, '.hatch/backups/image/sub/z.txt'],
		]);
		expect(ctx[0]!.content).toBe('a.txt');
	});

	it(
		'plans docker-compose.yml and .env first, both shown with their diff, for the compose version and hatch ' +
			'version given, then the README for this host',
		() => {
			const out = tmp('plan');
			const [compose, env, readme, ...rest] = planStack('neuron', {...defaults('neuron'), NEURON_GPUS: 'all'}, out, {
				composeVersion: '2.33.0',
				version: '9.9.9',
				images: tmp('empty'),
				readme: {host: 'vortex', fingerprint: 'SHA256:abc'},
			});
			expect(rest).toEqual([]);
			// The folder's README for this host, shown with its diff as the settings are.
			expect([readme!.path, readme!.mode, readme!.showDiff]).toEqual([join(out, 'neuron', 'README.md'), 0o644, true]);
			expect(readme!.content).toMatch(/^# neuron on vortex\n/);
			expect(readme!.content).toContain(`\`${join(out, 'neuron')}/.env\``);
			expect(readme!.content).toContain('Host key: `SHA256:abc`');
			expect([compose!.path, compose!.mode, compose!.showDiff]).toEqual([
				join(out, 'neuron', 'docker-compose.yml'),
				0o644,
				true,
			]);
			expect([env!.path, env!.mode, env!.showDiff]).toEqual([join(out, 'neuron', '.env'), 0o600, true]);
			expect(compose!.content).toContain('gpus: all');
			expect(compose!.content).toContain('HATCH_VERSION: 9.9.9');
		},
	);
});

describe("the stack's own record: names kept, drift named", () => {
	it('stackIdentity: none for a new stack; the names its compose file keeps, read with its .env', () => {
		const dir = tmp('ident');
		expect(stackIdentity('stem', dir)).toBeUndefined();
		const older =
			'name: box\nservices: {}\nvolumes:\n  home: {name: "${STEM_CONTAINER_NAME:-stem}-home"}\n  sshkeys: {name: ' +
			'"${STEM_CONTAINER_NAME:-stem}-sshkeys"}\n  sshstate: {name: ' +
			'"${STEM_CONTAINER_NAME:-stem}-sshstate"}\n';
		writeFileSync(join(dir, 'docker-compose.yml'), older);
		// Without a .env, the names follow the stack's own default.
		expect(stackIdentity('stem', dir)?.volumes.home).toBe('stem-home');
		writeFileSync(join(dir, '.env'), 'STEM_CONTAINER_NAME=box\n');
		expect(stackIdentity('stem', dir)).toEqual({
			project: 'box',
			volumes: {home: 'box-home', sshkeys: 'box-sshkeys', sshstate: 'box-sshstate'},
		});
	});

	it('stackDrift: nothing without both files; each hand edit compose cannot follow, in words', () => {
		const dir = tmp('drift');
		const values = {...defaults('neuron'), NEURON_GPUS: 'all'};
		expect(stackDrift('neuron', dir)).toEqual([]);
		writeFileSync(join(dir, 'docker-compose.yml'), renderCompose('neuron', values));
		expect(stackDrift('neuron', dir)).toEqual([]);
		writeFileSync(join(dir, '.env'), renderEnv('neuron', values));
		expect(stackDrift('neuron', dir)).toEqual([]);
		writeFileSync(join(dir, '.env'), renderEnv('neuron', {...values, NEURON_GPUS: '2'}));
		expect(stackDrift('neuron', dir)).toEqual([
			'NEURON_GPUS is "2" in .env, but docker-compose.yml was written for "all"',
		]);
		writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
		expect(stackDrift('neuron', dir)).toEqual([]);
		rmSync(join(dir, '.env'));
		writeFileSync(join(dir, 'docker-compose.yml'), renderCompose('neuron', values));
		expect(stackDrift('neuron', dir)).toEqual([]);
	});
});

describe('comparing and applying', () => {
	it(
		'compare: new and unchanged have no diff; a changed file is diffed against "(new)"; a folder in the way is ' +
			'an error',
		async () => {
			const dir = tmp('cmp');
			writeFileSync(join(dir, 'same'), 'x\n');
			writeFileSync(join(dir, 'old'), 'a\n');
			mkdirSync(join(dir, 'folder'));
			const [n, u, c] = await compare([
				{path: join(dir, 'new'), content: 'n\n', mode: 0o644, showDiff: true},
				{path: join(dir, 'same'), content: 'x\n', mode: 0o644, showDiff: true},
				{path: join(dir, 'old'), content: 'b\n', mode: 0o644, showDiff: true},
			]);
			expect([n!.state, n!.diff, n!.old]).toEqual(['new', '', undefined]);
			expect([u!.state, u!.diff, u!.old]).toEqual(['unchanged', '', 'x\n']);
			expect(c!.state).toBe('changed');
			expect(c!.diff).toContain(`+++ ${join(dir, 'old')} (new)`);
			await expect(
				compare([{path: join(dir, 'folder'), content: '', mode: 0o644, showDiff: true}]),
			).rejects.toMatchObject({code: 'EISDIR'});
		},
	);

	it(
		'apply: returns every change, unchanged ones too; refuses a file that appeared or changed ' + 'since, naming it',
		async () => {
			const dir = tmp('apply');
			writeFileSync(join(dir, 'same'), 'x\n');
			const changes = await compare([
				{path: join(dir, 'same'), content: 'x\n', mode: 0o644, showDiff: true},
				{path: join(dir, 'new'), content: 'n\n', mode: 0o600, showDiff: true},
			]);
			const done = await apply(changes, '20260101-000000');
			expect(done.map(c => [c.state, c.backup])).toEqual([
				['unchanged', undefined],
				['new', undefined],
			]);
			const again = await compare([{path: join(dir, 'late'), content: 'n\n', mode: 0o600, showDiff: true}]);
			writeFileSync(join(dir, 'late'), 'someone else\n');
			await expect(apply(again)).rejects.toThrow(
				new ChangedMeanwhile(
					`${join(dir, 'late')} changed since it was compared; nothing was written, run again to see the new diff`,
				),
			);
			expect(readFileSync(join(dir, 'late'), 'utf8')).toBe('someone else\n');
		},
	);

	it('apply: an unchanged file is not looked at again (one edited since is left as it is)', async () => {
		const dir = tmp('apply-unchanged');
		writeFileSync(join(dir, 'same'), 'x\n');
		const changes = await compare([{path: join(dir, 'same'), content: 'x\n', mode: 0o644, showDiff: true}]);
		writeFileSync(join(dir, 'same'), 'edited\n');
		expect((await apply(changes)).map(c => c.state)).toEqual(['unchanged']);
		expect(readFileSync(join(dir, 'same'), 'utf8')).toBe('edited\n');
	});

	it('planStack keeps the names the existing compose file gives, through a rename', () => {
		const out = tmp('keep');
		mkdirSync(join(out, 'stem'));
		writeFileSync(
			join(out, 'stem', 'docker-compose.yml'),
			renderCompose('stem', {...defaults('stem'), STEM_CONTAINER_NAME: 'box'}),
		);
		const [compose] = planStack('stem', {...defaults('stem'), STEM_CONTAINER_NAME: 'renamed'}, out, {
			images: tmp('empty'),
		});
		expect(compose!.content).toMatch(/^name: box$/m);
		expect(compose!.content).toContain('name: box-home');
	});

	it('timestamp: local time, every field two digits', () => {
		expect(timestamp(new Date(2026, 0, 5, 7, 8, 9))).toBe('20260105-070809');
		expect(timestamp(new Date(2026, 11, 31, 23, 59, 58))).toBe('20261231-235958');
	});

	it('backupPath: counts up past every name taken', () => {
		const dir = tmp('bak');
		const file = join(dir, '.env');
		writeFileSync(`${file}.bak-1`, '');
		writeFileSync(`${file}.bak-1-2`, '');
		writeFileSync(`${file}.bak-1-3`, '');
		expect(backupPath(file, '1')).toBe(`${file}.bak-1-4`);
		expect(backupPath(file, '2')).toBe(`${file}.bak-2`);
	});

	it('readTextFile: undefined when missing; a folder is an EISDIR error naming it', () => {
		const dir = tmp('read');
		expect(readTextFile(join(dir, 'none'))).toBeUndefined();
		let error: NodeJS.ErrnoException | undefined;
		try {
			readTextFile(dir);
		} catch (e) {
			error = e as NodeJS.ErrnoException;
		}
		expect(error).toMatchObject({message: `${dir} is not a file`, code: 'EISDIR', syscall: 'open', path: dir});
	});
});

describe('fileSystemProblem, every code', () => {
	const e = (code: string, path?: string) =>
		Object.assign(new Error(code), {code, syscall: 'open', ...(path ? {path} : {})});
	it.each([
		['EISDIR', '/o/stem/.env is a folder, but hatch needs a file there: move it away, or pick another --out', true],
		['ENOTDIR', 'a part of /o/stem/.env is a file, but hatch needs a folder there: pick another --out', true],
		['EEXIST', '/o/stem/.env is a file, but hatch needs a folder there: move it away, or pick another --out', true],
		['EROFS', '/o/stem/.env is on a read-only file system: pick another --out', true],
		['EACCES', 'no permission to write /o/stem/.env: pick another --out, or give yourself the folder', true],
		['EPERM', 'no permission to write /o/stem/.env: pick another --out, or give yourself the folder', true],
		['ENOSPC', 'the disk is full (writing /o/stem/.env): free some space, then run again', false],
		['EDQUOT', 'the disk is full (writing /o/stem/.env): free some space, then run again', false],
	])('%s', (code, message, inputAtFault) => {
		expect(fileSystemProblem(e(code, '/o/stem/.env'))).toEqual({message, inputAtFault});
	});

	it('says "a file" without a path, and nothing for what is not a file system call', () => {
		expect(fileSystemProblem(e('EROFS'))?.message).toBe('a file is on a read-only file system: pick another --out');
		expect(fileSystemProblem(e('EIO', '/x'))).toBeUndefined();
		expect(fileSystemProblem(Object.assign(new Error('x'), {code: 'EACCES'}))).toBeUndefined();
		expect(fileSystemProblem(Object.assign(new Error('x'), {syscall: 'open'}))).toBeUndefined();
		expect(fileSystemProblem(Object.assign(new Error('x'), {code: 5, syscall: 'open'}))).toBeUndefined();
		expect(fileSystemProblem(undefined)).toBeUndefined();
	});
});

describe('checkHostFile and hostFileProblems, every kind and message', () => {
	it('a key that names no host path, or no setting at all, has nothing to check', () => {
		expect(checkHostFile('STEM_SSH_PORT', '/etc/passwd')).toEqual({});
		expect(checkHostFile('NOT_A_SETTING', '/nowhere')).toEqual({});
		expect(checkHostFile('NOT_A_SETTING', '')).toEqual({});
	});

	const dir = tmp('hostfiles');
	const file = join(dir, 'file');
	writeFileSync(file, 'TOKEN=1\n');
	const pub = join(dir, 'id.pub');
	writeFileSync(pub, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchKey you@host\n');
	const missing = join(dir, 'missing');

	it('empty: only an empty key path says so', () => {
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', '')).toEqual({
			warning:
				'STEM_AUTH_KEYS_PATH is empty: nobody can log in until a key is added (--set ' +
				'STEM_AUTH_KEYS_PATH=/home/you/.ssh/id_ed25519.pub)',
		});
		expect(checkHostFile('APOGEE_SECRETS_PATH', '')).toEqual({});
		expect(checkHostFile('DROPBOX_PATH_ON_HOST', '')).toEqual({});
	});

	it('the key file: readable, a public key', () => {
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', pub)).toEqual({});
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', missing)).toEqual({
			error:
				`STEM_AUTH_KEYS_PATH ${missing} does not exist; point it at your public key (e.g. ` +
				`~/.ssh/id_ed25519.pub, as an absolute path)`,
		});
		// A FIFO or a device is refused at once, naming what it is: nothing waits for a writer.
		const fifo = join(mkdtempSync(join(tmpdir(), 'hatch-k-')), 'keys');
		spawnSync('mkfifo', [fifo]);
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', fifo).error).toBe(
			`STEM_AUTH_KEYS_PATH ${fifo} is a FIFO (named pipe): give the path of a regular file; point it at your ` +
				'public key (e.g. ~/.ssh/id_ed25519.pub, as an absolute path)',
		);
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', '/dev/zero').error).toMatch(
			/^STEM_AUTH_KEYS_PATH \/dev\/zero is a device/,
		);
		expect(checkHostFile('STEM_AUTH_KEYS_PATH', file)).toEqual({
			warning: 'STEM_AUTH_KEYS_PATH: 1 line(s) do not look like SSH public keys',
		});
	});

	it('the secrets file: a file', () => {
		expect(checkHostFile('APOGEE_SECRETS_PATH', file)).toEqual({});
		expect(checkHostFile('APOGEE_SECRETS_PATH', missing)).toEqual({
			error: `APOGEE_SECRETS_PATH ${missing} does not exist; create it or leave the setting empty`,
		});
		expect(checkHostFile('APOGEE_SECRETS_PATH', dir)).toEqual({
			error: `APOGEE_SECRETS_PATH ${dir} is a folder; point it at the file itself`,
		});
		expect(checkHostFile('APOGEE_SECRETS_PATH', '/dev/null')).toEqual({
			error: 'APOGEE_SECRETS_PATH /dev/null is a special file; point it at the file itself',
		});
	});

	it.each(['DROPBOX_PATH_ON_HOST', 'NEURON_PROJECTS_PATH', 'NEURON_DATASETS_PATH', 'NEURON_MODELS_PATH'])(
		'%s: a folder that exists',
		key => {
			expect(checkHostFile(key, dir)).toEqual({});
			expect(checkHostFile(key, missing)).toEqual({
				error:
					`${key} ${missing} does not exist on this host; create it (mkdir -p '${missing}') or leave the ` +
					`setting empty`,
			});
			expect(checkHostFile(key, file)).toEqual({error: `${key} ${file} is a file; it must be a folder`});
		},
	);

	it('the agent socket: a socket, or Docker Desktop’s, else a warning', async () => {
		const sock = join(dir, 'agent.sock');
		const srv = net.createServer().listen(sock);
		await new Promise(r => srv.once('listening', r));
		try {
			expect(checkHostFile('STEM_SSH_AUTH_SOCK_HOST', sock)).toEqual({});
		} finally {
			srv.close();
		}
		expect(checkHostFile('STEM_SSH_AUTH_SOCK_HOST', '/run/host-services/ssh-auth.sock')).toEqual({});
		expect(checkHostFile('STEM_SSH_AUTH_SOCK_HOST', missing)).toEqual({
			warning: `STEM_SSH_AUTH_SOCK_HOST ${missing} does not exist now (agents move after a re-login)`,
		});
		expect(checkHostFile('STEM_SSH_AUTH_SOCK_HOST', file)).toEqual({
			warning: `STEM_SSH_AUTH_SOCK_HOST ${file} is a file, not an agent socket`,
		});
	});

	it('other keys are not host paths', () => {
		expect(checkHostFile('STEM_USER', missing)).toEqual({});
	});

	it('hostFileProblems: every host path of both mount lists must be there; files and folders both count', () => {
		const there = join(dir, 'share');
		mkdirSync(there, {recursive: true});
		expect(hostFileProblems({STEM_EXTRA_MOUNTS: `${there}:/data/s,${file}:/data/f:ro`})).toEqual({
			errors: [],
			warnings: [],
		});
		expect(
			hostFileProblems({
				STEM_EXTRA_MOUNTS: `${there}:/data/s,${missing}:/data/m:ro`,
				NEURON_EXTRA_MOUNTS: `${missing}:/x`,
			}),
		).toEqual({
			errors: [
				`STEM_EXTRA_MOUNTS: ${missing} does not exist on this host; mount the share or create it ` +
					`(mkdir -p '${missing}'), or take "${missing}:/data/m:ro" out of the list`,
				`NEURON_EXTRA_MOUNTS: ${missing} does not exist on this host; mount the share or create it ` +
					`(mkdir -p '${missing}'), or take "${missing}:/x" out of the list`,
			],
			warnings: [],
		});
	});

	it('hostFileProblems: gathers errors and warnings of the keys given, and who can write a mounted folder', () => {
		expect(hostFileProblems({})).toEqual({errors: [], warnings: []});
		expect(hostFileProblems({APOGEE_SECRETS_PATH: missing, STEM_SSH_AUTH_SOCK_HOST: missing, STEM_USER: 'x'})).toEqual({
			errors: [`APOGEE_SECRETS_PATH ${missing} does not exist; create it or leave the setting empty`],
			warnings: [`STEM_SSH_AUTH_SOCK_HOST ${missing} does not exist now (agents move after a re-login)`],
		});
		// A folder of this user's, mounted for a container user with other ids.
		const folder = join(dir, 'shared');
		mkdirSync(folder);
		const st = {uid: process.getuid!(), gid: process.getgid!()};
		const other = String(st.uid + 4242);
		const check = (mode: number, uid: string, gid: string) => {
			chmodSync(folder, mode);
			return hostFileProblems({DROPBOX_PATH_ON_HOST: folder, STEM_UID: uid, STEM_GID: gid}).warnings;
		};
		const warning = (mode: string, uid: string, gid: string) => [
			`DROPBOX_PATH_ON_HOST ${folder} belongs to ${st.uid}:${st.gid} (mode ${mode}): the container user ` +
				`${uid}:${gid} can read it but not write in it; chown it to ` +
				`${uid}:${gid}, or mount a folder of your own`,
		];
		expect(check(0o755, String(st.uid), other)).toEqual([]); // the owner
		expect(check(0o757, other, other)).toEqual([]); // anyone may write
		expect(check(0o775, other, String(st.gid))).toEqual([]); // the group may write, and it is theirs
		expect(check(0o775, other, other)).toEqual(warning('775', other, other)); // the group's, but not theirs
		// Their group may not write.
		expect(check(0o755, other, String(st.gid))).toEqual(warning('755', other, String(st.gid)));
		// No id to compare.
		expect(hostFileProblems({DROPBOX_PATH_ON_HOST: folder, STEM_UID: 'x', STEM_GID: other}).warnings).toEqual([]);
		// An error is not also a warning; a mounted file path is not checked for writing.
		expect(hostFileProblems({NEURON_MODELS_PATH: file, STEM_UID: other, STEM_GID: other}).warnings).toEqual([]);
		expect(hostFileProblems({APOGEE_SECRETS_PATH: file, STEM_UID: other, STEM_GID: other}).warnings).toEqual([]);
		expect(existsSync(folder)).toBe(true);
	});
});
