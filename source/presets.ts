// The shipped presets (presets/*.yaml in this package).
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {type Preset, PresetError, parsePresetYaml} from './core/preset.js';
import {presetsDir} from './paths.js';

export function shippedPresets(): Preset[] {
	const dir = presetsDir();
	return readdirSync(dir)
		.filter(n => n.endsWith('.yaml'))
		.sort()
		.map(n => {
			const p = parsePresetYaml(readFileSync(join(dir, n), 'utf8'), `presets/${n}`);
			return {...p, name: p.name || n.replace(/\.yaml$/, '')};
		});
}

export function findShippedPreset(name: string): Preset {
	const all = shippedPresets();
	const found = all.find(p => p.name === name);
	if (!found) throw new PresetError(`no preset named "${name}"; shipped presets: ${all.map(p => p.name).join(', ')}`);
	return found;
}
