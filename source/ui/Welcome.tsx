// First screen: what hatch found on this host (filled in as the probes answer) and where to start from.
import {Box, Text} from 'ink';
import SelectInput from 'ink-select-input';
import {Spinner} from '@inkjs/ui';
import React from 'react';
import {type Inspection, type Probe, gpuSummary} from '../host/inspect.js';
import type {Option} from './questions.js';

function Row({label, probe, show}: {label: string; probe: Probe<unknown> | undefined; show: (p: Probe<unknown>) => string}) {
	if (!probe) {
		return (
			<Box>
				<Text>{label.padEnd(10)}</Text>
				<Spinner label="checking…" />
			</Box>
		);
	}
	const mark = {ok: <Text color="green">✔</Text>, missing: <Text dimColor>–</Text>, timeout: <Text color="yellow">⏱</Text>, error: <Text color="red">✗</Text>}[probe.status];
	const body = probe.status === 'timeout' ? `timed out (${probe.detail ?? ''})` : show(probe);
	return (
		<Box flexDirection="column">
			<Text>
				{mark} {label.padEnd(9)} {body}
			</Text>
			{probe.status !== 'ok' && probe.hint ? <Text dimColor>{'   '}→ {probe.hint}</Text> : null}
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
	onStart: (value: string) => void;
}

export function Welcome({version, identity, inspection: i, starts, warnings = [], onStart}: WelcomeProps) {
	return (
		<Box flexDirection="column">
			<Text>
				<Text bold color="cyan">hatch-wizard {version}</Text> — SSH-able dev containers for this Docker host
			</Text>
			<Box flexDirection="column" marginTop={1}>
				<Text bold>This host</Text>
				<Text>
					<Text color="green">✔</Text> {'you'.padEnd(9)} {identity.user} ({identity.uid}:{identity.gid}) on {identity.hostname}
				</Text>
				<Row label="Docker" probe={i?.docker} show={p => (p.status === 'ok' ? `${i!.docker.value!.serverVersion}, runtimes: ${i!.docker.value!.runtimes.join(', ')}` : p.detail ?? '')} />
				<Row label="compose" probe={i?.compose} show={p => (p.status === 'ok' ? `v${String(p.value)}` : p.detail ?? '')} />
				<Row label="GPUs" probe={i?.gpus} show={p => (p.status === 'error' ? p.detail ?? '' : gpuSummary(i!))} />
				<Row label="Dropbox" probe={i?.dropbox} show={p => (p.status === 'ok' ? String(p.value) : 'not found')} />
				<Row label="agent" probe={i?.agent} show={p => (p.status === 'ok' ? String(p.value) : p.detail ?? '')} />
				<Row label="SSH keys" probe={i?.publicKeys} show={p => (p.status === 'ok' ? (p.value as string[]).join(', ') : p.detail ?? '')} />
			</Box>
			{warnings.map(w => (
				<Text key={w} color="yellow">
					! {w}
				</Text>
			))}
			<Box flexDirection="column" marginTop={1}>
				<Text bold>Start from</Text>
				{starts ? (
					<SelectInput items={starts.map(s => ({key: s.value, label: s.label, value: s.value}))} onSelect={item => onStart(item.value)} />
				) : (
					<Spinner label="loading presets…" />
				)}
			</Box>
			<Text dimColor>↑↓ choose · Enter next · Ctrl-C quit</Text>
		</Box>
	);
}
