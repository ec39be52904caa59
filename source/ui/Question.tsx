// One question: a list to pick from or a text field (both take bursts of keys: see fields.tsx), validated inline.
// Esc goes back (from "another file…" text to the list first); Enter answers.
import {Box, Text, useInput} from 'ink';
import {SelectList, TextField} from './fields.js';
import React, {useState} from 'react';
import {type Values, validateValue} from '../core/model.js';
import {OTHER, type Question as Q} from './questions.js';

export interface QuestionProps {
	question: Q;
	values: Values;
	/** Extra checks that need the host (e.g. a key file that is really a private key). */
	check?: (key: string, value: string) => string | undefined;
	onAnswer: (value: string) => void;
	onBack: () => void;
}

export function Question({question, values, check, onAnswer, onBack}: QuestionProps) {
	const current = values[question.key] ?? '';
	const inList = question.options?.some(o => o.value === current) ?? false;
	const [typing, setTyping] = useState(!question.options || (!inList && current !== ''));
	const [error, setError] = useState<string | undefined>();

	const validate = (value: string) => validateValue(question.key, value, values) ?? (value ? check?.(question.key, value) : undefined);

	useInput((_input, key) => {
		if (!key.escape) return;
		if (typing && question.options) {
			setTyping(false);
			setError(undefined);
		} else onBack();
	});

	return (
		<Box flexDirection="column">
			<Text bold>{question.prompt}</Text>
			<Text dimColor>
				{question.key}: {question.help}
			</Text>
			<Box marginTop={1} flexDirection="column">
				{typing ? (
					<Box>
						<Text color="cyan">› </Text>
						<TextField
							key={question.key}
							defaultValue={inList ? '' : current}
							placeholder={question.options ? '/absolute/path' : '(empty)'}
							onChange={value => setError(value ? validate(value) : undefined)}
							onSubmit={value => {
								const problem = validate(value);
								setError(problem);
								if (!problem) onAnswer(value);
							}}
						/>
					</Box>
				) : (
					<SelectList
						key={question.key}
						items={question.options!.map(o => ({key: o.value || '(none)', label: o.label, value: o.value}))}
						initialIndex={Math.max(0, question.options!.findIndex(o => o.value === current))}
						onSelect={item => {
							if (item.value === OTHER) {
								setTyping(true);
								return;
							}
							const problem = item.value ? check?.(question.key, item.value) : undefined;
							setError(problem);
							if (!problem) onAnswer(item.value);
						}}
					/>
				)}
			</Box>
			{error ? <Text color="red">✗ {error}</Text> : null}
		</Box>
	);
}
