// Presets: a named, partial configuration for one image. Stored as YAML (shipped, exported) or in the
// per-host store. Pure: parsing and validation only.
import {parse} from 'yaml';
import {field, type Image, isImage, KEY, type Values, validateValue} from './model.js';

export interface Preset {
	name: string;
	description?: string;
	image: Image;
	settings: Values;
	/** Settings the preset cannot fill in but needs (a dotfiles URL): a run refuses to go on without them. */
	requires?: string[];
}

export class PresetError extends Error {}

/** What a preset's (and a stack's) name may be: safe as a file name, on a terminal and as a word on a command line. */
export const NAME_RULE = '1 to 64 letters, digits, dots, dashes or underscores, the first a letter or digit';
export const isSafeName = (name: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);
/** A description is one line of text, of at most this many characters. */
export const DESCRIPTION_MAX = 500;

/** Validates an already-parsed preset object; `source` names the file or store entry in messages. */
export function toPreset(data: unknown, source: string): Preset {
	if (!data || typeof data !== 'object' || Array.isArray(data)) {
		throw new PresetError(`${source}: a preset must be a mapping with image: and settings:`);
	}
	const o = data as Record<string, unknown>;
	for (const k of Object.keys(o)) {
		if (!['name', 'description', 'image', 'settings', 'requires'].includes(k)) {
			throw new PresetError(
				`${source}: unknown preset field "${k}" (allowed: name, description, image, settings, requires)`,
			);
		}
	}
	const image = String(o.image ?? '');
	if (!isImage(image)) throw new PresetError(`${source}: image must be stem or neuron (got "${image}")`);
	const settings: Values = {};
	const raw = o.settings ?? {};
	if (typeof raw !== 'object' || Array.isArray(raw)) {
		throw new PresetError(`${source}: settings must be a mapping of KEY: value`);
	}
	for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
		const f = field(key);
		if (!f) throw new PresetError(`${source}: settings.${key} is not a hatch setting`);
		if (!f.images.includes(image))
			throw new PresetError(`${source}: settings.${key} only applies to ${f.images.join(', ')}`);
		if (value !== null && typeof value === 'object')
			throw new PresetError(`${source}: settings.${key} must be a plain value`);
		const text = String(value ?? '');
		const msg = validateValue(key, text);
		if (msg) throw new PresetError(`${source}: ${msg}`);
		settings[key] = text;
	}
	const requires = o.requires ?? [];
	if (!Array.isArray(requires) || requires.some(k => !field(k)?.images.includes(image))) {
		throw new PresetError(`${source}: requires must list ${image} settings, like [${KEY.binduRepo}]`);
	}
	const name = o.name === undefined ? '' : String(o.name);
	if (name && !isSafeName(name)) throw new PresetError(`${source}: name ${JSON.stringify(name)} must be ${NAME_RULE}`);
	const description = o.description ? String(o.description) : '';
	if (description.length > DESCRIPTION_MAX || /[\x00-\x1f\x7f-\x9f]/.test(description))
		throw new PresetError(`${source}: description must be one line of text of at most ${DESCRIPTION_MAX} characters`);
	return {
		name,
		image,
		settings,
		...(description ? {description} : {}),
		...(requires.length ? {requires: requires as string[]} : {}),
	};
}

/** What a preset needs that is still empty, each named with how to give it. */
export function missingForPreset(preset: Preset | undefined, values: Values): string[] {
	return (preset?.requires ?? [])
		.filter(key => !values[key])
		.map(
			key => `${key} is needed by the preset ${preset!.name || 'chosen'} (${field(key)?.help ?? key}): --set ${key}=…`,
		);
}

export function parsePresetYaml(text: string, source: string): Preset {
	let data: unknown;
	try {
		data = parse(text);
	} catch (error) {
		throw new PresetError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
	}
	return toPreset(data, source);
}
