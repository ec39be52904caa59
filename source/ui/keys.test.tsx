// The key router (keys.ts) in a real Ink tree: keys that arrive together or between two screens land on the
// screens they were meant for, each once; Ctrl-C is never held back.
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {useState} from 'react';
import {describe, expect, it, vi} from 'vitest';
import {waitFor} from '../../test/helpers/ink.js';
import {SelectList, TextField} from './fields.js';
import {useKeys} from './keys.js';

/** Screens one after another, each a text field; every answer is recorded. */
function Steps({count, answers, onCtrlC}: {count: number; answers: string[]; onCtrlC?: () => void}) {
	const [n, setN] = useState(0);
	useKeys(key => (key.kind === 'ctrl' && key.letter === 'c' ? onCtrlC?.() : undefined), {passive: true});
	if (n >= count) return <Text>all answered</Text>;
	return (
		<TextField
			key={n}
			placeholder={`step ${n}`}
			onSubmit={v => {
				answers.push(v);
				setN(n + 1);
			}}
		/>
	);
}

describe('the key router', () => {
	it('applies answers typed ahead in one write to the screens that follow, each to its own', async () => {
		const answers: string[] = [];
		const {lastFrame, unmount, stdin} = render(<Steps count={3} answers={answers} />);
		stdin.write('one\rtwo\rthree\r');
		await waitFor(lastFrame, 'all answered');
		expect(answers).toEqual(['one', 'two', 'three']);
		unmount();
	});

	it('gives one screen one Enter: a second Enter in the same burst answers the next screen', async () => {
		const picked: string[] = [];
		function Two() {
			const [second, setSecond] = useState(false);
			return second ? (
				<SelectList key="b" items={[{label: 'b1', value: 'b1'}]} onSelect={i => void picked.push(i.value)} />
			) : (
				<SelectList
					key="a"
					items={[{label: 'a1', value: 'a1'}]}
					onSelect={i => {
						picked.push(i.value);
						setSecond(true);
					}}
				/>
			);
		}
		const {unmount, stdin} = render(<Two />);
		stdin.write('\r\r');
		await vi.waitFor(() => expect(picked).toEqual(['a1', 'b1']));
		unmount();
	});

	it('an answer refused by the screen ("stay") keeps the keys after it on the same field', async () => {
		const answers: string[] = [];
		function Picky() {
			const [ok, setOk] = useState(false);
			return ok ? (
				<Text>accepted</Text>
			) : (
				<TextField
					onSubmit={v => {
						if (v.length < 3) return 'stay';
						answers.push(v);
						setOk(true);
					}}
				/>
			);
		}
		const {lastFrame, unmount, stdin} = render(<Picky />);
		stdin.write('ab\rc\r');
		await waitFor(lastFrame, 'accepted');
		expect(answers).toEqual(['abc']);
		unmount();
	});

	it('Ctrl-C reaches its handler at once, even while keys wait for the next screen', async () => {
		const onCtrlC = vi.fn();
		function Waiting() {
			const [done, setDone] = useState(false);
			useKeys(key => (key.kind === 'ctrl' && key.letter === 'c' ? void onCtrlC() : undefined), {passive: true});
			return done ? <Text>no field here</Text> : <TextField onSubmit={() => setDone(true)} />;
		}
		const {lastFrame, unmount, stdin} = render(<Waiting />);
		stdin.write('x\r');
		await waitFor(lastFrame, 'no field here');
		stdin.write('typed ahead');
		stdin.write('\x03');
		expect(onCtrlC).toHaveBeenCalledOnce();
		unmount();
	});
});
