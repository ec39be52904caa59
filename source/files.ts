// Reading files a user points hatch at, and keeping its own small files, without ever waiting on something
// that is not a file: a FIFO or a device given as a file is refused at once (opening it does not block, and
// nothing is read from it), a file larger than its kind ever needs is refused unread, and a writer waits for
// a lock only a bounded time.
import {
	closeSync,
	constants,
	fstatSync,
	fsyncSync,
	lstatSync,
	openSync,
	readFileSync,
	readSync,
	renameSync,
	type Stats,
	unlinkSync,
	writeSync,
} from 'node:fs';
import {basename, dirname, join} from 'node:path';

/** A file that cannot be read as asked, in words that name it; `code` is the system's when there is one. */
export class FileError extends Error {
	constructor(
		message: string,
		readonly code?: string,
	) {
		super(message);
	}
}

function kindOf(s: Stats): string {
	if (s.isDirectory()) return 'a folder';
	if (s.isFIFO()) return 'a FIFO (named pipe)';
	if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
	return 'not a regular file';
}

/** How much one read takes at most. */
const READ_PART = 64 * 1024;

/** "12 kB", "3.4 MB": a size in words. */
export function sizeWords(bytes: number): string {
	if (bytes < 1000) return `${bytes} bytes`;
	if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
	return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * The text of the regular file at `path` (links followed), at most `max` bytes. Anything else is a FileError
 * at once: a missing file, a folder, a FIFO, a device or socket, a file over the limit. `what` names the file
 * in the messages ("the preset file").
 */
export function readBounded(path: string, max: number, what = 'the file'): string {
	let fd: number;
	try {
		// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
		fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		const words: Record<string, string> = {
			ENOENT: 'does not exist',
			EACCES: 'cannot be read (permission denied)',
			// Opening a unix socket fails so.
			ENXIO: 'is a socket: give the path of a regular file',
		};
		const why = words[e.code ?? ''] ?? `cannot be opened (${e.code ?? e.message})`;
		throw new FileError(`${what} ${path} ${why}`, e.code);
	}
	try {
		const s = fstatSync(fd);
		if (!s.isFile()) throw new FileError(`${what} ${path} is ${kindOf(s)}: give the path of a regular file`);
		if (s.size > max)
			throw new FileError(`${what} ${path} is ${sizeWords(s.size)}; hatch reads at most ${sizeWords(max)} there`);
		// Read to the end, whatever the size said (it can be 0 for a file that holds text, as in /proc, or grow
		// meanwhile), but never more than one byte past the limit.
		const parts: Buffer[] = [];
		let got = 0;
		for (;;) {
			const part = Buffer.allocUnsafe(Math.min(READ_PART, max + 1 - got));
			const n = readSync(fd, part, 0, part.length, null);
			if (n === 0) break;
			parts.push(part.subarray(0, n));
			got += n;
			if (got > max) throw new FileError(`${what} ${path} holds more than ${sizeWords(max)}; hatch reads no more`);
		}
		return Buffer.concat(parts, got).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

/** Replaces `path` with `content` all at once (a temp file beside it, synced, renamed over it), mode `mode`. */
export function writeAtomic(path: string, content: string, mode: number): void {
	const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
	const fd = openSync(tmp, 'wx', mode);
	try {
		writeSync(fd, content);
		fsyncSync(fd);
	} catch (error) {
		closeSync(fd);
		unlinkSync(tmp);
		throw error;
	}
	closeSync(fd);
	renameSync(tmp, path);
}

/** Waits `ms` without spinning (a lock is held for milliseconds; the wait needs no event loop). */
function pause(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether the process that wrote a lock file is still running. */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Runs `fn` holding the lock `<path>.lock` (a file created exclusively, holding this process's id), so that
 * writers of `path` take turns and none loses another's change. A lock left by a process that is gone is taken
 * over. After `waitMs` the wait ends with a FileError that names the lock file.
 */
export function withLock<T>(path: string, fn: () => T, waitMs = 10_000): T {
	const lock = `${path}.lock`;
	const until = Date.now() + waitMs;
	for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
		try {
			const fd = openSync(lock, 'wx', 0o600);
			writeSync(fd, String(process.pid));
			closeSync(fd);
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let holder = Number.NaN;
		let inode = -1;
		try {
			const fd = openSync(lock, 'r');
			try {
				inode = fstatSync(fd).ino;
				holder = Number(readFileSync(fd, 'utf8'));
			} finally {
				closeSync(fd);
			}
		} catch {
			// just released: try again
		}
		if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
			// Only the lock that was read is removed: another waiter may have taken it over and made a new one.
			try {
				if (lstatSync(lock).ino === inode) unlinkSync(lock);
			} catch {
				// gone already
			}
			continue;
		}
		if (Date.now() > until)
			throw new FileError(
				`${lock} is held by process ${Number.isNaN(holder) ? '?' : holder}; if no hatch-wizard is running, ` +
					'delete that file and try again',
			);
		pause(delay);
	}
	try {
		return fn();
	} finally {
		try {
			unlinkSync(lock);
		} catch {
			// already gone
		}
	}
}
