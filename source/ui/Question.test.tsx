import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {KEY, press, waitFor} from '../../test/helpers/ink.js';
import {defaults} from '../core/model.js';
import {Question} from './Question.js';
import {OTHER, questions} from './questions.js';

const values = {...defaults('stem'), STEM_AUTH_KEYS_PATH: ''};
const q = (key: string) => questions('stem', values).find(x => x.key === key)!;

describe('Question (text)', () => {
	it('shows the prompt, the key and its help, prefilled with the current value', () => {
		const {lastFrame, unmount} = render(
			<Question question={q('STEM_SSH_PORT')} values={values} onAnswer={() => {}} onBack={() => {}} />,
		);
		expect(lastFrame()).toContain('SSH port on the Docker host');
		expect(lastFrame()).toContain('STEM_SSH_PORT: Port you ssh to');
		expect(lastFrame()).toContain('22222');
		unmount();
	});

	it('validates inline with the model’s message, refuses Enter, and recovers', async () => {
		const onAnswer = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Question question={q('STEM_SSH_PORT')} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		await press(
			stdin,
			KEY.backspace,
			KEY.backspace,
			KEY.backspace,
			KEY.backspace,
			KEY.backspace,
			'9',
			'9',
			'9',
			'9',
			'9',
			'9',
		);
		await waitFor(lastFrame, '✗ STEM_SSH_PORT must be a port number from 1 to 65535');
		await press(stdin, KEY.enter);
		expect(onAnswer).not.toHaveBeenCalled();
		await press(stdin, KEY.backspace, KEY.backspace);
		await waitFor(lastFrame, /› 9999 ?$/m);
		expect(lastFrame()).not.toContain('✗');
		await press(stdin, KEY.enter);
		expect(onAnswer).toHaveBeenCalledWith('9999');
		unmount();
	});

	it('says why when Enter is pressed on an empty required field', async () => {
		const onAnswer = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Question question={q('STEM_USER')} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		stdin.write('\x15\r');
		await waitFor(lastFrame, '✗ STEM_USER must not be empty');
		expect(onAnswer).not.toHaveBeenCalled();
		unmount();
	});

	it('a check made on Enter (the port is taken) refuses the answer and says why; a free one goes through', async () => {
		const onAnswer = vi.fn();
		let taken = true;
		const checkOnSubmit = async (_k: string, v: string) =>
			taken ? `STEM_SSH_PORT ${v} is in use on 0.0.0.0 on this host; 22223 is free` : undefined;
		const {lastFrame, stdin, unmount} = render(
			<Question
				question={q('STEM_SSH_PORT')}
				values={values}
				checkOnSubmit={checkOnSubmit}
				onAnswer={onAnswer}
				onBack={() => {}}
			/>,
		);
		stdin.write('\r');
		await waitFor(lastFrame, '✗ STEM_SSH_PORT 22222 is in use on 0.0.0.0 on this host; 22223 is free');
		expect(onAnswer).not.toHaveBeenCalled();
		stdin.write('\x7f3');
		await waitFor(lastFrame, /› 22223 ?$/m);
		taken = false;
		stdin.write('\r');
		await vi.waitFor(() => expect(onAnswer).toHaveBeenCalledWith('22223'));
		unmount();
	});

	it('keys typed while the check runs are applied after it has answered, to the same field', async () => {
		const onAnswer = vi.fn();
		let answer: (v: string | undefined) => void = () => {};
		const checkOnSubmit = () => new Promise<string | undefined>(r => (answer = r));
		const {lastFrame, frames, stdin, unmount} = render(
			<Question
				question={q('STEM_SSH_PORT')}
				values={values}
				checkOnSubmit={checkOnSubmit}
				onAnswer={onAnswer}
				onBack={() => {}}
			/>,
		);
		stdin.write('\r\x7f3');
		await waitFor(lastFrame, 'checking…');
		expect(lastFrame()).toMatch(/› 22222 ?$/m);
		answer('STEM_SSH_PORT 22222 is in use');
		await waitFor(lastFrame, /› 22223 ?$/m);
		expect(frames.some(f => f.includes('✗ STEM_SSH_PORT 22222 is in use'))).toBe(true);
		expect(onAnswer).not.toHaveBeenCalled();
		unmount();
	});

	it('goes back with Esc', async () => {
		const onBack = vi.fn();
		const {stdin, unmount} = render(
			<Question question={q('STEM_USER')} values={values} onAnswer={() => {}} onBack={onBack} />,
		);
		await press(stdin, KEY.esc);
		// Ink holds a lone Esc for a moment (it could start a sequence): wait for it to arrive.
		await vi.waitFor(() => expect(onBack).toHaveBeenCalledOnce());
		unmount();
	});
});

describe('Question (select)', () => {
	const question = {
		key: 'STEM_AUTH_KEYS_PATH',
		step: 'SSH',
		prompt: 'Which public key may log in?',
		help: 'h',
		options: [
			{label: '/home/a/.ssh/id_ed25519.pub (detected)', value: '/home/a/.ssh/id_ed25519.pub'},
			{label: 'another file…', value: OTHER},
			{label: 'none for now', value: ''},
		],
	};

	it('moves with the arrows and answers with Enter', async () => {
		const onAnswer = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Question question={question} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		expect(lastFrame()).toMatch(/❯ none for now/);
		await press(stdin, KEY.up, KEY.up, KEY.enter);
		expect(onAnswer).toHaveBeenCalledWith('/home/a/.ssh/id_ed25519.pub');
		expect(onAnswer).toHaveBeenCalledOnce();
		unmount();
	});

	it('"another file…" opens a text field checked against the host; Esc returns to the list', async () => {
		const onAnswer = vi.fn();
		const check = (_k: string, v: string) =>
			v.endsWith('id_ed25519') ? 'STEM_AUTH_KEYS_PATH points at a PRIVATE key' : undefined;
		const {lastFrame, stdin, unmount} = render(
			<Question question={question} values={values} check={check} onAnswer={onAnswer} onBack={() => {}} />,
		);
		await press(stdin, KEY.up, KEY.enter);
		await waitFor(lastFrame, '/absolute/path');
		await press(stdin, ...'relative');
		await waitFor(lastFrame, 'must be an absolute path');
		await press(stdin, KEY.esc);
		await waitFor(lastFrame, '❯ none for now');
		await press(stdin, KEY.up, KEY.enter, ...'/k/id_ed25519');
		await waitFor(lastFrame, 'PRIVATE key');
		await press(stdin, KEY.enter);
		expect(onAnswer).not.toHaveBeenCalled();
		await press(stdin, ...'.pub', KEY.enter);
		expect(onAnswer).toHaveBeenCalledWith('/k/id_ed25519.pub');
		unmount();
	});
});

// Keys that arrive together (a paste, typing over SSH, key repeat) are applied one by one, in order.
describe('Question, keys in one chunk', () => {
	const question = {
		key: 'STEM_AUTH_KEYS_PATH',
		step: 'SSH',
		prompt: 'Which public key may log in?',
		help: 'h',
		options: [
			{label: '/home/a/.ssh/id_ed25519.pub (detected)', value: '/home/a/.ssh/id_ed25519.pub'},
			{label: 'another file…', value: OTHER},
			{label: 'none for now', value: ''},
		],
	};

	it('two Backspaces and a digit in one write', async () => {
		const onAnswer = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Question question={q('STEM_SSH_PORT')} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		stdin.write(`${KEY.backspace}${KEY.backspace}9${KEY.enter}`);
		expect(onAnswer).toHaveBeenCalledWith('2229');
		await waitFor(lastFrame, /› 2229 ?$/m);
		expect(lastFrame()).not.toContain('✗');
		unmount();
	});

	it('Ctrl-U clears the field, Ctrl-W deletes a word, Ctrl-A and Ctrl-E move, all in one write', async () => {
		const onAnswer = vi.fn();
		const {stdin, unmount} = render(
			<Question question={q('STEM_USER')} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		// "dev" → Ctrl-U "" → "al ice" → Ctrl-W "al " → Backspace "al"
		// → Ctrl-A "x" → "xal" → Ctrl-E "i" → "xali"
		stdin.write('\x15al ice\x17\x7f\x01x\x05i\r');
		expect(onAnswer).toHaveBeenCalledWith('xali');
		unmount();
	});

	it('Down and Enter in one write pick the next item', async () => {
		const onAnswer = vi.fn();
		const {stdin, unmount} = render(
			<Question
				question={question}
				values={{...values, STEM_AUTH_KEYS_PATH: '/home/a/.ssh/id_ed25519.pub'}}
				onAnswer={onAnswer}
				onBack={() => {}}
			/>,
		);
		stdin.write(`${KEY.down}${KEY.down}${KEY.enter}`);
		expect(onAnswer).toHaveBeenCalledWith('');
		unmount();
	});

	it('a pasted path is taken whole, its trailing newline inside the paste does not submit it', async () => {
		const onAnswer = vi.fn();
		const {lastFrame, stdin, unmount} = render(
			<Question question={question} values={values} onAnswer={onAnswer} onBack={() => {}} />,
		);
		// The list is left and the paste typed in one go: the paste waits for the text field.
		stdin.write(`${KEY.up}${KEY.enter}\x1b[200~/home/a/My Keys/id.pub\n\x1b[201~`);
		await waitFor(lastFrame, '/home/a/My Keys/id.pub');
		expect(onAnswer).not.toHaveBeenCalled();
		stdin.write(KEY.enter);
		expect(onAnswer).toHaveBeenCalledWith('/home/a/My Keys/id.pub');
		unmount();
	});
});
