// How a test waits for something that sends no event of its own (a terminal screen, a process list, a port
// that starts answering, a log that grows): it looks again every `everyMs` until `check` gives a value, and
// fails after `timeoutMs` with what it was waiting for and what it saw. Never a fixed sleep.
export interface UntilOptions {
	timeoutMs?: number;
	everyMs?: number;
}

/** Resolves with the first truthy value of `check`; an error thrown by `check` ends the wait with it. */
export async function until<T>(
	check: () => T | Promise<T>,
	explain: string | (() => string),
	o: UntilOptions = {},
): Promise<Exclude<T, false | undefined | null | '' | 0>> {
	const timeoutMs = o.timeoutMs ?? 60_000;
	const t0 = Date.now();
	for (;;) {
		const value = await check();
		if (value) return value as Exclude<T, false | undefined | null | '' | 0>;
		if (Date.now() - t0 >= timeoutMs)
			throw new Error(`waited ${timeoutMs} ms for ${typeof explain === 'string' ? explain : explain()}`);
		await new Promise(r => setTimeout(r, o.everyMs ?? 50));
	}
}
