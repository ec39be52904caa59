// Every way a deploy ends is described once (outcome()); the terminal UI shows exactly those lines, which
// are also what --yes prints, so the two cannot drift.
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {defaults} from '../core/model.js';
import {BuildProgress} from '../docker/buildkit.js';
import {type DeployResult, outcome} from '../docker/deploy.js';
import {Outcome} from './Deploy.js';

const values = {...defaults('stem'), STEM_SSH_LISTEN: '127.0.0.1'};
const progress = new BuildProgress();
progress.feed('#4 [stem stem 2/3] RUN make');
progress.feed('#4 0.1 compiling');
progress.feed('#4 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2');
const base = {
	logFile: '/s/logs/hatch-1.log',
	progress: new BuildProgress(),
	tail: ['last line'],
	ms: 2100,
	exitCode: 0,
	ok: true as boolean,
	canceled: false,
};
const results: Record<string, DeployResult> = {
	ready: {...base, phase: 'ready', ready: {ok: true, fingerprint: 'SHA256:abc', warnings: [], logTail: [], ms: 1}},
	'ready with warnings': {
		...base,
		phase: 'ready',
		ready: {ok: true, fingerprint: 'SHA256:abc', warnings: ['05-bindu: dotfiles not cloned'], logTail: [], ms: 1},
	},
	'failed at a step': {
		...base,
		ok: false,
		phase: 'build',
		exitCode: 1,
		progress,
		failedStep: progress.failed()!,
		hint: 'fix it',
	},
	'never ready, stopped': {
		...base,
		ok: false,
		phase: 'ready',
		exitCode: 1,
		stopped: true,
		ready: {ok: false, reason: 'boot step 00-user-bootstrap.sh FAILED (exit 1)', warnings: [], logTail: [], ms: 1},
	},
	interrupted: {...base, ok: false, canceled: true, phase: 'build', exitCode: 130},
};

describe('outcome', () => {
	it.each(Object.keys(results))('%s: the screen shows exactly the lines --yes prints', name => {
		const r = results[name]!;
		const told = outcome(r, values, '/s');
		const {lastFrame, unmount} = render(<Outcome result={r} values={values} dir="/s" />);
		// Ink wraps lines at the terminal's width: compare the words, in order.
		const words = (t: string) => t.replace(/\s+/g, ' ').trim();
		expect(words(lastFrame()!)).toBe(words(told.lines.map(l => l.text).join('\n')));
		unmount();
	});

	it('gives each ending its words and exit code', () => {
		const text = (name: string) =>
			outcome(results[name]!, values, '/s')
				.lines.map(l => l.text)
				.join('\n');
		expect(outcome(results.ready!, values, '/s').code).toBe(0);
		expect(text('ready')).toContain('✔ ready in 2.1 s: ssh -p 22222 dev@127.0.0.1');
		expect(text('ready with warnings')).toContain('ready with 1 boot warning(s):\n  ! 05-bindu: dotfiles not cloned');
		expect(outcome(results['failed at a step']!, values, '/s').code).toBe(1);
		expect(text('failed at a step')).toMatch(
			new RegExp(
				'^✗ build failed \\(exit 1\\) at step 2/3: RUN make\n {2}compiling\n {2}process .* exit code: 2\n' +
					'Hint: fix it\nFull log: /s/logs/hatch-1\\.log$',
			),
		);
		expect(text('never ready, stopped')).toContain(
			'the container never became ready and was stopped, so it does not restart in a loop',
		);
		expect(outcome(results.interrupted!, values, '/s').code).toBe(130);
		expect(text('interrupted')).toBe(
			'Interrupted: stopped during the build: nothing was started; an earlier container of this stack, if any, ' +
				'still runs (cd /s && docker compose ps)\nLog: /s/logs/hatch-1.log',
		);
	});
});
