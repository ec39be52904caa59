// Splitting what the terminal sends into keys, and editing a text with them (the shell's keys).
import {describe, expect, it} from 'vitest';
import {editText} from '../../source/ui/fields.js';
import {type Key, splitKeys} from '../../source/ui/keys.js';

describe('splitKeys', () => {
	it.each<[string, Key[]]>([
		['\x7f\x7f', [{kind: 'backspace'}, {kind: 'backspace'}]],
		['ab\r', [{kind: 'text', text: 'ab'}, {kind: 'enter'}]],
		['\x1b[B\r', [{kind: 'down'}, {kind: 'enter'}]],
		['\x1b[A\x1b[A', [{kind: 'up'}, {kind: 'up'}]],
		['\x15', [{kind: 'ctrl', letter: 'u'}]],
		[
			'x\x17y',
			[
				{kind: 'text', text: 'x'},
				{kind: 'ctrl', letter: 'w'},
				{kind: 'text', text: 'y'},
			],
		],
		['\x1b[3~\x1bOH\x1b[4~', [{kind: 'delete'}, {kind: 'home'}, {kind: 'end'}]],
		['\x1b[1;5C', [{kind: 'right'}]],
		[
			'\x1b[200~/a b\x1b[201~',
			[
				{kind: 'paste', start: true},
				{kind: 'text', text: '/a b'},
				{kind: 'paste', start: false},
			],
		],
		['\x1b', [{kind: 'escape'}]],
		['é/ü\t', [{kind: 'text', text: 'é/ü'}, {kind: 'tab'}]],
	])('%j', (input, keys) => expect(splitKeys(input)).toEqual(keys));
});

describe('editText', () => {
	const apply = (value: string, keys: string) =>
		splitKeys(keys).reduce((e, k) => editText(e, k) ?? e, {value, cursor: value.length});
	it('inserts at the cursor and deletes around it', () => {
		expect(apply('ac', '\x1b[Db')).toEqual({value: 'abc', cursor: 2});
		expect(apply('abc', '\x01\x1b[3~')).toEqual({value: 'bc', cursor: 0});
		expect(apply('abc', '\x7f\x7f\x7f\x7f')).toEqual({value: '', cursor: 0});
	});
	it('Ctrl-W deletes the word (or path part) before the cursor, Ctrl-U and Ctrl-K the line around it', () => {
		expect(apply('/srv/data/x', '\x17').value).toBe('/srv/data/');
		expect(apply('one two  ', '\x17').value).toBe('one ');
		expect(apply('abcdef', '\x1b[D\x1b[D\x15')).toEqual({value: 'ef', cursor: 0});
		expect(apply('abcdef', '\x01\x1b[C\x0b')).toEqual({value: 'a', cursor: 1});
	});
	it('keys a text field has no use for change nothing', () => {
		expect(editText({value: 'a', cursor: 1}, {kind: 'up'})).toBeUndefined();
		expect(editText({value: 'a', cursor: 1}, {kind: 'ctrl', letter: 'c'})).toBeUndefined();
	});
});
