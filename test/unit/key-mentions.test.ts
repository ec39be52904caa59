// A source-text measure, not a behaviour (so the mutation run, whose source is instrumented, leaves it out): a
// setting declared once in FIELDS needs no other file to know its key's name.
import {describe, expect, it} from 'vitest';
import {keyMentions} from '../../scripts/key-mentions.mjs';
import {FIELDS} from '../../source/core/model.js';

describe('key mentions', () => {
	it('each .env key is spelled in 1.5 source files at most on average (the model; messages take it from KEY)', () => {
		const rows = keyMentions();
		expect(rows.map(r => r.key).sort()).toEqual(FIELDS.map(f => f.key).sort());
		const mean = rows.reduce((n, r) => n + r.where.length, 0) / rows.length;
		expect(rows.filter(r => r.where.length > 2)).toEqual([]);
		expect(mean).toBeLessThanOrEqual(1.5);
	});
});
