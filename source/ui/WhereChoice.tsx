// Where a new stack goes: the default folder, or another one typed in (absolute, or from ~/). Never the folder
// the shell happens to be in unless it is typed here.

import {isAbsolute, join} from 'node:path';
import {Box, Text} from 'ink';
import {useState} from 'react';
import type {Image} from '../core/model.js';
import {SelectList, TextField, useEscapeBack} from './fields.js';

/** A typed folder as a path: ~ and ~/… are the home. */
export function folderPath(typed: string, home: string): string {
	const t = typed.trim();
	return t === '~' ? home : t.startsWith('~/') ? join(home, t.slice(2)) : t;
}

export function WhereChoice({
	image,
	dir,
	home,
	onChoose,
	onBack,
}: {
	image: Image;
	/** The default: the stack's folder in the default place. */
	dir: string;
	home: string;
	/** The stack's folder: <chosen>/<image>. */
	onChoose: (dir: string) => void;
	onBack: () => void;
}) {
	const [typing, setTyping] = useState(false);
	const [error, setError] = useState<string | undefined>();
	const problem = (typed: string) =>
		isAbsolute(folderPath(typed, home)) ? undefined : 'give an absolute path, or one that starts with ~/';

	useEscapeBack(
		typing,
		() => {
			setTyping(false);
			setError(undefined);
		},
		onBack,
	);

	return (
		<Box flexDirection="column">
			<Text bold>Where should the {image} stack go?</Text>
			<Text dimColor>hatch writes {image}/ there: docker-compose.yml, .env and the build context</Text>
			<Box marginTop={1} flexDirection="column">
				{typing ? (
					<Box>
						<Text color="cyan">› </Text>
						<TextField
							placeholder="/absolute/path"
							onChange={value => setError(value ? problem(value) : undefined)}
							onSubmit={value => {
								const p = problem(value);
								setError(p);
								if (p) return 'stay';
								onChoose(join(folderPath(value, home), image));
							}}
						/>
					</Box>
				) : (
					<SelectList
						items={[
							{label: dir, value: 'default'},
							{label: 'another folder…', value: 'other'},
						]}
						onSelect={item => {
							if (item.value === 'other') return setTyping(true);
							onChoose(dir);
						}}
					/>
				)}
			</Box>
			{error ? <Text color="red">✗ {error}</Text> : null}
		</Box>
	);
}
