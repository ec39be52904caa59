// Build and boot, live: the build's steps with a progress bar, elapsed time per step, cached steps marked and
// the last output lines; then each boot step as it completes; then "ready" with the ssh command. Renders
// at most ten times a second whatever the output rate, and keeps only a bounded tail.

import {ProgressBar, Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import type React from 'react';
import {useEffect, useRef, useState} from 'react';
import type {Values} from '../core/model.js';
import type {BuildProgress} from '../docker/buildkit.js';
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
	progress?: BuildProgress;
	upLines: string[];
	boot: {text: string; ms?: number; failed?: boolean; warning?: boolean}[];
}

export function Deploy({
	start,
	onDone,
	cancelRef,
}: {
	start: StartDeploy;
	onDone: (r: DeployResult) => void;
	cancelRef?: React.MutableRefObject<(() => void) | undefined>;
}) {
	const live = useRef<Snapshot>({phase: 'build', upLines: [], boot: []});
	const [logFile, setLogFile] = useState<string | undefined>();
	const [, setFrame] = useState(0);
	const [now, setNow] = useState(Date.now());

	useEffect(() => {
		const run = start({
			onStart: setLogFile,
			onPhase: phase => (live.current.phase = phase),
			onBuildLine: (_line, progress) => (live.current.progress = progress),
			onUpLine: line => {
				const lines = live.current.upLines;
				lines.push(line);
				if (lines.length > TAIL_LINES) lines.shift();
			},
			onBoot: e => {
				if (e.kind === 'step') live.current.boot.push({text: e.text, ...(e.ms === undefined ? {} : {ms: e.ms})});
				if (e.kind === 'failed') live.current.boot.push({text: e.text, failed: true});
				if (e.kind === 'warning') live.current.boot.push({text: e.text, warning: true});
			},
		});
		if (cancelRef) cancelRef.current = run.cancel;
		// Redraw on a clock, not per line: a flood of output costs one frame per tick.
		const timer = setInterval(() => {
			setNow(Date.now());
			setFrame(f => f + 1);
		}, FRAME_MS);
		void run.done.then(r => {
			clearInterval(timer);
			setFrame(f => f + 1);
			onDone(r);
		});
		return () => clearInterval(timer);
	}, []);

	const snap = live.current;
	const p = snap.progress;
	const counts = p?.counts() ?? {done: 0, cached: 0, total: 0};
	const current = p?.current();
	const tail = (current?.lines ?? []).slice(-TAIL_LINES);
	return (
		<Box flexDirection="column">
			<Text bold>Build {snap.phase === 'build' ? '' : '✔'}</Text>
			<Box>
				<Box width={40}>
					<ProgressBar value={counts.total ? Math.round((counts.done / counts.total) * 100) : 0} />
				</Box>
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
								? ` ${((now - s.startedAt) / 1000).toFixed(0)}s`
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
			{logFile ? <Text dimColor>full log: {logFile} · Ctrl-C stops</Text> : null}
		</Box>
	);
}

/** Calls `onShown` once, after the first frame with this screen is committed. */
function useShown(onShown?: () => void) {
	useEffect(() => onShown?.(), []);
}

export function DeployFailed({
	result,
	dir,
	values,
	onShown,
}: {
	result: DeployResult;
	dir: string;
	values: Values;
	onShown?: () => void;
}) {
	useShown(onShown);
	return <Lines lines={outcome(result, values, dir).lines} />;
}

export function Ready({
	result,
	values,
	dir,
	onShown,
}: {
	result: DeployResult;
	values: Values;
	dir: string;
	onShown?: () => void;
}) {
	useShown(onShown);
	return <Lines lines={outcome(result, values, dir).lines} />;
}
