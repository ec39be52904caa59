// First screen: what hatch found on this host (filled in as the probes answer) and where to start from.

import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {STATUS_MARK} from '../core/describe.js';
import {describeProbes, type Inspection, PROBE_LABELS, type ProbeLine} from '../host/inspect.js';
import {SelectList} from './fields.js';
import {Toned} from './Lines.js';
import type {Option} from './questions.js';

function Mark({status}: {status: ProbeLine['status']}) {
	return <Toned tone={STATUS_MARK[status].tone}>{STATUS_MARK[status].mark}</Toned>;
}

function Row({line}: {line: ProbeLine}) {
	return (
		<Box flexDirection="column">
			<Text>
				<Mark status={line.status} /> {line.label.padEnd(9)} {line.text}
			</Text>
			{line.status !== 'ok' && line.hint ? (
				<Text dimColor>
					{'   '}→ {line.hint}
				</Text>
			) : null}
		</Box>
	);
}

function Pending({label}: {label: string}) {
	return (
		<Box>
			<Text>{label.padEnd(10)}</Text>
			<Spinner label="checking…" />
		</Box>
	);
}

export interface WelcomeProps {
	version: string;
	identity: {user: string; uid: number; gid: number; hostname: string};
	inspection?: Inspection;
	/** Undefined while the presets load. */
	starts?: Option[];
	warnings?: string[];
	/** A remote Docker host's name (--host), when the stack is made there. */
	where?: string;
	onStart: (value: string) => void;
}

export function Welcome({version, identity, inspection: i, starts, warnings = [], where, onStart}: WelcomeProps) {
	return (
		<Box flexDirection="column">
			<Text>
				<Text bold color="cyan">
					hatch-wizard {version}
				</Text>{' '}
				— SSH-able dev containers for {where ? `the Docker host ${where}, over SSH` : 'this Docker host'}
			</Text>
			<Box flexDirection="column" marginTop={1}>
				<Text bold>{where ? `Docker host ${where}` : 'This host'}</Text>
				<Text>
					<Mark status="ok" /> {'you'.padEnd(9)} {identity.user} ({identity.uid}:{identity.gid}) on {identity.hostname}
				</Text>
				{i
					? describeProbes(i).map(line => <Row key={line.label} line={line} />)
					: PROBE_LABELS.map(label => <Pending key={label} label={label} />)}
			</Box>
			{warnings.map(w => (
				<Text key={w} color="yellow">
					! {w}
				</Text>
			))}
			<Box flexDirection="column" marginTop={1}>
				<Text bold>Start from</Text>
				{starts ? (
					<SelectList
						items={starts.map(s => ({key: s.value, label: s.label, value: s.value}))}
						onSelect={item => onStart(item.value)}
					/>
				) : (
					<Spinner label="loading presets…" />
				)}
			</Box>
			<Text dimColor>↑↓ choose · Enter next · Ctrl-C quit</Text>
		</Box>
	);
}
