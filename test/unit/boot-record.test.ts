// How the boot's log lines and its /run/hatch record are read: warnings reach the ready screen, plain
// output and `status`, each with the step that raised it.
import {describe, expect, it} from 'vitest';
import {bootSummary} from '../../source/commands.js';
import {readyNotes} from '../../source/docker/deploy.js';
import {bootEvent, parseBootRecord} from '../../source/docker/ready.js';

describe('bootEvent', () => {
	it('classifies steps, warnings, failures and the ready line', () => {
		expect(bootEvent('hatch: step 05-bindu.sh done (12 ms)')).toEqual({kind: 'step', text: '05-bindu.sh', ms: 12});
		expect(bootEvent('hatch[05-bindu]: WARNING: dotfiles not cloned from x at main: fatal: nope')).toEqual({kind: 'warning', text: '05-bindu: dotfiles not cloned from x at main: fatal: nope'});
		expect(bootEvent('hatch: boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line').kind).toBe('failed');
		expect(bootEvent('hatch: ready: sshd listening on 127.0.0.1:2222 (boot took 800 ms), 1 warning(s)').kind).toBe('ready');
		expect(bootEvent('hatch[05-bindu]: cloned x').kind).toBe('log');
		// A user program cannot make its output a warning of another step: user_run prefixes every line.
		expect(bootEvent('hatch[05-bindu]: hatch[00-user-bootstrap]: WARNING: fake').kind).toBe('log');
	});

	it('drops escape sequences and C0/C1 controls a program in the container printed', () => {
		expect(bootEvent('hatch[05-bindu]: WARNING: a\x1b[2Jb\x07c\u009b31md\re').text).toBe('05-bindu: abc31mde');
	});
});

describe('bootSummary (status)', () => {
	it('says ready with each warning and its step', () => {
		const text = 'ready 2\n05-bindu: dotfiles not cloned: fatal: x\n06-pixi: pixi not installed\n';
		expect(bootSummary(parseBootRecord(text))).toBe('boot: ready, 2 warning(s):\n  ! 05-bindu: dotfiles not cloned: fatal: x\n  ! 06-pixi: pixi not installed\n');
	});
	it('says ready with no warnings, still booting, failed, or no record', () => {
		expect(bootSummary(parseBootRecord('ready 0\n'))).toBe('boot: ready, no warnings\n');
		expect(bootSummary(parseBootRecord('booting\n06-pixi: slow\n'))).toBe('boot: sshd is up; optional steps still running, 1 warning(s) so far:\n  ! 06-pixi: slow\n');
		expect(bootSummary(parseBootRecord('failed 00-user-bootstrap.sh\n'))).toContain('boot: FAILED at 00-user-bootstrap.sh');
		expect(bootSummary(undefined)).toContain('no record');
	});
});

describe('readyNotes', () => {
	const base = {ok: true, logTail: [], ms: 1};
	it('lists the warnings, or nothing when there are none', () => {
		expect(readyNotes({...base, warnings: []})).toEqual([]);
		expect(readyNotes({...base, warnings: ['05-bindu: x']})).toEqual(['ready with 1 boot warning(s):', '  ! 05-bindu: x']);
	});
	it('says when optional steps were still running at the deadline', () => {
		expect(readyNotes({...base, warnings: [], stillBooting: true}).join('\n')).toContain('still running');
	});
});
