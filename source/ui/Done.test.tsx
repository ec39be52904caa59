import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {loginCommand} from '../core/model.js';
import {Done} from './Done.js';

describe('Done', () => {
	it('names what was written, the backups, and the next commands', () => {
		const written = [
			{
				path: '/o/stem/.env',
				content: '',
				mode: 0o600,
				showDiff: true,
				state: 'changed' as const,
				diff: '',
				backup: '/o/stem/.env.bak-20261129-010000',
			},
			{
				path: '/o/stem/docker-compose.yml',
				content: '',
				mode: 0o644,
				showDiff: true,
				state: 'unchanged' as const,
				diff: '',
			},
		];
		const {lastFrame, unmount} = render(
			<Done
				dir="/o/stem"
				written={written}
				login={loginCommand({STEM_SSH_PORT: '2222', STEM_USER: 'alice', STEM_SSH_LISTEN: '127.0.0.1'})}
			/>,
		);
		const f = lastFrame()!;
		expect(f).toContain('✔ Wrote 1 file(s) to /o/stem');
		expect(f).toContain('backup: /o/stem/.env.bak-20261129-010000');
		expect(f).toContain('cd /o/stem && docker compose up -d --build');
		expect(f).toContain('ssh -p 2222 alice@127.0.0.1');
		unmount();
	});
});
