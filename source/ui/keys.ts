// Keys, one at a time, however they arrive. A paste, a fast typist over SSH or key repeat delivers several
// keys in one read: Ink splits escape sequences apart but hands "\x7f\x7f" or "ab\r" over as one input,
// and a component whose handler reads state from its last render sees every key of a burst against the
// same stale state. The fields here take keys through `useKeys`, one Key per key, and keep their state in a
// ref that each key updates before the next one is applied.
import {useStdin} from 'ink';
import {useLayoutEffect, useRef} from 'react';

export type Key =
	| {kind: 'text'; text: string}
	| {
			kind:
				| 'enter'
				| 'escape'
				| 'backspace'
				| 'delete'
				| 'up'
				| 'down'
				| 'left'
				| 'right'
				| 'home'
				| 'end'
				| 'tab'
				| 'pageUp'
				| 'pageDown';
	  }
	| {kind: 'ctrl'; letter: string}
	| {kind: 'paste'; start: boolean};

const SEQUENCES: Record<string, Key['kind']> = {
	A: 'up',
	B: 'down',
	C: 'right',
	D: 'left',
	H: 'home',
	F: 'end',
	'1~': 'home',
	'7~': 'home',
	'4~': 'end',
	'8~': 'end',
	'3~': 'delete',
	'5~': 'pageUp',
	'6~': 'pageDown',
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

/** What a key did: 'done' when it finished the screen (answered, chose, went back); see KeyRouter. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing leaves the screen as it is
export type KeyResult = void | 'done';

interface Entry {
	handle: {current: (key: Key) => KeyResult};
	/** Takes keys only beside a screen's field (a global Ctrl-C, a screen's Esc): keys never wait for it alone. */
	passive: boolean;
	/** False once a key finished its screen: it takes no more keys (it may still be on screen, e.g. writing). */
	open: boolean;
}

/**
 * One per terminal: every key goes through here, in order, whatever the screens are doing. A key that
 * finishes a screen closes that screen's fields; the keys after it wait for the next field to take input
 * (the next screen, or the same field again once a check has refused the answer). So a burst ("\r\r", a
 * pasted answer and Enter, typing ahead of a slow screen or of a check) lands on the screens it was meant
 * for, instead of being lost between them or applied twice to the old one. Ctrl-C never waits.
 */
class KeyRouter {
	private readonly entries: Entry[] = [];
	private readonly queue: Key[] = [];
	private pasting = false;
	private scheduled = false;

	feed(input: string): void {
		for (const key of splitKeys(input)) {
			if (key.kind === 'paste') this.pasting = key.start;
			// Between bracketed-paste markers line breaks are dropped: a pasted path with a trailing newline is
			// taken whole, not submitted half-way.
			else if (this.pasting && key.kind === 'enter') continue;
			else if (key.kind === 'ctrl' && key.letter === 'c') for (const e of [...this.entries]) e.handle.current(key);
			else this.queue.push(key);
		}
		this.drain();
	}

	add(handle: Entry['handle'], passive: boolean): () => void {
		const entry: Entry = {handle, passive, open: true};
		this.entries.push(entry);
		// After the whole commit: a screen's field subscribes before the screen's own Esc handler does
		// (children first), and a held-back Esc must reach both.
		if (!this.scheduled) {
			this.scheduled = true;
			queueMicrotask(() => {
				this.scheduled = false;
				this.drain();
			});
		}
		return () => {
			const i = this.entries.indexOf(entry);
			if (i >= 0) this.entries.splice(i, 1);
		};
	}

	private drain(): void {
		while (this.queue.length > 0 && this.entries.some(e => e.open && !e.passive)) {
			const key = this.queue.shift()!;
			// Every open handler sees the key (each acts only on its own keys), as Ink's own input handlers do.
			const now = this.entries.filter(e => e.open);
			let done = false;
			for (const e of now) if (e.handle.current(key) === 'done') done = true;
			if (done) for (const e of now) if (!e.passive) e.open = false;
		}
	}
}

const routers = new WeakMap<object, KeyRouter>();

function routerFor(events: {on: (event: string, listener: (input: string) => void) => unknown}): KeyRouter {
	let router = routers.get(events);
	if (!router) {
		const r = new KeyRouter();
		events.on('input', (input: string) => r.feed(input));
		routers.set(events, r);
		router = r;
	}
	return router;
}

export interface KeyOptions {
	/** Take keys now (default true); a field that is busy (checking an answer) passes false. */
	active?: boolean;
	/** A handler beside the screen's fields (Ctrl-C, Esc): see Entry.passive. */
	passive?: boolean;
	/** A new value opens the field again after a key closed it ('done'), e.g. when a check refused the answer. */
	session?: number;
}

/**
 * Calls `onKey` for every key the terminal sends while active, in order, each applied before the next. A
 * handler returns 'done' when its key finished the screen (see KeyRouter).
 */
export function useKeys(
	onKey: (key: Key) => KeyResult,
	{active = true, passive = false, session = 0}: KeyOptions = {},
): void {
	const {internal_eventEmitter: events, setRawMode, isRawModeSupported} = useStdin();
	const handle = useRef(onKey);
	handle.current = onKey;
	// A layout effect subscribes while the frame is committed: keys that arrived meanwhile were queued and
	// are applied here, before anything else runs.
	useLayoutEffect(() => {
		if (!active) return;
		if (isRawModeSupported) setRawMode(true);
		const remove = routerFor(events).add(handle, passive);
		return () => {
			remove();
			if (isRawModeSupported) setRawMode(false);
		};
	}, [active, passive, session, events, setRawMode, isRawModeSupported]);
}
