// The interactive flow, top to bottom: welcome (host facts, where to start) → image → one question at a
// time → review → write → done. Esc goes back a step without losing answers; Ctrl-C quits (exit 130).
// All I/O comes in through `deps`, so every screen can be driven in tests.

import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {lazy, Suspense, useEffect, useMemo, useRef, useState} from 'react';
import {answer, factWarnings, type Image, KEY, loginCommand, type Values, validate} from '../core/model.js';
import {missingForPreset, type Preset} from '../core/preset.js';
import {describeOverride, type Resolved, resolveConfig} from '../core/resolve.js';
import type {DeployEvents, DeployResult} from '../docker/deploy.js';
import {factsFrom, type Inspection} from '../host/inspect.js';
import {refusal} from '../host/preflight.js';
import type {FileChange} from '../stack.js';
import {SelectList} from './fields.js';
import {useKeys} from './keys.js';

// The build/boot screens (and the runners they import) load when a deploy starts, not before the first frame.
const Deploy = lazy(() => import('./Deploy.js').then(m => ({default: m.Deploy})));
const DeployFailed = lazy(() => import('./Deploy.js').then(m => ({default: m.DeployFailed})));
const Ready = lazy(() => import('./Deploy.js').then(m => ({default: m.Ready})));

import {Done} from './Done.js';
import {Question} from './Question.js';
import {type Option, questions, STEPS} from './questions.js';
import {Diff, Review} from './Review.js';
import {Welcome} from './Welcome.js';

export interface WizardDeps {
	version: string;
	identity: {user: string; uid: number; gid: number; home: string; hostname: string};
	inspect: () => Promise<Inspection>;
	/** Where to start (saved presets, fresh, shipped presets; values are ids for presetFor) and store warnings. */
	loadStarts: () => Promise<{starts: Option[]; warnings: string[]}>;
	presetFor: (start: string) => Preset | undefined;
	stackDir: (image: Image) => string;
	loadExisting: (image: Image) => Values | undefined;
	sets: Values;
	plan: (image: Image, values: Values) => Promise<FileChange[]>;
	write: (changes: FileChange[]) => Promise<FileChange[]>;
	/** Host checks before writing: files named in the settings, the SSH port, existing volumes. */
	/** Checks before writing; `deployErrors` are what stops a build and start on this engine. */
	preflight: (
		values: Values,
		image: Image,
	) => Promise<{errors: string[]; warnings: string[]; notes: string[]; deployErrors?: string[]}>;
	check: (key: string, value: string) => string | undefined;
	/** Host checks made when an answer is given (the SSH port is free, or held by this stack's own container). */
	checkOnSubmit?: (key: string, value: string, values: Values) => Promise<string | undefined>;
	save: (name: string, image: Image, values: Values) => Promise<void>;
	/** Build, start and wait for SSH (source/docker/deploy). */
	deploy: (image: Image, values: Values, events: DeployEvents) => {done: Promise<DeployResult>; cancel: () => void};
	/** The ~/.ssh/config block and known_hosts pin for a ready stack, as changes to show and apply. */
	planSshConfig: (values: Values, keyBlob: string) => Promise<FileChange[]>;
	onExit: (code: number) => void;
}

type Phase =
	| {name: 'welcome'}
	| {name: 'image'}
	| {name: 'question'; index: number}
	| {name: 'review'}
	| {name: 'done'; written: FileChange[]}
	| {name: 'deploy'; written: FileChange[]}
	| {
			name: 'ready';
			written: FileChange[];
			result: DeployResult;
			ssh?: FileChange[];
			shown?: boolean;
			sshDone?: {written?: FileChange[]; error?: string};
	  }
	| {name: 'deployFailed'; written: FileChange[]; result: DeployResult}
	| {name: 'failed'; message: string};

export function Wizard({deps}: {deps: WizardDeps}) {
	const [inspection, setInspection] = useState<Inspection | undefined>();
	const [phase, setPhase] = useState<Phase>({name: 'welcome'});
	const sshPlanned = useRef(false);
	const [start, setStart] = useState<string>('');
	const [image, setStack] = useState<Image | undefined>();
	const [values, setValues] = useState<Values>({});
	// The start and stack the values were resolved for: another start (or stack) resolves them again, so a
	// preset left with Esc leaves none of its values behind; the same start and stack keep the answers.
	const [resolvedFor, setResolvedFor] = useState('');
	// Values of the stack's .env that the chosen preset replaced: shown at the review, beside the .env diff.
	const [overrides, setOverrides] = useState<Resolved['overrides']>([]);
	// What the review shows: the compared files and the host checks, undefined while they are worked out.
	const [review, setReview] = useState<
		{changes: FileChange[]; checks: Awaited<ReturnType<WizardDeps['preflight']>>} | undefined
	>();
	// Defaults come from the host facts: a stack chosen before the probes answered waits for them.
	const [waiting, setWaiting] = useState<Image | undefined>();

	const [starts, setStarts] = useState<{starts: Option[]; warnings: string[]} | undefined>();

	// Inspect and load presets after the first frame is on screen; each probe has its own deadline.
	useEffect(() => {
		let live = true;
		deps.inspect().then(
			i => live && setInspection(i),
			(error: Error) => live && setInspection(failedInspection(deps.identity, error)),
		);
		deps.loadStarts().then(
			s => live && setStarts(s),
			(error: Error) =>
				live &&
				setStarts({
					starts: [{label: 'start fresh (defaults from this host)', value: 'fresh'}],
					warnings: [`presets could not be loaded: ${error.message}`],
				}),
		);
		return () => {
			live = false;
		};
	}, [deps]);

	const cancelDeploy = useRef<(() => void) | undefined>(undefined);
	useKeys(
		key => {
			if (!(key.kind === 'ctrl' && key.letter === 'c')) return;
			// While building or booting, stop the child processes first; the result then exits with 130.
			if (phase.name === 'deploy' && cancelDeploy.current) cancelDeploy.current();
			else deps.onExit(130);
		},
		{passive: true},
	);

	const preset = start ? deps.presetFor(start) : undefined;
	const qs = useMemo(() => (image ? questions(image, values, inspection) : []), [image, values, inspection]);
	const presetName = preset && start.startsWith('saved:') ? preset.name : (image ?? 'stem');

	const chooseStack = (s: Image) => {
		if (!inspection) {
			setWaiting(s);
			return;
		}
		const key = `${start}\u0000${s}`;
		if (key !== resolvedFor) {
			setResolvedFor(key);
			const facts = factsFrom(inspection);
			const fromPreset = preset && preset.image === s ? preset.settings : undefined;
			const resolved = resolveConfig({
				image: s,
				facts,
				existing: deps.loadExisting(s),
				preset: fromPreset,
				sets: deps.sets,
			});
			setValues(resolved.values);
			setOverrides(resolved.overrides);
		}
		setStack(s);
		setPhase({name: 'question', index: 0});
	};

	// Only the latest comparison counts: an older one finishing late (Esc, edit, review again) is dropped.
	const reviewRun = useRef(0);
	const toReview = () => {
		const run = ++reviewRun.current;
		setReview(undefined);
		setPhase({name: 'review'});
		Promise.all([deps.plan(image!, values), deps.preflight(values, image!)]).then(
			([changes, checks]) => run === reviewRun.current && setReview({changes, checks}),
			(error: Error) => run === reviewRun.current && setPhase({name: 'failed', message: error.message}),
		);
	};

	useEffect(() => {
		if (waiting && inspection) {
			setWaiting(undefined);
			chooseStack(waiting);
		}
	}, [waiting, inspection]);

	useEffect(() => {
		// Answers can remove later questions (e.g. clearing the dotfiles repository); past the last one is the review.
		if (phase.name === 'question' && !qs[phase.index]) toReview();
		if (phase.name === 'failed') deps.onExit(1);
		// deployFailed exits once its screen is on the terminal (onShown below), never before: the screens load lazily.
		if (phase.name === 'ready' && !phase.ssh && !sshPlanned.current) {
			sshPlanned.current = true;
			deps.planSshConfig(values, phase.result.ready!.keyBlob!).then(
				ssh => setPhase(p => (p.name === 'ready' ? {...p, ssh} : p)),
				() => deps.onExit(0),
			);
		}
		// ~/.ssh already right (the usual re-run): nothing to ask.
		if (phase.name === 'ready' && phase.shown && phase.ssh?.every(c => c.state === 'unchanged')) deps.onExit(0);
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
			<Text bold color="cyan">
				hatch-wizard
			</Text>
			{image ? ` · ${image}` : ''} · {step}
			<Text dimColor>
				{' '}
				({STEPS.indexOf(step as (typeof STEPS)[number]) + 1}/{STEPS.length})
			</Text>
		</Text>
	);
	const footer = <Text dimColor>Enter next · Esc back · Ctrl-C quit</Text>;

	if (phase.name === 'image') {
		const initial = image ?? preset?.image ?? 'stem';
		return (
			<Box flexDirection="column">
				{header('Image')}
				<Text bold>Which container?</Text>
				{waiting ? (
					<Spinner label="Finishing the host checks…" />
				) : (
					<ImageSelect initial={initial} onChoose={chooseStack} onBack={() => setPhase({name: 'welcome'})} />
				)}
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
					{...(deps.checkOnSubmit ? {checkOnSubmit: deps.checkOnSubmit} : {})}
					onAnswer={value => {
						setValues(v => answer(image!, v, q.key, value));
						setPhase({name: 'question', index: phase.index + 1});
					}}
					onBack={() => setPhase(phase.index === 0 ? {name: 'image'} : {name: 'question', index: phase.index - 1})}
				/>
				{footer}
			</Box>
		);
	}

	if (phase.name === 'review') {
		const problems = [...validate(image!, values).map(p => p.message), ...missingForPreset(preset, values)];
		return (
			<Review
				image={image!}
				dir={deps.stackDir(image!)}
				changes={review?.changes}
				errors={[...problems, ...(review?.checks.errors ?? [])]}
				warnings={[
					// Still the preset's value at the review: the user saw it at the question and kept it, but say so.
					...overrides
						.filter(o => values[o.key] === o.preset)
						.map(o => `preset over your .env: ${describeOverride(o)}`),
					...(review?.checks.warnings ?? []),
					...(inspection ? factWarnings(image!, values, factsFrom(inspection)) : []),
					...(review?.checks.deployErrors ?? []).map(e => `to build and start here: ${e}`),
				]}
				notes={review?.checks.notes ?? []}
				presetNote={
					`Your answers are saved as preset "${presetName}" for ${deps.identity.hostname} (hatch-wizard ` +
					`--preset ${presetName} --yes replays them).`
				}
				onBack={() => setPhase({name: 'question', index: Math.max(0, qs.length - 1)})}
				onQuit={() => deps.onExit(0)}
				onWrite={() => {
					deps
						.write(review!.changes)
						.then(async written => {
							await deps.save(presetName, image!, values);
							setPhase({name: 'done', written});
						})
						.catch((error: Error) => setPhase({name: 'failed', message: error.message}));
				}}
			/>
		);
	}

	if (phase.name === 'failed') return <Text color="red">✗ {phase.message}</Text>;

	const summary = (
		<Done
			dir={deps.stackDir(image!)}
			written={phase.written}
			login={loginCommand(values)}
			showNext={phase.name === 'done'}
		/>
	);
	const refused = review?.checks.deployErrors ?? [];
	if (phase.name === 'done') {
		return (
			<Box flexDirection="column">
				{summary}
				{refused.length ? (
					<Box flexDirection="column">
						{refusal(refused, true).map((l, n) => (
							<Text key={n} color={l.tone === 'bad' ? 'red' : undefined}>
								{l.text}
							</Text>
						))}
						<SelectList items={[{label: 'quit', value: 'quit'}]} onSelect={() => deps.onExit(2)} />
					</Box>
				) : (
					<>
						<Text bold>Build and start it now?</Text>
						<SelectList
							items={[
								{label: 'yes: build, start, and wait until SSH works', value: 'yes'},
								{label: 'not now', value: 'no'},
							]}
							onSelect={item =>
								item.value === 'yes' ? setPhase({name: 'deploy', written: phase.written}) : deps.onExit(0)
							}
						/>
					</>
				)}
				<Text dimColor>↑↓ choose · Enter next · Ctrl-C quit</Text>
			</Box>
		);
	}
	if (phase.name === 'deploy') {
		return (
			<Suspense fallback={<Spinner label="Starting…" />}>
				<Box flexDirection="column">
					{summary}
					<Deploy
						start={events => deps.deploy(image!, values, events)}
						cancelRef={cancelDeploy}
						onDone={result =>
							setPhase(
								result.ok
									? {name: 'ready', written: phase.written, result}
									: {name: 'deployFailed', written: phase.written, result},
							)
						}
					/>
				</Box>
			</Suspense>
		);
	}
	if (phase.name === 'deployFailed') {
		return (
			<Suspense fallback={null}>
				<Box flexDirection="column">
					{summary}
					<DeployFailed
						result={phase.result}
						dir={deps.stackDir(image!)}
						values={values}
						onShown={() => deps.onExit(phase.result.canceled ? 130 : 1)}
					/>
				</Box>
			</Suspense>
		);
	}
	const pending = phase.ssh?.filter(c => c.state !== 'unchanged') ?? [];
	return (
		<Suspense fallback={null}>
			<Box flexDirection="column">
				{summary}
				<Ready
					result={phase.result}
					values={values}
					dir={deps.stackDir(image!)}
					onShown={() => setPhase(p => (p.name === 'ready' ? {...p, shown: true} : p))}
				/>
				{phase.ssh && pending.length ? (
					<Box flexDirection="column" marginTop={1}>
						<Text bold>Add “Host {values[KEY.name]}” to ~/.ssh/config and pin its host key? These changes:</Text>
						{pending.map(c => (
							<Box key={c.path} flexDirection="column">
								<Text>
									{c.state === 'new' ? 'create' : 'update'} {c.path}
									{c.state === 'changed' ? <Text dimColor> (old copy kept as {c.path}.bak-&lt;time&gt;)</Text> : null}
								</Text>
								<Diff diff={c.diff} />
							</Box>
						))}
						<SelectList
							items={[
								{label: `yes: then \`ssh ${values[KEY.name]}\` just works`, value: 'yes'},
								{label: 'no, leave ~/.ssh alone', value: 'no'},
							]}
							onSelect={item => {
								const done = (sshDone: {written?: FileChange[]; error?: string}) =>
									setPhase(p => (p.name === 'ready' ? {...p, sshDone} : p));
								if (item.value === 'no') return done({});
								deps.write(phase.ssh!).then(
									written => done({written}),
									(error: Error) => done({error: error.message}),
								);
							}}
							isActive={!phase.sshDone}
						/>
						{phase.sshDone ? (
							<SshDone
								{...phase.sshDone}
								name={values[KEY.name]!}
								onShown={() => deps.onExit(phase.sshDone!.error ? 1 : 0)}
							/>
						) : null}
					</Box>
				) : phase.ssh ? (
					<Text dimColor>~/.ssh/config already has this image’s block and key.</Text>
				) : null}
			</Box>
		</Suspense>
	);
}

/** When the inspection as a whole fails, every probe says so and the wizard goes on with defaults. */
function failedInspection(id: WizardDeps['identity'], error: Error): Inspection {
	const failed = {status: 'error' as const, detail: `host check failed: ${error.message}`, ms: 0};
	return {
		identity: id,
		platform: process.platform,
		docker: failed,
		compose: failed,
		gpus: failed,
		dropbox: failed,
		agent: failed,
		publicKeys: failed,
	};
}

function ImageSelect({initial, onChoose, onBack}: {initial: Image; onChoose: (s: Image) => void; onBack: () => void}) {
	useKeys(
		key => {
			if (key.kind !== 'escape') return;
			onBack();
			return 'done';
		},
		{passive: true},
	);
	const items = [
		{label: 'stem: an Ubuntu dev container you SSH into', value: 'stem' as Image},
		{label: 'neuron: stem plus an ML workbench with GPU access', value: 'neuron' as Image},
	];
	return (
		<SelectList
			items={items}
			initialIndex={items.findIndex(i => i.value === initial)}
			onSelect={item => onChoose(item.value)}
		/>
	);
}

/** What the ~/.ssh offer did, left on the screen when the wizard exits. */
function SshDone({
	written,
	error,
	name,
	onShown,
}: {
	written?: FileChange[];
	error?: string;
	name: string;
	onShown: () => void;
}) {
	useEffect(() => onShown(), []);
	if (error) return <Text color="red">✗ ~/.ssh was not changed: {error}</Text>;
	if (!written) return <Text dimColor>~/.ssh left as it was.</Text>;
	return (
		<Box flexDirection="column">
			{written
				.filter(c => c.state !== 'unchanged')
				.map(c => (
					<Text key={c.path} color="green">
						✔ {c.state === 'new' ? 'created' : 'updated'} {c.path}
						{c.backup ? <Text dimColor> (old copy: {c.backup})</Text> : null}
					</Text>
				))}
			<Text>
				Now: <Text bold>ssh {name}</Text>
			</Text>
		</Box>
	);
}
