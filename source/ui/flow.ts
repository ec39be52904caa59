// The wizard's flow as one pure function, (state, event) => state: welcome (host facts, where to start) →
// image → one question at a time → review → write → done → build and start → ready, with the ~/.ssh offer.
// Esc goes back a step without losing answers. Nothing here renders or does I/O: the Wizard runs the host
// checks, the comparison, the writes and the deploy, and sends what they return back in as events.

import {answer, type Image, KEY, type Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import {checkValues, describeOverride, type Resolved, resolveConfig} from '../core/resolve.js';
import type {DeployResult} from '../docker/deploy.js';
import {factsFrom, type Inspection} from '../host/inspect.js';
import type {FileChange} from '../stack.js';
import {type Option, type Question, questions} from './questions.js';

/** What the host checks before writing found; `deployErrors` are what stops a build and start on this engine. */
export interface Checks {
	errors: string[];
	warnings: string[];
	notes: string[];
	deployErrors?: string[];
}

/** What the ~/.ssh offer did: nothing (declined), the files written, or why it could not write them. */
export interface SshOutcome {
	written?: FileChange[];
	error?: string;
}

export type Screen =
	| {name: 'welcome'}
	/** `waiting`: an image chosen before the host checks answered, resolved once they do. */
	| {name: 'image'; waiting?: {image: Image; existing: Values | undefined}}
	/** Where a new stack goes (asked when no --out was given). */
	| {name: 'where'}
	/** `review`: reached from the review to change one setting; its answer (or Esc) goes back there. */
	| {name: 'question'; index: number; review?: true}
	/** `writing`: Write was chosen, the files are being written. */
	| {name: 'review'; writing?: boolean}
	| {name: 'done'; written: FileChange[]}
	| {name: 'deploy'; written: FileChange[]}
	| {
			name: 'ready';
			written: FileChange[];
			result: DeployResult;
			/** The ready screen is on the terminal: the ~/.ssh offer comes after it, never before. */
			shown?: boolean;
			ssh?: FileChange[];
			sshDone?: SshOutcome;
	  }
	| {name: 'deployFailed'; written: FileChange[]; result: DeployResult}
	| {name: 'failed'; message: string};

export interface FlowState {
	screen: Screen;
	/** --set values: they win over every start. */
	sets: Values;
	/** Undefined until the host checks answer. */
	inspection: Inspection | undefined;
	/** Where to start from, and the preset store's warnings; undefined while they load. */
	starts: {starts: Option[]; warnings: string[]} | undefined;
	/** The chosen start ('fresh', 'stack:…', 'saved:…', 'shipped:…', 'cli:') and its preset, if it is one. */
	start: string;
	preset: Preset | undefined;
	/**
	 * The stack's folder: the one being edited (a 'stack:…' start), or the one chosen for a new stack; undefined: a
	 * new stack in the default folder.
	 */
	dir: string | undefined;
	/** Ask where a new stack goes (no --out was given). */
	askWhere: boolean;
	image: Image | undefined;
	values: Values;
	/**
	 * The start and image the values were resolved for: another start (or image) resolves them again, so a
	 * preset left with Esc leaves none of its values behind; the same start and image keep the answers.
	 */
	resolvedFor: string;
	/** Values of the stack's .env that the chosen preset replaced: shown at the review, beside the .env diff. */
	overrides: Resolved['overrides'];
	/** Counts the review's comparisons: each entry into the review starts one, and only the latest one counts. */
	run: number;
	/** The latest comparison with the disk and the host checks; undefined while they are worked out. */
	review: {changes: FileChange[]; checks: Checks} | undefined;
}

export type FlowEvent =
	| {type: 'inspected'; inspection: Inspection}
	| {type: 'starts'; starts: Option[]; warnings: string[]}
	| {type: 'startsFailed'; message: string}
	/** `stack`: a stack on this host's list, edited in its own folder from its own .env (no preset). */
	| {type: 'start'; start: string; preset: Preset | undefined; stack?: StackStart}
	/** `existing`: the values of the image's .env on disk, if there is one. */
	| {type: 'image'; image: Image; existing: Values | undefined}
	/** The folder chosen for a new stack, and the values of a .env already there. */
	| {type: 'where'; dir: string; existing: Values | undefined}
	| {type: 'answer'; key: string; value: string}
	/** From the review: change the setting of this key, then come back. */
	| {type: 'jump'; key: string}
	| {type: 'back'}
	| {type: 'compared'; run: number; changes: FileChange[]; checks: Checks}
	| {type: 'compareFailed'; run: number; message: string}
	| {type: 'write'}
	| {type: 'written'; written: FileChange[]}
	| {type: 'failed'; message: string}
	| {type: 'deploy'}
	| {type: 'deployed'; result: DeployResult}
	| {type: 'readyShown'}
	| {type: 'sshPlanned'; ssh: FileChange[]}
	| {type: 'sshDone'; outcome: SshOutcome};

/** A registered stack to edit: its image, its folder and the values of its .env. */
export interface StackStart {
	image: Image;
	dir: string;
	existing: Values;
}

export const FRESH: Option = {label: 'new stack (defaults from this host)', value: 'fresh'};

export function initialFlow(sets: Values, askWhere = false): FlowState {
	return {
		askWhere,
		screen: {name: 'welcome'},
		sets,
		inspection: undefined,
		starts: undefined,
		start: '',
		preset: undefined,
		dir: undefined,
		image: undefined,
		values: {},
		resolvedFor: '',
		overrides: [],
		run: 0,
		review: undefined,
	};
}

export function flow(state: FlowState, event: FlowEvent): FlowState {
	const {screen} = state;
	switch (event.type) {
		case 'inspected': {
			const next = {...state, inspection: event.inspection};
			// Defaults come from the host facts: an image chosen before they came was waiting for them.
			if (screen.name === 'image' && screen.waiting) return choose(next, screen.waiting.image, screen.waiting.existing);
			return next;
		}
		case 'starts':
			return {...state, starts: {starts: event.starts, warnings: event.warnings}};
		case 'startsFailed':
			return {...state, starts: {starts: [FRESH], warnings: [`presets could not be loaded: ${event.message}`]}};
		case 'start': {
			if (screen.name !== 'welcome') return state;
			const {stack} = event;
			if (!stack) return {...state, start: event.start, preset: event.preset, dir: undefined, screen: {name: 'image'}};
			// Editing a stack: its image and its .env, straight to the questions (once the host checks answered).
			const next = {...state, start: event.start, preset: undefined, dir: stack.dir};
			if (!state.inspection)
				return {...next, screen: {name: 'image', waiting: {image: stack.image, existing: stack.existing}}};
			return choose(next, stack.image, stack.existing);
		}
		case 'image':
			if (screen.name !== 'image' || screen.waiting) return state;
			if (state.askWhere) return {...state, image: event.image, dir: undefined, screen: {name: 'where'}};
			if (!state.inspection)
				return {...state, screen: {name: 'image', waiting: {image: event.image, existing: event.existing}}};
			return choose(state, event.image, event.existing);
		case 'where':
			if (screen.name !== 'where') return state;
			if (!state.inspection)
				return {
					...state,
					dir: event.dir,
					screen: {name: 'image', waiting: {image: state.image!, existing: event.existing}},
				};
			return choose({...state, dir: event.dir}, state.image!, event.existing);
		case 'answer': {
			if (screen.name !== 'question' || currentQuestion(state)?.key !== event.key) return state;
			const values = answer(state.image!, state.values, event.key, event.value);
			// A change made from the review goes back to it, with a new comparison.
			return ask({...state, values}, screen.review ? Number.POSITIVE_INFINITY : screen.index + 1);
		}
		case 'jump': {
			if (screen.name !== 'review' || screen.writing) return state;
			const index = questionsFor(state).findIndex(q => q.key === event.key);
			return index < 0 ? state : {...state, screen: {name: 'question', index, review: true}};
		}
		case 'back':
			return back(state);
		case 'compared':
			if (screen.name !== 'review' || event.run !== state.run) return state;
			return {...state, review: {changes: event.changes, checks: event.checks}};
		case 'compareFailed':
			if (screen.name !== 'review' || event.run !== state.run) return state;
			return {...state, screen: {name: 'failed', message: event.message}};
		case 'write':
			if (screen.name !== 'review' || screen.writing || !state.review || reviewFindings(state).errors.length)
				return state;
			return {...state, screen: {name: 'review', writing: true}};
		case 'written':
			if (screen.name !== 'review' || !screen.writing) return state;
			return {...state, screen: {name: 'done', written: event.written}};
		case 'failed':
			return {...state, screen: {name: 'failed', message: event.message}};
		case 'deploy':
			if (screen.name !== 'done' || refusedHere(state).length) return state;
			return {...state, screen: {name: 'deploy', written: screen.written}};
		case 'deployed':
			if (screen.name !== 'deploy') return state;
			return {
				...state,
				screen: {name: event.result.ok ? 'ready' : 'deployFailed', written: screen.written, result: event.result},
			};
		case 'readyShown':
			return screen.name === 'ready' ? {...state, screen: {...screen, shown: true}} : state;
		case 'sshPlanned':
			return screen.name === 'ready' ? {...state, screen: {...screen, ssh: event.ssh}} : state;
		case 'sshDone':
			if (screen.name !== 'ready' || !screen.ssh || screen.sshDone) return state;
			return {...state, screen: {...screen, sshDone: event.outcome}};
	}
}

/** Esc: one step back, every answer kept. The screens after the write have no way back. */
function back(state: FlowState): FlowState {
	const {screen} = state;
	switch (screen.name) {
		case 'image':
			return {...state, screen: {name: 'welcome'}};
		case 'question':
			// Left unchanged: the review as it was, its comparison still right.
			if (screen.review) return {...state, screen: {name: 'review'}};
			if (screen.index > 0) return {...state, screen: {name: 'question', index: screen.index - 1}};
			// A stack being edited has its image and its folder: back to where to start.
			if (editing(state)) return {...state, screen: {name: 'welcome'}};
			return {...state, screen: state.askWhere ? {name: 'where'} : {name: 'image'}};
		case 'where':
			return {...state, screen: {name: 'image'}};
		case 'review':
			if (screen.writing) return state;
			return {...state, screen: {name: 'question', index: Math.max(0, questionsFor(state).length - 1)}};
		default:
			return state;
	}
}

/** Whether a stack on the list is being edited (in its own folder, with its own image). */
export const editing = (state: FlowState) => state.start.startsWith('stack:');

/** The image chosen: its values resolved for this start (unless they already were), then its first question. */
function choose(state: FlowState, image: Image, existing: Values | undefined): FlowState {
	const key = `${state.start}\u0000${image}\u0000${state.dir ?? ''}`;
	if (key === state.resolvedFor) return ask({...state, image}, 0);
	const resolved = resolveConfig({
		image,
		facts: factsFrom(state.inspection!),
		existing,
		preset: state.preset?.image === image ? state.preset.settings : undefined,
		sets: state.sets,
	});
	return ask({...state, image, values: resolved.values, overrides: resolved.overrides, resolvedFor: key}, 0);
}

/** Question `index`; past the last one (answers can remove later questions) the review, with a new comparison. */
function ask(state: FlowState, index: number): FlowState {
	if (questionsFor(state)[index]) return {...state, screen: {name: 'question', index}};
	return {...state, screen: {name: 'review'}, run: state.run + 1, review: undefined};
}

/** The questions for the image and the answers so far (none before an image is chosen). */
export function questionsFor(state: FlowState): Question[] {
	return state.image ? questions(state.image, state.values, state.inspection) : [];
}

export function currentQuestion(state: FlowState): Question | undefined {
	return state.screen.name === 'question' ? questionsFor(state)[state.screen.index] : undefined;
}

/** The image the image screen points at first: the one chosen before, else the preset's. */
export function initialImage(state: FlowState): Image {
	return state.image ?? state.preset?.image ?? 'stem';
}

/** The name the answers are saved under: the stack's (its container name), so two stacks keep their own. */
export function presetName(state: FlowState): string {
	return state.values[KEY.name] || (state.image ?? 'stem');
}

/** What stops a build and start on this engine (the done screen says so instead of offering it). */
export function refusedHere(state: FlowState): string[] {
	return state.review?.checks.deployErrors ?? [];
}

/** What the review lists beside the files: errors (no Write while there are any), warnings and notes. */
export function reviewFindings(state: FlowState): {errors: string[]; warnings: string[]; notes: string[]} {
	const {image, values, review, inspection} = state;
	if (!image) return {errors: [], warnings: [], notes: []};
	const checked = checkValues(image, values, inspection ? factsFrom(inspection) : undefined, state.preset);
	return {
		errors: [...checked.errors, ...(review?.checks.errors ?? [])],
		warnings: [
			// Still the preset's value at the review: the user saw it at the question and kept it, but say so.
			...state.overrides
				.filter(o => values[o.key] === o.preset)
				.map(o => `preset over your .env: ${describeOverride(o)}`),
			...(review?.checks.warnings ?? []),
			...checked.warnings,
			...refusedHere(state).map(e => `to build and start here: ${e}`),
		],
		notes: review?.checks.notes ?? [],
	};
}
