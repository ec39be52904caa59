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
