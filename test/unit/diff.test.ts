import {describe, expect, it} from 'vitest';
import {changeWord, diffTones} from '../../source/core/describe.js';
import {unifiedDiff} from '../../source/core/diff.js';
import {rng} from '../helpers/rng.js';

/** Applies a unified diff (as produced here) to `old`; used to check the diff is exact. */
function patch(old: string, diff: string): string {
	const a = old === '' ? [] : old.replace(/\n$/, '').split('\n');
	const out: string[] = [];
	let pos = 0;
	const lines = diff.replace(/\n$/, '').split('\n').slice(2);
	for (let i = 0; i < lines.length; i++) {
		const m = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[i]!);
		if (!m) throw new Error(`bad hunk header ${lines[i]}`);
		const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1;
		while (pos < start) out.push(a[pos++]!);
		while (i + 1 < lines.length && !lines[i + 1]!.startsWith('@@')) {
			const l = lines[++i]!;
			if (l[0] === ' ') {
				expect(a[pos]).toBe(l.slice(1));
				out.push(a[pos++]!);
			} else if (l[0] === '-') {
				expect(a[pos]).toBe(l.slice(1));
				pos++;
			} else out.push(l.slice(1));
		}
	}
	while (pos < a.length) out.push(a[pos++]!);
	return out.length ? `${out.join('\n')}\n` : '';
}

describe('unifiedDiff', () => {
	it('is empty for equal texts', () => expect(unifiedDiff('a\n', 'a\n', 'x', 'y')).toBe(''));

	it('shows a one-line change with context', () => {
		const old = 'a\nb\nc\nd\ne\nf\ng\nh\n';
		const d = unifiedDiff(old, old.replace('e\n', 'E\n'), 'old', 'new');
		expect(d).toBe('--- old\n+++ new\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
	});

	it('a new file, an emptied one, and a missing last newline, as GNU diff writes them', () => {
		expect(unifiedDiff('', 'a\nb\n', 'old', 'new')).toBe('--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n');
		expect(unifiedDiff('a\n', '', 'old', 'new')).toBe('--- old\n+++ new\n@@ -1,1 +0,0 @@\n-a\n');
		expect(unifiedDiff('a\nb', 'a\nb\n', 'old', 'new')).toBe(
			'--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
		);
	});

	it('separate hunks for changes far apart; one hunk when their context meets; the context asked for', () => {
		const old = `${Array.from({length: 20}, (_, i) => `l${i + 1}`).join('\n')}\n`;
		const far = old.replace('l2\n', 'L2\n').replace('l18\n', 'L18\n');
		expect(unifiedDiff(old, far, 'o', 'n')).toBe(
			'--- o\n+++ n\n@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n@@ -15,6 +15,6 @@\n l15\n l16\n ' +
				'l17\n-l18\n+L18\n l19\n l20\n',
		);
		const near = old.replace('l5\n', 'L5\n').replace('l11\n', 'L11\n');
		expect(unifiedDiff(old, near, 'o', 'n').match(/^@@/gm)).toHaveLength(1);
		expect(unifiedDiff(old, far, 'o', 'n', 0)).toBe(
			'--- o\n+++ n\n@@ -2,1 +2,1 @@\n-l2\n+L2\n@@ -18,1 +18,1 @@\n-l18\n+L18\n',
		);
	});

	it('reproduces the new text when applied, over random edits', () => {
		const r = rng(42);
		for (let n = 0; n < 300; n++) {
			const len = Math.floor(r() * 30);
			const old = Array.from({length: len}, () => `l${Math.floor(r() * 8)}`);
			const neu = old.filter(() => r() > 0.2).map(l => (r() > 0.85 ? `${l}x` : l));
			if (r() > 0.5) neu.splice(Math.floor(r() * (neu.length + 1)), 0, 'inserted');
			const o = old.length ? `${old.join('\n')}\n` : '';
			const w = neu.length ? `${neu.join('\n')}\n` : '';
			const d = unifiedDiff(o, w, 'a', 'b');
			if (o === w) expect(d).toBe('');
			else expect(patch(o, d)).toBe(w);
		}
	});
});

describe('the words and tones of a file change, shared by the screens and the plain output', () => {
	it('changeWord: before a write and after it', () => {
		expect(['new', 'changed', 'unchanged'].map(s => changeWord(s as 'new'))).toEqual(['create', 'update', 'unchanged']);
		expect(['new', 'changed', 'unchanged'].map(s => changeWord(s as 'new', true))).toEqual([
			'created',
			'updated',
			'unchanged',
		]);
	});

	it(
		'diffTones: added and removed lines, not the file headers; hunk headers; the rest plain; no empty ' + 'last line',
		() => {
			expect(diffTones('--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n\\ No newline at end of file\n')).toEqual([
				{text: '--- a', tone: 'plain'},
				{text: '+++ b', tone: 'plain'},
				{text: '@@ -1,2 +1,2 @@', tone: 'hunk'},
				{text: ' x', tone: 'plain'},
				{text: '-y', tone: 'removed'},
				{text: '+z', tone: 'added'},
				{text: '\\ No newline at end of file', tone: 'plain'},
			]);
		},
	);
});
