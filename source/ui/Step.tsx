// The frame of the steps that ask (the image, then each question): which step of how many, and the keys.
import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {STEPS} from './questions.js';

export function Step({image, step, children}: {image?: string; step: string; children: ReactNode}) {
	return (
		<Box flexDirection="column">
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
			{children}
			<Text dimColor>Enter next · Esc back · Ctrl-C quit</Text>
		</Box>
	);
}
