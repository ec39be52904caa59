// The .env reader and rewriter (source/core/env.ts), form by form, as compose's dotenv reads them.
import {describe, expect, it} from 'vitest';
import {parseEnv, renderEnv, userLines} from '../../source/core/env.js';
import {defaults} from '../../source/core/model.js';

describe('parseEnv, each form', () => {
	it.each<[string, Record<string, string>]>([
		['A="x\\"y"', {A: 'x"y'}],
		['A="a\\nb\\tc\\$d\\\\e\\qf"', {A: 'a\nb\tc$d\\e\\qf'}],
		['A="ends with backslash\\\\"', {A: 'ends with backslash\\'}],
		["A='single \\\" kept'", {A: 'single \\" kept'}],
		["A='a' # a comment", {A: 'a'}],
		['A="a" # a comment', {A: 'a'}],
		['A=val # a comment', {A: 'val'}],
		['A=val#not-a-comment', {A: 'val#not-a-comment'}],
		['  \tA=1 \t', {A: '1'}],
		['export  A=1', {A: '1'}],
		['exportA=1', {exportA: '1'}],
		['A = 2', {A: '2'}],
		['A=', {A: ''}],
		["A=''", {A: ''}],
		['A=""', {A: ''}],
		['garbage line\nB=1', {B: '1'}],
		['1A=x\nB=1', {B: '1'}],
		['  # indented comment\nB=1', {B: '1'}],
		["A='first\nsecond'\nB=1", {A: 'first\nsecond', B: '1'}],
		['A="one\n two \\" three"\nB=1', {A: 'one\n two " three', B: '1'}],
		["A='never closed\nB=1", {A: 'never closed\nB=1'}],
		['A="x"y', {A: 'x'}],
		["A='x'\nB=1", {A: 'x', B: '1'}],
		["A='1\n2\n3'\nB=1", {A: '1\n2\n3', B: '1'}],
		['A="say \\"hi\\"\nmore"\nB=1', {A: 'say "hi"\nmore', B: '1'}],
		['A="never closed\nB=1', {A: 'never closed\nB=1'}],
		['A="never closed, ends in a backslash\\', {A: 'never closed, ends in a backslash\\'}],
		['A=val\u00a0', {A: 'val'}],
	])('%j', (text, values) => expect(parseEnv(text)).toEqual(values));
});

describe("userLines: what of an .env is the user's", () => {
	it("drops hatch's own comments and keys; keeps the user's keys (all their lines) and comments", () => {
		const text = [
			'# hatch stem: settings read by docker-compose.yml next to this file.',
			'#--- Identity',
			'# help of a hatch key',
			'STEM_USER=alice',
			'# my note about my key',
			'MY_KEY=1',
			"MULTI='a",
			"b'",
			'# a last note',
		].join('\n');
		expect(userLines(text)).toEqual(['# my note about my key', 'MY_KEY=1', "MULTI='a", "b'", '# a last note']);
	});

	it("drops hatch's titles however indented; keeps a user's comment that only mentions one mid-line", () => {
		expect(userLines('   # --- Identity\n# see the # --- Identity section\nMINE=1\n')).toEqual([
			'# see the # --- Identity section',
			'MINE=1',
		]);
	});

	it('keeps a comment the user wrote above a user key even when it looks like help; drops one above a hatch key', () => {
		expect(userLines('# about MINE\nMINE=1\n# about the user\nSTEM_USER=x\n')).toEqual(['# about MINE', 'MINE=1']);
	});
});

describe('renderEnv', () => {
	it('adds the user section only when there are user lines', () => {
		expect(renderEnv('stem', defaults('stem'))).not.toContain('Your own settings');
		expect(renderEnv('stem', defaults('stem'), ['MINE=1'])).toMatch(
			/\n\n# --- Your own settings \(hatch-wizard keeps these lines as they are\)\nMINE=1\n$/,
		);
		expect(renderEnv('stem', {...defaults('stem'), DROPBOX_PATH_ON_HOST: undefined as unknown as string})).toMatch(
			/^DROPBOX_PATH_ON_HOST=$/m,
		);
	});
});
