// The built CLI in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen.
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {BIN} from './cli.js';
import {until} from './until.js';

const sessions: string[] = [];
export function killSessions(): void {
	for (const s of sessions.splice(0)) spawnSync('tmux', ['kill-session', '-t', s]);
}

export function start(env: Record<string, string>, args: string[]) {
	const name = `hatch-tty-${process.pid}-${sessions.length}-${Date.now() % 100000}`;
	sessions.push(name);
	// The tmux server may be older than this test and have another environment: pass the engine address on,
	// so outside the e2e suite the program reaches no engine (vitest.config.ts), and inside it the test's.
	const engine = Object.fromEntries(
		['DOCKER_HOST', 'DOCKER_CONTEXT'].filter(k => process.env[k] !== undefined).map(k => [k, process.env[k]!]),
	);
	const vars = Object.entries({...engine, ...env})
		.map(([k, v]) => `${k}='${v}'`)
		.join(' ');
	// stderr goes to a file too, so a failure can say what the program said before the screen was redrawn.
	const errFile = `/tmp/${name}.stderr`;
	const cmd =
		`env -u CI ${vars} node ${BIN} ${args.join(' ')} 2>${errFile}; echo "EXIT=$?"; stty -a | grep -o ` +
		`-- '-\\?icanon' | head -1; sleep 60`;
	execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', '140', '-y', '50', cmd]);
	const stderr = () => {
		try {
			return readFileSync(errFile, 'utf8');
		} catch {
			return '(none)';
		}
	};
	const screen = (escapes = false) =>
		execFileSync('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name], {encoding: 'utf8'});
	const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', name, ...k]);
	/** Writes `data` to the program in one write, as a paste or a fast SSH link delivers a burst of keys. */
	const burst = (data: string) => {
		execFileSync('tmux', ['set-buffer', '-b', name, '--', data]);
		execFileSync('tmux', ['paste-buffer', '-d', '-b', name, '-t', name]);
	};
	const waitFor = (text: string, ms = 10_000) =>
		until(
			() => {
				const s = screen();
				return s.includes(text) && s;
			},
			() => `"${text}" on screen:\n${screen()}\nstderr:\n${stderr()}`,
			{timeoutMs: ms},
		);
	/**
	 * Presses Enter until `text` shows: only on a screen that asks for it ("Enter next" in its footer, and a
	 * field), so a screen still loading (a spinner) never gets an Enter meant for the one after it.
	 */
	// At most ~40 s, so a stuck screen fails here with the screen in the message, not as a test timeout.
	const enterUntil = async (text: string, max = 40) => {
		const t0 = Date.now();
		const left = () => Math.max(1, 40_000 - (Date.now() - t0));
		const never = () => `"${text}":\n${screen()}\nstderr:\n${stderr()}`;
		for (let n = 0; n < max; ) {
			// A screen that stays put without asking anything (the program went past `text`) ends the wait too.
			if (Date.now() - t0 > 40_000) break;
			// A capture can catch the program halfway through redrawing (the old footer under the new prompt): a
			// screen counts once two captures in a row agree.
			let last = screen();
			const before = await until(
				() => {
					const now = screen();
					const same = now === last && now;
					last = now;
					return same;
				},
				never,
				{timeoutMs: left(), everyMs: 20},
			);
			if (before.includes(text)) return before;
			// A field on screen (a list's ❯ or a text field's ›), not just the footer: the image screen shows its
			// footer while a spinner waits for the host checks, and an Enter there would answer the next screen.
			if (!before.includes('Enter next') || !/❯ |› /.test(before)) continue;
			keys('Enter');
			n++;
			// The next Enter only once this screen has reacted: one more would wait for the next field and answer it.
			await until(() => screen() !== before, never, {timeoutMs: left(), everyMs: 20});
		}
		throw new Error(`never reached ${never()}`);
	};
	return {screen, keys, burst, waitFor, enterUntil};
}
