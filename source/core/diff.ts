// A unified diff of two texts (jsdiff), for showing what a write would change. Pure.
import {createTwoFilesPatch, FILE_HEADERS_ONLY} from 'diff';

/** Unified diff of two texts with `context` lines around each change; '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
	if (oldText === newText) return '';
	return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {
		context,
		headerOptions: FILE_HEADERS_ONLY,
	});
}

/** What a write does to one file. */
export type FileState = 'new' | 'unchanged' | 'changed';

/** A file change in one word, the same on the screen and in plain output: before the write, or after it. */
export function changeWord(state: FileState, done = false): string {
	return (
		done
			? {new: 'created', changed: 'updated', unchanged: 'unchanged'}
			: {new: 'create', changed: 'update', unchanged: 'unchanged'}
	)[state];
}

/** Each line of a unified diff with what it is: an added or removed line, a hunk header, or anything else. */
export function diffTones(diff: string): {text: string; tone: 'added' | 'removed' | 'hunk' | 'plain'}[] {
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
