// Lines with a tone (core/describe.ts), drawn in colour: the screens' one map from tone to colour.
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import type {Line, Tone} from '../core/describe.js';

const COLOR: Record<Tone, {color?: string; dimColor?: boolean}> = {
	plain: {},
	good: {color: 'green'},
	bad: {color: 'red'},
	warn: {color: 'yellow'},
	dim: {dimColor: true},
	output: {dimColor: true},
	added: {color: 'green'},
	removed: {color: 'red'},
	hunk: {dimColor: true},
};

/** Text in a tone. */
export function Toned({tone, children}: {tone: Tone; children: ReactNode}) {
	return <Text {...COLOR[tone]}>{children}</Text>;
}

export function Lines({lines}: {lines: Line[]}) {
	return (
		<Box flexDirection="column">
			{lines.map((l, n) => (
				<Toned key={n} tone={l.tone}>
					{l.text}
				</Toned>
			))}
		</Box>
	);
}
