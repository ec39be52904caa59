// `hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME`: the presets saved on
// this host and the shipped ones.
import {basename, resolve} from 'node:path';
import {stringify} from 'yaml';
import {isSafeName, NAME_RULE, type Preset, PresetError, parsePresetYaml} from '../core/preset.js';
import {FileError, readBounded} from '../files.js';
import {identity, realHost} from '../host/probes.js';
import {findShippedPreset, shippedPresets} from '../presets.js';
import {Store} from '../store.js';

function toYaml(p: Preset): string {
	return stringify({
		name: p.name,
		...(p.description ? {description: p.description} : {}),
		image: p.image,
		settings: p.settings,
	});
}

/** The most a preset file may hold: a preset is a few lines; a bigger file is a mistake. */
export const PRESET_FILE_MAX = 64_000;

/** What importing `next` over `old` would change, one line per difference ("  KEY: old → new"). */
export function presetChanges(old: Preset, next: Preset): string[] {
	const lines: string[] = [];
	const row = (what: string, a: string | undefined, b: string | undefined) => {
		if (a === b) return;
		if (a === undefined) lines.push(`  + ${what}: ${b}`);
		else if (b === undefined) lines.push(`  - ${what}: ${a}`);
		else lines.push(`  ~ ${what}: ${a} → ${b}`);
	};
	row('image', old.image, next.image);
	row('description', old.description, next.description);
	for (const key of [...new Set([...Object.keys(old.settings), ...Object.keys(next.settings)])].sort())
		row(key, old.settings[key], next.settings[key]);
	return lines;
}

export interface PresetsOptions {
	/** import: replace a saved preset that differs without asking (the store is backed up first). */
	force?: boolean;
	/** A y/N question on the terminal; absent when there is none. */
	ask?: (question: string) => Promise<boolean>;
}

/** `hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME` */
export async function presetsCommand(
	args: string[],
	out: (s: string) => void,
	options: PresetsOptions = {},
): Promise<number> {
	const [verb, arg, file] = args;
	const id = identity(realHost());
	const store = await Store.open(id.hostname);
	for (const w of store.warnings) process.stderr.write(`warning: ${w}\n`);
	const find = (name: string | undefined): Preset => {
		if (!name) throw new PresetError(`presets ${verb} needs a preset name (see: hatch-wizard presets list)`);
		return store.get(name) ?? findShippedPreset(name);
	};
	switch (verb) {
		case undefined:
		case 'list': {
			const saved = store.list();
			out(`Saved on ${id.hostname} (${store.path}):\n`);
			out(
				saved.length
					? saved
							.map(
								p => `  ${p.name.padEnd(24)} ${p.image.padEnd(7)} saved ${p.savedAt.slice(0, 16).replace('T', ' ')}\n`,
							)
							.join('')
					: '  (none yet: the wizard saves one when it writes a stack)\n',
			);
			out('Shipped:\n');
			out(
				shippedPresets()
					.map(p => `  ${p.name.padEnd(24)} ${p.image.padEnd(7)} ${p.description ?? ''}\n`)
					.join(''),
			);
			return 0;
		}
		case 'show':
			out(toYaml(find(arg)));
			return 0;
		case 'export': {
			const text = toYaml(find(arg));
			if (!file) {
				out(text);
				return 0;
			}
			const {apply, compare} = await import('../stack.js');
			const changes = await compare([{path: resolve(file), content: text, mode: 0o600, showDiff: true}]);
			const [done] = await apply(changes);
			out(
				`${done!.state === 'unchanged' ? 'unchanged' : 'wrote'} ` +
					`${done!.path}${done!.backup ? ` (old copy kept as ${done!.backup})` : ''}\n`,
			);
			return 0;
		}
		case 'import': {
			if (!arg) throw new PresetError('presets import needs a file: hatch-wizard presets import FILE');
			let text: string;
			try {
				text = readBounded(arg, PRESET_FILE_MAX, 'the preset file');
			} catch (error) {
				if (error instanceof FileError) throw new PresetError(`presets import: ${error.message}`);
				throw error;
			}
			const p = parsePresetYaml(text, arg);
			const name = p.name || basename(arg).replace(/\.ya?ml$/, '');
			if (!isSafeName(name))
				throw new PresetError(`presets import: the preset's name ${JSON.stringify(name)} must be ${NAME_RULE}`);
			const old = store.get(name);
			const changes = old ? presetChanges(old, {...p, name}) : [];
			if (old && !changes.length) {
				out(`preset "${name}" is already saved as ${arg} has it: nothing changed\n`);
				return 0;
			}
			let backup: string | undefined;
			if (old) {
				out(`preset "${name}" is already saved on ${id.hostname}; importing ${arg} changes:\n${changes.join('\n')}\n`);
				if (!options.force) {
					if (!options.ask)
						throw new PresetError(
							`presets import: "${name}" exists and differs (above): pass --force to replace it (the saved ` +
								'presets are backed up first), or give the file another name:',
						);
					if (!(await options.ask(`Replace the saved preset "${name}"?`))) {
						out('nothing changed\n');
						return 1;
					}
				}
				backup = store.backup();
			}
			// An import is not a choice of what to start from next: "last" stays as it was.
			store.save({...p, name}, {user: id.user, uid: id.uid, gid: id.gid}, {last: false});
			out(
				`${old ? 'replaced' : 'imported'} preset "${name}" (${p.image}) for ${id.hostname}` +
					`${backup ? ` (the saved presets were copied to ${backup} first)` : ''}\n`,
			);
			return 0;
		}
		case 'delete':
			if (!arg) throw new PresetError('presets delete needs a preset name');
			if (!store.delete(arg))
				throw new PresetError(`no saved preset named "${arg}" on ${id.hostname} (shipped presets cannot be deleted)`);
			out(`deleted preset "${arg}"\n`);
			return 0;
		default:
			throw new PresetError(`unknown presets command "${verb}"; use list, show, export, import or delete`);
	}
}
