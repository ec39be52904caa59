// The welcome screen as it first appears (the host's facts and the presets still loading), written as plain
// text the moment the command line is read: the terminal UI library takes a few hundred milliseconds to load,
// and the screen should not wait for it. The wizard's first frame then replaces it, line for line the same
// (ui/Welcome.test.tsx checks that they match).

const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;
const cyan = (s: string) => `\x1b[36m${s}\x1b[39m`;
const green = (s: string) => `\x1b[32m${s}\x1b[39m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[22m`;
/** The spinner's first frame (cli-spinners' "dots", as @inkjs/ui's Spinner draws it). */
const SPIN = '⠋';

export interface FirstFrame {
	version: string;
	identity: {user: string; uid: number; gid: number; hostname: string};
	/** The probes' labels, in the order the welcome screen lists them. */
	labels: readonly string[];
}

/** The lines of the welcome screen before any probe has answered and before the presets are loaded. */
export function firstFrameLines({version, identity, labels}: FirstFrame, color = true): string[] {
	const c = (paint: (s: string) => string, s: string) => (color ? paint(s) : s);
	return [
		`${c(s => bold(cyan(s)), `hatch-wizard ${version}`)} — SSH-able dev containers for this Docker host`,
		'',
		c(bold, 'This host'),
		`${c(green, '✔')} ${'you'.padEnd(9)} ${identity.user} (${identity.uid}:${identity.gid}) on ${identity.hostname}`,
		...labels.map(label => `${label.padEnd(10)}${SPIN} checking…`),
		'',
		c(bold, 'Start from'),
		`${SPIN} loading presets…`,
		c(dim, '↑↓ choose · Enter next · Ctrl-C quit'),
	];
}

/** Rows the lines take on a terminal `columns` wide (a long line wraps). */
export function rowsOf(lines: string[], columns: number): number {
	const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
	return lines.reduce((n, l) => n + Math.max(1, Math.ceil(width(l) / Math.max(1, columns))), 0);
}

/** Moves the cursor back to where the first frame began and clears it, for the real first frame to take over. */
export function eraseRows(rows: number): string {
	return rows > 0 ? `\x1b[${rows}A\r\x1b[J` : '';
}
