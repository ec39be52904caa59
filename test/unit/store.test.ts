// What hatch remembers per host (source/store.ts): presets and the stacks it wrote, each entry checked on its
// own, nothing lost to a bad entry, an unreadable file or a concurrent writer.
import {spawnSync} from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	statSync,
	truncateSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {PresetError} from '../../source/core/preset.js';
import {changedFacts, configDir, STORE_MAX_BYTES, Store} from '../../source/store.js';

const facts = {user: 'alice', uid: 1000, gid: 1000};
const fresh = () => mkdtempSync(join(tmpdir(), 'hatch-store-'));
const fileOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'presets.json'), 'utf8'));

describe('saved presets', () => {
	it('round-trip per host, with dots in host names, in a 0600 file', async () => {
		const dir = fresh();
		const a = await Store.open('vortex.lan', dir);
		a.save({name: 'daily.stem', image: 'stem', settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'}}, facts);
		expect((await Store.open('other.host', dir)).list()).toEqual([]);
		const again = await Store.open('vortex.lan', dir);
		expect(again.get('daily.stem')).toMatchObject({
			name: 'daily.stem',
			image: 'stem',
			settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'},
			facts,
		});
		expect(again.last()).toBe('daily.stem');
		expect(statSync(join(dir, 'presets.json')).mode & 0o777).toBe(0o600);
		expect(fileOf(dir).hosts['vortex.lan'].presets['daily.stem'].image).toBe('stem');
		expect(again.delete('daily.stem')).toBe(true);
		expect(again.delete('daily.stem')).toBe(false);
		expect((await Store.open('vortex.lan', dir)).list()).toEqual([]);
		expect(again.warnings).toEqual([]);
	});

	it('lists by name, keeps descriptions, and finds one by its exact name (not an inherited property)', async () => {
		const s = await Store.open('vortex', fresh());
		s.save({name: 'b', image: 'stem', settings: {}}, facts);
		s.save({name: 'a', description: 'mine', image: 'neuron', settings: {NEURON_GPUS: 'all'}}, facts);
		s.save({name: 'a.b', image: 'stem', settings: {}}, facts);
		expect(s.list().map(p => [p.name, p.description])).toEqual([
			['a', 'mine'],
			['a.b', undefined],
			['b', undefined],
		]);
		expect(s.get('a')?.image).toBe('neuron');
		expect(s.get('c')).toBeUndefined();
		expect(s.get('toString')).toBeUndefined();
		expect(s.delete('toString')).toBe(false);
		expect(s.delete('constructor')).toBe(false);
		expect(s.list()).toHaveLength(3);
		expect(s.path).toMatch(/\/presets\.json$/);
	});

	it('a save replaces a preset of that name and makes it the last one, unless told not to', async () => {
		const s = await Store.open('vortex', fresh());
		s.save({name: 'a', image: 'stem', settings: {}}, facts);
		s.save({name: 'b', image: 'stem', settings: {}}, facts, {last: false});
		expect(s.last()).toBe('a');
		s.save({name: 'b', image: 'neuron', settings: {}}, facts);
		expect(s.last()).toBe('b');
		expect(s.get('b')?.image).toBe('neuron');
		expect(s.list()).toHaveLength(2);
	});

	it('delete: forgets "last" only when it was the deleted one; other hosts are untouched', async () => {
		const dir = fresh();
		const s = await Store.open('vortex', dir);
		(await Store.open('other', dir)).save({name: 'x', image: 'stem', settings: {}}, facts);
		s.save({name: 'a', image: 'stem', settings: {}}, facts);
		s.save({name: 'b', image: 'stem', settings: {}}, facts);
		expect(s.delete('a')).toBe(true);
		expect(s.last()).toBe('b');
		expect(s.delete('b')).toBe(true);
		expect(s.last()).toBeUndefined();
		expect('last' in fileOf(dir).hosts.vortex).toBe(false);
		expect((await Store.open('other', dir)).get('x')?.name).toBe('x');
		expect((await Store.open('nobody', dir)).delete('x')).toBe(false);
	});

	it('refuses to save a preset under a name that is not safe to show or type', async () => {
		const s = await Store.open('vortex', fresh());
		for (const name of ['\x1b[31mred', 'a\nb', '', 'a/b'])
			expect(() => s.save({name, image: 'stem', settings: {}}, facts)).toThrow(PresetError);
		expect(existsSync(s.path)).toBe(false);
	});
});

describe('a bad entry is set aside alone', () => {
	const withFile = (content: unknown) => {
		const dir = fresh();
		writeFileSync(join(dir, 'presets.json'), JSON.stringify(content));
		return dir;
	};
	const good = {image: 'stem', settings: {}, savedAt: '2026-01-01T00:00:00.000Z', facts};

	it('a preset that no longer validates is skipped with a warning naming it; the others stay usable', async () => {
		const dir = withFile({
			hosts: {
				h: {presets: {good, old: {...good, settings: {STEM_UID: '0'}}, 'two\nlines': good}, last: 'good'},
				other: {presets: {mine: good}},
			},
		});
		const s = await Store.open('h', dir);
		expect(s.list().map(p => p.name)).toEqual(['good']);
		const quarantine = join(dir, 'presets.quarantine.json');
		expect(s.warnings).toEqual([
			'the saved preset "old" on h is not valid (STEM_UID must not be 0: the container user must not be root ' +
				`(use your host id, e.g. 1000)): skipped; it is moved to ${quarantine} at the next save`,
			`the saved preset "two\\nlines" on h is not valid (the name must be 1 to 64 letters, digits, dots, dashes ` +
				`or underscores, the first a letter or digit): skipped; it is moved to ${quarantine} at the next save`,
		]);
		// Reading changes nothing on disk.
		expect(existsSync(quarantine)).toBe(false);
		expect(Object.keys(fileOf(dir).hosts.h.presets)).toHaveLength(3);
	});

	it('the next save moves the bad entries, whole, to the quarantine file, and keeps every good one', async () => {
		const old = {...good, settings: {STEM_UID: '0'}};
		const dir = withFile({hosts: {h: {presets: {good, old}}, other: {presets: {mine: {...good, image: 'box'}}}}});
		const s = await Store.open('h', dir);
		s.save({name: 'new', image: 'stem', settings: {}}, facts);
		expect(Object.keys(fileOf(dir).hosts.h.presets).sort()).toEqual(['good', 'new']);
		// Another host's entries are that host's business: left as they are.
		expect(fileOf(dir).hosts.other.presets.mine.image).toBe('box');
		const kept = JSON.parse(readFileSync(join(dir, 'presets.quarantine.json'), 'utf8'));
		expect(kept).toHaveLength(1);
		expect(kept[0]).toMatchObject({host: 'h', kind: 'preset', name: 'old', entry: old});
		expect(kept[0].reason).toContain('STEM_UID must not be 0');
		expect(statSync(join(dir, 'presets.quarantine.json')).mode & 0o777).toBe(0o600);
		// A second round adds to the quarantine file; it never loses what it holds.
		writeFileSync(
			join(dir, 'presets.json'),
			JSON.stringify({hosts: {h: {presets: {good, also: {...good, image: 'box'}}}}}),
		);
		(await Store.open('h', dir)).save({name: 'x', image: 'stem', settings: {}}, facts);
		expect(
			JSON.parse(readFileSync(join(dir, 'presets.quarantine.json'), 'utf8')).map((b: {name: string}) => b.name),
		).toEqual(['old', 'also']);
	});

	it('a quarantine file that cannot be read is moved aside, never overwritten', async () => {
		const dir = withFile({hosts: {h: {presets: {old: {...good, image: 'box'}}}}});
		const quarantine = join(dir, 'presets.quarantine.json');
		writeFileSync(quarantine, 'not json');
		const s = await Store.open('h', dir);
		s.save({name: 'x', image: 'stem', settings: {}}, facts);
		const aside = readdirSync(dir).find(n => n.startsWith('presets.quarantine.json.unreadable-'))!;
		expect(readFileSync(join(dir, aside), 'utf8')).toBe('not json');
		expect(s.warnings.at(-1)).toBe(`the unreadable quarantine file was moved to ${join(dir, aside)}`);
		expect(JSON.parse(readFileSync(quarantine, 'utf8')).map((b: {name: string}) => b.name)).toEqual(['old']);
	});

	it('deleting a preset that is not valid any more works (it goes to the quarantine file)', async () => {
		const dir = withFile({hosts: {h: {presets: {old: {...good, image: 'box'}}}}});
		expect((await Store.open('h', dir)).delete('old')).toBe(true);
		expect(fileOf(dir).hosts.h.presets).toEqual({});
	});

	it('a bad stack entry is skipped the same way', async () => {
		const stack = {
			image: 'stem',
			dir: '/srv/stem',
			port: '2222',
			listen: '127.0.0.1',
			created: 'c',
			updated: 'u',
		};
		const dir = withFile({hosts: {h: {presets: {}, stacks: {stem: stack, bad: {...stack, port: 22}}}}});
		const s = await Store.open('h', dir);
		expect(s.stacks().map(r => r.name)).toEqual(['stem']);
		expect(s.warnings).toEqual([
			`the saved stack "bad" on h is not valid (port must be text): skipped; it is moved to ` +
				`${join(dir, 'presets.quarantine.json')} at the next save`,
		]);
	});
});

describe('a store file that cannot be read', () => {
	it.each([
		['not JSON', '{"hosts": ', /^the preset store \S+presets\.json is not JSON \(/],
		['no hosts', '{"presets": {}}', /^the preset store \S+presets\.json does not hold a "hosts" mapping$/],
	])('(%s): a warning, nothing moved while reading; the next save moves it aside, whole', async (_l, text, why) => {
		const dir = fresh();
		const file = join(dir, 'presets.json');
		writeFileSync(file, text);
		const s = await Store.open('vortex', dir);
		expect(s.list()).toEqual([]);
		expect(s.warnings).toHaveLength(1);
		expect(s.warnings[0]!.replace(/: hatch goes on without it.*$/, '')).toMatch(why);
		expect(s.warnings[0]).toMatch(/: hatch goes on without it, and moves it aside at the next save$/);
		expect(readdirSync(dir)).toEqual(['presets.json']);
		s.save({name: 'p', image: 'stem', settings: {}}, facts);
		const aside = readdirSync(dir).find(n => n.startsWith('presets.json.unreadable-'))!;
		expect(readFileSync(join(dir, aside), 'utf8')).toBe(text);
		expect(s.warnings.at(-1)).toBe(`the unreadable preset store was moved to ${join(dir, aside)}`);
		expect((await Store.open('vortex', dir)).get('p')?.image).toBe('stem');
	});

	it('a FIFO in its place is not read (no wait for a writer), and is moved aside at the next save', async () => {
		const dir = fresh();
		const file = join(dir, 'presets.json');
		spawnSync('mkfifo', [file]);
		const s = await Store.open('vortex', dir);
		expect(s.warnings).toEqual([
			`the preset store ${file} is a FIFO (named pipe): give the path of a regular file: hatch goes on without it, ` +
				'and moves it aside at the next save',
		]);
		s.save({name: 'p', image: 'stem', settings: {}}, facts);
		expect(statSync(file).isFile()).toBe(true);
		expect(readdirSync(dir).some(n => n.startsWith('presets.json.unreadable-'))).toBe(true);
	});

	it('one larger than any real store is not read', async () => {
		const dir = fresh();
		const file = join(dir, 'presets.json');
		writeFileSync(file, '');
		truncateSync(file, STORE_MAX_BYTES + 1);
		const s = await Store.open('vortex', dir);
		expect(s.warnings[0]).toBe(
			`the preset store ${file} is 4.0 MB; hatch reads at most 4.0 MB there: hatch goes on without it, and moves ` +
				'it aside at the next save',
		);
	});

	it('a config folder that cannot be made: the file system error as it came, at the first save', async () => {
		const dir = fresh();
		writeFileSync(join(dir, 'file'), '');
		const s = await Store.open('vortex', join(dir, 'file', 'hatch-wizard'));
		expect(s.list()).toEqual([]);
		expect(() => s.save({name: 'p', image: 'stem', settings: {}}, facts)).toThrow(/ENOTDIR/);
		expect(readdirSync(dir)).toEqual(['file']);
	});
});

describe('the stacks written on this host', () => {
	const values = (name: string, port: string) => ({
		STEM_CONTAINER_NAME: name,
		STEM_SSH_PORT: port,
		STEM_SSH_LISTEN: '',
	});

	it('are recorded by container name, created once and updated on each write, per host', async () => {
		const dir = fresh();
		const s = await Store.open('vortex', dir);
		s.record(values('stem', '2222'), 'stem', '/srv/a/stem');
		const first = s.stack('stem')!;
		expect(first).toMatchObject({name: 'stem', image: 'stem', dir: '/srv/a/stem', port: '2222', listen: ''});
		expect(first.created).toBe(first.updated);
		s.record(values('other', '2223'), 'neuron', '/srv/b/neuron');
		s.record(values('stem', '2300'), 'stem', '/srv/a/stem');
		const again = s.stack('stem')!;
		expect(again.created).toBe(first.created);
		expect(again.port).toBe('2300');
		expect(again.updated >= first.updated).toBe(true);
		expect(s.stacks().map(r => [r.name, r.image, r.dir])).toEqual([
			['other', 'neuron', '/srv/b/neuron'],
			['stem', 'stem', '/srv/a/stem'],
		]);
		expect((await Store.open('elsewhere', dir)).stacks()).toEqual([]);
		// Presets and stacks live side by side: saving one keeps the other.
		s.save({name: 'p', image: 'stem', settings: {}}, facts);
		expect(s.stacks()).toHaveLength(2);
	});

	it('forget takes one off the list and says whether it was there', async () => {
		const s = await Store.open('vortex', fresh());
		s.record(values('stem', '2222'), 'stem', '/srv/stem');
		expect(s.forget('toString')).toBe(false);
		expect(s.forget('stem')).toBe(true);
		expect(s.forget('stem')).toBe(false);
		expect(s.stacks()).toEqual([]);
	});
});

describe('the store file is shared', () => {
	it('waits for a writer that holds the lock, and goes on when that writer is gone', async () => {
		const dir = fresh();
		mkdirSync(dir, {recursive: true});
		const s = await Store.open('vortex', dir);
		writeFileSync(`${s.path}.lock`, '999999999');
		s.save({name: 'p', image: 'stem', settings: {}}, facts);
		expect(s.get('p')?.name).toBe('p');
		expect(existsSync(`${s.path}.lock`)).toBe(false);
	});
});

describe('around the store', () => {
	it('reports changed host facts', () => {
		expect(changedFacts(facts, {user: 'bob', uid: 1001, gid: 1002})).toEqual([
			'your UID was 1000 when this preset was saved and is 1001 now',
			'your GID was 1000 when this preset was saved and is 1002 now',
			'you were alice when this preset was saved and are bob now',
		]);
		expect(changedFacts(facts, facts)).toEqual([]);
	});

	it('lives under XDG_CONFIG_HOME unless HATCH_CONFIG_DIR says otherwise', () => {
		expect(configDir({XDG_CONFIG_HOME: '/x'})).toBe('/x/hatch-wizard');
		expect(configDir({HATCH_CONFIG_DIR: '/y', XDG_CONFIG_HOME: '/x'})).toBe('/y');
	});
});
