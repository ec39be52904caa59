// The README is true: its commands run, the names and numbers it states are the ones the code uses, the
// settings table is the model's, and each boot step is described in the group it runs in.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import pkg from '../../package.json' with {type: 'json'};
import {settingsTable} from '../../source/core/examples.js';
import {defaults} from '../../source/core/model.js';
import {READY_TIMEOUT_MS} from '../../source/docker/ready.js';
import {configDir} from '../../source/store.js';
import {BIN, fakeHome, runCli} from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The README's text with line breaks as spaces, for claims that wrap. */
const flat = README.replace(/\s*\n\s*/g, ' ');

/** The fenced blocks of a kind (```bash …```). */
function blocks(lang: string): string[] {
	return [...README.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(m => m[1]!);
}

describe('README: the two commands and the host needs', () => {
	it('names npm scripts that exist, and the Node version package.json requires', () => {
		const first = blocks('bash')[0]!;
		expect(first).toContain('npm ci && npm start');
		expect(first).toContain('npm test');
		expect(pkg.scripts.start).toBeTruthy();
		expect(pkg.scripts.test).toContain('vitest run');
		expect(existsSync(join(ROOT, 'package-lock.json'))).toBe(true);
		for (const script of [...README.matchAll(/npm run ([\w:-]+)/g)].map(m => m[1]!))
			expect(pkg.scripts, script).toHaveProperty(script);
		for (const bench of /npm run bench:([\w|]+)/.exec(README)![1]!.split('|'))
			expect(pkg.scripts, bench).toHaveProperty(`bench:${bench}`);
		const node = /Node (\d+\.\d+) or newer/.exec(README)![1];
		expect(pkg.engines.node).toBe(`>=${node}`);
	});

	it('says where presets are kept, in the order the code looks', () => {
		expect(flat).toContain('`$HATCH_CONFIG_DIR`, else `$XDG_CONFIG_HOME/hatch-wizard`, else `~/.config/hatch-wizard`');
		expect(configDir({HATCH_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/b'})).toBe('/a');
		expect(configDir({XDG_CONFIG_HOME: '/b'})).toBe('/b/hatch-wizard');
		expect(configDir({HOME: '/h'})).toMatch(/\/\.config\/hatch-wizard$/);
	});
});

describe('README: the quick start runs as written', () => {
	it('the scripted example writes the stack (run with --no-build --no-boot: no engine in unit tests)', () => {
		const example = blocks('bash').find(b => b.includes('npx hatch-wizard'))!;
		const command = example
			.split('\n')
			.filter(l => !l.startsWith('ssh '))
			.join('\n')
			.replace(/\\\n/g, ' ')
			.trim();
		expect(command).toMatch(/^npx hatch-wizard .*--yes/);
		const home = fakeHome();
		// `npx hatch-wizard` is this checkout's CLI; the shell expands $HOME and ~ as the user's would.
		const r = spawnSync(
			'bash',
			['-c', `npx() { shift; "${process.execPath}" "${BIN}" "$@"; }; ${command} --no-build --no-boot`],
			{
				cwd: home,
				env: {PATH: process.env.PATH, HOME: home, NO_COLOR: '1'},
				encoding: 'utf8',
			},
		);
		expect(r.status, r.stdout + r.stderr).toBe(0);
		const env = readFileSync(join(home, 'hatch', 'stem', '.env'), 'utf8');
		expect(env).toMatch(/^STEM_USER=alice$/m);
		expect(env).toContain(`STEM_AUTH_KEYS_PATH=${home}/.ssh/id_ed25519.pub`);
		expect(statSync(join(home, 'hatch', 'stem', '.env')).mode & 0o777).toBe(0o600);
		expect(existsSync(join(home, 'hatch', 'stem', 'image', 'Dockerfile'))).toBe(true);
		// --ssh-config without a start says why it was not applied.
		expect(r.stderr).toContain('note: --ssh-config was not applied');
	});

	it('a validation error exits 2 and names the setting, as the exit codes say', () => {
		expect(flat).toContain(
			'Exit codes: 0 ok, 2 usage or validation error (the message names the setting and the fix), 1 other ' +
				'failure, 130 interrupted',
		);
		const r = runCli([
			'--image',
			'stem',
			'--yes',
			'--no-build',
			'--no-boot',
			'--set',
			'STEM_UID=0',
			'--out',
			mkdtempSync(join(tmpdir(), 'hatch-readme-')),
		]);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('STEM_UID');
	});
});

describe('README: the usage block is the CLI', () => {
	const usage = README.slice(
		README.indexOf('```\nhatch-wizard ['),
		README.indexOf('```', README.indexOf('```\nhatch-wizard [') + 4),
	);
	const help = runCli(['--help']).stdout;

	it('lists every option and command --help lists, and no other', () => {
		const options = (text: string) =>
			new Set([...text.matchAll(/--[a-z][a-z-]+/g)].map(m => m[0]).filter(o => o !== '--help' && o !== '--version'));
		expect([...options(usage)].sort()).toEqual([...options(help)].sort());
		const commands = (text: string) => new Set([...text.matchAll(/^ *hatch-wizard ([a-z][a-z-]+)/gm)].map(m => m[1]!));
		expect([...commands(usage)].sort()).toEqual([...commands(help)].sort());
		for (const extra of ['logs', 'bindu-update']) expect(usage).toContain(extra);
	});
});

describe('README: the names and numbers it states', () => {
	it('names the shipped presets that exist', () => {
		const named = /Shipped presets are in `presets\/` \(([^)]*)\)/
			.exec(flat)![1]!
			.match(/`([\w-]+)`/g)!
			.map(s => s.slice(1, -1));
		expect(named.sort()).toEqual(
			readdirSync(join(ROOT, 'presets'))
				.map(f => f.replace(/\.yaml$/, ''))
				.sort(),
		);
	});

	it('states the readiness deadline and the pixi default the code has', () => {
		expect(flat).toContain(`gives up after ${READY_TIMEOUT_MS / 1000} s`);
		expect(flat).toContain('Pixi is on by default (`STEM_PIXI_ENABLE=1`');
		expect(defaults('stem').STEM_PIXI_ENABLE).toBe('1');
	});

	it('names only files and folders of this repository that exist', () => {
		const paths = [...README.matchAll(/`((?:source|images|test|presets|bench|\.ci)\/[\w./-]*)`/g)].map(m =>
			m[1]!.replace(/\/$/, ''),
		);
		expect(paths.length).toBeGreaterThan(8);
		for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
	});

	it('carries the settings table the model renders (npm run examples)', () => {
		expect(README).toContain(settingsTable());
	});
});

describe('README: the boot steps, each in its group', () => {
	// How the README names each step's job. A new step fails here until the README describes it.
	const DESCRIBED: Record<string, string> = {
		'00-hosts': 'the hostname',
		'00-user-bootstrap': 'the user account',
		'01-ssh-hostkeys': 'the SSH host keys',
		'02-authorized-keys': 'the authorized keys',
		'50-workspace': "neuron's `/workspace` folders",
		'03-ssh-agent': 'the agent relay',
		'04-dropbox': '`~/Dropbox`',
		'05-bindu': 'dotfiles',
		'06-pixi': 'pixi',
		'07-apogee-secrets': 'the Apogee secrets',
		'08-compose-check': 'the check that `docker-compose.yml` follows `.env`',
		'51-gpus': "neuron's GPU listing",
	};
	const required = /1\. \*\*Required\*\*: (.*?)\. These depend/.exec(flat)![1]!;
	const optional = /4\. \*\*Optional\*\*, each with a deadline: (.*?)\. A failure/.exec(flat)![1]!;
	const steps = ['stem', 'neuron'].flatMap(image =>
		readdirSync(join(ROOT, 'images', image, 'my_init.d')).map(f => ({
			name: f.replace(/\.sh$/, ''),
			text: readFileSync(join(ROOT, 'images', image, 'my_init.d', f), 'utf8'),
		})),
	);

	it('describes every step under the group its "# hatch-step:" line puts it in', () => {
		expect(steps.map(s => s.name).sort()).toEqual(Object.keys(DESCRIBED).sort());
		for (const step of steps) {
			const kind = /^# hatch-step: (required|optional)/m.exec(step.text)![1];
			expect(kind === 'required' ? required : optional, step.name).toContain(DESCRIBED[step.name]);
		}
	});
});
