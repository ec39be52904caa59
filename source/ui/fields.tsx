// The two input widgets every screen uses, built on useKeys so that a burst of keys (paste, SSH, key
// repeat) is applied key by key against the latest state: a text field with the shell's editing keys, and a
// list to pick from.
import {Box, Text} from 'ink';
import {useReducer, useRef} from 'react';
import {type Key, useKeys} from './keys.js';

interface Edit {
	value: string;
	cursor: number;
}

const wordStart = (s: string, from: number) => {
	let i = from;
	while (i > 0 && s[i - 1] === ' ') i--;
	while (i > 0 && s[i - 1] !== ' ' && s[i - 1] !== '/') i--;
	return i === from && from > 0 ? from - 1 : i;
};

/** One key applied to a text being edited; undefined for keys the field does not edit with. */
export function editText({value, cursor}: Edit, key: Key): Edit | undefined {
	const at = (v: string, c: number) => ({value: v, cursor: Math.max(0, Math.min(c, v.length))});
	switch (key.kind) {
		case 'text':
			return at(value.slice(0, cursor) + key.text + value.slice(cursor), cursor + key.text.length);
		case 'backspace':
			return cursor ? at(value.slice(0, cursor - 1) + value.slice(cursor), cursor - 1) : undefined;
		case 'delete':
			return cursor < value.length ? at(value.slice(0, cursor) + value.slice(cursor + 1), cursor) : undefined;
		case 'left':
			return at(value, cursor - 1);
		case 'right':
			return at(value, cursor + 1);
		case 'home':
			return at(value, 0);
		case 'end':
			return at(value, value.length);
		case 'ctrl':
			switch (key.letter) {
				case 'a':
					return at(value, 0);
				case 'e':
					return at(value, value.length);
				case 'b':
					return at(value, cursor - 1);
				case 'f':
					return at(value, cursor + 1);
				case 'u':
					return at(value.slice(cursor), 0);
				case 'k':
					return at(value.slice(0, cursor), cursor);
				case 'w': {
					const from = wordStart(value, cursor);
					return at(value.slice(0, from) + value.slice(cursor), from);
				}
				default:
					return undefined;
			}
		default:
			return undefined;
	}
}

/** What a field's owner does with an answer: 'stay' keeps the screen taking keys (the answer was refused). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing accepts the answer
export type Answered = void | 'stay';

/**
 * A one-line text field. `onSubmit` answers (the screen is done) unless it returns 'stay'; `active` false
 * (while the owner checks an answer) holds later keys; a new `session` takes keys again after an answer
 * was refused later (a check that ran after Enter).
 */
export function TextField({
	defaultValue = '',
	placeholder = '',
	onChange,
	onSubmit,
	active = true,
	session = 0,
}: {
	defaultValue?: string;
	placeholder?: string;
	onChange?: (value: string) => void;
	onSubmit: (value: string) => Answered;
	active?: boolean;
	session?: number;
}) {
	const state = useRef<Edit>({value: defaultValue, cursor: defaultValue.length});
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	useKeys(
		key => {
			if (key.kind === 'enter') return onSubmit(state.current.value) === 'stay' ? undefined : 'done';
			const next = editText(state.current, key);
			if (!next) return;
			const changed = next.value !== state.current.value;
			state.current = next;
			redraw();
			if (changed) onChange?.(next.value);
		},
		{active, session},
	);
	const {value, cursor} = state.current;
	if (!value) {
		return (
			<Text>
				<Text inverse>{placeholder.slice(0, 1) || ' '}</Text>
				<Text dimColor>{placeholder.slice(1)}</Text>
			</Text>
		);
	}
	return (
		<Text>
			{value.slice(0, cursor)}
			<Text inverse>{value[cursor] ?? ' '}</Text>
			{value.slice(cursor + 1)}
		</Text>
	);
}

export interface Item<V extends string = string> {
	key?: string;
	label: string;
	value: V;
}

/** A list to pick from; `onSelect` answers (the screen is done) unless it returns 'stay'. */
export function SelectList<V extends string>({
	items,
	initialIndex = 0,
	onSelect,
	isActive = true,
}: {
	items: Item<V>[];
	initialIndex?: number;
	onSelect: (item: Item<V>) => Answered;
	isActive?: boolean;
}) {
	const index = useRef(Math.max(0, Math.min(initialIndex, items.length - 1)));
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	useKeys(
		key => {
			const last = items.length - 1;
			const move = (to: number) => {
				index.current = to;
				redraw();
			};
			if (key.kind === 'enter') {
				const item = items[index.current];
				if (item) return onSelect(item) === 'stay' ? undefined : 'done';
			} else if (key.kind === 'up' || (key.kind === 'ctrl' && key.letter === 'p'))
				move(index.current > 0 ? index.current - 1 : last);
			else if (key.kind === 'down' || key.kind === 'tab' || (key.kind === 'ctrl' && key.letter === 'n'))
				move(index.current < last ? index.current + 1 : 0);
			else if (key.kind === 'home' || key.kind === 'pageUp') move(0);
			else if (key.kind === 'end' || key.kind === 'pageDown') move(last);
		},
		{active: isActive},
	);
	return (
		<Box flexDirection="column">
			{items.map((item, n) => (
				<Text key={item.key ?? item.value} color={n === index.current ? 'blue' : undefined}>
					{n === index.current ? '❯ ' : '  '}
					{item.label}
				</Text>
			))}
		</Box>
	);
}

/**
 * Esc on a screen with a list and a text field behind "another…": from the field back to the list
 * (`leaveField`) while `inField`, else back a screen.
 */
export function useEscapeBack(inField: boolean, leaveField: () => void, onBack: () => void): void {
	useKeys(
		key => {
			if (key.kind !== 'escape') return;
			if (inField) leaveField();
			else onBack();
			return 'done';
		},
		{passive: true},
	);
}
