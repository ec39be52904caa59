import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import {KEY, press} from '../../test/helpers/ink.js';
import {Welcome} from './Welcome.js';

const identity = {user: 'alice', uid: 1000, gid: 1000, hostname: 'vortex'};
const starts = [
	{label: 'start fresh (defaults from this host)', value: 'fresh'},
	{label: 'stem-minimal: plain stem', value: 'shipped:stem-minimal'},
];

describe('Welcome', () => {
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
