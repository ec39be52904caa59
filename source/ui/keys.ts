// Keys, one at a time, however they arrive. A paste, a fast typist over SSH or key repeat delivers several
// keys in one read: Ink splits escape sequences apart but hands "\x7f\x7f" or "ab\r" over as one input,
// and a component whose handler reads state from its last render sees every key of a burst against the
// same stale state. The fields here take keys through `useKeys`, one Key per key, and keep their state in a
// ref that each key updates before the next one is applied.
import {useStdin} from 'ink';
import {useLayoutEffect, useRef} from 'react';

export type Key =
	| {kind: 'text'; text: string}
	| {kind: 'enter' | 'escape' | 'backspace' | 'delete' | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'tab' | 'pageUp' | 'pageDown'}
	| {kind: 'ctrl'; letter: string}
	| {kind: 'paste'; start: boolean};

const SEQUENCES: Record<string, Key['kind']> = {
	A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end',
	'1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete', '5~': 'pageUp', '6~': 'pageDown',
};
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /^\x1b(?:\[(\d*)(?:;\d+)*([A-Za-z~])|O([A-Za-z]))/;

/** Splits one input into its keys, in order: runs of printable text stay together (a paste is one insert). */
export function splitKeys(input: string): Key[] {
	const keys: Key[] = [];
	let text = '';
	const flush = () => {
		if (text) keys.push({kind: 'text', text});
		text = '';
	};
	for (let i = 0; i < input.length; ) {
		const c = input[i]!;
		const code = c.charCodeAt(0);
		if (c === '\x1b') {
			flush();
			const m = ESCAPE_SEQUENCE.exec(input.slice(i));
			if (m) {
				const id = m[3] ?? (m[2] === '~' ? `${m[1]}~` : m[2]!);
				if (id === '200~' || id === '201~') keys.push({kind: 'paste', start: id === '200~'});
				else if (SEQUENCES[id]) keys.push({kind: SEQUENCES[id]} as Key);
				i += m[0].length;
			} else if (i + 1 >= input.length || input[i + 1] === '\x1b') {
				keys.push({kind: 'escape'});
				i += 1;
			} else i += 2; // Alt+key: not used
			continue;
		}
		if (code >= 0x20 && code !== 0x7f) {
			text += c;
			i++;
			continue;
		}
		flush();
		if (c === '\r' || c === '\n') keys.push({kind: 'enter'});
		else if (c === '\x7f' || c === '\b') keys.push({kind: 'backspace'});
		else if (c === '\t') keys.push({kind: 'tab'});
		else if (code >= 1 && code <= 26) keys.push({kind: 'ctrl', letter: String.fromCharCode(code + 96)});
		i++;
	}
	flush();
	return keys;
}

/**
 * Calls `onKey` for every key the terminal sends while `active`, in order, each applied before the next.
 * Between bracketed-paste markers, line breaks are dropped: a pasted path with a trailing newline is taken
 * whole, not submitted half-way.
 */
export function useKeys(onKey: (key: Key) => void, active = true): void {
	const {internal_eventEmitter: events, setRawMode, isRawModeSupported} = useStdin();
	const handler = useRef(onKey);
	handler.current = onKey;
	// A layout effect subscribes while the frame is committed, so no key typed after the screen appears is
	// lost (a passive effect would run later, and a key arriving in between would go nowhere).
	useLayoutEffect(() => {
		if (!active) return;
		if (isRawModeSupported) setRawMode(true);
		let pasting = false;
		const onInput = (input: string) => {
			for (const key of splitKeys(input)) {
				if (key.kind === 'paste') pasting = key.start;
				else if (!(pasting && key.kind === 'enter')) handler.current(key);
			}
		};
		events.on('input', onInput);
		return () => {
			events.removeListener('input', onInput);
			if (isRawModeSupported) setRawMode(false);
		};
	}, [active, events, setRawMode, isRawModeSupported]);
}
