// Last screen: what was written, where the backups are, and the commands to run next.
import {Box, Text} from 'ink';
import React from 'react';
import type {FileChange} from '../stack.js';

export function Done({dir, written, port, user, listen, showNext = true}: {dir: string; written: FileChange[]; port: string; user: string; listen: string; showNext?: boolean}) {
	const changed = written.filter(c => c.state !== 'unchanged');
	return (
		<Box flexDirection="column">
			<Text color="green">{changed.length ? `✔ Wrote ${changed.length} file(s) to ${dir}` : `✔ Nothing to write: ${dir} is up to date`}</Text>
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
						{'  '}ssh -p {port} {user}@{listen === '0.0.0.0' ? '<docker-host>' : listen}
					</Text>
				</Box>
			) : null}
		</Box>
	);
}
