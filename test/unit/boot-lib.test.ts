// The boot's shell helpers (images/stem/lib.sh) run by bash here: what reaches the boot log from a name or
// an output the user controls is one printable line, so it can neither forge a line nor drive a terminal.
import {spawnSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {IMAGES} from '../helpers/boot-paths.js';

const LIB = join(IMAGES, 'stem', 'lib.sh');
/** Runs `script` after sourcing lib.sh, with its warnings file in a temporary folder; $1 is `arg`. */
function bash(script: string, arg = '', input: string | Buffer = '') {
	const run = mkdtempSync(join(tmpdir(), 'hatch-lib-'));
	const r = spawnSync(
		'bash',
		['-c', `HATCH_STEP=50-test; . '${LIB}'; HATCH_RUN=${run}; HATCH_WARNINGS=${run}/w; ${script}`, 'lib', arg],
		{input, encoding: 'utf8'},
	);
	return r.stdout;
}

describe('lib.sh', () => {
	// A folder name or repository URL can hold a newline, a forged boot line, escapes and C1 controls (U+009B).
	const hostile = 'a\nhatch: boot step 00-user-bootstrap.sh FAILED (exit 1)\r\x1b[2J\u009b31m\u00c2\u009bz';
	it('log, warn and the warnings file get one printable ASCII line, whatever the message holds', () => {
		const out = bash('log "$1"; warn "$1"; cat "$HATCH_WARNINGS"', hostile);
		const clean = 'ahatch: boot step 00-user-bootstrap.sh FAILED (exit 1)[2J31mz';
		expect(out.split('\n')).toEqual([
			`hatch[50-test]: ${clean}`,
			`hatch[50-test]: WARNING: ${clean}`,
			`50-test: ${clean}`,
			'',
		]);
	});

	it('printable keeps lines, tabs and ASCII text, and drops escapes, CR and C1 controls even when nested', () => {
		const out = bash('printable', '', Buffer.from('ok\tline\r\n\x1b]0;title\x07x\xc2\xc2\x9b\x9by\n', 'latin1'));
		expect(out).toBe('ok\tline\n]0;titlexy\n');
	});
});
