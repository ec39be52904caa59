// Build and boot, live: the build's steps with a progress bar, elapsed time per step, cached steps marked and
// the last output lines; then each boot step as it completes; then "ready" with the ssh command. Renders
// at most ten times a second whatever the output rate, only when something shown changed, and keeps only a
// bounded tail.

import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import type {Values} from '../core/model.js';
import type {BuildProgress, BuildStep} from '../docker/buildkit.js';
import type {DeployEvents, DeployResult, Phase} from '../docker/deploy.js';
import {outcome} from '../docker/deploy.js';
import {Lines} from './Lines.js';

export type StartDeploy = (events: DeployEvents) => {done: Promise<DeployResult>; cancel: () => void};

const FRAME_MS = 100;
const TAIL_LINES = 8;
/** Output lines are cut here before Ink measures them (a build can print very long lines). */
const LINE_CHARS = 110;

interface Snapshot {
	phase: Phase;
	logFile?: string;
	progress?: BuildProgress;
	upLines: string[];
	boot: {text: string; ms?: number; failed?: boolean; warning?: boolean}[];
	/** Counts the events: a tick draws a frame only when it moved, or when a running step's seconds did. */
	events: number;
}

/** A running step's elapsed time, as shown. */
function runningFor(step: BuildStep, now: number): string {
	return ((now - step.startedAt) / 1000).toFixed(0);
}

/** What a frame shows that changes with no event: the running steps' times. */
function clock(progress: BuildProgress | undefined, now: number): string {
	let shown = '';
	for (const s of progress?.steps.values() ?? []) if (s.status === 'running') shown += ` ${runningFor(s, now)}`;
	return shown;
}

/** A running deploy and what the screen shows of it, kept up to date by the deploy's events. */
export interface LiveDeploy {
	snap: Snapshot;
	done: Promise<DeployResult>;
	cancel: () => void;
}

/**
 * Starts a deploy (called by the handler that asks for it, not by the screen), with its events kept in a
 * snapshot: the screen draws from that on its own clock, so a flood of output costs no render per line.
 */
export function startLive(start: StartDeploy): LiveDeploy {
	const snap: Snapshot = {phase: 'build', upLines: [], boot: [], events: 0};
	const run = start({
		onStart: logFile => {
			snap.logFile = logFile;
			snap.events++;
		},
		onPhase: phase => {
			snap.phase = phase;
			snap.events++;
		},
		onBuildLine: (_line, progress) => {
			snap.progress = progress;
			snap.events++;
		},
		onUpLine: line => {
			snap.upLines.push(line);
			if (snap.upLines.length > TAIL_LINES) snap.upLines.shift();
			snap.events++;
		},
		onBoot: e => {
			if (e.kind === 'step') snap.boot.push({text: e.text, ...(e.ms === undefined ? {} : {ms: e.ms})});
			if (e.kind === 'failed') snap.boot.push({text: e.text, failed: true});
			if (e.kind === 'warning') snap.boot.push({text: e.text, warning: true});
			snap.events++;
		},
	});
	return {snap, done: run.done, cancel: run.cancel};
}

export function Deploy({live}: {live: LiveDeploy}) {
	const [, setFrame] = useState(0);
	const [now, setNow] = useState(Date.now());

	useEffect(() => {
		const snap = live.snap;
		// Redraw on a clock, not per line: a flood of output costs one frame per tick. A tick where nothing
		// shown changed (no event, no running step's second) draws nothing: each frame costs Ink a layout of
		// the whole screen.
		let drawn = '';
		const timer = setInterval(() => {
			const t = Date.now();
			const shown = `${snap.events}${clock(snap.progress, t)}`;
			if (shown === drawn) return;
			drawn = shown;
			setNow(t);
			setFrame(f => f + 1);
		}, FRAME_MS);
		// The end is drawn at once, whatever the clock: the last lines and steps always land.
		void live.done.then(() => {
			clearInterval(timer);
			setFrame(f => f + 1);
		});
		return () => clearInterval(timer);
	}, [live]);

	const snap = live.snap;
	const p = snap.progress;
	const counts = p?.counts() ?? {done: 0, cached: 0, total: 0};
	const current = p?.current();
	const tail = (current?.lines ?? []).slice(-TAIL_LINES);
	return (
		<Box flexDirection="column">
			<Text bold>Build {snap.phase === 'build' ? '' : '✔'}</Text>
			<Box>
				<Bar percent={counts.total ? Math.round((counts.done / counts.total) * 100) : 0} />
				<Text>
					{' '}
					{counts.done}/{counts.total || '?'} steps{counts.cached ? `, ${counts.cached} cached` : ''}
				</Text>
			</Box>
			{(p?.numbered() ?? []).map(s => (
				<Text key={s.id} dimColor={s.status === 'cached'} color={s.status === 'error' ? 'red' : undefined}>
					{s.status === 'running' ? '▸' : s.status === 'error' ? '✗' : '✔'} {p!.position(s)} {s.title.slice(0, 70)}
					{s.status === 'cached'
						? ' (cached)'
						: s.status === 'done'
							? ` ${s.seconds?.toFixed(1)}s`
							: s.status === 'running'
								? ` ${runningFor(s, now)}s`
								: ''}
				</Text>
			))}
			{snap.phase === 'build' && tail.length ? (
				<Box flexDirection="column" marginLeft={2}>
					{tail.map((l, n) => (
						<Text key={n} dimColor wrap="truncate-end">
							{l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS - 1)}…` : l}
						</Text>
					))}
				</Box>
			) : null}
			{snap.phase !== 'build' ? <Text bold>Start {snap.phase === 'up' ? '' : '✔'}</Text> : null}
			{snap.phase === 'up' ? <Spinner label="docker compose up -d" /> : null}
			{snap.phase === 'ready' ? (
				<Box flexDirection="column">
					<Text bold>Boot</Text>
					{snap.boot.map((b, n) => (
						<Text key={n} color={b.failed ? 'red' : b.warning ? 'yellow' : undefined}>
							{b.failed ? '✗' : b.warning ? '!' : '✔'} {b.text}
							{b.ms !== undefined ? <Text dimColor> ({b.ms} ms)</Text> : null}
						</Text>
					))}
					<Spinner label="waiting for sshd and its host key…" />
				</Box>
			) : null}
			{snap.logFile ? <Text dimColor>full log: {snap.logFile} · Ctrl-C stops</Text> : null}
		</Box>
	);
}

const BAR = 40;

/**
 * The build's progress bar, as Ink UI's ProgressBar draws it in a box of BAR columns. Drawn here at its known
 * width: ProgressBar measures itself after each frame, which costs two more renders as the build starts.
 */
function Bar({percent}: {percent: number}) {
	const done = Math.round((Math.min(100, Math.max(0, percent)) / 100) * BAR);
	return (
		<Box width={BAR}>
			{done > 0 ? <Text color="magenta">{'█'.repeat(done)}</Text> : null}
			{done < BAR ? <Text dimColor>{'░'.repeat(BAR - done)}</Text> : null}
		</Box>
	);
}

/** Calls `onShown` once, after the first frame with this screen is committed. */
function useShown(onShown?: () => void) {
	useEffect(() => onShown?.(), []);
}

/** How a build and start ended (ready, failed or stopped): the outcome's lines, as plain output prints them. */
export function Outcome({
	result,
	dir,
	values,
	jump,
	onShown,
}: {
	result: DeployResult;
	dir: string;
	values: Values;
	/** A stack on a remote Docker host: the login goes through it (ssh -J). */
	jump?: string;
	onShown?: () => void;
}) {
	useShown(onShown);
	return <Lines lines={outcome(result, values, dir, jump).lines} />;
}
