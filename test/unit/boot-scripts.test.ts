// The boot scripts' own declarations hold: each step says whether it is required, the user-side scripts
// declare every home path they use (the hostile-home e2e test attacks exactly those), and no root-side step
// other than the account bootstrap names a path in the home.
import {describe, expect, it} from 'vitest';
import {bootSteps, declaredPaths, homePaths, ownedPaths, usedPaths, userScripts} from '../helpers/boot-paths.js';

describe('boot steps', () => {
	it.each(bootSteps().map(s => [s.name, s.text]))(
		'%s declares required, or optional with a deadline',
		(_name, text) => {
			expect(text).toMatch(/^# hatch-step: (required|optional, deadline \d+)$/m);
		},
	);

	it('only the hosts, account, host keys, authorized keys and (neuron) workspace steps are required', () => {
		const required = bootSteps()
			.filter(s => /^# hatch-step: required$/m.test(s.text))
			.map(s => s.name);
		expect(required.sort()).toEqual([
			'00-hosts.sh',
			'00-user-bootstrap.sh',
			'01-ssh-hostkeys.sh',
			'02-authorized-keys.sh',
			'50-workspace.sh',
		]);
	});

	it.each(
		bootSteps()
			.filter(s => s.name !== '00-user-bootstrap.sh')
			.map(s => [s.name, s.text]),
	)('%s (root) names no path in the home', (_name, text) => {
		const code = text
			.split('\n')
			.filter(l => !l.trimStart().startsWith('#'))
			.join('\n');
		expect(code).not.toMatch(/HATCH_HOME|\$home\b|~\/|\/home\//);
	});
});

describe('user-side scripts', () => {
	it.each(userScripts().map(s => [s.name, s.text]))('%s declares every $HOME path it uses', (_name, text) => {
		const declared = new Set(declaredPaths(text));
		expect(usedPaths(text).filter(p => !declared.has(p))).toEqual([]);
	});

	it('the attacked paths include the ownership list and every declared path', () => {
		const all = homePaths();
		expect(all).toEqual(
			expect.arrayContaining([
				...ownedPaths(),
				'.config/apogee/secrets.env',
				'.cache/hatch/bindu-commit',
				'.pixi/bin/pixi',
				'Dropbox',
			]),
		);
		expect(ownedPaths()).toContain('.ssh');
	});
});
