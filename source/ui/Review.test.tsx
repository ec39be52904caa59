import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {KEY, press} from '../../test/helpers/ink.js';
import type {FileChange} from '../stack.js';
import {Review} from './Review.js';

const dir = '/home/alice/hatch/stem';
const changes: FileChange[] = [
	{path: `${dir}/docker-compose.yml`, content: '', mode: 0o644, showDiff: true, state: 'unchanged', diff: ''},
	{
		path: `${dir}/.env`,
		content: '',
		mode: 0o600,
		showDiff: true,
		state: 'changed',
		diff: `--- ${dir}/.env\n+++ ${dir}/.env (new)\n@@ -1,1 +1,1 @@\n-STEM_UID=1000\n+STEM_UID=1001\n`,
	},
	{path: `${dir}/image/Dockerfile`, content: '', mode: 0o644, showDiff: false, state: 'unchanged', diff: ''},
];
const props = {
	image: 'stem',
	dir,
	warnings: [],
	errors: [],
	presetNote: 'Your answers are saved as preset "stem"',
	onBack: () => {},
	onQuit: () => {},
};

describe('Review', () => {
	it('lists the files, the diff of a changed one and where its backup goes', async () => {
		const onWrite = vi.fn();
		const {lastFrame, stdin, unmount} = render(<Review {...props} changes={changes} onWrite={onWrite} />);
		const f = lastFrame()!;
		expect(f).toContain('Review: stem → /home/alice/hatch/stem');
		expect(f).toMatch(/unchanged docker-compose\.yml/);
		expect(f).toContain('update    .env (old copy kept as .env.bak-<time>)');
		expect(f).toContain('-STEM_UID=1000');
		expect(f).toContain('+STEM_UID=1001');
		expect(f).toContain('  unchanged image/ (build context, 1 files)');
		expect(f).toContain('saved as preset "stem"');
		await press(stdin, KEY.enter);
		expect(onWrite).toHaveBeenCalledOnce();
		unmount();
	});

	it('a new folder: the build context is created (not "updated"), each part in the same columns', () => {
		const fresh: FileChange[] = changes.map(c => ({...c, state: 'new', diff: ''}));
		const {lastFrame, unmount} = render(<Review {...props} changes={fresh} onWrite={() => {}} />);
		const f = lastFrame()!;
		expect(f).toContain('  create    docker-compose.yml');
		expect(f).toContain('  create    image/ (build context, 1 files)');
		expect(f).not.toContain('update');
		unmount();
		const edited: FileChange[] = [
			...changes,
			{path: `${dir}/image/lib.sh`, content: '', mode: 0o644, showDiff: false, state: 'changed', diff: '@@\n'},
		];
		const again = render(<Review {...props} changes={edited} onWrite={() => {}} />);
		expect(again.lastFrame()).toContain('  update    image/ (build context, 2 files, 1 changed)');
		again.unmount();
	});

	it('offers no write while a value is invalid, and Esc goes back', async () => {
		const onBack = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Review {...props} changes={changes} errors={['STEM_UID must not be 0']} onWrite={() => {}} onBack={onBack} />,
		);
		expect(lastFrame()).toContain('✗ STEM_UID must not be 0');
		expect(lastFrame()).not.toContain('Write');
		await press(stdin, KEY.esc);
		// Ink holds a lone Esc for a moment (it could start a sequence): wait for it to arrive.
		await vi.waitFor(() => expect(onBack).toHaveBeenCalledOnce());
		unmount();
	});

	it('waits for the comparison with a spinner', () => {
		const {lastFrame, unmount} = render(<Review {...props} onWrite={() => {}} />);
		expect(lastFrame()).toContain('Comparing with what is on disk');
		unmount();
	});
});
