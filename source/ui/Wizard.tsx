// The interactive flow, top to bottom: welcome (host facts, where to start) → image → one question at a
// time → review → write → done. Esc goes back a step without losing answers; Ctrl-C quits (exit 130).
// All I/O comes in through `deps`, so every screen can be driven in tests.
import {Box, Text, useInput} from 'ink';
import SelectInput from 'ink-select-input';
import {Spinner} from '@inkjs/ui';
import React, {useEffect, useMemo, useState} from 'react';
import {type Stack, type Values, validate} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import {resolveConfig} from '../core/resolve.js';
import {type Inspection, factsFrom} from '../host/inspect.js';
import type {FileChange} from '../stack.js';
import {Done} from './Done.js';
import {Question} from './Question.js';
import {type Option, STEPS, questions} from './questions.js';
import {Review} from './Review.js';
import {Welcome} from './Welcome.js';

export interface WizardDeps {
	version: string;
	identity: {user: string; uid: number; gid: number; home: string; hostname: string};
	inspect: () => Promise<Inspection>;
	/** Where to start (saved presets, fresh, shipped presets; values are ids for presetFor) and store warnings. */
	loadStarts: () => Promise<{starts: Option[]; warnings: string[]}>;
	presetFor: (start: string) => Preset | undefined;
	stackDir: (stack: Stack) => string;
	loadExisting: (stack: Stack) => Values | undefined;
	sets: Values;
	plan: (stack: Stack, values: Values) => Promise<FileChange[]>;
	write: (changes: FileChange[]) => Promise<FileChange[]>;
	/** Host checks before writing: files named in the settings, the SSH port, existing volumes. */
	preflight: (values: Values) => Promise<{errors: string[]; warnings: string[]; notes: string[]}>;
	check: (key: string, value: string) => string | undefined;
	save: (name: string, stack: Stack, values: Values) => Promise<void>;
	onExit: (code: number) => void;
}

type Phase =
	| {name: 'welcome'}
	| {name: 'image'}
	| {name: 'question'; index: number}
	| {name: 'review'}
	| {name: 'done'; written: FileChange[]}
	| {name: 'failed'; message: string};

export function Wizard({deps}: {deps: WizardDeps}) {
	const [inspection, setInspection] = useState<Inspection | undefined>();
	const [phase, setPhase] = useState<Phase>({name: 'welcome'});
	const [start, setStart] = useState<string>('');
	const [stack, setStack] = useState<Stack | undefined>();
	const [values, setValues] = useState<Values>({});
	const [changes, setChanges] = useState<FileChange[] | undefined>();
	const [checks, setChecks] = useState<{errors: string[]; warnings: string[]; notes: string[]}>({errors: [], warnings: [], notes: []});
	// Defaults come from the host facts: a stack chosen before the probes answered waits for them.
	const [waiting, setWaiting] = useState<Stack | undefined>();

	const [starts, setStarts] = useState<{starts: Option[]; warnings: string[]} | undefined>();

	// Inspect and load presets after the first frame is on screen; each probe has its own deadline.
	useEffect(() => {
		let live = true;
		deps.inspect().then(i => live && setInspection(i));
		deps.loadStarts().then(
			s => live && setStarts(s),
			(error: Error) => live && setStarts({starts: [{label: 'start fresh (defaults from this host)', value: 'fresh'}], warnings: [`presets could not be loaded: ${error.message}`]}),
		);
		return () => {
			live = false;
		};
	}, [deps]);

	useInput((input, key) => {
		if (key.ctrl && input === 'c') deps.onExit(130);
	});

	const preset = start ? deps.presetFor(start) : undefined;
	const qs = useMemo(() => (stack ? questions(stack, values, inspection) : []), [stack, values, inspection]);
	const presetName = preset && start.startsWith('saved:') ? preset.name : (stack ?? 'stem');

	const chooseStack = (s: Stack) => {
		if (!inspection) {
			setWaiting(s);
			return;
		}
		if (s !== stack || Object.keys(values).length === 0) {
			const facts = factsFrom(inspection);
			const fromPreset = preset && preset.image === s ? preset.settings : undefined;
			setValues(resolveConfig({stack: s, facts, existing: deps.loadExisting(s), preset: fromPreset, sets: deps.sets}).values);
		}
		setStack(s);
		setPhase({name: 'question', index: 0});
	};

	const toReview = () => {
		setChanges(undefined);
		setPhase({name: 'review'});
		Promise.all([deps.plan(stack!, values), deps.preflight(values)]).then(
			([planned, found]) => {
				setChecks(found);
				setChanges(planned);
			},
			(error: Error) => setPhase({name: 'failed', message: error.message}),
		);
	};

	useEffect(() => {
		if (waiting && inspection) {
			setWaiting(undefined);
			chooseStack(waiting);
		}
	}, [waiting, inspection]);

	useEffect(() => {
		// Answers can remove later questions (e.g. clearing BINDU_REPO); past the last one is the review.
		if (phase.name === 'question' && !qs[phase.index]) toReview();
		if (phase.name === 'done') deps.onExit(0);
		if (phase.name === 'failed') deps.onExit(1);
	}, [phase, deps]);

	if (phase.name === 'welcome') {
		return (
			<Welcome
				version={deps.version}
				identity={deps.identity}
				inspection={inspection}
				starts={starts?.starts}
				warnings={starts?.warnings}
				onStart={value => {
					setStart(value);
					setPhase({name: 'image'});
				}}
			/>
		);
	}

	const header = (step: string) => (
		<Text>
			<Text bold color="cyan">hatch-wizard</Text>
			{stack ? ` · ${stack}` : ''} · {step}
			<Text dimColor>
				{' '}({STEPS.indexOf(step as (typeof STEPS)[number]) + 1}/{STEPS.length})
			</Text>
		</Text>
	);
	const footer = <Text dimColor>Enter next · Esc back · Ctrl-C quit</Text>;

	if (phase.name === 'image') {
		const initial = stack ?? preset?.image ?? 'stem';
		return (
			<Box flexDirection="column">
				{header('Image')}
				<Text bold>Which container?</Text>
				{waiting ? <Spinner label="Finishing the host checks…" /> : <ImageSelect initial={initial} onChoose={chooseStack} onBack={() => setPhase({name: 'welcome'})} />}
				{footer}
			</Box>
		);
	}

	if (phase.name === 'question') {
		const q = qs[phase.index];
		if (!q) return null;
		return (
			<Box flexDirection="column">
				{header(q.step)}
				<Question
					key={q.key}
					question={q}
					values={values}
					check={deps.check}
					onAnswer={value => {
						setValues(v => ({...v, [q.key]: value}));
						setPhase({name: 'question', index: phase.index + 1});
					}}
					onBack={() => setPhase(phase.index === 0 ? {name: 'image'} : {name: 'question', index: phase.index - 1})}
				/>
				{footer}
			</Box>
		);
	}

	if (phase.name === 'review') {
		const problems = validate(stack!, values).map(p => p.message);
		return (
			<Review
				stack={stack!}
				dir={deps.stackDir(stack!)}
				changes={changes}
				errors={[...problems, ...checks.errors]}
				warnings={checks.warnings}
				notes={checks.notes}
				presetNote={`Your answers are saved as preset "${presetName}" for ${deps.identity.hostname} (hatch-wizard --preset ${presetName} --yes replays them).`}
				onBack={() => setPhase({name: 'question', index: Math.max(0, qs.length - 1)})}
				onQuit={() => deps.onExit(0)}
				onWrite={() => {
					deps
						.write(changes!)
						.then(async written => {
							await deps.save(presetName, stack!, values);
							setPhase({name: 'done', written});
						})
						.catch((error: Error) => setPhase({name: 'failed', message: error.message}));
				}}
			/>
		);
	}

	if (phase.name === 'failed') return <Text color="red">✗ {phase.message}</Text>;

	return <Done dir={deps.stackDir(stack!)} written={phase.written} port={values.STEM_SSH_PORT ?? ''} user={values.STEM_USER ?? ''} listen={values.STEM_SSH_LISTEN ?? ''} />;
}

function ImageSelect({initial, onChoose, onBack}: {initial: Stack; onChoose: (s: Stack) => void; onBack: () => void}) {
	useInput((_i, key) => {
		if (key.escape) onBack();
	});
	const items = [
		{label: 'stem: an Ubuntu dev container you SSH into', value: 'stem' as Stack},
		{label: 'neuron: stem plus an ML workbench with GPU access', value: 'neuron' as Stack},
	];
	return <SelectInput items={items} initialIndex={items.findIndex(i => i.value === initial)} onSelect={item => onChoose(item.value)} />;
}
