// The process layer (source/docker/proc.ts) with real child processes (sh and node, never docker): what
// reaches the child (environment, folder), how output is cut into clean lines whatever the chunks, the
// bounded tail, the log file, and how a cancel or a signal to hatch stops a whole process group.
import {chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, onTestFinished, vi} from 'vitest';
import {cleanLine} from '../../source/docker/buildkit.js';
import {composeEnv, cutLines, onInterrupt, realProc, run, stream} from '../../source/docker/proc.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hatch-proc-'));
const PATH = process.env.PATH!;

afterEach(() => vi.unstubAllEnvs());

/** A promise for the first line that matches, fed by onLine. */
function lineWaiter(re: RegExp) {
	let hit: (l: string) => void = () => {};
	const seen = new Promise<string>(r => (hit = r));
	const lines: string[] = [];
	return {
		seen,
		lines,
		onLine: (l: string) => {
			lines.push(l);
			if (re.test(l)) hit(l);
		},
	};
}

/** Whether a process is still there. */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

describe('run', () => {
	it('captures output and the exit code, in the folder given, with exactly the environment given', async () => {
		vi.stubEnv('HATCH_OUTER', 'leaks');
		const dir = tmp();
		const r = await run('sh', ['-c', 'echo "out:$INNER:$HATCH_OUTER"; pwd; echo err >&2; exit 3'], {
			cwd: dir,
			env: {PATH, INNER: 'x'},
		});
		expect(r).toEqual({exitCode: 3, stdout: `out:x:\n${dir}`, stderr: 'err', timedOut: false});
	});

	it('without an environment given, the child gets hatch’s own', async () => {
		vi.stubEnv('HATCH_OUTER', 'kept');
		expect((await run('sh', ['-c', 'echo $HATCH_OUTER'])).stdout).toBe('kept');
		expect((await realProc.run('sh', ['-c', 'echo $HATCH_OUTER'])).stdout).toBe('kept');
	});

	it('a program that is not there: exit 127, not a crash', async () => {
		expect(await run('hatch-no-such-program', [])).toMatchObject({exitCode: 127, stdout: '', timedOut: false});
	});

	it('a program past its deadline is stopped and says so', async () => {
		const r = await run('sh', ['-c', 'echo started; exec sleep 30'], {timeoutMs: 200});
		expect(r).toMatchObject({exitCode: 127, timedOut: true});
	});

	it('one that ignores the stop is killed after its grace, even with a child holding its output open', async () => {
		// The background job inherits the ignored TERM and the output pipes, and outlives the shell: the run ends
		// with the shell, while the job still holds the pipes (had the run waited for them, "late" would be there).
		const r = await run(
			'sh',
			['-c', 'trap "" TERM; printf "a\\r\\nb\\n\\n"; echo e >&2; { sleep 30; echo late; } & echo "pid $!" >&2; wait'],
			{timeoutMs: 200, killAfterMs: 100},
		);
		const pid = Number(/pid (\d+)/.exec(r.stderr)![1]);
		try {
			expect(() => process.kill(pid, 0)).not.toThrow(); // still there: the run did not wait for it
			expect(r).toEqual({exitCode: 127, stdout: 'a\r\nb\n', stderr: `e\npid ${pid}`, timedOut: true});
		} finally {
			process.kill(pid, 'SIGKILL');
		}
	});

	it('one that ends on its own when stopped at its deadline still says it was stopped: exit 127', async () => {
		const script = `process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
		expect(await run('node', ['-e', script], {timeoutMs: 500})).toEqual({
			exitCode: 127,
			stdout: '',
			stderr: '',
			timedOut: true,
		});
	});

	it('one on the terminal is stopped at its deadline too', async () => {
		expect(await run('sh', ['-c', 'exec sleep 30'], {inherit: true, timeoutMs: 100})).toEqual({
			exitCode: 127,
			stdout: '',
			stderr: '',
			timedOut: true,
		});
	});

	it('one that ends before its deadline leaves no timer behind (hatch would stay up until the deadline)', async () => {
		const timers = () => process.getActiveResourcesInfo().filter(r => r === 'Timeout').length;
		const before = timers();
		expect(await run('sh', ['-c', 'echo quick'], {timeoutMs: 60_000})).toMatchObject({exitCode: 0, stdout: 'quick'});
		expect(timers()).toBe(before);
	});

	it('to the terminal: nothing captured', async () => {
		expect(await run('sh', ['-c', 'printf " "'], {inherit: true})).toEqual({
			exitCode: 0,
			stdout: '',
			stderr: '',
			timedOut: false,
		});
	});

	it('stdin is closed: a program that reads it ends at once', async () => {
		expect(await run('sh', ['-c', 'cat; echo after'])).toMatchObject({exitCode: 0, stdout: 'after'});
	});
});

describe('stream', () => {
	it('every line once, in order, whatever the chunks; terminal codes and carriage-return redraws cleaned', async () => {
		// node writes the output in pieces that cut lines, codes and \r\n pairs in the middle.
		const script = `
			const out = ['one\\ntw', 'o\\nthr', 'ee\\n', '\\x1b[2K50%\\r\\x1b[2K100%\\n', 'crlf\\r', '\\nlast-no-newline'];
			const err = ['e1\\ne', '2\\ntail'];
			for (const o of out) process.stdout.write(o);
			for (const e of err) process.stderr.write(e);`;
		const w = lineWaiter(/$^/);
		const r = await stream('node', ['-e', script], {onLine: w.onLine}).done;
		expect(r).toEqual({exitCode: 0, canceled: false, tail: w.lines});
		expect(w.lines.filter(l => !l.startsWith('e') && l !== 'tail')).toEqual([
			'one',
			'two',
			'three',
			'100%',
			'crlf',
			'last-no-newline',
		]);
		expect(w.lines.filter(l => l.startsWith('e') || l === 'tail')).toEqual(['e1', 'e2', 'tail']);
	});

	it('an empty line at the start of a chunk is a line', async () => {
		const script = `process.stdout.write('a\\n'); setImmediate(() => process.stdout.write('\\nb\\n'));`;
		const w = lineWaiter(/$^/);
		await stream('node', ['-e', script], {onLine: w.onLine}).done;
		expect(w.lines).toEqual(['a', '', 'b']);
	});

	it('a code cut between two chunks is still removed', async () => {
		const script = `process.stdout.write('a\\x1b['); setImmediate(() => process.stdout.write('2Kb\\n'));`;
		const w = lineWaiter(/$^/);
		await stream('node', ['-e', script], {onLine: w.onLine}).done;
		expect(w.lines).toEqual(['ab']);
	});

	it('a line longer than one read (so cut over chunks without a line end) is one line, logged once', async () => {
		const logFile = join(tmp(), 'hatch.log');
		const w = lineWaiter(/$^/);
		await stream('node', ['-e', `process.stdout.write('x'.repeat(200000) + '\\n')`], {logFile, onLine: w.onLine}).done;
		expect(w.lines).toEqual(['x'.repeat(200000)]);
		expect(readFileSync(logFile, 'utf8')).toBe(`${'x'.repeat(200000)}\n`);
	});

	it('stdin is closed: a program that reads it ends at once', async () => {
		const w = lineWaiter(/$^/);
		expect(await stream('sh', ['-c', 'cat; echo after'], {onLine: w.onLine}).done).toMatchObject({exitCode: 0});
		expect(w.lines).toEqual(['after']);
	});

	it('a burst of lines in one write: every one parsed, logged and in order, the last one too', async () => {
		const dir = tmp();
		const logFile = join(dir, 'hatch.log');
		// One write of 50k lines (many chunks for the reader), with codes and \r redraws, no final newline.
		const script =
			`const out = []; for (let i = 1; i <= 50000; i++) out.push('\\x1b[2Kx' + i + '\\r#' + i + ' line ' + i + '\\r');` +
			`process.stdout.write(out.join('\\n'));`;
		const lines: string[] = [];
		const r = await stream('node', ['-e', script], {logFile, onLine: l => lines.push(l)}).done;
		const want = Array.from({length: 50000}, (_, i) => `#${i + 1} line ${i + 1}`);
		expect(lines).toEqual(want);
		expect(r.tail).toEqual(want.slice(-200));
		expect(readFileSync(logFile, 'utf8')).toBe(`${want.join('\n')}\n`);
	});

	it('the child sees exactly the environment given plus BUILDKIT_PROGRESS=plain, in the folder given', async () => {
		vi.stubEnv('HATCH_OUTER', 'leaks');
		const dir = tmp();
		const w = lineWaiter(/$^/);
		await stream('sh', ['-c', 'echo "$BUILDKIT_PROGRESS:$INNER:$HATCH_OUTER"; pwd'], {
			cwd: dir,
			env: {PATH, INNER: 'x'},
			onLine: w.onLine,
		}).done;
		expect(w.lines).toEqual(['plain:x:', dir]);
	});

	it('keeps only the last 200 lines in memory, and every line in the log file (0600, folder created)', async () => {
		const dir = tmp();
		const logFile = join(dir, 'logs', 'deep', 'hatch.log');
		let count = 0;
		const r = await stream('sh', ['-c', 'i=1; while [ $i -le 1000 ]; do echo "line $i"; i=$((i+1)); done; exit 4'], {
			logFile,
			onLine: () => count++,
		}).done;
		expect(count).toBe(1000);
		expect(r.exitCode).toBe(4);
		expect(r.tail).toEqual(Array.from({length: 200}, (_, i) => `line ${801 + i}`));
		const log = readFileSync(logFile, 'utf8').split('\n');
		expect(log).toHaveLength(1001);
		expect(log[0]).toBe('line 1');
		expect(log[999]).toBe('line 1000');
		expect(statSync(logFile).mode & 0o777).toBe(0o600);
	});

	it('the last 200 lines of a single write of 300 (one chunk, most likely) are its tail', async () => {
		const script = `process.stdout.write(Array.from({length: 300}, (_, i) => 'l' + i + '\\n').join(''))`;
		const r = await stream('node', ['-e', script], {}).done;
		expect(r.tail).toEqual(Array.from({length: 200}, (_, i) => `l${100 + i}`));
	});

	it('a log file is appended to, not replaced', async () => {
		const logFile = join(tmp(), 'hatch.log');
		writeFileSync(logFile, 'before\n');
		await stream('sh', ['-c', 'echo after'], {logFile}).done;
		expect(readFileSync(logFile, 'utf8')).toBe('before\nafter\n');
	});

	it('a log file that cannot be written does not stop the command', async () => {
		const dir = tmp();
		writeFileSync(join(dir, 'file'), '');
		const readOnly = join(tmp(), 'ro');
		writeFileSync(readOnly, '');
		chmodSync(readOnly, 0o400);
		// A folder where the log file should be: the write stream fails after it was opened.
		for (const logFile of [join(dir, 'file', 'under-a-file.log'), readOnly, tmp()]) {
			const w = lineWaiter(/$^/);
			const r = await stream('sh', ['-c', 'echo still here'], {logFile, onLine: w.onLine}).done;
			expect(r.exitCode).toBe(0);
			expect(w.lines).toEqual(['still here']);
		}
		expect(existsSync(join(dir, 'file', 'under-a-file.log'))).toBe(false);
	});

	it('a program that is not there: a failed result, not a crash', async () => {
		const r = await stream('hatch-no-such-program', [], {}).done;
		expect(r).toEqual({exitCode: 1, canceled: false, tail: []});
	});

	it('cancel sends SIGINT to the whole process group (the compose plugin docker starts too), exit 130', async () => {
		// A child and a grandchild, each saying when it got SIGINT.
		const script =
			`trap 'echo parent-int; exit 130' INT; sh -c 'trap "echo child-int; exit 0" INT; echo ready; ` +
			`while :; do sleep 0.05; done'; echo parent-after`;
		const w = lineWaiter(/^ready$/);
		const s = stream('sh', ['-c', script], {onLine: w.onLine});
		await w.seen;
		s.cancel();
		const r = await s.done;
		expect(r.canceled).toBe(true);
		expect(r.exitCode).toBe(130);
		expect(w.lines).toContain('child-int');
		expect(w.lines).toContain('parent-int');
	});

	it('a group that ignores SIGINT is killed after the grace time; cancel(0) kills at once', async () => {
		for (const grace of [100, 0]) {
			// Killed, not asked to stop: a SIGTERM would end it with "got-term" and exit 0.
			const w = lineWaiter(/^pid \d+$/);
			const script = `trap '' INT; trap 'echo got-term; exit 0' TERM; echo "pid $$"; while :; do sleep 0.05; done`;
			const s = stream('sh', ['-c', script], {onLine: w.onLine});
			const pid = Number((await w.seen).split(' ')[1]);
			s.cancel(grace);
			const r = await s.done;
			expect(r).toMatchObject({canceled: true, exitCode: 130});
			expect(w.lines).toEqual([`pid ${pid}`]);
			expect(alive(pid)).toBe(false);
		}
	});

	it('a signal to hatch stops every running command; a second one kills them', async () => {
		const before = new Set(process.listeners('SIGTERM'));
		const w1 = lineWaiter(/^ready \d+$/);
		const w2 = lineWaiter(/^pid \d+$/);
		const stubbornInterrupted = lineWaiter(/^got-int$/);
		const polite = stream(
			'sh',
			['-c', `trap 'echo got-int; exit 0' INT; echo "ready $$"; while :; do sleep 0.05; done`],
			{
				onLine: w1.onLine,
			},
		);
		// One command running: hatch takes the signals; a second one adds no second handler.
		expect(process.listeners('SIGTERM').filter(l => !before.has(l))).toHaveLength(1);
		// This one says when it is interrupted, and goes on.
		const stubborn = stream('sh', ['-c', `trap 'echo got-int' INT; echo "pid $$"; while :; do sleep 0.05; done`], {
			onLine: line => {
				w2.onLine(line);
				stubbornInterrupted.onLine(line);
			},
		});
		await Promise.all([w1.seen, w2.seen]);
		// Whatever this test finds, neither shell outlives it (each leads a process group of its own).
		const groups = [...w1.lines, ...w2.lines].map(l => Number(/\d+$/.exec(l)?.[0])).filter(Boolean);
		onTestFinished(() => {
			for (const g of groups) {
				try {
					process.kill(-g, 'SIGKILL');
				} catch {
					// already gone
				}
			}
		});
		const ours = process.listeners('SIGTERM').filter(l => !before.has(l));
		expect(ours).toHaveLength(1);
		expect(process.listeners('SIGINT')).toContain(ours[0]);
		expect(process.listeners('SIGHUP')).toContain(ours[0]);
		const onSignal = ours[0] as () => void;
		onSignal();
		expect(await polite.done).toMatchObject({canceled: true});
		expect(w1.lines).toContain('got-int');
		// The other one still runs, so the handler stays.
		await stubbornInterrupted.seen;
		expect(process.listeners('SIGTERM')).toContain(ours[0]);
		onSignal();
		expect(await stubborn.done).toMatchObject({canceled: true, exitCode: 130});
		// The second signal killed it: it was not interrupted again.
		expect(w2.lines.filter(l => l === 'got-int')).toHaveLength(1);
		// Nothing left running: hatch no longer takes the signals.
		expect(process.listeners('SIGTERM').filter(l => !before.has(l))).toEqual([]);
		expect(process.listeners('SIGINT')).not.toContain(ours[0]);
	});
});

describe('cutLines', () => {
	it('cuts whole lines, each cleaned as cleanLine does, and says where the unfinished rest starts', () => {
		const parts = ['', 'a', '\r', '\r\r', 'b\rc', '50%\r100%', 'x\r\r', 'crlf\r', '\ry', 'z\r\rw\r'];
		// Every pair of parts as lines, then an unfinished rest.
		for (const p of parts)
			for (const q of parts) {
				const text = `${p}\n${q}\n${q}\r${p}`;
				expect(cutLines(text)).toEqual({lines: [cleanLine(p), cleanLine(q)], rest: p.length + q.length + 2});
			}
		expect(cutLines('no newline\r')).toEqual({lines: [], rest: 0});
		expect(cutLines('a\r\nb\n\n')).toEqual({lines: ['a', 'b', ''], rest: 6});
	});
});

describe('onInterrupt', () => {
	it(
		'one handler of SIGINT, SIGTERM and SIGHUP for all who ask; it tells each of them; gone when the last one ' +
			'leaves',
		() => {
			const before = new Set(process.listeners('SIGINT'));
			const got: string[] = [];
			const offA = onInterrupt(() => got.push('a'));
			const offB = onInterrupt(() => got.push('b'));
			const ours = process.listeners('SIGINT').filter(l => !before.has(l));
			expect(ours).toHaveLength(1);
			expect(process.listeners('SIGTERM')).toContain(ours[0]);
			expect(process.listeners('SIGHUP')).toContain(ours[0]);
			(ours[0] as () => void)();
			expect(got).toEqual(['a', 'b']);
			offA();
			(ours[0] as () => void)();
			expect(got).toEqual(['a', 'b', 'b']);
			offB();
			for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) expect(process.listeners(sig)).not.toContain(ours[0]);
		},
	);
});

describe('composeEnv', () => {
	it('drops every setting FIELDS declares and every COMPOSE_* variable; keeps the rest; adds what is set', () => {
		vi.stubEnv('STEM_SSH_PORT', '9999');
		vi.stubEnv('COMPOSE_PROJECT_NAME', 'other');
		vi.stubEnv('COMPOSE_FILE', 'x.yml');
		vi.stubEnv('MY_COMPOSE_NOTE', 'kept');
		vi.stubEnv('HATCH_OTHER', 'kept');
		vi.stubEnv('NEURON_GPUS', 'all');
		vi.stubEnv('BINDU_REPO', 'https://example.org/x.git');
		const env = composeEnv({STEM_IMAGE: 'you/stem:1.0.0'});
		expect(env.STEM_SSH_PORT).toBeUndefined();
		expect(env.NEURON_GPUS).toBeUndefined();
		expect(env.BINDU_REPO).toBeUndefined();
		expect(env.COMPOSE_PROJECT_NAME).toBeUndefined();
		expect(env.COMPOSE_FILE).toBeUndefined();
		expect(env.MY_COMPOSE_NOTE).toBe('kept');
		expect(env.HATCH_OTHER).toBe('kept');
		expect(env.PATH).toBe(PATH);
		expect(env.STEM_IMAGE).toBe('you/stem:1.0.0');
		expect(process.env.STEM_SSH_PORT).toBe('9999');
	});
});
