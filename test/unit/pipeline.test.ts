// The write pipeline that the wizard and --yes share, on real folders (the engine's answers are simulated; the
// real engine's are in e2e).
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ansi, changeLines, colorFor, STATUS_MARK} from '../../source/core/describe.js';
import {defaults} from '../../source/core/model.js';
import {checkValues, resolveConfig} from '../../source/core/resolve.js';
import {
	checkFiles,
	checkHost,
	planFiles,
	readExisting,
	stackDir,
	type Target,
	writeFiles,
} from '../../source/pipeline.js';
import {fileSystemProblem} from '../../source/stack.js';
import {type Canned, fakeHost, ok} from '../helpers/fake-host.js';

const engine: Record<string, Canned> = {
	'docker version': ok('27.3.1\n'),
	'docker compose version': ok('2.29.7\n'),
	'docker network inspect': ok('bridge\n'),
	'docker info --format {{.DockerRootDir}}': ok('/var/lib/docker\n'),
	'df -Pk': ok('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x 1 1 99999999 1% /\n'),
	'docker image inspect': ok('sha256:1\n'),
	'docker ps': ok(''),
	'docker volume ls': ok('stem-home\n'),
};

const target = (out: string, commands: Record<string, Canned> = engine): Target => ({
	host: fakeHost({commands}),
	out,
	image: 'stem',
	version: '9.9.9',
});

describe('the write pipeline', () => {
	it('a new stack: nothing to read; plan lists every file as new; write creates them; then all unchanged', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		const t = target(out);
		expect(stackDir(t)).toBe(join(out, 'stem'));
		expect(readExisting(t)).toBeUndefined();
		const values = {...defaults('stem'), STEM_AUTH_KEYS_PATH: ''};
		const changes = await planFiles(t, values, '2.29.7');
		expect(changes.filter(c => c.state !== 'new')).toEqual([]);
		expect(changes.map(c => c.path)).toContain(join(out, 'stem', '.env'));
		await writeFiles(changes);
		expect(readExisting(t)).toMatchObject({STEM_CONTAINER_NAME: 'stem', STEM_SSH_PORT: '22222'});
		expect(readFileSync(join(out, 'stem', 'docker-compose.yml'), 'utf8')).toContain('HATCH_VERSION: 9.9.9');
		expect((await planFiles(t, values, '2.29.7')).filter(c => c.state !== 'unchanged')).toEqual([]);
		const changed = await planFiles(t, {...values, STEM_SSH_PORT: '2200'}, '2.29.7');
		// .env, and the README that says which port to ssh to.
		expect(changed.filter(c => c.state === 'changed').map(c => c.path)).toEqual([
			join(out, 'stem', '.env'),
			join(out, 'stem', 'README.md'),
		]);
		// Listed without its diff (it follows from the settings shown above it), so the review stays short.
		const readme = changed.find(c => c.path.endsWith('README.md'))!;
		expect(readme.diff).toBe('');
		expect(readme.content).toContain('- Without it: `ssh -p 2200 ');
	});

	it('a write that fails says where and what to do, and keeps the code that tells whose fault it is', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		const t = target(out);
		const changes = await planFiles(t, defaults('stem'));
		mkdirSync(join(out, 'stem'));
		mkdirSync(join(out, 'stem', '.env')); // a folder where the file goes
		const error = await writeFiles(changes).then(
			() => undefined,
			(e: NodeJS.ErrnoException) => e,
		);
		expect(error?.message).toMatch(/\.env is a folder, but hatch needs a file there: move it away/);
		expect(fileSystemProblem(error)).toEqual({message: error!.message, inputAtFault: true});
		chmodSync(join(out, 'stem'), 0o755);
	});

	it('a write that fails in a way hatch has no words for: the error as it came, code and all', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		const changes = await planFiles(target(out), defaults('stem'));
		// A name longer than any file system takes (planning it would fail already, on reading it).
		const long = changes.map(c => ({...c, path: join(out, 'x'.repeat(300), 'stem', basename(c.path))}));
		const error = await writeFiles(long).then(
			() => undefined,
			(e: NodeJS.ErrnoException) => e,
		);
		expect(error?.code).toBe('ENAMETOOLONG');
		expect(fileSystemProblem(error)).toBeUndefined();
		expect(error?.message).toMatch(/^ENAMETOOLONG: name too long, /);
	});

	it('checkHost: a new container name over volumes of the old one is named, with the name to keep', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		mkdirSync(join(out, 'stem'));
		writeFileSync(join(out, 'stem', '.env'), 'STEM_CONTAINER_NAME=stem\n');
		const values = {...defaults('stem'), STEM_CONTAINER_NAME: 'box'};
		const r = await checkHost(target(out), values, {build: false, boot: false});
		expect(r).toEqual({renamed: expect.stringMatching(/^STEM_CONTAINER_NAME changes from stem to box, /), drift: []});
		expect(r.renamed).toMatch(/keep the name stem$/);
	});

	it('checkValues: each value problem, what a preset still needs, what the host says; checkFiles: the files', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		writeFileSync(join(dir, 'id.pub'), 'not a key\n');
		const resolved = resolveConfig({
			image: 'neuron',
			facts: {gpuCount: 0},
			sets: {STEM_SSH_PORT: '0', STEM_AUTH_KEYS_PATH: join(dir, 'id.pub'), NEURON_GPUS: 'all'},
		});
		const preset = {name: 'p', image: 'neuron' as const, settings: {}, requires: ['BINDU_REPO']};
		const r = checkValues('neuron', resolved.values, {gpuCount: 0}, preset);
		expect(r.errors).toEqual([
			'STEM_SSH_PORT must be a port number from 1 to 65535 (e.g. 22222)',
			expect.stringMatching(/BINDU_REPO/),
		]);
		expect(r.warnings).toEqual([expect.stringMatching(/^NEURON_GPUS=all, but no NVIDIA GPU was found on this host/)]);
		expect(checkValues('neuron', resolved.values, undefined, preset).warnings).toEqual([]);
		expect(checkFiles(resolved.values)).toEqual({
			errors: [],
			warnings: ['STEM_AUTH_KEYS_PATH: 1 line(s) do not look like SSH public keys'],
		});
		writeFileSync(join(dir, 'id.pub'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
		expect(checkFiles(resolved.values).errors).toEqual([expect.stringMatching(/points at a PRIVATE key/)]);
	});

	it('checkHost: the engine is asked only for a build or a start; a compose file behind .env is named', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-pipe-'));
		const quiet = target(out, {});
		const values = {...defaults('stem'), STEM_SSH_LISTEN: '127.0.0.1'};
		expect(await checkHost(quiet, values, {build: false, boot: false})).toEqual({drift: []});
		expect((quiet.host as ReturnType<typeof fakeHost>).calls.filter(c => !c.startsWith('docker ps'))).toEqual([]);

		await writeFiles(await planFiles(quiet, values));
		writeFileSync(
			join(out, 'stem', '.env'),
			readFileSync(join(out, 'stem', '.env'), 'utf8').replace('STEM_VOLUMES_EXTERNAL=0', 'STEM_VOLUMES_EXTERNAL=1'),
		);
		const t = target(out);
		const r = await checkHost(t, values, {build: true, boot: true});
		expect(r.drift).toEqual([
			'STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"; rewriting ' +
				'docker-compose.yml applies it',
		]);
		expect(r.engine?.deployErrors).toEqual([]);
		expect(r.engine?.notes).toContain('re-run: volume(s) stem-home exist; your home and host keys are kept');
	});
});

describe('how results read (core/describe)', () => {
	it('a change before and after a write, its diff lines toned; a backup only once written', () => {
		const c = {
			state: 'changed' as const,
			path: '/s/.env',
			diff: '--- a\n+++ b\n@@ -1 +1 @@\n-A=1\n+A=2\n',
			backup: '/s/.env.bak',
		};
		expect(changeLines(c).map(l => `${l.tone} ${l.text}`)).toEqual([
			'plain update    /s/.env',
			'plain --- a',
			'plain +++ b',
			'hunk @@ -1 +1 @@',
			'removed -A=1',
			'added +A=2',
		]);
		expect(changeLines({...c, diff: ''}, true)).toEqual([
			{text: 'updated   /s/.env (old copy: /s/.env.bak)', tone: 'plain'},
		]);
		expect(changeLines({state: 'new', path: '/s/x', backup: '/b'})).toEqual([{text: 'create    /s/x', tone: 'plain'}]);
	});

	it('ansi: a colour per tone for a terminal, the bare text for a pipe; one line each', () => {
		const lines = [
			{text: 'ok', tone: 'good' as const},
			{text: 'no', tone: 'bad' as const},
			{text: 'hm', tone: 'warn' as const},
			{text: 'sh', tone: 'dim' as const},
			{text: 'pl', tone: 'plain' as const},
			{text: '@@', tone: 'hunk' as const},
		];
		expect(ansi(lines, false)).toBe('ok\nno\nhm\nsh\npl\n@@\n');
		expect(ansi(lines, true)).toBe(
			'\x1b[32mok\x1b[0m\n\x1b[31mno\x1b[0m\n\x1b[33mhm\x1b[0m\n\x1b[2msh\x1b[0m\npl\n\x1b[2m@@\x1b[0m\n',
		);
	});

	it('ansi: one colour for each of the nine tones', () => {
		const tones = ['plain', 'good', 'bad', 'warn', 'dim', 'output', 'added', 'removed', 'hunk'] as const;
		expect(
			ansi(
				tones.map(tone => ({text: tone, tone})),
				true,
			).split('\n'),
		).toEqual([
			'plain',
			'\x1b[32mgood\x1b[0m',
			'\x1b[31mbad\x1b[0m',
			'\x1b[33mwarn\x1b[0m',
			'\x1b[2mdim\x1b[0m',
			'\x1b[2moutput\x1b[0m',
			'\x1b[32madded\x1b[0m',
			'\x1b[31mremoved\x1b[0m',
			'\x1b[2mhunk\x1b[0m',
			'',
		]);
		// A hunk header starts with @@; a line that only ends with @@ is none.
		expect(changeLines({state: 'changed', path: 'p', diff: ' x @@\n@@ -1 +1 @@\n'}).map(l => l.tone)).toEqual([
			'plain',
			'plain',
			'hunk',
		]);
	});

	it('colour only on a terminal, and not when NO_COLOR or FORCE_COLOR=0 says so', () => {
		expect(colorFor(true, {})).toBe(true);
		expect(colorFor(false, {})).toBe(false);
		expect(colorFor(undefined, {})).toBe(false);
		expect(colorFor(true, {NO_COLOR: '1'})).toBe(false);
		expect(colorFor(true, {FORCE_COLOR: '0'})).toBe(false);
		expect(colorFor(true, {FORCE_COLOR: '1', NO_COLOR: ''})).toBe(true);
	});

	it('status marks: one per probe status, the same on the welcome screen and in inspect', () => {
		expect(Object.entries(STATUS_MARK).map(([s, m]) => `${s} ${m.mark} ${m.tone}`)).toEqual([
			'ok ✔ good',
			'missing – dim',
			'timeout ⏱ warn',
			'error ✗ bad',
		]);
	});
});
