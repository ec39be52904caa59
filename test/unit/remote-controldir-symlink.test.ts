// The control socket folder (source/host/remote.ts controlDir) must be a real folder of this user's own. In a
// shared /tmp another user can plant a symlink under the folder's fixed name that points at a 0700 folder of
// ours (~/.ssh, say); stat() follows it, so the check passes, and the planter, who owns the link, can later
// point it at a folder of theirs, where our next ssh looks for its ControlMaster socket.
import {lstatSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir, userInfo} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {controlDir} from '../../source/host/remote.js';

describe('control socket folder planted as a symlink', () => {
	it('is refused: a symlink under its name is not a folder of this user', () => {
		const base = mkdtempSync(join(tmpdir(), 'hatch-cd-'));
		const ours = mkdtempSync(join(tmpdir(), 'hatch-cd-ours-')); // 0700, ours: what ~/.ssh looks like
		const link = join(base, `hatch-ssh-${userInfo().uid}`);
		symlinkSync(ours, link);
		try {
			expect(lstatSync(link).isSymbolicLink()).toBe(true);
			expect(() => controlDir(base)).toThrow(/not this user's private folder/);
		} finally {
			rmSync(base, {recursive: true, force: true});
			rmSync(ours, {recursive: true, force: true});
		}
	});
});
