import {
	chmodSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
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
} from '../../source/stack.js';

function fakeImages(): string {
	const dir = mkdtempSync(join(tmpdir(), 'hatch-images-'));
	mkdirSync(join(dir, 'stem', 'my_init.d'), {recursive: true});
	writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
	writeFileSync(join(dir, 'stem', 'my_init.d', '00-x.sh'), '#!/bin/sh\n', {mode: 0o755});
	writeFileSync(join(dir, 'stem', '.env.example'), 'X=1\n');
	return dir;
}

describe('writing a stack', () => {
	it('creates, then leaves unchanged files alone, then backs up and diffs a changed one', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-out-'));
		const images = fakeImages();
		const values = {...defaults('stem'), STEM_USER: 'alice'};

		const first = await compare(planStack('stem', values, out, {images}));
		expect(first.map(c => c.state)).toEqual(['new', 'new', 'new', 'new', 'new']);
		await apply(first, '20260101-000000');
		const dir = join(out, 'stem');
		expect(readdirSync(dir).sort()).toEqual(['.env', 'README.md', 'docker-compose.yml', 'image']);
		expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
		expect(statSync(join(dir, 'image/stem/my_init.d/00-x.sh')).mode & 0o777).toBe(0o755);
		expect(readdirSync(join(dir, 'image', 'stem'))).not.toContain('.env.example');
		const mtime = statSync(join(dir, '.env')).mtimeMs;

		const second = await compare(planStack('stem', values, out, {images}));
		expect(second.every(c => c.state === 'unchanged')).toBe(true);
		await apply(second, '20260101-000001');
		expect(statSync(join(dir, '.env')).mtimeMs).toBe(mtime);

		const before = readFileSync(join(dir, '.env'), 'utf8');
		const third = await compare(planStack('stem', {...values, STEM_UID: '1234'}, out, {images}));
		const env = third.find(c => c.path.endsWith('.env'))!;
		expect(env.state).toBe('changed');
		expect(env.diff).toContain('-STEM_UID=1000');
		expect(env.diff).toContain('+STEM_UID=1234');
		const done = await apply(third, '20260101-000002');
		const backup = done.find(c => c.path.endsWith('.env'))!.backup!;
		expect(backup).toBe(join(dir, '.env.bak-20260101-000002'));
		expect(readFileSync(backup, 'utf8')).toBe(before);
		expect(statSync(backup).mode & 0o777).toBe(0o600);
		expect(readFileSync(join(dir, '.env'), 'utf8')).toContain('STEM_UID=1234');
		expect(readdirSync(dir).filter(n => n.includes('hatch-tmp'))).toEqual([]);
		// .env and the README, which shows the user's ids.
		expect(done.filter(c => c.backup).map(c => c.path)).toEqual([join(dir, '.env'), join(dir, 'README.md')]);
	});

	it('shows a changed build-context file with its diff and keeps its backup outside the build context', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-ctx-'));
		const images = mkdtempSync(join(tmpdir(), 'hatch-img-'));
		mkdirSync(join(images, 'stem'));
		writeFileSync(join(images, 'Dockerfile'), 'FROM base\n');
		await apply(await compare(planStack('stem', defaults('stem'), out, {images})), '20260101-000000');
		writeFileSync(join(images, 'Dockerfile'), 'FROM base\nRUN true\n');
		const changes = await compare(planStack('stem', defaults('stem'), out, {images}));
		const dockerfile = changes.find(c => c.path.endsWith('image/Dockerfile'))!;
		expect(dockerfile.state).toBe('changed');
		expect(dockerfile.diff).toContain('+RUN true');
		const done = await apply(changes, '20260101-000001');
		const dir = join(out, 'stem');
		expect(done.find(c => c.path === dockerfile.path)!.backup).toBe(
			join(dir, '.hatch', 'backups', 'image', 'Dockerfile.bak-20260101-000001'),
		);
		expect(readFileSync(join(dir, '.hatch', 'backups', 'image', 'Dockerfile.bak-20260101-000001'), 'utf8')).toBe(
			'FROM base\n',
		);
		expect(readdirSync(join(dir, 'image')).filter(n => n.includes('.bak-'))).toEqual([]);
	});

	it('never reuses a backup name', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-bak-'));
		const p = join(dir, '.env');
		writeFileSync(`${p}.bak-X`, 'old');
		expect(backupPath(p, 'X')).toBe(`${p}.bak-X-2`);
	});
});

describe('writing safely around the user', () => {
	it('refuses to write when a file changed after it was compared, and writes nothing', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-race-'));
		const a = join(dir, 'a');
		const b = join(dir, 'b');
		writeFileSync(a, 'old a\n');
		const changes = await compare([
			{path: a, content: 'new a\n', mode: 0o600, showDiff: true},
			{path: b, content: 'new b\n', mode: 0o600, showDiff: true},
		]);
		writeFileSync(b, 'the user made b meanwhile\n');
		await expect(apply(changes)).rejects.toThrow(ChangedMeanwhile);
		expect(readFileSync(a, 'utf8')).toBe('old a\n');
		expect(readFileSync(b, 'utf8')).toBe('the user made b meanwhile\n');
	});

	it('updates a symlinked file where it points, keeping the link', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-link-'));
		mkdirSync(join(dir, 'dotfiles'));
		writeFileSync(join(dir, 'dotfiles', 'config'), 'old\n');
		symlinkSync(join(dir, 'dotfiles', 'config'), join(dir, 'config'));
		await apply(await compare([{path: join(dir, 'config'), content: 'new\n', mode: 0o600, showDiff: true}]), 'X');
		expect(lstatSync(join(dir, 'config')).isSymbolicLink()).toBe(true);
		expect(readFileSync(join(dir, 'dotfiles', 'config'), 'utf8')).toBe('new\n');
		expect(readFileSync(join(dir, 'config.bak-X'), 'utf8')).toBe('old\n');
	});
});

describe('the user’s own .env lines', () => {
	it('are kept, verbatim, on every re-run', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-own-'));
		const images = fakeImages();
		const values = defaults('stem');
		await apply(await compare(planStack('stem', values, out, {images})));
		const env = join(out, 'stem', '.env');
		writeFileSync(env, `${readFileSync(env, 'utf8')}MY_TOKEN="abc \${HOME}"\nexport EXTRA_PATH=/opt/x\n`);
		const again = await compare(planStack('stem', {...values, STEM_SSH_PORT: '2200'}, out, {images}));
		await apply(again);
		const text = readFileSync(env, 'utf8');
		expect(text).toContain('MY_TOKEN="abc ${HOME}"\nexport EXTRA_PATH=/opt/x\n');
		expect(text).toContain('STEM_SSH_PORT=2200');
		expect(
			(await compare(planStack('stem', {...values, STEM_SSH_PORT: '2200'}, out, {images}))).every(
				c => c.state === 'unchanged',
			),
		).toBe(true);
	});
});

describe('fileSystemProblem', () => {
	// A read-only mount and a full disk cannot be made here (CI runs as root, without mount rights), so these
	// are errors of that code as Node raises them; EISDIR and ENOTDIR are real in cli.test.ts.
	const err = (code: string) => Object.assign(new Error(code), {code, syscall: 'open', path: '/srv/out/stem/.env'});
	it.each([
		[
			'EROFS (synthetic: no read-only mount here)',
			'EROFS',
			'/srv/out/stem/.env is on a read-only file system: pick another --out',
			true,
		],
		[
			'EACCES (synthetic: root writes anywhere)',
			'EACCES',
			'no permission to write /srv/out/stem/.env: pick another --out, or give yourself the folder',
			true,
		],
		[
			'ENOSPC (synthetic: no full disk here)',
			'ENOSPC',
			'the disk is full (writing /srv/out/stem/.env): free some space, then run again',
			false,
		],
	])('%s', (_name, code, message, inputAtFault) => {
		expect(fileSystemProblem(err(code as string))).toEqual({message, inputAtFault});
	});
	it('is undefined for errors that are not a file system call', () => {
		expect(fileSystemProblem(new Error('boom'))).toBeUndefined();
		expect(fileSystemProblem(Object.assign(new Error('x'), {code: 'ECONNREFUSED'}))).toBeUndefined();
	});
});

describe('checkHostFile: host paths of the right kind, refused at the question and before a write', () => {
	const dir = mkdtempSync(join(tmpdir(), 'hatch-kind-'));
	const file = join(dir, 'secrets.env');
	writeFileSync(file, 'A=1\n');
	it('the secrets file must be a file', () => {
		expect(checkHostFile('APOGEE_SECRETS_PATH', file)).toEqual({});
		expect(checkHostFile('APOGEE_SECRETS_PATH', dir).error).toBe(
			`APOGEE_SECRETS_PATH ${dir} is a folder; point it at the file itself`,
		);
		expect(checkHostFile('APOGEE_SECRETS_PATH', join(dir, 'nope')).error).toContain('does not exist');
	});
	it('mount sources must be folders that exist (Docker will not start without them)', () => {
		expect(checkHostFile('DROPBOX_PATH_ON_HOST', dir)).toEqual({});
		expect(checkHostFile('NEURON_MODELS_PATH', file).error).toBe(
			`NEURON_MODELS_PATH ${file} is a file; it must be a folder`,
		);
		expect(checkHostFile('DROPBOX_PATH_ON_HOST', join(dir, 'Dropbox')).error).toBe(
			`DROPBOX_PATH_ON_HOST ${join(dir, 'Dropbox')} does not exist on this host; create it (mkdir -p ` +
				`'${join(dir, 'Dropbox')}') or leave the setting empty`,
		);
	});
	it('an agent socket that is not one is a warning (agents move)', () => {
		expect(checkHostFile('STEM_SSH_AUTH_SOCK_HOST', file).warning).toContain('is a file, not an agent socket');
	});
});

describe('hostFileProblems: mounted folders the container user cannot write', () => {
	it(
		'warns when the folder belongs to someone else and is not writable by the chosen UID/GID (e.g. made by ' + 'root)',
		() => {
			const dir = mkdtempSync(join(tmpdir(), 'hatch-own-'));
			chmodSync(dir, 0o755);
			const st = statSync(dir);
			const other = {
				...defaults('stem'),
				STEM_UID: String(st.uid + 1),
				STEM_GID: String(st.gid + 1),
				DROPBOX_PATH_ON_HOST: dir,
			};
			expect(hostFileProblems(other).warnings).toContain(
				`DROPBOX_PATH_ON_HOST ${dir} belongs to ${st.uid}:${st.gid} (mode 755): the container user ` +
					`${st.uid + 1}:${st.gid + 1} can read it but not write in it; chown it ` +
					`to ${st.uid + 1}:${st.gid + 1}, or mount a folder of your own`,
			);
			expect(hostFileProblems({...other, STEM_UID: String(st.uid)}).warnings.join('\n')).not.toContain('cannot write');
			chmodSync(dir, 0o777);
			expect(hostFileProblems(other).warnings.join('\n')).not.toContain('not write');
		},
	);
});
