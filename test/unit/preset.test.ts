// Presets (source/core/preset.ts) and how a preset meets an .env (source/core/resolve.ts), in process:
// every refusal names the file and the field, every accepted form is read as written.
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {missingForPreset, type Preset, PresetError, parsePresetYaml, toPreset} from '../../source/core/preset.js';
import {describeOverride, parseSets, resolveConfig} from '../../source/core/resolve.js';

const refused = (data: unknown) => {
	try {
		toPreset(data, 'p.yaml');
	} catch (error) {
		expect(error).toBeInstanceOf(PresetError);
		return (error as Error).message;
	}
	throw new Error('accepted');
};

describe('toPreset', () => {
	it.each([
		[null, 'p.yaml: a preset must be a mapping with image: and settings:'],
		['text', 'p.yaml: a preset must be a mapping with image: and settings:'],
		[[1], 'p.yaml: a preset must be a mapping with image: and settings:'],
		[
			{image: 'stem', extra: 1},
			'p.yaml: unknown preset field "extra" (allowed: name, description, image, settings, requires)',
		],
		[{}, 'p.yaml: image must be stem or neuron (got "")'],
		[{image: 'box'}, 'p.yaml: image must be stem or neuron (got "box")'],
		[{image: 'stem', settings: 'x'}, 'p.yaml: settings must be a mapping of KEY: value'],
		[{image: 'stem', settings: ['x']}, 'p.yaml: settings must be a mapping of KEY: value'],
		[{image: 'stem', settings: {NOPE: 1}}, 'p.yaml: settings.NOPE is not a hatch setting'],
		[{image: 'stem', settings: {NEURON_GPUS: 'all'}}, 'p.yaml: settings.NEURON_GPUS only applies to neuron'],
		[{image: 'stem', settings: {STEM_USER: {a: 1}}}, 'p.yaml: settings.STEM_USER must be a plain value'],
		[
			{image: 'stem', settings: {STEM_USER: 'Root'}},
			'p.yaml: STEM_USER must start with a lower-case letter or "_" and use only a-z, 0-9, "_" and "-" (e.g. dev)',
		],
		[{image: 'stem', requires: 'BINDU_REPO'}, 'p.yaml: requires must list stem settings, like [BINDU_REPO]'],
		[{image: 'stem', requires: [1]}, 'p.yaml: requires must list stem settings, like [BINDU_REPO]'],
		[{image: 'stem', requires: ['NOPE']}, 'p.yaml: requires must list stem settings, like [BINDU_REPO]'],
		[{image: 'stem', requires: ['NEURON_GPUS']}, 'p.yaml: requires must list stem settings, like [BINDU_REPO]'],
	])('%j', (data, message) => {
		expect(refused(data)).toBe(message);
	});

	it('reads values as text (numbers, an empty value) and keeps only what was given', () => {
		expect(toPreset({image: 'stem', settings: {STEM_SSH_PORT: 2200, DROPBOX_PATH_ON_HOST: null}}, 'p')).toEqual({
			name: '',
			image: 'stem',
			settings: {STEM_SSH_PORT: '2200', DROPBOX_PATH_ON_HOST: ''},
		});
		expect(toPreset({name: 7, description: 'mine', image: 'neuron', requires: ['BINDU_REPO']}, 'p')).toEqual({
			name: '7',
			description: 'mine',
			image: 'neuron',
			settings: {},
			requires: ['BINDU_REPO'],
		});
		expect(toPreset({image: 'stem', description: '', requires: [], settings: null}, 'p')).toEqual({
			name: '',
			image: 'stem',
			settings: {},
		});
	});

	it('takes names that are safe on a terminal and a command line, and one-line descriptions of bounded length', () => {
		const rule = '1 to 64 letters, digits, dots, dashes or underscores, the first a letter or digit';
		for (const name of ['\x1b[31mred', 'two\nlines', 'a b', '-dash', '.hidden', 'x'.repeat(65), 'ünï'])
			expect(refused({name, image: 'stem'})).toBe(`p.yaml: name ${JSON.stringify(name)} must be ${rule}`);
		for (const name of ['a', 'Daily.stem_2-x', '0', 'x'.repeat(64)])
			expect(toPreset({name, image: 'stem'}, 'p.yaml').name).toBe(name);
		const long = 'd'.repeat(501);
		for (const description of [long, 'one\ntwo', 'bell\x07', 'csi\x9b'])
			expect(refused({description, image: 'stem'})).toBe(
				'p.yaml: description must be one line of text of at most 500 characters',
			);
		expect(toPreset({description: 'd'.repeat(500), image: 'stem'}, 'p.yaml').description).toHaveLength(500);
	});

	it('parsePresetYaml names a YAML error by its first line', () => {
		expect(() => parsePresetYaml('image: [stem', 'p.yaml')).toThrow(
			/^p\.yaml: not valid YAML: Flow sequence in block collection must be [^\n]+ at line 1, column 13:$/,
		);
		expect(parsePresetYaml('image: stem\n', 'p.yaml').image).toBe('stem');
	});
});

describe('missingForPreset', () => {
	const preset: Preset = {name: 'dots', image: 'stem', settings: {}, requires: ['BINDU_REPO', 'BINDU_REF']};
	it('names each required setting still empty, with its help and the --set to give it', () => {
		expect(missingForPreset(preset, {BINDU_REF: 'main'})).toEqual([
			'BINDU_REPO is needed by the preset dots (Dotfiles repository cloned into ~/.config on first boot (empty: ' +
				'skip)): --set BINDU_REPO=…',
		]);
		expect(missingForPreset({...preset, name: ''}, {})[1]).toBe(
			'BINDU_REF is needed by the preset chosen (Branch or tag of the dotfiles repository): --set BINDU_REF=…',
		);
		expect(missingForPreset(preset, {BINDU_REPO: 'https://x/y.git', BINDU_REF: 'main'})).toEqual([]);
		expect(missingForPreset(undefined, {})).toEqual([]);
		expect(missingForPreset({name: 'p', image: 'stem', settings: {}}, {})).toEqual([]);
		// A preset built in code may require a key of the user's own: it is named by itself.
		expect(missingForPreset({...preset, requires: ['MY_TOKEN']}, {})).toEqual([
			'MY_TOKEN is needed by the preset dots (MY_TOKEN): --set MY_TOKEN=…',
		]);
	});
});

describe('resolveConfig: a preset meets a hand-edited .env', () => {
	const existing = {...defaults('stem'), STEM_SSH_PORT: '2299', STEM_USER: 'bob'};
	it('lists each value of .env the preset would replace, not those it agrees with, nor those --set names', () => {
		const r = resolveConfig({
			image: 'stem',
			existing,
			preset: {STEM_SSH_PORT: '22555', STEM_USER: 'bob', STEM_HOSTNAME: 'box', BINDU_REF: 'dev'},
			sets: {BINDU_REF: 'v1'},
		});
		// Every value .env holds counts as the user's, defaults written by hatch too.
		expect(r.overrides).toEqual([
			{key: 'STEM_SSH_PORT', existing: '2299', preset: '22555'},
			{key: 'STEM_HOSTNAME', existing: 'stem', preset: 'box'},
		]);
		expect(r.values).toMatchObject({STEM_SSH_PORT: '22555', STEM_USER: 'bob', BINDU_REF: 'v1'});
		expect(r.sources).toMatchObject({
			STEM_SSH_PORT: 'preset',
			STEM_USER: 'preset',
			BINDU_REF: 'set',
			STEM_GID: 'existing',
		});
		expect(describeOverride(r.overrides[0]!)).toBe('STEM_SSH_PORT: the preset sets "22555", your .env has "2299"');
	});

	it('no .env: nothing is overridden; a key of the other stack in .env is ignored, not an override', () => {
		expect(resolveConfig({image: 'stem', preset: {STEM_SSH_PORT: '22555'}}).overrides).toEqual([]);
		const r = resolveConfig({
			image: 'stem',
			existing: {NEURON_GPUS: 'all', MY_OWN: 'x'},
			preset: {STEM_SSH_PORT: '22555'},
		});
		expect(r.overrides).toEqual([]);
		expect(r.values.NEURON_GPUS).toBeUndefined();
		expect(r.values.MY_OWN).toBeUndefined();
		expect(r.problems).toEqual([]);
	});

	it('lists the replaced values without any --set; a key that is no setting is named by validation instead', () => {
		expect(resolveConfig({image: 'stem', existing, preset: {STEM_USER: 'carol'}}).overrides).toEqual([
			{key: 'STEM_USER', existing: 'bob', preset: 'carol'},
		]);
		const r = resolveConfig({image: 'stem', existing: {...existing, MY_OWN: 'x'}, preset: {MY_OWN: 'y'}});
		expect(r.overrides).toEqual([]);
		expect(r.problems).toEqual([{key: 'MY_OWN', message: 'MY_OWN is not a hatch setting'}]);
	});

	it('keeps a --set of a key the stack does not have, so validation names it', () => {
		const r = resolveConfig({image: 'stem', sets: {NEURON_GPUS: 'all'}});
		expect(r.values.NEURON_GPUS).toBeUndefined();
		expect(r.problems).toEqual([{key: 'NEURON_GPUS', message: 'NEURON_GPUS only applies to neuron'}]);
	});

	it('parseSets: the form KEY=VALUE, split at the first =', () => {
		expect(parseSets(['=x', 'A'], ['A'])).toEqual({
			sets: {},
			errors: [
				'--set "=x" must look like KEY=VALUE (e.g. --set STEM_USER=alice)',
				'--set "A" must look like KEY=VALUE (e.g. --set STEM_USER=alice)',
			],
		});
		expect(parseSets(['A=', 'A=b=c'], ['A']).sets).toEqual({A: 'b=c'});
	});
});
