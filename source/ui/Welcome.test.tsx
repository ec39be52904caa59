import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import {KEY, press} from '../../test/helpers/ink.js';
import {PROBE_LABELS} from '../host/inspect.js';
import {eraseRows, firstFrameLines, rowsOf} from './first-frame.js';
import {Welcome} from './Welcome.js';

const identity = {user: 'alice', uid: 1000, gid: 1000, hostname: 'vortex'};
const starts = [
	{label: 'start fresh (defaults from this host)', value: 'fresh'},
	{label: 'stem-minimal: plain stem', value: 'shipped:stem-minimal'},
];

describe('Welcome', () => {
	it('its first frame (nothing answered yet) is, line for line, the plain text written before the UI loads', () => {
		const {lastFrame, unmount} = render(<Welcome version="9.9.9" identity={identity} onStart={() => {}} />);
		const screen = lastFrame()!
			.split('\n')
			.map(l => l.trimEnd());
		expect(screen).toEqual(firstFrameLines({version: '9.9.9', identity, labels: PROBE_LABELS}, false));
		// The coloured text reads the same once its colours are taken out.
		const painted = firstFrameLines({version: '9.9.9', identity, labels: PROBE_LABELS});
		expect(painted.map(l => l.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(screen);
		expect(painted[0]).toBe(
			'\x1b[1m\x1b[36mhatch-wizard 9.9.9\x1b[39m\x1b[22m — SSH-able dev containers for this Docker host',
		);
		unmount();
	});

	it('the plain first frame is erased row for row, wrapped lines counted', () => {
		const lines = firstFrameLines({version: '1', identity, labels: ['Docker']});
		expect(rowsOf(lines, 120)).toBe(lines.length);
		expect(rowsOf(['x'.repeat(50), '', '\x1b[1mab\x1b[22m'], 20)).toBe(3 + 1 + 1);
		expect(eraseRows(11)).toBe('\x1b[11A\r\x1b[J');
		expect(eraseRows(0)).toBe('');
	});

	it('draws at once with the probes still checking', () => {
		const {lastFrame, unmount} = render(
			<Welcome version="9.9.9" identity={identity} starts={starts} onStart={() => {}} />,
		);
		expect(lastFrame()).toContain('hatch-wizard 9.9.9');
		expect(lastFrame()).toContain('alice (1000:1000) on vortex');
		expect(lastFrame()).toContain('checking…');
		unmount();
	});

	it('shows the detected facts, a timed-out probe as "timed out" and a GPU without runtime', () => {
		const i = fakeInspection({gpus: 2});
		i.docker = {
			status: 'ok',
			value: {serverVersion: '27.3.1', runtimes: ['runc'], nvidiaRuntime: false, desktop: false},
			ms: 30,
		};
		i.agent = {status: 'timeout', detail: 'no answer within 4000 ms', ms: 4000};
		const {lastFrame, unmount} = render(
			<Welcome
				version="1"
				identity={identity}
				inspection={i}
				starts={starts}
				warnings={['old store moved aside']}
				onStart={() => {}}
			/>,
		);
		const f = lastFrame()!;
		expect(f).toContain('27.3.1, runtimes: runc');
		expect(f).toContain('v2.29.7');
		expect(f).toContain('2 GPU(s) found (NVIDIA H100 80GB HBM3), runtime missing');
		expect(f).toContain('/home/alice/Dropbox');
		expect(f).toContain('timed out (no answer within 4000 ms)');
		expect(f).toContain('! old store moved aside');
		expect(f).not.toContain('checking…');
		unmount();
	});

	it('starts from the chosen entry', async () => {
		const onStart = vi.fn();
		const {stdin, unmount} = render(
			<Welcome version="1" identity={identity} inspection={fakeInspection()} starts={starts} onStart={onStart} />,
		);
		await press(stdin, KEY.down, KEY.enter);
		expect(onStart).toHaveBeenCalledWith('shipped:stem-minimal');
		unmount();
	});
});
