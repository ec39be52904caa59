// After the write: what was written, where the backups are, the commands to run next, and the offer to build
// and start it now (or why it cannot be built here). Or, when the flow stopped before, why.
import {Box, Text} from 'ink';
import {useEffect} from 'react';
import {refusal} from '../host/preflight.js';
import type {FileChange} from '../stack.js';
import {SelectList} from './fields.js';
import {Lines} from './Lines.js';

export function Done({
	dir,
	written,
	login,
	showNext = true,
	host,
}: {
	dir: string;
	written: FileChange[];
	login: string;
	showNext?: boolean;
	/** The remote Docker host the folder is on (--host). */
	host?: string;
}) {
	const changed = written.filter(c => c.state !== 'unchanged');
	const at = host ? `${dir} on ${host}` : dir;
	const start = `cd ${dir} && docker compose up -d --build`;
	return (
		<Box flexDirection="column">
			<Text color="green">
				{changed.length ? `✔ Wrote ${changed.length} file(s) to ${at}` : `✔ Nothing to write: ${at} is up to date`}
			</Text>
			{changed
				.filter(c => c.backup)
				.map(c => (
					<Text key={c.path} dimColor>
						{'  '}backup: {c.backup}
					</Text>
				))}
			{showNext ? (
				<Box flexDirection="column">
					<Text>To start it yourself later:</Text>
					<Text>
						{'  '}
						{host ? `ssh ${host} '${start}'` : start}
					</Text>
					<Text>
						{'  '}
						{login}
					</Text>
				</Box>
			) : null}
		</Box>
	);
}

/** Build and start now, or not; with `refused` (what stops a build on this engine) only quit, exit 2. */
export function BuildOffer({
	refused,
	onBuild,
	onExit,
}: {
	refused: string[];
	onBuild: () => void;
	onExit: (code: number) => void;
}) {
	return (
		<Box flexDirection="column">
			{refused.length ? (
				<Box flexDirection="column">
					<Lines lines={refusal(refused, true)} />
					<SelectList items={[{label: 'quit', value: 'quit'}]} onSelect={() => onExit(2)} />
				</Box>
			) : (
				<>
					<Text bold>Build and start it now?</Text>
					<SelectList
						items={[
							{label: 'yes: build, start, and wait until SSH works', value: 'yes'},
							{label: 'not now', value: 'no'},
						]}
						onSelect={item => (item.value === 'yes' ? onBuild() : onExit(0))}
					/>
				</>
			)}
			<Text dimColor>↑↓ choose · Enter next · Ctrl-C quit</Text>
		</Box>
	);
}

/** Why the flow stopped (a comparison or a write failed); `onShown` once it is on the terminal. */
export function Failed({message, onShown}: {message: string; onShown: () => void}) {
	useEffect(() => onShown(), []);
	return <Text color="red">✗ {message}</Text>;
}
