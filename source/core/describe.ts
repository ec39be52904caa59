// How results read, shared by the Ink screens and the plain output: each line has words and a tone, and each
// front end has one map from tone to colour (ui/Lines.tsx for the screens, ansi() here for a terminal or pipe).
// Pure.
import type {FileState} from './diff.js';

export type Tone = 'plain' | 'good' | 'bad' | 'warn' | 'dim' | 'output' | 'added' | 'removed' | 'hunk';

export interface Line {
	text: string;
	tone: Tone;
}

/** A check's status as a mark: the welcome screen and `inspect` show the same. */
export const STATUS_MARK = {
	ok: {mark: '✔', tone: 'good'},
	missing: {mark: '–', tone: 'dim'},
	timeout: {mark: '⏱', tone: 'warn'},
	error: {mark: '✗', tone: 'bad'},
} as const satisfies Record<string, {mark: string; tone: Tone}>;

/** A file change in one word, the same on the screen and in plain output: before the write, or after it. */
export function changeWord(state: FileState, done = false): string {
	return (
		done
			? {new: 'created', changed: 'updated', unchanged: 'unchanged'}
			: {new: 'create', changed: 'update', unchanged: 'unchanged'}
	)[state];
}

/** Each line of a unified diff with what it is: an added or removed line, a hunk header, or anything else. */
export function diffTones(diff: string): Line[] {
	return diff
		.replace(/\n$/, '')
		.split('\n')
		.map(text => ({
			text,
			tone:
				text.startsWith('+') && !text.startsWith('+++')
					? 'added'
					: text.startsWith('-') && !text.startsWith('---')
						? 'removed'
						: text.startsWith('@@')
							? 'hunk'
							: 'plain',
		}));
}

/** One file change as listed before a write (with its diff when it has one), or after it (with its backup). */
export function changeLines(c: {state: FileState; path: string; diff?: string; backup?: string}, done = false): Line[] {
	const word = changeWord(c.state, done).padEnd(9);
	return [
		{text: `${word} ${c.path}${done && c.backup ? ` (old copy: ${c.backup})` : ''}`, tone: 'plain'},
		...(c.diff ? diffTones(c.diff) : []),
	];
}

const ANSI: Record<Tone, string> = {
	plain: '',
	good: '32',
	bad: '31',
	warn: '33',
	dim: '2',
	output: '2',
	added: '32',
	removed: '31',
	hunk: '2',
};

/**
 * Whether output to a stream gets colour: a terminal, unless NO_COLOR (no-color.org) or FORCE_COLOR=0 says no
 * (the launcher turns NO_COLOR into FORCE_COLOR=0 for the terminal UI's colour library).
 */
export function colorFor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
	return Boolean(isTTY) && !env.NO_COLOR && env.FORCE_COLOR !== '0';
}

/** Lines for a terminal (coloured) or a pipe (plain), each ending in a newline. */
export function ansi(lines: Line[], color: boolean): string {
	return lines.map(l => `${color && ANSI[l.tone] ? `\x1b[${ANSI[l.tone]}m${l.text}\x1b[0m` : l.text}\n`).join('');
}
