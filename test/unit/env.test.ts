import {describe, expect, it} from 'vitest';
import {parseEnv, quoteEnvValue, renderEnv, userLines} from '../../source/core/env.js';
import {defaults, fieldsFor} from '../../source/core/model.js';

const nasty = [
	'',
	'plain',
	'/home/a b/Dropbox',
	'it has # a hash',
	"it's single",
	'say "double"',
	'both \' and "',
	'$HOME and ${USER} and $$',
	'back\\slash \\n \\\\',
	'日本語 é ü',
	'  padded  ',
	'tab\there',
	"'\"$\\'",
	'a=b=c',
	// Line and paragraph separators, NEL, no-break space: JavaScript's `.` and trim() treat them as line ends.
	'/data/a\u2028b',
	'end\u2029',
	'\u2028',
	'nel\u0085 nbsp\u00a0',
];

describe('.env quoting', () => {
	it.each(nasty)('round-trips %j through our own parser', value => {
		expect(parseEnv(`K=${quoteEnvValue(value)}\n`).K).toBe(value);
	});

	it('leaves plain values bare and quotes the rest', () => {
		expect(quoteEnvValue('/home/alice/.ssh/id_ed25519.pub')).toBe('/home/alice/.ssh/id_ed25519.pub');
		expect(quoteEnvValue('a b')).toBe("'a b'");
		expect(quoteEnvValue("it's $x")).toBe('"it\'s \\$x"');
	});
});

describe('renderEnv', () => {
	it('writes every key of the stack once, with its help, and reads back the same values', () => {
		for (const image of ['stem', 'neuron'] as const) {
			const values = {
				...defaults(image),
				DROPBOX_PATH_ON_HOST: "/Users/me/Library/CloudStorage/Dropbox (Personal)/it's",
			};
			const text = renderEnv(image, values);
			const back = parseEnv(text);
			expect(back).toEqual(values);
			for (const f of fieldsFor(image)) {
				expect(text.split('\n').filter(l => l.startsWith(`${f.key}=`))).toHaveLength(1);
				expect(text).toContain(`# ${f.help}`);
				// The keys compose cannot follow from .env say so where the user edits them.
				const note =
					`# ${f.help}. docker-compose.yml is written for it: after changing it, run hatch-wizard ` +
					`again\n${f.key}=`;
				if (f.written) expect(text).toContain(note);
				else expect(text).not.toContain(note);
			}
		}
		expect(renderEnv('stem', defaults('stem'))).not.toContain('NEURON_');
	});

	it('parses plain compose .env files too (comments, export, spaces)', () => {
		expect(parseEnv('# c\nexport A=1\nB = two # note\nC="x\\"y"\n\nD=\'q\'\n')).toEqual({
			A: '1',
			B: 'two',
			C: 'x"y',
			D: 'q',
		});
	});
});

describe('a user setting that runs over several lines (compose reads quoted values that way)', () => {
	const text = 'STEM_USER=alice\nNOTE=\'first line\nsecond line\'\nOTHER="a\nb \\" c"\nLAST=x\n';
	it('is read whole', () => {
		expect(parseEnv(text)).toMatchObject({
			STEM_USER: 'alice',
			NOTE: 'first line\nsecond line',
			OTHER: 'a\nb " c',
			LAST: 'x',
		});
	});
	it('is kept whole when hatch rewrites the file', () => {
		expect(userLines(text)).toEqual(["NOTE='first line", "second line'", 'OTHER="a', 'b \\" c"', 'LAST=x']);
		const rewritten = renderEnv('stem', {...defaults('stem'), STEM_USER: 'bob'}, userLines(text));
		expect(parseEnv(rewritten)).toMatchObject({
			STEM_USER: 'bob',
			NOTE: 'first line\nsecond line',
			OTHER: 'a\nb " c',
			LAST: 'x',
		});
	});
});

describe("the user's comments", () => {
	it('survive a rewrite; the help and titles hatch writes are not doubled', () => {
		const first = renderEnv('stem', defaults('stem'));
		const edited =
			first.replace('STEM_USER=dev\n', 'STEM_USER=dev\n# my laptop, not the server\n') +
			'# why MY_KEY: the CI box\nMY_KEY=1\n';
		const again = renderEnv('stem', {...defaults('stem'), STEM_USER: 'bob'}, userLines(edited));
		expect(again).toContain('# my laptop, not the server\n');
		expect(again).toContain('# why MY_KEY: the CI box\nMY_KEY=1\n');
		// Rewriting once more changes nothing: hatch's own comments are not taken for the user's.
		expect(renderEnv('stem', {...defaults('stem'), STEM_USER: 'bob'}, userLines(again))).toBe(again);
	});
});
