// Driving Ink screens in tests. Keys go through the screens' key router (source/ui/keys.ts), which holds
// keys that arrive between two screens for the next one, so a test types without pauses and waits only for
// what it expects to see.
export const KEY = {
	enter: '\r',
	esc: '\u001B',
	down: '\u001B[B',
	up: '\u001B[A',
	ctrlC: '\u0003',
	backspace: '\u007F',
} as const;

/** Types `keys`, one write each, as a person would (a burst is one write: pass them joined). */
export async function press(stdin: {write: (s: string) => void}, ...keys: string[]): Promise<void> {
	for (const k of keys) stdin.write(k);
}

/**
 * Waits until the last frame contains `text` (or fails after `ms`, with the frame). It looks again on every
 * turn of the event loop: a frame is the event waited for, not a time.
 */
export async function waitFor(lastFrame: () => string | undefined, text: string | RegExp, ms = 5000): Promise<string> {
	const start = Date.now();
	for (;;) {
		const frame = lastFrame() ?? '';
		if (typeof text === 'string' ? frame.includes(text) : text.test(frame)) return frame;
		if (Date.now() - start > ms) throw new Error(`timed out waiting for ${String(text)} in:\n${frame}`);
		await new Promise(resolve => setImmediate(resolve));
	}
}

/** Waits until the last frame is no longer `before` (the screen reacted), and returns it. */
export async function waitForChange(
	lastFrame: () => string | undefined,
	before: string | undefined,
	ms = 5000,
): Promise<string> {
	const start = Date.now();
	for (;;) {
		const frame = lastFrame() ?? '';
		if (frame !== (before ?? '')) return frame;
		if (Date.now() - start > ms) throw new Error(`the screen did not change after a key:\n${frame}`);
		await new Promise(resolve => setImmediate(resolve));
	}
}
