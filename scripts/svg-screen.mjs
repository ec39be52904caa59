// A terminal screen as a self-contained SVG: the text with its escape sequences (SGR colours and attributes,
// as `tmux capture-pane -e -p` prints them) goes through a headless xterm, and its cell grid is drawn: the
// background of each run of cells with one colour, and one <tspan> per run of cells with one style, down to the
// last row that is not blank. Deterministic: the same screen gives the same bytes.
import xterm from '@xterm/headless';

const FONT_SIZE = 14;
const CELL_W = 8.4; // 0.6 em: the advance of the common monospace fonts
const CELL_H = 17;
const PAD = 16;
const BAR = 28; // the window's title bar, with its three dots
const FONTS = "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

export const BACKGROUND = '#1b1e24';
export const FOREGROUND = '#d7dae0';
/** The 16 ANSI colours: black, red, green, yellow, blue, magenta, cyan, white, then their bright forms. */
export const ANSI = [
	'#3f4451',
	'#e06c75',
	'#98c379',
	'#e5c07b',
	'#61afef',
	'#c678dd',
	'#56b6c2',
	'#d7dae0',
	'#5c6370',
	'#ff7b86',
	'#b5e890',
	'#ffd68a',
	'#7cc4ff',
	'#e599f7',
	'#6fd6e2',
	'#ffffff',
];

const hex = n => `#${n.toString(16).padStart(6, '0')}`;
const rgb = (r, g, b) => hex((r << 16) | (g << 8) | b);

/** A colour of the 256-colour palette: the 16 above, a 6×6×6 cube, then 24 greys. */
export function paletteColor(index) {
	if (index < 16) return ANSI[index];
	if (index < 232) {
		const level = v => (v === 0 ? 0 : 55 + v * 40);
		const i = index - 16;
		return rgb(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
	}
	const grey = 8 + (index - 232) * 10;
	return rgb(grey, grey, grey);
}

/** Halfway from `color` to `toward`: how a dim (faint) colour is drawn. */
function blend(color, toward) {
	const parts = c => [1, 3, 5].map(i => Number.parseInt(c.slice(i, i + 2), 16));
	const [a, b] = [parts(color), parts(toward)];
	return rgb(...a.map((v, i) => Math.round((v + b[i]) / 2)));
}

const ascii = s => /^[\x20-\x7e]*$/.test(s);
const num = v => String(Math.round(v * 10) / 10);
const xml = s =>
	s.replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'})[c]);

function colorOf(cell, fg) {
	if (fg ? cell.isFgDefault() : cell.isBgDefault()) return undefined;
	const value = fg ? cell.getFgColor() : cell.getBgColor();
	return (fg ? cell.isFgRGB() : cell.isBgRGB()) ? hex(value) : paletteColor(value);
}

/** How one cell is drawn: its text colour and attributes, and its background (undefined: the screen's). */
function styleOf(cell) {
	let fg = colorOf(cell, true);
	let bg = colorOf(cell, false);
	if (cell.isInverse()) [fg, bg] = [bg ?? BACKGROUND, fg ?? FOREGROUND];
	fg ??= FOREGROUND;
	if (cell.isDim()) fg = blend(fg, bg ?? BACKGROUND);
	const attrs = [`fill="${fg}"`];
	if (cell.isBold()) attrs.push('font-weight="bold"');
	if (cell.isItalic()) attrs.push('font-style="italic"');
	const lines = [cell.isUnderline() && 'underline', cell.isStrikethrough() && 'line-through'].filter(Boolean);
	if (lines.length) attrs.push(`text-decoration="${lines.join(' ')}"`);
	return {text: attrs.join(' '), bg, hidden: cell.isInvisible()};
}

/** Writes `ansi` (lines separated by \n) to a headless terminal of `cols`×`rows` and returns its cells. */
async function cells(ansi, cols, rows) {
	const term = new xterm.Terminal({cols, rows, scrollback: 0, allowProposedApi: true});
	const lines = ansi.replace(/\n$/, '').split('\n').slice(0, rows);
	await new Promise(done => term.write(lines.join('\r\n'), done));
	const buffer = term.buffer.active;
	const grid = [];
	for (let y = 0; y < rows; y++) {
		const line = buffer.getLine(buffer.viewportY + y);
		const row = [];
		for (let x = 0; x < cols; x++) {
			const cell = line?.getCell(x);
			if (!cell || cell.getWidth() === 0) continue; // the second half of a wide character
			row.push({x, width: cell.getWidth(), chars: cell.getChars() || ' ', style: styleOf(cell)});
		}
		grid.push(row);
	}
	term.dispose();
	return grid;
}

/** One row's runs of cells for which `key` is the same, each as {x (its first column), cells}. */
function runs(row, key) {
	const out = [];
	for (const cell of row) {
		const last = out.at(-1);
		if (last && key(last.cells[0]) === key(cell)) last.cells.push(cell);
		else out.push({x: cell.x, cells: [cell]});
	}
	return out;
}

/**
 * The screen as an SVG document. A run of ASCII takes one x (the font's own advance); a run of other characters
 * (symbols a fallback font may draw at another width) places each one on its cell.
 */
export async function svgFromAnsi(ansi, {cols, rows, title}) {
	const all = await cells(ansi, cols, rows);
	// The blank rows at the bottom are left out: the picture ends where the screen's content does.
	const grid = all.slice(0, Math.max(1, all.findLastIndex(row => row.some(c => c.chars !== ' ' || c.style.bg)) + 1));
	const width = PAD * 2 + cols * CELL_W;
	const height = BAR + PAD + grid.length * CELL_H;
	const top = y => BAR + PAD / 2 + y * CELL_H;
	const out = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${height}" ` +
			`viewBox="0 0 ${num(width)} ${height}" xml:space="preserve">`,
		`<title>${xml(title)}</title>`,
		`<rect width="100%" height="100%" rx="8" fill="${BACKGROUND}"/>`,
		...['#ff5f57', '#febc2e', '#28c840'].map((c, i) => `<circle cx="${18 + i * 20}" cy="14" r="6" fill="${c}"/>`),
	];
	grid.forEach((row, y) => {
		for (const run of runs(row, c => c.style.bg ?? '')) {
			const bg = run.cells[0].style.bg;
			const span = run.cells.reduce((n, c) => n + c.width, 0);
			if (bg) {
				out.push(
					`<rect x="${num(PAD + run.x * CELL_W)}" y="${top(y)}" width="${num(span * CELL_W)}" ` +
						`height="${CELL_H}" fill="${bg}"/>`,
				);
			}
		}
	});
	out.push(`<g font-family="${FONTS}" font-size="${FONT_SIZE}">`);
	grid.forEach((row, y) => {
		const spans = [];
		// ASCII and other characters go to runs of their own, so each run of ASCII takes a single x.
		const key = c => (c.style.hidden ? 'hidden' : `${ascii(c.chars)} ${c.style.text}`);
		for (const run of runs(row, key)) {
			if (run.cells[0].style.hidden) continue;
			// Leading and trailing blanks draw nothing (their background is drawn above).
			const first = run.cells.findIndex(c => c.chars !== ' ');
			if (first < 0) continue;
			const last = run.cells.findLastIndex(c => c.chars !== ' ');
			const shown = run.cells.slice(first, last + 1);
			const text = shown.map(c => c.chars).join('');
			const xs = ascii(text) ? [shown[0]] : shown;
			const x = xs.map(c => num(PAD + c.x * CELL_W)).join(' ');
			spans.push(`<tspan x="${x}" ${run.cells[0].style.text}>${xml(text)}</tspan>`);
		}
		if (spans.length) out.push(`<text y="${num(top(y) + CELL_H * 0.78)}">${spans.join('')}</text>`);
	});
	out.push('</g>', '</svg>', '');
	return out.join('\n');
}
