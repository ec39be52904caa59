// The wizard's questions, in order, for a stack and the answers so far, as FIELDS declares them (each
// field's `ask`). Pure: recomputed on every render, so a question appears or disappears as earlier answers
// change (no branch question without a dotfiles repository).

import {type Ask, DOCKER_DESKTOP_AGENT, fieldsFor, type Group, type Image, type Values} from '../core/model.js';
import {factsFrom, type Inspection} from '../host/inspect.js';

export interface Option {
	label: string;
	value: string;
}

export interface Question {
	key: string;
	/** Step title shown in the header. */
	step: string;
	prompt: string;
	help: string;
	/** Select from these; a value of OTHER switches to a text field for the same key. */
	options?: Option[];
}

export const OTHER = '\u0000other';

export const STEPS = [
	'Image',
	'Container',
	'Identity',
	'SSH',
	'Mounts',
	'Dotfiles',
	'Pixi',
	'Secrets',
	'Agent',
	'GPU',
	'Image and volumes',
] as const;

/** The wizard's step for each group of settings, in the order they are asked (the image comes last). */
const STEP_OF: Record<Group, (typeof STEPS)[number]> = {
	identity: 'Container',
	user: 'Identity',
	ssh: 'SSH',
	mounts: 'Mounts',
	bindu: 'Dotfiles',
	pixi: 'Pixi',
	secrets: 'Secrets',
	agent: 'Agent',
	gpu: 'GPU',
	image: 'Image and volumes',
};

/** Adds the current value as an option when a preset or .env chose something not offered here. */
function withCurrent(options: Option[], current: string | undefined, label: (v: string) => string): Option[] {
	if (current === undefined || options.some(o => o.value === current)) return options;
	return [...options, {label: label(current), value: current}];
}

/** The options of a question that lists what the inspection found; undefined: nothing to ask. */
const DETECTED: Record<
	NonNullable<Ask['detected']>,
	(current: string | undefined, inspection: Inspection | undefined) => Option[] | undefined
> = {
	publicKeys: (current, inspection) =>
		withCurrent(
			[
				...(inspection?.publicKeys.value ?? []).map(k => ({label: `${k} (detected)`, value: k})),
				{label: 'another file…', value: OTHER},
				{label: 'none for now (add keys later)', value: ''},
			],
			current,
			v => `${v} (current)`,
		),
	agents: (current, inspection) => {
		const sockets = [
			...(inspection?.agent.value ? [inspection.agent.value] : []),
			...(inspection?.docker.value?.desktop || inspection?.platform === 'darwin' ? [DOCKER_DESKTOP_AGENT] : []),
		];
		if (!sockets.length && !current) return undefined;
		return withCurrent(
			[
				...sockets.map(s => ({
					label: `yes: ${s}${s === DOCKER_DESKTOP_AGENT ? ' (Docker Desktop)' : ' (detected)'}`,
					value: s,
				})),
				{label: 'no', value: ''},
			],
			current,
			v => `yes: ${v} (current)`,
		);
	},
	gpus: (current, inspection) => {
		const gpus = inspection?.gpus.value?.gpus ?? [];
		const options: Option[] = [{label: gpus.length ? 'none' : 'none (no GPU found on this host)', value: 'none'}];
		if (gpus.length) {
			options.unshift({label: `all ${gpus.length} GPU(s)`, value: 'all'});
			// One GPU is named by its UUID: a lone number would mean "that many GPUs".
			for (const g of gpus.filter(x => x.uuid)) {
				options.push({
					label: `only GPU ${g.index}: ${g.name}${g.memoryMiB ? `, ${Math.round(g.memoryMiB / 1024)} GiB` : ''}`,
					value: g.uuid!,
				});
			}
		}
		return withCurrent(options, current, v => `${v} (current; not detected here)`);
	},
};

/** Every question FIELDS declares for the stack, step by step, that the answers so far call for. */
export function questions(image: Image, values: Values, inspection?: Inspection): Question[] {
	const facts = inspection ? factsFrom(inspection) : {};
	const fields = fieldsFor(image);
	const out: Question[] = [];
	for (const step of STEPS) {
		for (const f of fields.filter(x => STEP_OF[x.group] === step)) {
			const ask = f.ask;
			if (ask.when && !ask.when(values)) continue;
			const options = ask.detected
				? DETECTED[ask.detected](values[f.key], inspection)
				: ask.labels && f.choices
					? f.choices.map(c => ({label: ask.labels![c] ?? c, value: c}))
					: [];
			if (options === undefined) continue;
			// Run as root, the host ids are 0: the container user must not be root, so the default is 1000. Say so.
			const help = ask.asRoot && inspection?.identity.uid === 0 ? `${f.help}.${ask.asRoot}` : f.help;
			const prompt = typeof ask.prompt === 'string' ? ask.prompt : ask.prompt(values, facts);
			out.push({key: f.key, step, prompt, help, ...(options.length ? {options} : {})});
		}
	}
	return out;
}
