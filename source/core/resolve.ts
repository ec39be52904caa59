// Where each value comes from, lowest to highest: model defaults (from host facts), the stack's existing
// .env, the preset, then --set. Pure.
import {
	defaults,
	factWarnings,
	field,
	type HostFacts,
	type Image,
	KEY,
	type Problem,
	type Values,
	validate,
} from './model.js';
import {missingForPreset, type Preset} from './preset.js';

export type Source = 'default' | 'existing' | 'preset' | 'set';

export interface Resolved {
	image: Image;
	values: Values;
	sources: Record<string, Source>;
	problems: Problem[];
	/** Values of the stack's .env that the preset replaces (not --set: that is asked for by name). */
	overrides: {key: string; existing: string; preset: string}[];
}

/** How a preset's replacement of hand-edited .env values is put to the user. */
export function describeOverride(o: Resolved['overrides'][number]): string {
	return `${o.key}: the preset sets ${JSON.stringify(o.preset)}, your .env has ${JSON.stringify(o.existing)}`;
}

export interface ResolveInput {
	image: Image;
	facts?: HostFacts;
	existing?: Values;
	preset?: Values;
	sets?: Values;
}

export function resolveConfig(input: ResolveInput): Resolved {
	const values = defaults(input.image, input.facts);
	const sources: Record<string, Source> = Object.fromEntries(Object.keys(values).map(k => [k, 'default' as Source]));
	const layers: [Source, Values | undefined][] = [
		['existing', input.existing],
		['preset', input.preset],
		['set', input.sets],
	];
	const extra: Values = {};
	for (const [source, layer] of layers) {
		for (const [key, value] of Object.entries(layer ?? {})) {
			const f = field(key);
			// An existing .env may hold keys of the other stack or the user's own additions: keep them out.
			if (source === 'existing' && !f?.images.includes(input.image)) continue;
			if (!(key in values)) extra[key] = value;
			else values[key] = value;
			sources[key] = source;
		}
	}
	// Defaults that follow other settings (the build network follows the network mode) follow the result.
	const followed = defaults(input.image, input.facts, values);
	for (const key of Object.keys(followed)) if (sources[key] === 'default') values[key] = followed[key]!;
	const problems = validate(input.image, {...values, ...extra});
	const overrides = Object.entries(input.preset ?? {})
		.filter(
			([key, value]) =>
				input.existing?.[key] !== undefined &&
				input.existing[key] !== value &&
				input.sets?.[key] === undefined &&
				field(key)?.images.includes(input.image),
		)
		.map(([key, value]) => ({key, existing: input.existing![key]!, preset: value}));
	return {image: input.image, values, sources, problems, overrides};
}

/** Parses `KEY=VALUE` items of --set; errors name the item and list the keys when the key is unknown. */
export function parseSets(items: string[], validKeys: string[]): {sets: Values; errors: string[]} {
	const sets: Values = {};
	const errors: string[] = [];
	for (const item of items) {
		const eq = item.indexOf('=');
		if (eq <= 0) {
			errors.push(`--set "${item}" must look like KEY=VALUE (e.g. --set ${KEY.user}=alice)`);
			continue;
		}
		const key = item.slice(0, eq);
		if (!validKeys.includes(key)) {
			errors.push(`--set ${key}: unknown key; valid keys are: ${validKeys.join(', ')}`);
			continue;
		}
		sets[key] = item.slice(eq + 1);
	}
	return {sets, errors};
}

/**
 * What is wrong with the values themselves (each field's check, the rules across fields, what a preset still
 * needs), and what this host's facts say about them: the same for the wizard's review and for --yes.
 */
export function checkValues(
	image: Image,
	values: Values,
	facts: HostFacts | undefined,
	preset?: Preset,
): {errors: string[]; warnings: string[]} {
	return {
		errors: [...validate(image, values).map(p => p.message), ...missingForPreset(preset, values)],
		warnings: facts ? factWarnings(image, values, facts) : [],
	};
}
