// The wizard's flow without a screen: each event applied to a state, as the Wizard applies the keys and the
// results of its side effects.
import {describe, expect, it} from 'vitest';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import type {Image, Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import type {DeployResult} from '../docker/deploy.js';
import type {FileChange} from '../stack.js';
import {
	type Checks,
	currentQuestion,
	type FlowEvent,
	type FlowState,
	flow,
	initialFlow,
	initialImage,
	presetName,
	questionsFor,
	refusedHere,
	reviewFindings,
} from './flow.js';

const NEURON_GPUS: Preset = {name: 'neuron-gpus', image: 'neuron', settings: {STEM_SSH_PORT: '22555'}};
const CHECKS: Checks = {errors: [], warnings: [], notes: ['first run']};
const CHANGES: FileChange[] = [
	{path: '/out/stem/.env', content: 'x', mode: 0o600, showDiff: true, state: 'new', diff: ''},
];
const OK = {ok: true, canceled: false, phase: 'ready', exitCode: 0} as DeployResult;
const BROKEN = {ok: false, canceled: false, phase: 'up', exitCode: 1} as DeployResult;

const apply = (state: FlowState, ...events: FlowEvent[]) => events.reduce(flow, state);
const back: FlowEvent = {type: 'back'};

/** Host checks in, a start chosen: on the image screen. */
function atImage(start = 'fresh', preset?: Preset, sets: Values = {}): FlowState {
	return apply(initialFlow(sets), {type: 'inspected', inspection: fakeInspection()}, {type: 'start', start, preset});
}

/** At the first question of `image`. */
function atQuestions(image: Image = 'stem', start = 'fresh', preset?: Preset): FlowState {
	return flow(atImage(start, preset), {type: 'image', image, existing: undefined});
}

/** The current question answered with `value`, or with what it holds already. */
function answered(state: FlowState, value?: string): FlowState {
	const q = currentQuestion(state)!;
	return flow(state, {type: 'answer', key: q.key, value: value ?? state.values[q.key] ?? ''});
}

/** Enter on every question, as they come, up to `key`'s (or the review). */
function answerUntil(state: FlowState, key?: string): FlowState {
	let s = state;
	while (s.screen.name === 'question' && currentQuestion(s)!.key !== key) s = answered(s);
	return s;
}

/** At the review, its comparison in. */
function atReview(state = atQuestions()): FlowState {
	const s = answerUntil(state);
	return flow(s, {type: 'compared', run: s.run, changes: CHANGES, checks: CHECKS});
}

const keyOf = (s: FlowState) => currentQuestion(s)?.key;

describe('flow: editing a stack on the list', () => {
	const stack = {
		image: 'neuron' as const,
		dir: '/srv/gpu/neuron',
		existing: {STEM_CONTAINER_NAME: 'gpu', STEM_SSH_PORT: '2444'},
	};
	const edit: FlowEvent = {type: 'start', start: 'stack:gpu', preset: undefined, stack};

	it("goes straight to its questions, from its own .env, in its own folder (never another stack's answers)", () => {
		const s = apply(initialFlow({}), {type: 'inspected', inspection: fakeInspection()}, edit);
		expect(s.screen).toEqual({name: 'question', index: 0});
		expect(s.image).toBe('neuron');
		expect(s.dir).toBe('/srv/gpu/neuron');
		expect(s.preset).toBeUndefined();
		expect(s.values.STEM_SSH_PORT).toBe('2444');
		expect(presetName(s)).toBe('gpu');
	});

	it('waits for the host checks when they are not in yet, then asks', () => {
		const s = apply(initialFlow({}), edit);
		expect(s.screen).toEqual({name: 'image', waiting: {image: 'neuron', existing: stack.existing}});
		const asked = flow(s, {type: 'inspected', inspection: fakeInspection()});
		expect(asked.screen).toEqual({name: 'question', index: 0});
		expect(asked.values.STEM_SSH_PORT).toBe('2444');
	});

	it('Esc at its first question goes back to where to start; a new stack then has no folder of its own', () => {
		const s = apply(initialFlow({}), {type: 'inspected', inspection: fakeInspection()}, edit, back);
		expect(s.screen).toEqual({name: 'welcome'});
		const fresh = apply(s, {type: 'start', start: 'fresh', preset: undefined});
		expect(fresh.dir).toBeUndefined();
		expect(fresh.screen).toEqual({name: 'image'});
		const again = flow(fresh, {type: 'image', image: 'neuron', existing: undefined});
		// Resolved again for the new start: the edited stack's port is not carried over.
		expect(again.values.STEM_SSH_PORT).not.toBe('2444');
	});
});

describe('flow: where a new stack goes (no --out given)', () => {
	const inspected: FlowEvent = {type: 'inspected', inspection: fakeInspection()};
	const fresh: FlowEvent = {type: 'start', start: 'fresh', preset: undefined};

	it('asks after the image, then resolves the values from the .env in the chosen folder', () => {
		const s = apply(initialFlow({}, true), inspected, fresh, {type: 'image', image: 'stem', existing: undefined});
		expect(s.screen).toEqual({name: 'where'});
		expect(s.image).toBe('stem');
		const there = flow(s, {type: 'where', dir: '/srv/a/stem', existing: {STEM_SSH_PORT: '2555'}});
		expect(there.screen).toEqual({name: 'question', index: 0});
		expect(there.dir).toBe('/srv/a/stem');
		expect(there.values.STEM_SSH_PORT).toBe('2555');
	});

	it('Esc goes from the first question to where, and from where to the image; another folder resolves again', () => {
		const s = apply(
			initialFlow({}, true),
			inspected,
			fresh,
			{type: 'image', image: 'stem', existing: undefined},
			{type: 'where', dir: '/srv/a/stem', existing: {STEM_SSH_PORT: '2555'}},
		);
		const atWhere = flow(s, back);
		expect(atWhere.screen).toEqual({name: 'where'});
		expect(flow(atWhere, back).screen).toEqual({name: 'image'});
		const elsewhere = flow(atWhere, {type: 'where', dir: '/srv/b/stem', existing: undefined});
		expect(elsewhere.dir).toBe('/srv/b/stem');
		expect(elsewhere.values.STEM_SSH_PORT).not.toBe('2555');
		// The same folder again keeps the answers given.
		const same = flow(flow(answered(s, 'kept'), back), back);
		expect(flow(same, {type: 'where', dir: '/srv/a/stem', existing: {}}).values[keyOf(s)!]).toBe('kept');
	});

	it('waits for the host checks after the folder when they are not in yet; never asks without the option', () => {
		const s = apply(initialFlow({}, true), fresh, {type: 'image', image: 'neuron', existing: undefined});
		expect(s.screen).toEqual({name: 'where'});
		const waiting = flow(s, {type: 'where', dir: '/srv/n/neuron', existing: undefined});
		expect(waiting.screen).toEqual({name: 'image', waiting: {image: 'neuron', existing: undefined}});
		expect(flow(waiting, inspected).screen).toEqual({name: 'question', index: 0});
		expect(atQuestions('stem').screen).toEqual({name: 'question', index: 0});
		expect(flow(atQuestions('stem'), {type: 'where', dir: '/x', existing: undefined}).dir).toBeUndefined();
	});
});

describe('flow: changing one setting from the review', () => {
	it('jumps to its question; the answer comes back to the review with a new comparison', () => {
		const r = atReview();
		const at = flow(r, {type: 'jump', key: 'STEM_SSH_PORT'});
		expect(keyOf(at)).toBe('STEM_SSH_PORT');
		expect(at.screen).toMatchObject({name: 'question', review: true});
		const changed = flow(at, {type: 'answer', key: 'STEM_SSH_PORT', value: '2399'});
		expect(changed.screen).toEqual({name: 'review'});
		expect(changed.values.STEM_SSH_PORT).toBe('2399');
		expect(changed.run).toBe(r.run + 1);
		expect(changed.review).toBeUndefined();
	});

	it('Esc on that question goes back to the review as it was; a key with no question, or a write, is ignored', () => {
		const r = atReview();
		const left = apply(r, {type: 'jump', key: 'STEM_USER'}, back);
		expect(left.screen).toEqual({name: 'review'});
		expect(left.run).toBe(r.run);
		expect(left.review).toBe(r.review);
		expect(flow(r, {type: 'jump', key: 'NO_SUCH_KEY'})).toBe(r);
		const writing = flow(r, {type: 'write'});
		expect(flow(writing, {type: 'jump', key: 'STEM_USER'})).toBe(writing);
		expect(flow(atQuestions(), {type: 'jump', key: 'STEM_USER'}).screen).toEqual({name: 'question', index: 0});
	});
});

describe('flow: the welcome screen', () => {
	it('starts there, with neither the host checks nor the starts in', () => {
		const s = initialFlow({});
		expect(s.screen).toEqual({name: 'welcome'});
		expect(s.inspection).toBeUndefined();
		expect(s.starts).toBeUndefined();
	});

	it('takes the starts as they load, or offers start fresh and says why the presets are missing', () => {
		const starts = [{label: 'neuron-gpus', value: 'shipped:neuron-gpus'}];
		expect(flow(initialFlow({}), {type: 'starts', starts, warnings: ['w']}).starts).toEqual({starts, warnings: ['w']});
		const failed = flow(initialFlow({}), {type: 'startsFailed', message: 'EACCES'});
		expect(failed.starts!.starts.map(o => o.value)).toEqual(['fresh']);
		expect(failed.starts!.warnings).toEqual(['presets could not be loaded: EACCES']);
		expect(failed.screen).toEqual({name: 'welcome'});
	});

	it('a start leads to the image, keeping the start and its preset; Esc there does nothing', () => {
		const s = flow(initialFlow({}), {type: 'start', start: 'shipped:neuron-gpus', preset: NEURON_GPUS});
		expect(s.screen).toEqual({name: 'image'});
		expect(s.start).toBe('shipped:neuron-gpus');
		expect(s.preset).toBe(NEURON_GPUS);
		expect(flow(initialFlow({}), back)).toEqual(initialFlow({}));
	});

	it('takes a start only on the welcome screen', () => {
		const s = atQuestions();
		expect(flow(s, {type: 'start', start: 'shipped:neuron-gpus', preset: NEURON_GPUS})).toBe(s);
	});
});

describe('flow: the image', () => {
	it('points at the image chosen before, else the preset’s, else stem', () => {
		expect(initialImage(atImage())).toBe('stem');
		expect(initialImage(atImage('shipped:neuron-gpus', NEURON_GPUS))).toBe('neuron');
		const chosen = apply(atQuestions('neuron'), back);
		expect(chosen.screen).toEqual({name: 'image'});
		expect(initialImage(chosen)).toBe('neuron');
	});

	it('goes to the first question with the values resolved: host facts < the .env < the preset < --set', () => {
		const s = flow(atImage('shipped:neuron-gpus', NEURON_GPUS, {STEM_HOSTNAME: 'from-set'}), {
			type: 'image',
			image: 'neuron',
			existing: {STEM_USER: 'erin', STEM_SSH_PORT: '2299'},
		});
		expect(s.screen).toEqual({name: 'question', index: 0});
		expect(s.image).toBe('neuron');
		expect(s.values).toMatchObject({
			STEM_AUTH_KEYS_PATH: '/home/alice/.ssh/id_ed25519.pub', // detected
			STEM_USER: 'erin', // the .env
			STEM_SSH_PORT: '22555', // the preset over the .env: said at the review
			STEM_HOSTNAME: 'from-set',
		});
		expect(s.overrides).toEqual([{key: 'STEM_SSH_PORT', existing: '2299', preset: '22555'}]);
	});

	it('does not apply a preset made for the other image', () => {
		const s = atQuestions('stem', 'shipped:neuron-gpus', NEURON_GPUS);
		expect(s.values.STEM_SSH_PORT).toBe('22222');
	});

	it('chosen before the host checks answer, waits for them, then resolves with their defaults', () => {
		const early = apply(
			initialFlow({}),
			{type: 'start', start: 'fresh', preset: undefined},
			{type: 'image', image: 'neuron', existing: {STEM_USER: 'erin'}},
		);
		expect(early.screen).toEqual({name: 'image', waiting: {image: 'neuron', existing: {STEM_USER: 'erin'}}});
		expect(early.values).toEqual({});
		// The spinner is up: no second choice.
		expect(flow(early, {type: 'image', image: 'stem', existing: undefined})).toBe(early);
		const s = flow(early, {type: 'inspected', inspection: fakeInspection()});
		expect(s.screen).toEqual({name: 'question', index: 0});
		expect(s.image).toBe('neuron');
		expect(s.values).toMatchObject({STEM_USER: 'erin', STEM_AUTH_KEYS_PATH: '/home/alice/.ssh/id_ed25519.pub'});
	});

	it('Esc goes back to the welcome screen, also while waiting: the host checks answering then go nowhere', () => {
		expect(flow(atImage(), back).screen).toEqual({name: 'welcome'});
		const early = apply(
			initialFlow({}),
			{type: 'start', start: 'fresh', preset: undefined},
			{type: 'image', image: 'stem', existing: undefined},
			back,
		);
		expect(early.screen).toEqual({name: 'welcome'});
		const s = flow(early, {type: 'inspected', inspection: fakeInspection()});
		expect(s.screen).toEqual({name: 'welcome'});
		expect(s.image).toBeUndefined();
	});
});

describe('flow: the questions', () => {
	it('an answer is kept and the next question follows', () => {
		const s = atQuestions();
		expect(keyOf(s)).toBe('STEM_CONTAINER_NAME');
		const next = answered(s, 'box');
		expect(next.values.STEM_CONTAINER_NAME).toBe('box');
		expect(next.screen).toEqual({name: 'question', index: 1});
		expect(keyOf(next)).toBe('STEM_HOSTNAME');
	});

	it('an answer follows the model: a default that followed the old value follows the new one', () => {
		const s = answered(answerUntil(atQuestions(), 'STEM_NETWORK_MODE'), 'host');
		expect(s.values.STEM_BUILD_NETWORK).toBe('host');
	});

	it('drops an answer meant for another question (a key from a screen already left)', () => {
		const s = atQuestions();
		expect(flow(s, {type: 'answer', key: 'STEM_USER', value: 'bob'})).toBe(s);
	});

	it('asks only what the answers call for: pixi off, no pixi details', () => {
		const s = answered(answerUntil(atQuestions(), 'STEM_PIXI_ENABLE'), '0');
		expect(keyOf(s)).toBe('APOGEE_SECRETS_PATH');
		const on = answered(answerUntil(atQuestions(), 'STEM_PIXI_ENABLE'), '1');
		expect(keyOf(on)).toBe('STEM_PIXI_STOW');
	});

	it('past the last question is the review, with a new comparison to wait for', () => {
		const s = answerUntil(atQuestions());
		expect(s.screen).toEqual({name: 'review'});
		expect(s.run).toBe(1);
		expect(s.review).toBeUndefined();
	});

	it('Esc goes back one question, and from the first to the image, every answer kept', () => {
		const s = answered(answerUntil(atQuestions(), 'STEM_USER'), 'bob');
		expect(keyOf(s)).toBe('STEM_UID');
		const before = flow(s, back);
		expect(keyOf(before)).toBe('STEM_USER');
		expect(before.values.STEM_USER).toBe('bob');
		const image = apply(before, back, back, back);
		expect(image.screen).toEqual({name: 'image'});
		expect(image.values.STEM_USER).toBe('bob');
	});

	it('the same start and image again keep the answers; another image resolves its own', () => {
		const s = apply(answered(answerUntil(atQuestions(), 'STEM_USER'), 'bob'), back, back, back, back);
		expect(s.screen).toEqual({name: 'image'});
		const same = flow(s, {type: 'image', image: 'stem', existing: undefined});
		expect(same.screen).toEqual({name: 'question', index: 0});
		expect(same.values.STEM_USER).toBe('bob');
		const other = flow(s, {type: 'image', image: 'neuron', existing: undefined});
		expect(other.values.STEM_USER).toBe('alice');
		expect(questionsFor(other).some(q => q.key === 'NEURON_GPUS')).toBe(true);
	});

	it(
		'a start chosen again begins from that start: the neuron-gpus preset left with Esc (neuron, Esc, Esc, ' +
			'start fresh, neuron) leaves none of its values behind',
		() => {
			const preset = atQuestions('neuron', 'shipped:neuron-gpus', NEURON_GPUS);
			expect(preset.values.STEM_SSH_PORT).toBe('22555');
			const welcome = apply(preset, back, back);
			expect(welcome.screen).toEqual({name: 'welcome'});
			const fresh = apply(
				welcome,
				{type: 'start', start: 'fresh', preset: undefined},
				{type: 'image', image: 'neuron', existing: undefined},
			);
			expect(fresh.screen).toEqual({name: 'question', index: 0});
			expect(fresh.values.STEM_SSH_PORT).toBe(atQuestions('neuron').values.STEM_SSH_PORT);
			expect(fresh.values.STEM_SSH_PORT).not.toBe('22555');
			expect(fresh.preset).toBeUndefined();
			// And back to the preset: its values again.
			const again = apply(
				fresh,
				back,
				back,
				{type: 'start', start: 'shipped:neuron-gpus', preset: NEURON_GPUS},
				{type: 'image', image: 'neuron', existing: undefined},
			);
			expect(again.values.STEM_SSH_PORT).toBe('22555');
		},
	);
});

describe('flow: the review', () => {
	it('shows the comparison of its latest run only', () => {
		const s = answerUntil(atQuestions());
		const stale = flow(s, {type: 'compared', run: s.run - 1, changes: [], checks: CHECKS});
		expect(stale).toBe(s);
		const latest = flow(s, {type: 'compared', run: s.run, changes: CHANGES, checks: CHECKS});
		expect(latest.review).toEqual({changes: CHANGES, checks: CHECKS});
	});

	it('Esc goes back to the last question, drops the comparison then in flight, and a new entry runs another', () => {
		const s = answerUntil(atQuestions());
		const left = flow(s, back);
		expect(keyOf(left)).toBe('STEM_VOLUMES_EXTERNAL');
		expect(flow(left, {type: 'compared', run: s.run, changes: CHANGES, checks: CHECKS})).toBe(left);
		expect(flow(left, {type: 'compareFailed', run: s.run, message: 'late'})).toBe(left);
		const again = answered(left);
		expect(again.screen).toEqual({name: 'review'});
		expect(again.run).toBe(s.run + 1);
		expect(flow(again, {type: 'compared', run: s.run, changes: CHANGES, checks: CHECKS}).review).toBeUndefined();
	});

	it('a comparison that fails stops the flow', () => {
		const s = answerUntil(atQuestions());
		expect(flow(s, {type: 'compareFailed', run: s.run, message: 'EACCES'}).screen).toEqual({
			name: 'failed',
			message: 'EACCES',
		});
	});

	it('writes only once the comparison is in, and takes no Esc while writing', () => {
		const s = answerUntil(atQuestions());
		expect(flow(s, {type: 'write'})).toBe(s);
		const writing = flow(atReview(), {type: 'write'});
		expect(writing.screen).toEqual({name: 'review', writing: true});
		expect(flow(writing, back)).toBe(writing);
		expect(flow(writing, {type: 'write'})).toBe(writing);
		expect(flow(writing, {type: 'written', written: CHANGES}).screen).toEqual({name: 'done', written: CHANGES});
	});

	it('does not write while the review lists errors (a value the preset needs is missing)', () => {
		const needs: Preset = {name: 'dotfiles', image: 'stem', settings: {}, requires: ['BINDU_REPO']};
		const s = atReview(atQuestions('stem', 'shipped:dotfiles', needs));
		expect(reviewFindings(s).errors).toEqual([expect.stringContaining('BINDU_REPO is needed by the preset dotfiles')]);
		expect(flow(s, {type: 'write'})).toBe(s);
	});

	it('a write or save that fails stops the flow', () => {
		const writing = flow(atReview(), {type: 'write'});
		expect(flow(writing, {type: 'failed', message: 'EACCES'}).screen).toEqual({name: 'failed', message: 'EACCES'});
	});

	it('warns of a preset value over the .env while it is still the preset’s, and of what stops a build here', () => {
		const start = flow(atImage('shipped:neuron-gpus', NEURON_GPUS), {
			type: 'image',
			image: 'neuron',
			existing: {STEM_SSH_PORT: '2299'},
		});
		const s = answerUntil(start);
		const checks = {...CHECKS, warnings: ['w'], deployErrors: ['no bridge']};
		const review = flow(s, {type: 'compared', run: s.run, changes: CHANGES, checks});
		expect(reviewFindings(review)).toEqual({
			errors: [],
			warnings: [
				'preset over your .env: STEM_SSH_PORT: the preset sets "22555", your .env has "2299"',
				'w',
				'to build and start here: no bridge',
			],
			notes: ['first run'],
		});
		const changed = answerUntil(answered(answerUntil(start, 'STEM_SSH_PORT'), '2300'));
		expect(reviewFindings(changed).warnings).toEqual([]);
	});

	it('warns of GPUs asked for on a host without any', () => {
		const s = answerUntil(answered(answerUntil(atQuestions('neuron'), 'NEURON_GPUS'), 'all'));
		expect(reviewFindings(s).warnings).toEqual([expect.stringContaining('NEURON_GPUS=all, but no NVIDIA GPU')]);
	});

	it("saves the answers under the stack's name (its container name), whatever they started from", () => {
		const saved: Preset = {name: 'mine', image: 'neuron', settings: {STEM_CONTAINER_NAME: 'gpu-box'}};
		expect(presetName(atQuestions('neuron', 'saved:mine', saved))).toBe('gpu-box');
		expect(presetName(atQuestions('neuron', 'shipped:neuron-gpus', NEURON_GPUS))).toBe('neuron');
		expect(presetName(answered(answerUntil(atQuestions('stem'), 'STEM_CONTAINER_NAME'), 'second'))).toBe('second');
		expect(presetName({...atQuestions('stem'), values: {}})).toBe('stem');
	});
});

describe('flow: after the write', () => {
	const done = () => apply(atReview(), {type: 'write'}, {type: 'written', written: CHANGES});

	it('builds when asked, unless the engine refuses it', () => {
		expect(flow(done(), {type: 'deploy'}).screen).toEqual({name: 'deploy', written: CHANGES});
		const s = answerUntil(atQuestions());
		const refused = apply(
			s,
			{type: 'compared', run: s.run, changes: CHANGES, checks: {...CHECKS, deployErrors: ['no bridge']}},
			{type: 'write'},
			{type: 'written', written: CHANGES},
		);
		expect(refusedHere(refused)).toEqual(['no bridge']);
		expect(flow(refused, {type: 'deploy'})).toBe(refused);
	});

	it('has no way back once written', () => {
		const d = done();
		expect(flow(d, back)).toBe(d);
		const deploying = flow(d, {type: 'deploy'});
		expect(flow(deploying, back)).toBe(deploying);
	});

	it('a deploy ends ready or failed', () => {
		const deploying = flow(done(), {type: 'deploy'});
		expect(flow(deploying, {type: 'deployed', result: OK}).screen).toEqual({
			name: 'ready',
			written: CHANGES,
			result: OK,
		});
		const failed = flow(deploying, {type: 'deployed', result: BROKEN});
		expect(failed.screen).toEqual({name: 'deployFailed', written: CHANGES, result: BROKEN});
		expect(flow(failed, back)).toBe(failed);
	});

	it('ready: the ~/.ssh changes come in, then what the offer did, once', () => {
		const ready = apply(done(), {type: 'deploy'}, {type: 'deployed', result: OK});
		expect(flow(ready, {type: 'sshDone', outcome: {}})).toBe(ready); // nothing offered yet
		const offered = apply(ready, {type: 'readyShown'}, {type: 'sshPlanned', ssh: CHANGES});
		expect(offered.screen).toMatchObject({name: 'ready', shown: true, ssh: CHANGES});
		const answeredOffer = flow(offered, {type: 'sshDone', outcome: {written: CHANGES}});
		expect(answeredOffer.screen).toMatchObject({sshDone: {written: CHANGES}});
		expect(flow(answeredOffer, {type: 'sshDone', outcome: {error: 'late'}})).toBe(answeredOffer);
		expect(flow(answeredOffer, back)).toBe(answeredOffer);
	});
});

describe('flow: an event meant for another screen changes nothing', () => {
	const done = () => apply(atReview(), {type: 'write'}, {type: 'written', written: CHANGES});

	it('host checks answering on the image screen before any choice: still the choice to make', () => {
		const early = flow(initialFlow({}), {type: 'start', start: 'fresh', preset: undefined});
		const s = flow(early, {type: 'inspected', inspection: fakeInspection()});
		expect(s.screen).toEqual({name: 'image'});
		expect(s.inspection).toBeDefined();
		expect(s.image).toBeUndefined();
	});

	it('an image chosen only on the image screen', () => {
		const welcome = flow(initialFlow({}), {type: 'inspected', inspection: fakeInspection()});
		expect(flow(welcome, {type: 'image', image: 'stem', existing: undefined})).toBe(welcome);
		const question = answered(atQuestions());
		expect(flow(question, {type: 'image', image: 'neuron', existing: undefined})).toBe(question);
	});

	it('a stale comparison’s failure is not the review’s', () => {
		const s = answered(flow(answerUntil(atQuestions()), back));
		expect(s.run).toBe(2);
		expect(flow(s, {type: 'compareFailed', run: 1, message: 'late'})).toBe(s);
	});

	it('Write only from the review: not from a question left with Esc, nor once written', () => {
		const left = flow(atReview(), back);
		expect(left.review).toBeDefined();
		expect(flow(left, {type: 'write'})).toBe(left);
		const d = done();
		expect(flow(d, {type: 'write'})).toBe(d);
	});

	it('the files written count only while the review is writing them', () => {
		const review = atReview();
		expect(flow(review, {type: 'written', written: CHANGES})).toBe(review);
		const question = atQuestions();
		expect(flow(question, {type: 'written', written: CHANGES})).toBe(question);
	});

	it('a build only from the done screen, its end only while it runs', () => {
		const review = atReview();
		expect(flow(review, {type: 'deploy'})).toBe(review);
		const d = done();
		expect(flow(d, {type: 'deployed', result: OK})).toBe(d);
	});

	it('the ready screen’s events only on the ready screen', () => {
		const d = done();
		expect(flow(d, {type: 'readyShown'})).toBe(d);
		expect(flow(d, {type: 'sshPlanned', ssh: CHANGES})).toBe(d);
		const failed = apply(d, {type: 'deploy'}, {type: 'deployed', result: BROKEN});
		expect(flow(failed, {type: 'readyShown'})).toBe(failed);
		expect(flow(failed, {type: 'sshPlanned', ssh: CHANGES})).toBe(failed);
	});
});

describe('flow: before an image is chosen, and while the comparison runs', () => {
	it('no image yet: no questions, nothing for the review to list, the answers named after stem', () => {
		const s = atImage();
		expect(questionsFor(s)).toEqual([]);
		expect(currentQuestion(s)).toBeUndefined();
		expect(reviewFindings(s)).toEqual({errors: [], warnings: [], notes: []});
		expect(presetName(s)).toBe('stem');
	});

	it('the review before its comparison is in lists only what the answers themselves say', () => {
		const s = answerUntil(atQuestions());
		expect(s.review).toBeUndefined();
		expect(reviewFindings(s)).toEqual({errors: [], warnings: [], notes: []});
	});
});
