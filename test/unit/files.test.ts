// Reading files the user names (never waiting on a FIFO or a device, never reading a huge file) and keeping
// hatch's own files (atomic replace, a lock that lets concurrent writers take turns).
import {spawn, spawnSync} from 'node:child_process';
import {
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	statSync,
	symlinkSync,
	unlinkSync,
	writeFileSync,
} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {buildTs} from '../../scripts/load-ts.mjs';
import {FileError, readBounded, sizeWords, withLock, writeAtomic} from '../../source/files.js';

const dir = mkdtempSync(join(tmpdir(), 'hatch-files-'));

/** The message of the FileError that `fn` throws. */
function refusal(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(FileError);
		return (error as Error).message;
	}
	throw new Error('it was not refused');
}

describe('readBounded', () => {
	it('reads a regular file, up to the limit exactly', () => {
		const f = join(dir, 'ten');
		writeFileSync(f, 'héllo, wo\n');
		expect(readBounded(f, 11)).toBe('héllo, wo\n');
		expect(refusal(() => readBounded(f, 10, 'the preset file'))).toBe(
			`the preset file ${f} is 11 bytes; hatch reads at most 10 bytes there`,
		);
	});

	it('refuses a FIFO at once, without waiting for a writer, and through a link too', () => {
		const fifo = join(dir, 'pipe');
		spawnSync('mkfifo', [fifo]);
		expect(statSync(fifo).isFIFO()).toBe(true);
		expect(refusal(() => readBounded(fifo, 1000, 'the preset file'))).toBe(
			`the preset file ${fifo} is a FIFO (named pipe): give the path of a regular file`,
		);
		const link = join(dir, 'pipe-link');
		symlinkSync(fifo, link);
		expect(refusal(() => readBounded(link, 1000))).toContain('is a FIFO');
	});

	it('refuses a device, a folder and a missing file, naming each', () => {
		expect(refusal(() => readBounded('/dev/zero', 1000, 'the key file'))).toBe(
			'the key file /dev/zero is a device: give the path of a regular file',
		);
		expect(refusal(() => readBounded(dir, 1000))).toBe(`the file ${dir} is a folder: give the path of a regular file`);
		const missing = join(dir, 'nothing-here');
		const e = (() => {
			try {
				readBounded(missing, 1000);
			} catch (error) {
				return error as FileError;
			}
		})();
		expect(e?.message).toBe(`the file ${missing} does not exist`);
		expect(e?.code).toBe('ENOENT');
	});

	it('says sizes in words', () => {
		expect(sizeWords(999)).toBe('999 bytes');
		expect(sizeWords(1000)).toBe('1 kB');
		expect(sizeWords(999_499)).toBe('999 kB');
		expect(sizeWords(1_000_000)).toBe('1.0 MB');
		expect(sizeWords(62_914_560)).toBe('62.9 MB');
	});

	it('refuses a socket, and names an error it has no words for by its code', async () => {
		const sock = join(dir, 'sock');
		const server = createServer();
		await new Promise<void>(resolve => server.listen(sock, resolve));
		try {
			expect(refusal(() => readBounded(sock, 1000))).toBe(
				`the file ${sock} is a socket: give the path of a regular file`,
			);
		} finally {
			server.close();
		}
		const loop = join(dir, 'loop');
		symlinkSync(loop, loop);
		expect(refusal(() => readBounded(loop, 1000))).toBe(`the file ${loop} cannot be opened (ELOOP)`);
	});

	it('reads a file whose size says 0 to its end (as in /proc), and stops one byte past the limit', () => {
		const status = readBounded('/proc/self/status', 1_000_000);
		expect(status).toMatch(/^Name:/);
		expect(status).toContain('\nPid:');
		expect(refusal(() => readBounded('/proc/self/status', 10, 'the status'))).toBe(
			'the status /proc/self/status holds more than 10 bytes; hatch reads no more',
		);
		// A file larger than one read, read whole.
		const big = join(dir, 'big');
		writeFileSync(big, 'x'.repeat(200_000));
		expect(readBounded(big, 200_000)).toHaveLength(200_000);
	});

	it('leaves no file open, whether it reads or refuses', () => {
		const open = () => readdirSync('/proc/self/fd').length;
		const fifo = join(dir, 'fd-pipe');
		spawnSync('mkfifo', [fifo]);
		const small = join(dir, 'fd-small');
		writeFileSync(small, 'abc');
		const before = open();
		for (let i = 0; i < 5; i++) {
			readBounded(small, 10);
			expect(() => readBounded(fifo, 10)).toThrow(FileError);
			expect(() => readBounded(small, 1)).toThrow(FileError);
			expect(() => readBounded('/proc/self/status', 10)).toThrow(FileError);
			writeAtomic(join(dir, 'fd-out'), 'x', 0o600);
			withLock(join(dir, 'fd-lock'), () => {});
		}
		expect(open()).toBe(before);
	});
});

describe('writeAtomic', () => {
	it('replaces a file whole, with the mode asked, and leaves no temp file', () => {
		const f = join(dir, 'atomic', 'store.json');
		spawnSync('mkdir', ['-p', join(dir, 'atomic')]);
		writeFileSync(f, 'old');
		writeAtomic(f, 'new', 0o600);
		expect(readFileSync(f, 'utf8')).toBe('new');
		expect(statSync(f).mode & 0o777).toBe(0o600);
		expect(readdirSync(join(dir, 'atomic'))).toEqual(['store.json']);
	});
});

describe('withLock', () => {
	it('runs the function holding <path>.lock, and removes the lock after, even when the function throws', () => {
		const f = join(dir, 'locked.json');
		const seen = withLock(f, () => readFileSync(`${f}.lock`, 'utf8'));
		expect(seen).toBe(String(process.pid));
		expect(existsSync(`${f}.lock`)).toBe(false);
		expect(() =>
			withLock(f, () => {
				throw new Error('inside');
			}),
		).toThrow('inside');
		expect(existsSync(`${f}.lock`)).toBe(false);
	});

	it('takes over a lock left by a process that is gone', async () => {
		const f = join(dir, 'stale.json');
		const gone = spawn(process.execPath, ['-e', '0']);
		const pid = gone.pid!;
		await new Promise(resolve => gone.once('exit', resolve));
		writeFileSync(`${f}.lock`, String(pid));
		expect(withLock(f, () => 'ran')).toBe('ran');
		expect(existsSync(`${f}.lock`)).toBe(false);
	});

	it('gives up on a lock held by a live process after the wait, naming the lock file and its holder', () => {
		const f = join(dir, 'held.json');
		writeFileSync(`${f}.lock`, String(process.pid));
		expect(refusal(() => withLock(f, () => 'ran', 30))).toBe(
			`${f}.lock is held by process ${process.pid}; if no hatch-wizard is running, delete that file and try again`,
		);
		// Still there: it belongs to its holder.
		expect(readFileSync(`${f}.lock`, 'utf8')).toBe(String(process.pid));
	});

	it('does not take over a lock whose holder it cannot tell, and fails at once where no lock can be made', () => {
		for (const [content, shown] of [
			['not a pid', '?'],
			['0', '0'],
			['-1', '-1'],
		]) {
			const f = join(dir, `odd-${shown}.json`);
			writeFileSync(`${f}.lock`, content!);
			expect(refusal(() => withLock(f, () => 'ran', 20))).toBe(
				`${f}.lock is held by process ${shown}; if no hatch-wizard is running, delete that file and try again`,
			);
		}
		expect(() => withLock(join(dir, 'no-such-folder', 'x.json'), () => 'ran')).toThrow(/ENOENT/);
	});

	describe('other processes', () => {
		let script: string;
		beforeAll(async () => {
			const entry = join(dir, 'add.ts');
			writeFileSync(
				entry,
				[
					`import {readFileSync} from 'node:fs';`,
					`import {withLock, writeAtomic} from ${JSON.stringify(join(import.meta.dirname, '../../source/files.ts'))};`,
					'const [file, name] = process.argv.slice(2);',
					`console.log('taking the lock');`,
					'withLock(file, () => {',
					`	const list = JSON.parse(readFileSync(file, 'utf8'));`,
					'	writeAtomic(file, JSON.stringify([...list, name]), 0o600);',
					'});',
				].join('\n'),
			);
			script = join(dir, 'add.mjs');
			await buildTs(entry, script);
		});

		it('a writer waits while a live process holds the lock, and goes on when it lets go', async () => {
			const f = join(dir, 'busy.json');
			writeFileSync(f, '[]');
			// This test's own process holds the lock: it is alive, so the writer must wait for it.
			writeFileSync(`${f}.lock`, String(process.pid));
			const writer = spawn(process.execPath, [script, f, 'late'], {stdio: ['ignore', 'pipe', 'inherit']});
			const exited = new Promise<number | null>(resolve => writer.once('exit', resolve));
			await new Promise(resolve => writer.stdout!.once('data', resolve));
			expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual([]);
			unlinkSync(`${f}.lock`);
			expect(await exited).toBe(0);
			expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual(['late']);
		});

		it('each read, change and write the same file under the lock, and no change is lost', async () => {
			const f = join(dir, 'shared.json');
			writeFileSync(f, '[]');
			const names = Array.from({length: 10}, (_, i) => `p${i}`);
			const exits = await Promise.all(
				names.map(
					name =>
						new Promise<number | null>(resolve =>
							spawn(process.execPath, [script, f, name], {stdio: ['ignore', 'ignore', 'inherit']}).once(
								'exit',
								resolve,
							),
						),
				),
			);
			expect(exits).toEqual(names.map(() => 0));
			expect(JSON.parse(readFileSync(f, 'utf8')).sort()).toEqual(names);
		});
	});
});
