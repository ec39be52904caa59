// Review: every file that will be written, the diff of the ones that change and where their backups go.

import {relative} from 'node:path';
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useState} from 'react';
import {changeWord, diffTones} from '../core/describe.js';
import type {FileChange} from '../stack.js';
import {SelectList} from './fields.js';
import {useKeys} from './keys.js';
import {Lines} from './Lines.js';

const MAX_DIFF_LINES = 40;

export function Diff({diff}: {diff: string}) {
	const lines = diffTones(diff.trimEnd());
	const shown = lines.slice(0, MAX_DIFF_LINES);
	return (
		<Box flexDirection="column" marginLeft={4}>
			<Lines lines={shown} />
			{lines.length > shown.length ? <Text dimColor>… {lines.length - shown.length} more lines</Text> : null}
		</Box>
	);
}

export interface ReviewProps {
	image: string;
	dir: string;
	/** The remote Docker host the folder is on (--host), named before it. */
	host?: string;
	changes?: FileChange[];
	warnings: string[];
	errors: string[];
	notes?: string[];
	presetNote: string;
	/** Every setting asked, with its value now: one can be picked to change (onJump), then the review comes back. */
	settings?: {key: string; label: string}[];
	onJump?: (key: string) => void;
	onWrite: () => void;
	onBack: () => void;
	onQuit: () => void;
}

export function Review({
	image,
	dir,
	host,
	changes,
	warnings,
	errors,
	notes = [],
	presetNote,
	settings = [],
	onJump,
	onWrite,
	onBack,
	onQuit,
}: ReviewProps) {
	const [picking, setPicking] = useState(false);
	// Not passive: Esc goes back while the comparison still runs, and other keys typed then are dropped
	// rather than kept for the Write button. While a setting is being picked, Esc goes back to the actions.
	useKeys(key => {
		if (key.kind !== 'escape') return;
		if (picking) setPicking(false);
		else onBack();
		return 'done';
	});
	if (!changes) return <Spinner label="Comparing with what is on disk…" />;
	const shown = changes.filter(c => c.showDiff);
	const context = changes.filter(c => !c.showDiff);
	const contextChanged = context.filter(c => c.state !== 'unchanged').length;
	const contextNew = context.filter(c => c.state === 'new').length;
	const pending = changes.filter(c => c.state !== 'unchanged').length;
	const back = {label: 'Back', value: 'back'};
	const change = onJump && settings.length ? [{label: 'Change a setting…', value: 'change'}] : [];
	const actions = errors.length
		? [...change, back, {label: 'Quit without writing', value: 'quit'}]
		: pending === 0
			? [{label: 'Continue (nothing to write)', value: 'write'}, ...change, back, {label: 'Quit', value: 'quit'}]
			: [
					{label: `Write ${pending} file(s)`, value: 'write'},
					...change,
					back,
					{label: 'Quit without writing', value: 'quit'},
				];
	if (picking)
		return (
			<Box flexDirection="column">
				<Text bold>
					Change which setting? ({image} → {host ? `${host}:` : ''}
					{dir})
				</Text>
				<Box marginTop={1}>
					<SelectList
						items={settings.map(s => ({key: s.key, label: s.label, value: s.key}))}
						onSelect={item => onJump!(item.value)}
					/>
				</Box>
				<Text dimColor>↑↓ choose · Enter change it · Esc back to the review</Text>
			</Box>
		);
	return (
		<Box flexDirection="column">
			<Text bold>
				Review: {image} → {host ? `${host}:` : ''}
				{dir}
			</Text>
			{shown.map(c => (
				<Box key={c.path} flexDirection="column">
					<Text>
						{'  '}
						<Text
							color={c.state === 'new' ? 'green' : c.state === 'changed' ? 'yellow' : undefined}
							dimColor={c.state === 'unchanged'}
						>
							{changeWord(c.state).padEnd(9)}
						</Text>{' '}
						{relative(dir, c.path)}
						{c.state === 'changed' ? (
							<Text dimColor> (old copy kept as {relative(dir, c.path)}.bak-&lt;time&gt;)</Text>
						) : null}
					</Text>
					{c.diff ? <Diff diff={c.diff} /> : null}
				</Box>
			))}
			<Text>
				{'  '}
				{contextNew === context.length && context.length ? (
					<Text color="green">{changeWord('new').padEnd(9)}</Text>
				) : contextChanged ? (
					<Text color="yellow">{changeWord('changed').padEnd(9)}</Text>
				) : (
					<Text dimColor>{changeWord('unchanged')}</Text>
				)}{' '}
				image/ (build context, {context.length} files
				{contextChanged && contextNew < context.length ? `, ${contextChanged} changed` : ''})
			</Text>
			{context
				.filter(c => c.state === 'changed')
				.map(c => (
					<Box key={c.path} flexDirection="column" marginLeft={2}>
						<Text>
							<Text color="yellow">update </Text> {relative(dir, c.path)}
							<Text dimColor> (old copy kept under .hatch/backups/)</Text>
						</Text>
						<Diff diff={c.diff} />
					</Box>
				))}
			{errors.map(e => (
				<Text key={e} color="red">
					✗ {e}
				</Text>
			))}
			{warnings.map(w => (
				<Text key={w} color="yellow">
					! {w}
				</Text>
			))}
			{notes.map(n => (
				<Text key={n}>· {n}</Text>
			))}
			<Text dimColor>{presetNote}</Text>
			<Box marginTop={1}>
				<SelectList
					items={actions}
					onSelect={item =>
						item.value === 'write'
							? onWrite()
							: item.value === 'change'
								? setPicking(true)
								: item.value === 'back'
									? onBack()
									: onQuit()
					}
				/>
			</Box>
			<Text dimColor>↑↓ choose · Enter next · Esc back · Ctrl-C quit</Text>
		</Box>
	);
}
