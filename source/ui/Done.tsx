// Last screen: what was written, where the backups are, and the commands to run next.
import {Box, Text} from 'ink';
import type {FileChange} from '../stack.js';

export function Done({
	dir,
	written,
	login,
	showNext = true,
}: {
	dir: string;
	written: FileChange[];
	login: string;
	showNext?: boolean;
}) {
	const changed = written.filter(c => c.state !== 'unchanged');
	return (
		<Box flexDirection="column">
			<Text color="green">
				{changed.length ? `✔ Wrote ${changed.length} file(s) to ${dir}` : `✔ Nothing to write: ${dir} is up to date`}
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
						{'  '}cd {dir} && docker compose up -d --build
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
