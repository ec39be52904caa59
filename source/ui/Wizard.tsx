// The interactive wizard: the flow (flow.ts) held in a reducer, the handlers that run its side effects (the host
// checks, the comparison, the writes, the deploy) and send their results back in as events, and the screen for
// each step. Ctrl-C quits (exit 130). All I/O comes in through `deps`, so every screen can be driven in tests.

import {Spinner} from '@inkjs/ui';
import {Box} from 'ink';
import {lazy, Suspense, useEffect, useReducer, useRef, useState} from 'react';
import {type Image, KEY, loginCommand, type Values} from '../core/model.js';
import type {Preset} from '../core/preset.js';
import type {DeployEvents, DeployResult} from '../docker/deploy.js';
import {failedInspection, type Inspection} from '../host/inspect.js';
import type {FileChange} from '../stack.js';
import type {LiveDeploy} from './Deploy.js';
import {useKeys} from './keys.js';

// The build/boot screens (and the runners they import) load when a deploy starts, not before the first frame.
const Deploy = lazy(() => import('./Deploy.js').then(m => ({default: m.Deploy})));
const Outcome = lazy(() => import('./Deploy.js').then(m => ({default: m.Outcome})));

import {BuildOffer, Done, Failed} from './Done.js';
import {
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
	type StackStart,
} from './flow.js';
import {ImageChoice} from './ImageChoice.js';
import {Question} from './Question.js';
import type {Option} from './questions.js';
import {Review} from './Review.js';
import {SshOffer} from './SshOffer.js';
import {Step} from './Step.js';
import {Welcome} from './Welcome.js';
import {WhereChoice} from './WhereChoice.js';

export interface WizardDeps {
	version: string;
	identity: {user: string; uid: number; gid: number; home: string; hostname: string};
	inspect: () => Promise<Inspection>;
	/** Where to start (saved presets, fresh, shipped presets; values are ids for presetFor) and store warnings. */
	loadStarts: () => Promise<{starts: Option[]; warnings: string[]}>;
	presetFor: (start: string) => Preset | undefined;
	/** A start that is a stack on this host's list ('stack:NAME'): what editing it starts from. */
	stackFor?: (start: string) => StackStart | undefined;
	stackDir: (image: Image) => string;
	loadExisting: (image: Image) => Values | undefined;
	/** Ask where a new stack goes (no --out was given); `existingAt` reads the .env of a chosen folder. */
	askWhere?: boolean;
	existingAt?: (image: Image, dir: string) => Values | undefined;
	sets: Values;
	/** `dir`: the stack's folder when one is being edited (else the image's default one). */
	plan: (image: Image, values: Values, dir?: string) => Promise<FileChange[]>;
	write: (changes: FileChange[]) => Promise<FileChange[]>;
	/** Writes files of this machine (~/.ssh) when `write` writes the stack's on a remote host (default: write). */
	writeHere?: (changes: FileChange[]) => Promise<FileChange[]>;
	/** Checks before writing; `deployErrors` are what stops a build and start on this engine. */
	preflight: (
		values: Values,
		image: Image,
		dir?: string,
	) => Promise<{errors: string[]; warnings: string[]; notes: string[]; deployErrors?: string[]}>;
	check: (key: string, value: string) => string | undefined;
	/** Host checks made when an answer is given (the SSH port is free, or held by this stack's own container). */
	checkOnSubmit?: (key: string, value: string, values: Values) => Promise<string | undefined>;
	save: (name: string, image: Image, values: Values, dir?: string) => Promise<void>;
	/** Build, start and wait for SSH (source/docker/deploy). */
	deploy: (
		image: Image,
		values: Values,
		events: DeployEvents,
		dir?: string,
	) => {done: Promise<DeployResult>; cancel: () => void};
	/** The ~/.ssh/config block and known_hosts pin for a ready stack, as changes to show and apply. */
	planSshConfig: (values: Values, keyBlob: string) => Promise<FileChange[]>;
	onExit: (code: number) => void;
	/** A remote Docker host (--host, or chosen on the welcome screen): its name, and ssh's way through it. */
	remote?: {label: string; jump: string};
	/** A start of the form 'host:TARGET' ('host:' for this machine): the wizard starts again on that host. */
	switchHost?: (target: string | undefined) => void;
}

/** Cut to `n` characters, an ellipsis saying so. */
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * One setting in the review's "Change which setting?" list: its question, then its value as the question's
 * choices name it, in a column of their own.
 */
export function settingLine(q: {prompt: string; options?: {label: string; value: string}[]}, value: string): string {
	const shown = q.options?.find(o => o.value === value)?.label ?? (value || '(empty)');
	return `${cut(q.prompt, 42).padEnd(42)}  ${cut(shown, 34)}`;
}

export function Wizard({deps}: {deps: WizardDeps}) {
	const [state, dispatch] = useReducer(flow, deps, d => initialFlow(d.sets, d.askWhere ?? false));
	// The state after every event sent so far, ahead of the next render: a handler reads what its own event
	// did (the values to write, the comparison to start) even when other events are not on screen yet.
	const latest = useRef(state);
	// The build and start, once its handler has started it; `quit` when Ctrl-C came before it could start.
	const [live, setLive] = useState<LiveDeploy | undefined>(undefined);
	const deploying = useRef<{cancel?: () => void; quit?: boolean}>({});

	const send = (event: FlowEvent): FlowState => {
		const before = latest.current;
		const next = flow(before, event);
		latest.current = next;
		dispatch(event);
		// Every way into the review (the last answer, or an answer that removes the questions after it) starts a
		// new comparison; the flow drops a result that is not the latest one's.
		if (next.run !== before.run) compare(next);
		return next;
	};

	const compare = ({run, image, values, dir}: FlowState) => {
		Promise.all([deps.plan(image!, values, dir), deps.preflight(values, image!, dir)]).then(
			([changes, checks]) => send({type: 'compared', run, changes, checks}),
			(error: Error) => send({type: 'compareFailed', run, message: error.message}),
		);
	};

	const write = () => {
		const before = latest.current;
		const s = send({type: 'write'});
		if (s === before) return; // the flow refused it: no comparison yet, or errors to fix first
		deps
			.write(s.review!.changes)
			.then(async written => {
				await deps.save(presetName(s), s.image!, s.values, s.dir);
				send({type: 'written', written});
			})
			.catch((error: Error) => send({type: 'failed', message: error.message}));
	};

	const build = () => {
		const s = send({type: 'deploy'});
		// The live view's module (and the runners it loads) come with the first build, not before the first frame.
		void import('./Deploy.js').then(({startLive}) => {
			if (deploying.current.quit) return; // Ctrl-C while it loaded: nothing was started
			const run = startLive(events => deps.deploy(s.image!, s.values, events, s.dir));
			deploying.current.cancel = run.cancel;
			setLive(run);
			run.done.then(deployed);
		});
	};

	const deployed = (result: DeployResult) => {
		const s = send({type: 'deployed', result});
		if (!result.ok) return;
		deps.planSshConfig(s.values, result.ready!.keyBlob!).then(
			ssh => send({type: 'sshPlanned', ssh}),
			() => deps.onExit(0),
		);
	};

	const sshChosen = (yes: boolean, changes: FileChange[]) => {
		if (!yes) return send({type: 'sshDone', outcome: {}});
		(deps.writeHere ?? deps.write)(changes).then(
			written => send({type: 'sshDone', outcome: {written}}),
			(error: Error) => send({type: 'sshDone', outcome: {error: error.message}}),
		);
	};

	// Inspect and load the starts after the first frame is on screen; each probe has its own deadline.
	useEffect(() => {
		let live = true;
		deps.inspect().then(
			inspection => live && send({type: 'inspected', inspection}),
			(error: Error) =>
				live && send({type: 'inspected', inspection: failedInspection(deps.identity, process.platform, error)}),
		);
		deps.loadStarts().then(
			s => live && send({type: 'starts', ...s}),
			(error: Error) => live && send({type: 'startsFailed', message: error.message}),
		);
		return () => {
			live = false;
		};
	}, [deps]);

	useKeys(
		key => {
			if (!(key.kind === 'ctrl' && key.letter === 'c')) return;
			// While building or booting, stop the child processes first; the result then exits with 130.
			const d = deploying.current;
			if (latest.current.screen.name === 'deploy' && d.cancel) return d.cancel();
			d.quit = true;
			deps.onExit(130);
		},
		{passive: true},
	);

	const {screen, image, values} = state;
	const back = () => send({type: 'back'});
	const stackDir = state.dir ?? (image ? deps.stackDir(image) : '');
	const summary = (written: FileChange[], showNext = false) => (
		<Done
			dir={stackDir}
			written={written}
			login={loginCommand(values, deps.remote?.jump)}
			showNext={showNext}
			{...(deps.remote ? {host: deps.remote.label} : {})}
		/>
	);

	switch (screen.name) {
		case 'welcome':
			return (
				<Welcome
					version={deps.version}
					identity={deps.identity}
					inspection={state.inspection}
					starts={state.starts?.starts}
					warnings={state.starts?.warnings}
					{...(deps.remote ? {where: deps.remote.label} : {})}
					onStart={start => {
						if (start.startsWith('host:') && deps.switchHost) return deps.switchHost(start.slice(5) || undefined);
						const stack = deps.stackFor?.(start);
						send({type: 'start', start, preset: deps.presetFor(start), ...(stack ? {stack} : {})});
					}}
				/>
			);
		case 'image':
			return (
				<ImageChoice
					image={image}
					initial={initialImage(state)}
					waiting={!!screen.waiting}
					onChoose={chosen => send({type: 'image', image: chosen, existing: deps.loadExisting(chosen)})}
					onBack={back}
				/>
			);
		case 'where':
			return (
				<WhereChoice
					image={image!}
					dir={deps.stackDir(image!)}
					home={deps.identity.home}
					onChoose={dir => send({type: 'where', dir, existing: deps.existingAt?.(image!, dir)})}
					onBack={back}
				/>
			);
		case 'question': {
			const q = currentQuestion(state);
			if (!q) return null;
			return (
				<Step image={image} step={q.step}>
					<Question
						key={q.key}
						question={q}
						values={values}
						check={deps.check}
						{...(deps.checkOnSubmit ? {checkOnSubmit: deps.checkOnSubmit} : {})}
						onAnswer={value => send({type: 'answer', key: q.key, value})}
						onBack={back}
					/>
				</Step>
			);
		}
		case 'review': {
			const {errors, warnings, notes} = reviewFindings(state);
			const name = presetName(state);
			return (
				<Review
					image={image!}
					dir={stackDir}
					{...(deps.remote ? {host: deps.remote.label} : {})}
					changes={state.review?.changes}
					errors={errors}
					warnings={warnings}
					notes={notes}
					presetNote={
						`Your answers are saved as preset "${name}" for ${deps.remote?.label ?? deps.identity.hostname} ` +
						`(hatch-wizard --preset ${name} --yes${deps.remote ? ` --host ${deps.remote.label}` : ''} replays them).`
					}
					settings={questionsFor(state).map(q => ({key: q.key, label: settingLine(q, values[q.key] ?? '')}))}
					onJump={key => send({type: 'jump', key})}
					onBack={back}
					onQuit={() => deps.onExit(0)}
					onWrite={write}
				/>
			);
		}
		case 'failed':
			return <Failed message={screen.message} onShown={() => deps.onExit(1)} />;
		case 'done':
			return (
				<Box flexDirection="column">
					{summary(screen.written, true)}
					<BuildOffer refused={refusedHere(state)} onBuild={build} onExit={deps.onExit} />
				</Box>
			);
		case 'deploy':
			return (
				<Suspense fallback={<Spinner label="Starting…" />}>
					<Box flexDirection="column">
						{summary(screen.written)}
						{live ? <Deploy live={live} /> : <Spinner label="Starting…" />}
					</Box>
				</Suspense>
			);
		case 'deployFailed':
			return (
				<Suspense fallback={null}>
					<Box flexDirection="column">
						{summary(screen.written)}
						<Outcome
							result={screen.result}
							dir={stackDir}
							values={values}
							{...(deps.remote ? {jump: deps.remote.jump} : {})}
							// Exits once its screen is on the terminal, never before: the screens load lazily.
							onShown={() => deps.onExit(screen.result.canceled ? 130 : 1)}
						/>
					</Box>
				</Suspense>
			);
		case 'ready':
			return (
				<Suspense fallback={null}>
					<Box flexDirection="column">
						{summary(screen.written)}
						<Outcome
							result={screen.result}
							values={values}
							dir={stackDir}
							{...(deps.remote ? {jump: deps.remote.jump} : {})}
							onShown={() => send({type: 'readyShown'})}
						/>
						{screen.shown && screen.ssh ? (
							<SshOffer
								name={values[KEY.name]!}
								changes={screen.ssh}
								outcome={screen.sshDone}
								onChoose={yes => sshChosen(yes, screen.ssh!)}
								onExit={deps.onExit}
							/>
						) : null}
					</Box>
				</Suspense>
			);
	}
}
