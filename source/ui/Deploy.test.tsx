// The live build view (Deploy): it draws on a clock, not per line, yet every line is parsed, the end is
// drawn at once, and a tick where nothing shown changed draws nothing.
import {render} from 'ink-testing-library';
import {Profiler} from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {waitFor} from '../../test/helpers/ink.js';
import {BuildProgress} from '../docker/buildkit.js';
import type {DeployEvents, DeployResult} from '../docker/deploy.js';
import {Deploy, startLive} from './Deploy.js';

afterEach(() => vi.useRealTimers());

/** A deploy driven by the test: its events, and the end, given when the test says. */
function scripted() {
	const progress = new BuildProgress();
	let events: DeployEvents = {};
	let end: (r: DeployResult) => void = () => {};
	const done = new Promise<DeployResult>(r => (end = r));
	const cancel = vi.fn();
	return {
		start: (e: DeployEvents) => {
			events = e;
			e.onStart?.('/s/logs/hatch-1.log');
			e.onPhase?.('build');
			return {done, cancel};
		},
		cancel,
		lines(...lines: string[]) {
			for (const l of lines) {
				progress.feed(l);
				events.onBuildLine?.(l, progress);
			}
		},
		end() {
			end({ok: true, canceled: false, phase: 'build', exitCode: 0, logFile: '', progress, tail: [], ms: 0});
		},
	};
}

const output = (n: number) => Array.from({length: n}, (_, i) => `#2 ${i / 1000} cc -c unit_${i}.c`);

describe('Deploy', () => {
	it('a burst of lines between two frames: every one parsed, the next frame shows where it ended', async () => {
		const d = scripted();
		const {lastFrame, unmount} = render(<Deploy live={startLive(d.start)} />);
		d.lines('#1 [stem stem 1/2] FROM ubuntu', '#1 CACHED', '#2 [stem stem 2/2] RUN make', ...output(20_000));
		const f = await waitFor(lastFrame, 'cc -c unit_19999.c');
		expect(f).toContain('1/2 steps, 1 cached');
		expect(f).toContain('cc -c unit_19992.c'); // the last 8 lines, in order
		expect(f).not.toContain('cc -c unit_19991.c');
		expect(f).toContain('full log: /s/logs/hatch-1.log');
		unmount();
	});

	it('the end is drawn at once: lines that came just before it are on the screen, the log too', async () => {
		const d = scripted();
		let ended = false;
		const live = startLive(d.start);
		void live.done.then(() => (ended = true));
		const {lastFrame, unmount} = render(<Deploy live={live} />);
		// The last lines and the end in one go: no tick comes between them, only the end can draw them.
		d.lines('#1 [stem stem 1/1] RUN make', ...output(1000), '#1 DONE 2.5s');
		d.end();
		const f = await waitFor(lastFrame, '1/1 steps');
		expect(f).toContain('✔ step 1/1 RUN make 2.5s');
		expect(ended).toBe(true);
		unmount();
	});

	it('a tick draws only when something shown changed: an event, or a running step’s second', async () => {
		// The clock is the test's: Date and the view's interval. Ink and React keep their own timers.
		vi.useFakeTimers({toFake: ['Date', 'setInterval', 'clearInterval']});
		const d = scripted();
		let commits = 0;
		const {lastFrame, unmount} = render(
			<Profiler id="deploy" onRender={() => commits++}>
				<Deploy live={startLive(d.start)} />
			</Profiler>,
		);
		const turns = async () => {
			for (let i = 0; i < 5; i++) await new Promise(r => setImmediate(r));
		};
		// waitFor's deadline reads Date, which is the test's here: look for a bounded number of turns instead.
		const shows = async (text: string) => {
			for (let i = 0; i < 1000 && !lastFrame()?.includes(text); i++) await new Promise(r => setImmediate(r));
			expect(lastFrame()).toContain(text);
		};
		d.lines('#1 [stem stem 1/2] RUN make', '#1 DONE 0.1s');
		vi.advanceTimersByTime(100);
		await shows('1/2 steps');
		await turns();
		const idle = commits;
		vi.advanceTimersByTime(2000); // twenty ticks, no event, no step running
		await turns();
		expect(commits).toBe(idle);
		d.lines('#2 [stem stem 2/2] RUN test'); // now a step runs: its seconds are shown
		vi.advanceTimersByTime(100);
		await shows('▸ step 2/2 RUN test 0s');
		vi.advanceTimersByTime(1000);
		await shows('▸ step 2/2 RUN test 1s');
		unmount();
	});

	it('startLive starts the deploy at once, before any screen, and hands back its cancel', () => {
		const d = scripted();
		const live = startLive(d.start);
		expect(live.snap).toMatchObject({phase: 'build', logFile: '/s/logs/hatch-1.log', events: 2});
		live.cancel();
		expect(d.cancel).toHaveBeenCalledOnce();
	});
});
