// The README's pictures are drawn from a terminal's cells (scripts/svg-screen.mjs): text with SGR escapes in,
// an SVG out with that text, its colours and attributes, on the cells where the terminal put them.
import {describe, expect, it} from 'vitest';
import {ANSI, BACKGROUND, FOREGROUND, paletteColor, svgFromAnsi} from '../../scripts/svg-screen.mjs';

const ESC = '\x1b[';
const X0 = 16; // the left padding
const CELL = 8.4;
/** Where column `n` starts, as the SVG writes it (to a tenth). */
const at = (n: number) => Math.round((X0 + n * CELL) * 10) / 10;

/** The <tspan>s of an SVG: where each starts, its attributes and its text. */
function spans(svg: string) {
	return [...svg.matchAll(/<tspan x="([^"]+)" ([^>]*)>([^<]*)<\/tspan>/g)].map(m => ({
		x: m[1]!.split(' ').map(Number),
		attrs: m[2]!,
		text: m[3]!,
	}));
}
const span = (svg: string, text: string) => spans(svg).find(s => s.text === text);
const fill = (attrs: string) => /fill="([^"]+)"/.exec(attrs)?.[1];

describe('a terminal screen as SVG', () => {
	it('draws each run of same-style cells as one tspan, with its colour and weight, at its column', async () => {
		const line =
			`${ESC}1mBold${ESC}0m ${ESC}31mred${ESC}0m ${ESC}92mbright${ESC}0m ${ESC}38;5;208morange${ESC}0m ` +
			`${ESC}38;2;1;2;3mrgb${ESC}0m plain`;
		const svg = await svgFromAnsi(`${line}\n`, {cols: 60, rows: 3, title: 'colours'});
		expect(spans(svg).map(s => s.text)).toEqual(['Bold', 'red', 'bright', 'orange', 'rgb', 'plain']);
		expect(span(svg, 'Bold')).toEqual({x: [at(0)], attrs: `fill="${FOREGROUND}" font-weight="bold"`, text: 'Bold'});
		expect(fill(span(svg, 'red')!.attrs)).toBe(ANSI[1]);
		expect(fill(span(svg, 'bright')!.attrs)).toBe(ANSI[10]);
		expect(fill(span(svg, 'orange')!.attrs)).toBe('#ff8700'); // xterm's 208: the cube's (5, 2, 0)
		expect(fill(span(svg, 'rgb')!.attrs)).toBe('#010203');
		expect(span(svg, 'red')!.attrs).not.toContain('bold');
		// Each run starts at its own column: "Bold red " puts red at column 5.
		expect(span(svg, 'red')!.x).toEqual([at(5)]);
		expect(span(svg, 'plain')!.x).toEqual([at(line.replace(/\x1b\[[0-9;]*m/g, '').indexOf('plain'))]);
		expect(svg).toContain('<title>colours</title>');
	});

	it('inverse swaps the colours (a background rect, the text in the background colour); dim mixes halfway', async () => {
		const svg = await svgFromAnsi(`ab${ESC}7mINV${ESC}27m ${ESC}2mdim${ESC}22m\n`, {cols: 20, rows: 2, title: 't'});
		expect(fill(span(svg, 'INV')!.attrs)).toBe(BACKGROUND);
		expect(svg).toMatch(
			new RegExp(
				`<rect x="${at(2)}" y="[\\d.]+" width="${Math.round(3 * CELL * 10) / 10}" height="17" fill="${FOREGROUND}"/>`,
			),
		);
		const channels = (c: string) => [1, 3, 5].map(i => Number.parseInt(c.slice(i, i + 2), 16));
		const mid = channels(FOREGROUND).map((v, i) => Math.round((v + channels(BACKGROUND)[i]!) / 2));
		expect(channels(fill(span(svg, 'dim')!.attrs)!)).toEqual(mid);
	});

	it('escapes text for XML and places each symbol (other than ASCII) on its own cell', async () => {
		const svg = await svgFromAnsi(`a<b & "c"\n${ESC}35m✔ 日本 done${ESC}0m\n`, {cols: 30, rows: 3, title: 'x & y'});
		expect(span(svg, 'a&lt;b &amp; &quot;c&quot;')).toBeDefined();
		expect(svg).toContain('<title>x &amp; y</title>');
		for (const {text} of spans(svg)) expect(text).toMatch(/^(?:[^&<>]|&(?:lt|gt|amp|quot|apos);)*$/);
		expect(span(svg, '✔')!.x).toEqual([at(0)]);
		// A wide character takes two cells: 本 starts two columns after 日.
		expect(span(svg, '日本')!.x).toEqual([at(2), at(4)]);
		expect(span(svg, 'done')!.x).toEqual([at(7)]);
		expect(fill(span(svg, 'done')!.attrs)).toBe(ANSI[5]);
	});

	it('leaves the blank rows at the bottom out, and gives the same bytes for the same screen', async () => {
		const screen = (n: number) => `${Array.from({length: n}, (_, i) => `line ${i}`).join('\n')}\n\n\n`;
		const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
		const two = await svgFromAnsi(screen(2), {cols: 20, rows: 10, title: 't'});
		const five = await svgFromAnsi(screen(5), {cols: 20, rows: 10, title: 't'});
		expect(height(five) - height(two)).toBe(3 * 17);
		expect(spans(five).map(s => s.text)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
		expect(await svgFromAnsi(screen(5), {cols: 20, rows: 10, title: 't'})).toBe(five);
	});

	it('the 256-colour palette: the 16, the 6×6×6 cube, the greys', () => {
		expect(paletteColor(4)).toBe(ANSI[4]);
		expect(paletteColor(16)).toBe('#000000');
		expect(paletteColor(196)).toBe('#ff0000');
		expect(paletteColor(231)).toBe('#ffffff');
		expect(paletteColor(232)).toBe('#080808');
		expect(paletteColor(255)).toBe('#eeeeee');
	});
});
