import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {PresetError, parsePresetYaml} from '../../source/core/preset.js';
import {parseSets, resolveConfig} from '../../source/core/resolve.js';
import {shippedPresets} from '../../source/presets.js';

describe('resolveConfig', () => {
	it('layers defaults < existing .env < preset < --set and records where each value came from', () => {
		const r = resolveConfig({
			image: 'stem',
			facts: {user: 'alice', uid: 1001, gid: 1001},
			existing: {STEM_SSH_PORT: '2200', BINDU_REF: 'dev', NEURON_GPUS: 'all', MY_OWN: 'x'},
			preset: {BINDU_REF: 'v1'},
			sets: {STEM_UID: '1500'},
		});
		expect(r.values).toMatchObject({STEM_USER: 'alice', STEM_SSH_PORT: '2200', BINDU_REF: 'v1', STEM_UID: '1500'});
		expect(r.sources).toMatchObject({
			STEM_USER: 'default',
			STEM_SSH_PORT: 'existing',
			BINDU_REF: 'preset',
			STEM_UID: 'set',
		});
		expect(r.values).not.toHaveProperty('NEURON_GPUS');
		expect(r.values).not.toHaveProperty('MY_OWN');
		expect(r.problems).toEqual([]);
	});

	it('reports invalid values by key', () => {
		const r = resolveConfig({image: 'stem', sets: {STEM_UID: '0'}});
		expect(r.problems).toEqual([{key: 'STEM_UID', message: expect.stringContaining('must not be 0')}]);
	});
});

describe('parseSets', () => {
	it('splits on the first = and keeps the rest of the value', () => {
		expect(parseSets(['A=b=c', 'B='], ['A', 'B'])).toEqual({sets: {A: 'b=c', B: ''}, errors: []});
	});
	it('lists the valid keys for an unknown one and explains the form', () => {
		const r = parseSets(['NOPE=1', 'oops'], ['STEM_USER', 'STEM_UID']);
		expect(r.errors[0]).toBe('--set NOPE: unknown key; valid keys are: STEM_USER, STEM_UID');
		expect(r.errors[1]).toContain('KEY=VALUE');
	});
});

describe('presets', () => {
	it('ships valid presets covering the common setups', () => {
		const names = shippedPresets().map(p => p.name);
		expect(names).toEqual(
			expect.arrayContaining(['stem-minimal', 'stem-dropbox-bindu', 'neuron-gpus', 'macos-docker-desktop']),
		);
		const dir = join(import.meta.dirname, '../../presets');
		expect(readdirSync(dir).filter(n => n.endsWith('.yaml'))).toHaveLength(names.length);
		expect(shippedPresets().find(p => p.name === 'macos-docker-desktop')!.settings.STEM_SSH_AUTH_SOCK_HOST).toBe(
			'/run/host-services/ssh-auth.sock',
		);
		expect(readFileSync(join(dir, 'neuron-gpus.yaml'), 'utf8')).toContain('image: neuron');
	});

	it.each([
		['image: stem\nsettings:\n  STEM_NOPE: 1\n', 'settings.STEM_NOPE is not a hatch setting'],
		['image: stem\nsettings:\n  NEURON_GPUS: all\n', 'only applies to neuron'],
		['image: box\n', 'image must be stem or neuron'],
		['image: stem\nsettings:\n  STEM_UID: 0\n', 'must not be 0'],
		['image: stem\ncolour: red\n', 'unknown preset field "colour"'],
		['- a\n', 'must be a mapping'],
		['image: [\n', 'not valid YAML'],
	])('refuses a bad preset with a message naming the field', (text, message) => {
		expect(() => parsePresetYaml(text, 'p.yaml')).toThrow(PresetError);
		expect(() => parsePresetYaml(text, 'p.yaml')).toThrow(message);
	});
});
