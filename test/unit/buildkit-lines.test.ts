// BuildKit's plain progress (source/docker/buildkit.ts), line by line: which lines start, end or fail a step,
// which are a step's output (its timestamp dropped), and which belong to no step.
import {describe, expect, it} from 'vitest';
import {BuildProgress, cleanLine, printable, stripCodes} from '../../source/docker/buildkit.js';

function fed(...lines: string[]) {
	const p = new BuildProgress();
	for (const l of lines) p.feed(l, 1000);
	return p;
}

describe('BuildProgress, line by line', () => {
	it('starts a step from its header, with stage, index and total', () => {
		const p = fed('#12 [stem 3/10] RUN x', '#4 [internal] load build definition from Dockerfile', '#5 [2/4] COPY a b');
		expect(p.steps.get(12)).toEqual({
			id: 12,
			title: 'RUN x',
			status: 'running',
			startedAt: 1000,
			lines: [],
			index: 3,
			total: 10,
			stage: 'stem',
		});
		expect(p.steps.get(4)).toEqual({
			id: 4,
			title: 'load build definition from Dockerfile',
			status: 'running',
			startedAt: 1000,
			lines: [],
		});
		expect(p.steps.get(5)).toMatchObject({index: 2, total: 4});
		expect(p.steps.get(5)!.stage).toBeUndefined();
		// A header must be the whole "[…] title": a trailing part after it is not a header.
		expect(fed('#6 x [stem 1/2] RUN y').steps.size).toBe(0);
		expect(fed('#6 [a]b [stem 1/2] RUN y').steps.size).toBe(0);
		// A bracket that does not end with "n/m" is a step without a number.
		const unnumbered = fed('#7 [stem 3/10 extra] RUN z').steps.get(7)!;
		expect([unnumbered.title, unnumbered.index]).toEqual(['RUN z', undefined]);
	});

	it('takes only "#<digits> " as a step line; everything else is kept aside (non-blank lines)', () => {
		const p = fed(
			'#x [stem 1/2] RUN a',
			'# 5 [stem 1/2] RUN a',
			'#5[stem 1/2]',
			'#5a [stem 1/2] RUN a',
			'Container box Started',
			'   ',
			'#0 building with "default" instance',
		);
		expect(p.steps.size).toBe(0);
		expect(p.other).toEqual([
			'#x [stem 1/2] RUN a',
			'# 5 [stem 1/2] RUN a',
			'#5[stem 1/2]',
			'#5a [stem 1/2] RUN a',
			'Container box Started',
			'building with "default" instance',
		]);
	});

	it('ends a step: CACHED exactly, DONE <seconds>s, ERROR with or without a colon, CANCELED exactly', () => {
		const p = fed(
			'#1 [s 1/5] A',
			'#2 [s 2/5] B',
			'#3 [s 3/5] C',
			'#4 [s 4/5] D',
			'#5 [s 5/5] E',
			'#1 CACHED',
			'#2 DONE 0.8s',
			'#3 ERROR: boom',
			'#4 ERROR boom',
			'#5 CANCELED',
		);
		expect([...p.steps.values()].map(s => [s.status, s.seconds, s.error])).toEqual([
			['cached', undefined, undefined],
			['done', 0.8, undefined],
			['error', undefined, 'boom'],
			['error', undefined, 'boom'],
			['error', undefined, 'canceled'],
		]);
		expect(p.failed()?.id).toBe(3);
		// Near misses are output lines, not endings.
		const q = fed('#1 [s 1/2] A', '#1 CACHEDX', '#1 DONE soon', '#1 CANCELEDX', '#1 Cached', '#1 all steps');
		expect(q.steps.get(1)).toMatchObject({
			status: 'running',
			lines: ['CACHEDX', 'DONE soon', 'CANCELEDX', 'Cached', 'all steps'],
		});
		// A canceled step is not the failed one; an error's text is what follows "ERROR" and its colon.
		expect(fed('#1 [s 1/1] A', '#1 CANCELED').failed()).toBeUndefined();
		expect(fed('#1 [s 1/1] A', '#1 ERROR:boom').failed()?.error).toBe('boom');
	});

	it("drops BuildKit's timestamp from a step's output, and nothing that only looks like one", () => {
		const p = fed(
			'#1 [s 1/1] A',
			'#1 0.092 hello',
			'#1 12.5 two words',
			'#1 1.2.3 not a time',
			'#1 .5 x',
			'#1 5. x',
			'#1 12a x',
			'#1 12 x',
			'#1 word',
			'#1  leading',
		);
		expect(p.steps.get(1)!.lines).toEqual([
			'hello',
			'two words',
			'1.2.3 not a time',
			'.5 x',
			'5. x',
			'12a x',
			'12 x',
			'word',
			' leading',
		]);
	});

	it('keeps the last 30 lines of a step and of the rest', () => {
		const p = fed(
			'#1 [s 1/1] A',
			...Array.from({length: 40}, (_, i) => `#1 0.1 line ${i}`),
			...Array.from({length: 40}, (_, i) => `other ${i}`),
		);
		expect(p.steps.get(1)!.lines).toEqual(Array.from({length: 30}, (_, i) => `line ${i + 10}`));
		expect(p.other).toEqual(Array.from({length: 30}, (_, i) => `other ${i + 10}`));
	});

	it('orders numbered steps stage by stage, by index, then by id; counts and positions them', () => {
		const p = fed(
			'#9 [neuron 2/3] N2',
			'#3 [stem 2/2] S2',
			'#2 [stem 1/2] S1',
			'#8 [neuron 1/3] N1',
			'#7 [neuron 1/3] N1 again',
			'#1 [internal] x',
			'#2 DONE 1.0s',
			'#8 CACHED',
		);
		expect(p.numbered().map(s => s.id)).toEqual([7, 8, 9, 2, 3]);
		expect(p.counts()).toEqual({done: 2, cached: 1, total: 5});
		expect(p.position(p.steps.get(9)!)).toBe('step neuron 2/3');
		expect(p.position(p.steps.get(1)!)).toBe('a build step');
		expect(fed('#1 [stem 1/2] A').position(fed('#1 [stem 1/2] A').steps.get(1)!)).toBe('step 1/2');
		expect(p.current()?.id).toBe(1);
		// Steps without a stage take their place in the order their first one appeared, like a named stage.
		const mixed = fed('#1 [stem 1/2] A', '#2 [1/1] B', '#3 [stem 2/2] C');
		expect(mixed.numbered().map(s => s.id)).toEqual([1, 3, 2]);
	});

	it('a step fed no time starts now', () => {
		const p = new BuildProgress();
		const before = Date.now();
		p.feed('#1 [s 1/1] A');
		expect(p.steps.get(1)!.startedAt).toBeGreaterThanOrEqual(before);
	});
});

describe('cleaning what a terminal writer leaves', () => {
	it('cleanLine keeps what follows the last carriage return and drops escape codes', () => {
		expect(cleanLine('plain')).toBe('plain');
		expect(cleanLine('old\rnew')).toBe('new');
		expect(cleanLine('\rnew')).toBe('new');
		expect(cleanLine('a\rb\r')).toBe('b');
		expect(cleanLine('\x1b[2Kdone')).toBe('done');
		expect(cleanLine('x\r\x1b[2Ky\x1b[0m')).toBe('y');
	});

	it('stripCodes and printable', () => {
		expect(stripCodes('a\x1b[31mb\x1b[?25lc')).toBe('abc');
		expect(stripCodes('no codes')).toBe('no codes');
		expect(printable('a\x07b\tc\nd\x9be\x7f')).toBe('ab\tc\nde');
		// A window title or a clipboard write goes whole (ended by BEL, by ESC \, or by nothing).
		expect(printable('x\x1b]0;title\x07y\x1b]52;c;cGF3bg==\x1b\\z\x1b]8;;http://a')).toBe('xyz');
	});
});
