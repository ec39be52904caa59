import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {changedFacts, configDir, PresetStore} from '../../source/store.js';

const facts = {user: 'alice', uid: 1000, gid: 1000};

describe('saved presets', () => {
	it('round-trip per host, with dots in host names, in a 0600 file', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		const a = await PresetStore.open('vortex.lan', dir);
		a.save({name: 'daily.stem', image: 'stem', settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'}}, facts);
		const b = await PresetStore.open('other.host', dir);
		expect(b.list()).toEqual([]);
		const again = await PresetStore.open('vortex.lan', dir);
		expect(again.get('daily.stem')).toMatchObject({
			name: 'daily.stem',
			image: 'stem',
			settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'},
			facts,
		});
		expect(again.last()).toBe('daily.stem');
		expect(statSync(join(dir, 'presets.json')).mode & 0o777).toBe(0o600);
		expect(
			JSON.parse(readFileSync(join(dir, 'presets.json'), 'utf8')).hosts['vortex.lan'].presets['daily.stem'].image,
		).toBe('stem');
		expect(again.delete('daily.stem')).toBe(true);
		expect(again.delete('daily.stem')).toBe(false);
		expect((await PresetStore.open('vortex.lan', dir)).list()).toEqual([]);
	});

	it.each([
		['not JSON', '{"hosts": {"x": '],
		['wrong shape', '{"hosts": {"x": {"presets": {"p": {"image": "box"}}}}}'],
	])('moves a corrupt store aside (%s) and carries on', async (_label, content) => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		writeFileSync(join(dir, 'presets.json'), content);
		const store = await PresetStore.open('vortex', dir);
		expect(store.warnings[0]).toContain('were unreadable');
		expect(store.list()).toEqual([]);
		const aside = readdirSync(dir).find(n => n.startsWith('presets.json.corrupt-'))!;
		expect(readFileSync(join(dir, aside), 'utf8')).toBe(content);
		store.save({name: 'p', image: 'stem', settings: {}}, facts);
		expect((await PresetStore.open('vortex', dir)).get('p')?.image).toBe('stem');
	});

	it('skips a saved preset whose settings no longer validate, saying how to remove it', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		writeFileSync(
			join(dir, 'presets.json'),
			JSON.stringify({hosts: {h: {presets: {old: {image: 'stem', settings: {STEM_UID: '0'}, savedAt: 'x', facts}}}}}),
		);
		const store = await PresetStore.open('h', dir);
		expect(store.list()).toEqual([]);
		expect(store.warnings[0]).toContain('hatch-wizard presets delete old');
	});

	it('reports changed host facts', () => {
		expect(changedFacts(facts, {...facts, uid: 1001})).toEqual([
			'your UID was 1000 when this preset was saved and is 1001 now',
		]);
		expect(changedFacts(facts, facts)).toEqual([]);
	});

	it('lives under XDG_CONFIG_HOME unless HATCH_CONFIG_DIR says otherwise', () => {
		expect(configDir({XDG_CONFIG_HOME: '/x'})).toBe('/x/hatch-wizard');
		expect(configDir({HATCH_CONFIG_DIR: '/y', XDG_CONFIG_HOME: '/x'})).toBe('/y');
	});
});

describe('saved presets, exactly', () => {
	const open = async () => PresetStore.open('vortex', mkdtempSync(join(tmpdir(), 'hatch-store-')));

	it('lists by name, keeps descriptions, and finds one by its exact name', async () => {
		const s = await open();
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
		expect(s.path).toMatch(/\/presets\.json$/);
		// Keys with dots are names, not paths into the file.
		expect(Object.keys(JSON.parse(readFileSync(s.path, 'utf8')).hosts.vortex.presets).sort()).toEqual([
			'a',
			'a.b',
			'b',
		]);
	});

	it('delete: forgets "last" only when it was the deleted one; other hosts are untouched', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		const s = await PresetStore.open('vortex', dir);
		const other = await PresetStore.open('other', dir);
		other.save({name: 'x', image: 'stem', settings: {}}, facts);
		s.save({name: 'a', image: 'stem', settings: {}}, facts);
		s.save({name: 'b', image: 'stem', settings: {}}, facts);
		expect(s.delete('a')).toBe(true);
		expect(s.last()).toBe('b');
		expect(s.delete('b')).toBe(true);
		expect(s.last()).toBeUndefined();
		expect('last' in JSON.parse(readFileSync(s.path, 'utf8')).hosts.vortex).toBe(false);
		expect((await PresetStore.open('other', dir)).get('x')?.name).toBe('x');
		expect((await PresetStore.open('nobody', dir)).delete('x')).toBe(false);
	});

	it('a store that cannot be read is moved aside with a message naming both files', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		writeFileSync(join(dir, 'presets.json'), '{"hosts": ');
		const s = await PresetStore.open('vortex', dir);
		const aside = readdirSync(dir).find(n => n.startsWith('presets.json.corrupt-'))!;
		const parseError = (() => {
			try {
				JSON.parse('{"hosts": ');
			} catch (error) {
				return (error as Error).message;
			}
		})();
		expect(s.warnings).toEqual([
			`the saved presets in ${join(dir, 'presets.json')} were unreadable (${parseError}); moved them to ` +
				`${join(dir, aside)} and started afresh`,
		]);
	});

	it('a config folder that cannot be made: the file system error as it came, and nothing said to be moved', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		writeFileSync(join(dir, 'file'), '');
		const error = await PresetStore.open('vortex', join(dir, 'file', 'hatch-wizard')).then(
			() => undefined,
			(e: NodeJS.ErrnoException) => e,
		);
		expect(error?.code).toBe('ENOTDIR');
		expect(error?.message).not.toContain('corrupt');
		expect(readdirSync(dir)).toEqual(['file']);
	});

	it('a saved preset that no longer validates is named, with the command that deletes it', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		writeFileSync(
			join(dir, 'presets.json'),
			JSON.stringify({
				hosts: {
					h: {
						presets: {
							good: {image: 'stem', settings: {}, savedAt: 'x', facts},
							old: {image: 'stem', settings: {STEM_UID: '0'}, savedAt: 'x', facts},
						},
					},
				},
			}),
		);
		const s = await PresetStore.open('h', dir);
		expect(s.list().map(p => p.name)).toEqual(['good']);
		expect(s.warnings).toEqual([
			'saved preset "old": STEM_UID must not be 0: the container user must not be root (use your host id, e.g. ' +
				'1000) (skipped; delete it with: hatch-wizard presets delete old)',
		]);
	});

	it('changedFacts names each fact that changed', () => {
		expect(changedFacts(facts, {user: 'bob', uid: 1001, gid: 1002})).toEqual([
			'your UID was 1000 when this preset was saved and is 1001 now',
			'your GID was 1000 when this preset was saved and is 1002 now',
			'you were alice when this preset was saved and are bob now',
		]);
	});
});
