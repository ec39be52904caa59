// One question: a list to pick from or a text field (both take bursts of keys: see fields.tsx), validated inline.
// Esc goes back (from "another file…" text to the list first); Enter answers.
import {Box, Text} from 'ink';
import {useState} from 'react';
import {type Values, validateValue} from '../core/model.js';
import {SelectList, TextField, useEscapeBack} from './fields.js';
import {OTHER, type Question as Q} from './questions.js';

export interface QuestionProps {
	question: Q;
	values: Values;
	/** Extra checks that need the host (e.g. a key file that is really a private key). */
	check?: (key: string, value: string) => string | undefined;
	/** Checks that take a moment (is the port free?), made when Enter is pressed; a message refuses the answer. */
	checkOnSubmit?: (key: string, value: string, values: Values) => Promise<string | undefined>;
	onAnswer: (value: string) => void;
	onBack: () => void;
}

export function Question({question, values, check, checkOnSubmit, onAnswer, onBack}: QuestionProps) {
	const current = values[question.key] ?? '';
	const inList = question.options?.some(o => o.value === current) ?? false;
	const [typing, setTyping] = useState(!question.options || (!inList && current !== ''));
	const [error, setError] = useState<string | undefined>();
	const [checking, setChecking] = useState(false);
	// Counts answers a check refused after Enter: each one opens the field for keys again.
	const [refused, setRefused] = useState(0);

	const validate = (value: string) =>
		validateValue(question.key, value, values) ?? (value ? check?.(question.key, value) : undefined);

	useEscapeBack(
		typing && !!question.options,
		() => {
			setTyping(false);
			setError(undefined);
		},
		onBack,
	);

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
							active={!checking}
							session={refused}
							onSubmit={value => {
								const problem = validate(value);
								setError(problem);
								if (problem) return 'stay';
								if (!checkOnSubmit || !value) return onAnswer(value);
								// The field takes keys again once the check has answered (or this screen is left).
								setChecking(true);
								void checkOnSubmit(question.key, value, values).then(
									late => {
										setChecking(false);
										setError(late);
										if (late) setRefused(n => n + 1);
										else onAnswer(value);
									},
									() => {
										setChecking(false);
										onAnswer(value); // a check that cannot run refuses nothing
									},
								);
							}}
						/>
					</Box>
				) : (
					<SelectList
						key={question.key}
						items={question.options!.map(o => ({key: o.value || '(none)', label: o.label, value: o.value}))}
						initialIndex={Math.max(
							0,
							question.options!.findIndex(o => o.value === current),
						)}
						onSelect={item => {
							if (item.value === OTHER) {
								setTyping(true);
								return;
							}
							const problem = item.value ? check?.(question.key, item.value) : undefined;
							setError(problem);
							if (problem) return 'stay';
							onAnswer(item.value);
						}}
					/>
				)}
			</Box>
			{checking ? <Text dimColor>checking…</Text> : null}
			{error ? <Text color="red">✗ {error}</Text> : null}
		</Box>
	);
}
