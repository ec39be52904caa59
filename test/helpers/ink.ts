// Driving Ink screens in tests: write a key, then give React a moment to re-render and re-subscribe
// its input handlers (React 19 does that late), as a person typing would.
export const KEY = {enter: '\r', esc: '\u001B', down: '\u001B[B', up: '\u001B[A', ctrlC: '\u0003', backspace: '\u007F'} as const;

export const tick = (ms = 15) => new Promise(resolve => setTimeout(resolve, ms));

export async function press(stdin: {write: (s: string) => void}, ...keys: string[]): Promise<void> {
	for (const k of keys) {
		stdin.write(k);
		await tick();
	}
}

/**
 * Waits until the last frame contains `text` (or fails after `ms`), then a little longer: a screen that has
 * just appeared subscribes to input in an effect, and a key sent before that is lost (most so on a busy CI).
 */
export async function waitFor(lastFrame: () => string | undefined, text: string | RegExp, ms = 5000): Promise<string> {
	const start = Date.now();
	for (;;) {
		const frame = lastFrame() ?? '';
		if (typeof text === 'string' ? frame.includes(text) : text.test(frame)) {
			await tick(40);
			return frame;
		}
		if (Date.now() - start > ms) throw new Error(`timed out waiting for ${String(text)} in:\n${frame}`);
		await tick(10);
	}
}
