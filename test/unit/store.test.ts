import {mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {PresetStore, changedFacts, configDir} from '../../source/store.js';

const facts = {user: 'alice', uid: 1000, gid: 1000};

describe('saved presets', () => {
	it('round-trip per host, with dots in host names, in a 0600 file', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-store-'));
		const a = await PresetStore.open('vortex.lan', dir);
		a.save({name: 'daily.stem', image: 'stem', settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'}}, facts);
		const b = await PresetStore.open('other.host', dir);
		expect(b.list()).toEqual([]);
		const again = await PresetStore.open('vortex.lan', dir);
		expect(again.get('daily.stem')).toMatchObject({name: 'daily.stem', image: 'stem', settings: {STEM_USER: 'alice', STEM_SSH_PORT: '2222'}, facts});
		expect(again.last()).toBe('daily.stem');
		expect(statSync(join(dir, 'presets.json')).mode & 0o777).toBe(0o600);
		expect(JSON.parse(readFileSync(join(dir, 'presets.json'), 'utf8')).hosts['vortex.lan'].presets['daily.stem'].image).toBe('stem');
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
		writeFileSync(join(dir, 'presets.json'), JSON.stringify({hosts: {h: {presets: {old: {image: 'stem', settings: {STEM_UID: '0'}, savedAt: 'x', facts}}}}}));
		const store = await PresetStore.open('h', dir);
		expect(store.list()).toEqual([]);
		expect(store.warnings[0]).toContain('hatch-wizard presets delete old');
	});

	it('reports changed host facts', () => {
		expect(changedFacts(facts, {...facts, uid: 1001})).toEqual(['your UID was 1000 when this preset was saved and is 1001 now']);
		expect(changedFacts(facts, facts)).toEqual([]);
	});

	it('lives under XDG_CONFIG_HOME unless HATCH_CONFIG_DIR says otherwise', () => {
		expect(configDir({XDG_CONFIG_HOME: '/x'})).toBe('/x/hatch-wizard');
		expect(configDir({HATCH_CONFIG_DIR: '/y', XDG_CONFIG_HOME: '/x'})).toBe('/y');
	});
});
