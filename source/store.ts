// Saved presets, per host (keyed by hostname, dots and all), in a 0600 JSON file (see configDir).
// A corrupt store is moved aside with a warning; the wizard goes on.
import {existsSync, renameSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import type Conf from 'conf';
import {type Preset, PresetError, toPreset} from './core/preset.js';
import {timestamp} from './stack.js';

/** $HATCH_CONFIG_DIR, else $XDG_CONFIG_HOME/hatch-wizard, else ~/.config/hatch-wizard. */
export function configDir(env = process.env): string {
	return env.HATCH_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'hatch-wizard');
}

export interface SavedPreset extends Preset {
	savedAt: string;
	/** The host facts the preset was made with, to report changes when it is replayed. */
	facts: {user: string; uid: number; gid: number};
}

interface HostEntry {
	presets: Record<string, Omit<SavedPreset, 'name'>>;
	last?: string;
}

type Data = {hosts: Record<string, HostEntry>};

const SCHEMA = {
	hosts: {
		type: 'object',
		additionalProperties: {
			type: 'object',
			required: ['presets'],
			properties: {
				last: {type: 'string'},
				presets: {
					type: 'object',
					additionalProperties: {
						type: 'object',
						required: ['image', 'settings', 'savedAt', 'facts'],
						properties: {
							image: {enum: ['stem', 'neuron']},
							description: {type: 'string'},
							settings: {type: 'object', additionalProperties: {type: 'string'}},
							savedAt: {type: 'string'},
							facts: {
								type: 'object',
								required: ['user', 'uid', 'gid'],
								properties: {user: {type: 'string'}, uid: {type: 'integer'}, gid: {type: 'integer'}},
							},
						},
					},
				},
			},
		},
	},
} as const;

export class PresetStore {
	readonly warnings: string[] = [];
	private constructor(
		private readonly conf: Conf<Data>,
		readonly host: string,
	) {}

	static async open(host: string, dir = configDir()): Promise<PresetStore> {
		const {default: ConfClass} = await import('conf');
		const options = {
			cwd: dir,
			configName: 'presets',
			accessPropertiesByDotNotation: false,
			configFileMode: 0o600,
			clearInvalidConfig: false,
			schema: SCHEMA as never,
			defaults: {hosts: {}},
		};
		let conf: Conf<Data>;
		const warnings: string[] = [];
		try {
			conf = new ConfClass<Data>(options);
		} catch (error) {
			const file = join(dir, 'presets.json');
			const aside = `${file}.corrupt-${timestamp()}`;
			if (existsSync(file)) renameSync(file, aside);
			warnings.push(
				`the saved presets in ${file} were unreadable (${(error as Error).message.split('\n')[0]}); moved them to ` +
					`${aside} and started afresh`,
			);
			conf = new ConfClass<Data>(options);
		}
		const store = new PresetStore(conf, host);
		store.warnings.push(...warnings);
		return store;
	}

	get path(): string {
		return this.conf.path;
	}

	private entry(): HostEntry {
		return this.conf.get('hosts')[this.host] ?? {presets: {}};
	}

	list(): SavedPreset[] {
		const e = this.entry();
		const out: SavedPreset[] = [];
		for (const [name, p] of Object.entries(e.presets).sort(([a], [b]) => a.localeCompare(b))) {
			try {
				const valid = toPreset(
					{name, image: p.image, settings: p.settings, ...(p.description ? {description: p.description} : {})},
					`saved preset "${name}"`,
				);
				out.push({...valid, savedAt: p.savedAt, facts: p.facts});
			} catch (error) {
				if (error instanceof PresetError)
					this.warnings.push(`${error.message} (skipped; delete it with: hatch-wizard presets delete ${name})`);
				else throw error;
			}
		}
		return out;
	}

	get(name: string): SavedPreset | undefined {
		return this.list().find(p => p.name === name);
	}

	last(): string | undefined {
		return this.entry().last;
	}

	save(preset: Preset, facts: SavedPreset['facts']): void {
		const hosts = {...this.conf.get('hosts')};
		const e = hosts[this.host];
		const {name, ...rest} = preset;
		hosts[this.host] = {
			...e,
			presets: {...e?.presets, [name]: {...rest, savedAt: new Date().toISOString(), facts}},
			last: name,
		};
		this.conf.set('hosts', hosts);
	}

	delete(name: string): boolean {
		const hosts = {...this.conf.get('hosts')};
		const e = hosts[this.host];
		if (!e?.presets[name]) return false;
		const presets = {...e.presets};
		delete presets[name];
		hosts[this.host] = {...e, presets};
		if (e.last === name) delete hosts[this.host]!.last;
		this.conf.set('hosts', hosts);
		return true;
	}
}

/** Host facts that changed since the preset was saved, in words. */
export function changedFacts(saved: SavedPreset['facts'], now: SavedPreset['facts']): string[] {
	const out: string[] = [];
	if (saved.uid !== now.uid) out.push(`your UID was ${saved.uid} when this preset was saved and is ${now.uid} now`);
	if (saved.gid !== now.gid) out.push(`your GID was ${saved.gid} when this preset was saved and is ${now.gid} now`);
	if (saved.user !== now.user) out.push(`you were ${saved.user} when this preset was saved and are ${now.user} now`);
	return out;
}
