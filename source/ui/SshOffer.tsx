// After ready: add the stack's Host block to ~/.ssh/config and pin its host key, shown as the diff it makes.
// What it did stays on the screen when the wizard exits.
import {Box, Text} from 'ink';
import {useEffect} from 'react';
import {changeWord} from '../core/describe.js';
import type {FileChange} from '../stack.js';
import {SelectList} from './fields.js';
import type {SshOutcome} from './flow.js';
import {Diff} from './Review.js';

export function SshOffer({
	name,
	changes,
	outcome,
	onChoose,
	onExit,
}: {
	/** The container's name: the Host in ~/.ssh/config. */
	name: string;
	changes: FileChange[];
	outcome?: SshOutcome;
	onChoose: (yes: boolean) => void;
	onExit: (code: number) => void;
}) {
	const pending = changes.filter(c => c.state !== 'unchanged');
	// ~/.ssh already right (the usual re-run): nothing to ask.
	if (!pending.length) return <AlreadyRight onShown={() => onExit(0)} />;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text bold>Add “Host {name}” to ~/.ssh/config and pin its host key? These changes:</Text>
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
					{label: `yes: then \`ssh ${name}\` just works`, value: 'yes'},
					{label: 'no, leave ~/.ssh alone', value: 'no'},
				]}
				onSelect={item => onChoose(item.value === 'yes')}
				isActive={!outcome}
			/>
			{outcome ? <SshDone {...outcome} name={name} onShown={() => onExit(outcome.error ? 1 : 0)} /> : null}
		</Box>
	);
}

function AlreadyRight({onShown}: {onShown: () => void}) {
	useEffect(() => onShown(), []);
	return <Text dimColor>~/.ssh/config already has this stack’s block and key.</Text>;
}

/** What the offer did, left on the screen when the wizard exits. */
function SshDone({written, error, name, onShown}: SshOutcome & {name: string; onShown: () => void}) {
	useEffect(() => onShown(), []);
	if (error) return <Text color="red">✗ ~/.ssh was not changed: {error}</Text>;
	if (!written) return <Text dimColor>~/.ssh left as it was.</Text>;
	return (
		<Box flexDirection="column">
			{written
				.filter(c => c.state !== 'unchanged')
				.map(c => (
					<Text key={c.path} color="green">
						✔ {changeWord(c.state, true)} {c.path}
						{c.backup ? <Text dimColor> (old copy: {c.backup})</Text> : null}
					</Text>
				))}
			<Text>
				Now: <Text bold>ssh {name}</Text>
			</Text>
		</Box>
	);
}
