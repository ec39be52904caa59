// `hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME`: the presets saved on
// this host and the shipped ones.
import {readFileSync} from 'node:fs';
import {basename, resolve} from 'node:path';
import {stringify} from 'yaml';
import {type Preset, PresetError, parsePresetYaml} from '../core/preset.js';
import {identity, realHost} from '../host/probes.js';
import {findShippedPreset, shippedPresets} from '../presets.js';
import {PresetStore} from '../store.js';

function toYaml(p: Preset): string {
	return stringify({
		name: p.name,
		...(p.description ? {description: p.description} : {}),
		image: p.image,
		settings: p.settings,
	});
}

/** `hatch-wizard presets list | show NAME | export NAME [FILE] | import FILE | delete NAME` */
export async function presetsCommand(args: string[], out: (s: string) => void): Promise<number> {
	const [verb, arg, file] = args;
	const id = identity(realHost());
	const store = await PresetStore.open(id.hostname);
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
				text = readFileSync(arg, 'utf8');
			} catch {
				throw new PresetError(`presets import: cannot read ${arg}`);
			}
			const p = parsePresetYaml(text, arg);
			const name = p.name || basename(arg).replace(/\.ya?ml$/, '');
			store.save({...p, name}, {user: id.user, uid: id.uid, gid: id.gid});
			out(`imported preset "${name}" (${p.image}) for ${id.hostname}\n`);
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
