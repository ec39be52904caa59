// `hatch-wizard presets …` in process: each verb's exact words, its mistakes with their fix, and the files it
// reads and writes (the saved presets live in a folder of the test's own, through HATCH_CONFIG_DIR).
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os, {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {shippedPresets} from '../../source/presets.js';
import {runMain} from '../helpers/main.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const host = os.hostname().split('.')[0]!;

/** `presets ARGS` with a config folder of its own (made fresh unless given). */
function presets(args: string[], config = tmp('hatch-cfg-')) {
	return runMain(['presets', ...args], {env: {HATCH_CONFIG_DIR: config}});
}

describe('presets list', () => {
	it('with nothing saved says how one gets saved, then each shipped preset with its image and description', async () => {
		const config = tmp('hatch-cfg-');
		const r = await presets(['list'], config);
		expect(r.code).toBe(0);
		expect(r.stderr).toBe('');
		const [saved, shipped] = r.stdout.split('Shipped:\n');
		expect(saved).toBe(
			`Saved on ${host} (${join(config, 'presets.json')}):\n` +
				'  (none yet: the wizard saves one when it writes a stack)\n',
		);
		const minimal = shippedPresets().find(p => p.name === 'stem-minimal')!;
		expect(minimal.description).toMatch(/^Plain stem on port 22222/);
		expect(shipped).toContain(`\n  stem-minimal             stem    ${minimal.description}\n`);
		expect(shipped!.split('\n').filter(Boolean)).toHaveLength(shippedPresets().length);
		expect(shipped!.split('\n').every(l => l === '' || /^ {2}\S+ +(stem|neuron) {2,}\S/.test(l))).toBe(true);
		// No verb at all is the same list.
		expect((await presets([], config)).stdout).toBe(r.stdout);
	});

	it('two saved presets: one line each, sorted by name, with the time each was saved', async () => {
		const config = tmp('hatch-cfg-');
		const dir = tmp('hatch-p-');
		for (const name of ['zeta', 'alpha']) {
			writeFileSync(join(dir, `${name}.yaml`), 'image: neuron\nsettings: {}\n');
			expect((await presets(['import', join(dir, `${name}.yaml`)], config)).code).toBe(0);
		}
		const saved = (await presets(['list'], config)).stdout.split('Shipped:\n')[0]!.split('\n');
		expect(saved.slice(1)).toEqual([
			expect.stringMatching(/^ {2}alpha {20}neuron {2}saved \d{4}-\d\d-\d\d \d\d:\d\d$/),
			expect.stringMatching(/^ {2}zeta {21}neuron {2}saved \d{4}-\d\d-\d\d \d\d:\d\d$/),
			'',
		]);
	});

	it('a saved presets file that cannot be read: a warning naming it; the list goes on and leaves it', async () => {
		const config = tmp('hatch-cfg-');
		writeFileSync(join(config, 'presets.json'), '{"hosts": ');
		const r = await presets(['list'], config);
		expect(r.code).toBe(0);
		expect(r.stderr).toMatch(
			new RegExp(
				`^warning: the preset store ${join(config, 'presets.json')} is not JSON \\(.+\\): hatch goes on without ` +
					'it, and moves it aside at the next save\n$',
			),
		);
		// Listing is reading: nothing is moved or rewritten.
		expect(readdirSync(config)).toEqual(['presets.json']);
		expect(readFileSync(join(config, 'presets.json'), 'utf8')).toBe('{"hosts": ');
		expect(r.stdout).toContain('(none yet: the wizard saves one when it writes a stack)');
	});
});

describe('presets show and export', () => {
	it('show and export without a file print the same YAML; show never writes the file named after it', async () => {
		const dir = tmp('hatch-p-');
		const shown = await presets(['show', 'stem-minimal']);
		expect(shown.code).toBe(0);
		expect(parse(shown.stdout)).toMatchObject({name: 'stem-minimal', image: 'stem'});
		expect(await presets(['export', 'stem-minimal'])).toEqual(shown);
		expect(await presets(['show', 'stem-minimal', join(dir, 'p.yaml')])).toEqual(shown);
		expect(existsSync(join(dir, 'p.yaml'))).toBe(false);
	});

	it('export over another file keeps the old copy and says where', async () => {
		const dir = tmp('hatch-p-');
		const file = join(dir, 'p.yaml');
		writeFileSync(file, 'mine\n');
		const r = await presets(['export', 'stem-minimal', file]);
		expect(r.code).toBe(0);
		const backup = readdirSync(dir).find(n => n.startsWith('p.yaml.bak-'))!;
		expect(r.stdout).toBe(`wrote ${file} (old copy kept as ${join(dir, backup)})\n`);
		expect(readFileSync(join(dir, backup), 'utf8')).toBe('mine\n');
		expect(parse(readFileSync(file, 'utf8')).name).toBe('stem-minimal');
	});

	it.each([['show'], ['export']])('%s without a name: exit 2 and where to find one', async verb => {
		expect(await presets([verb])).toEqual({
			code: 2,
			stdout: '',
			stderr: `hatch-wizard: presets ${verb} needs a preset name (see: hatch-wizard presets list)\n`,
		});
	});
});

describe('presets import and delete', () => {
	it('the name comes from the file when the preset has none: only the last .yaml or .yml is taken off', async () => {
		const config = tmp('hatch-cfg-');
		const dir = tmp('hatch-p-');
		for (const file of ['short.yml', 'twice.yml.yaml']) {
			writeFileSync(join(dir, file), 'image: stem\nsettings: {}\n');
			expect((await presets(['import', join(dir, file)], config)).stdout).toBe(
				`imported preset "${file.replace(/\.ya?ml$/, '')}" (stem) for ${host}\n`,
			);
		}
		const list = (await presets(['list'], config)).stdout;
		expect(list).toMatch(/\n {2}short {2,}stem/);
		expect(list).toMatch(/\n {2}twice\.yml {2,}stem/);
	});

	it('import without a file, or of a file that cannot be read: exit 2 and what to pass', async () => {
		expect(await presets(['import'])).toEqual({
			code: 2,
			stdout: '',
			stderr: 'hatch-wizard: presets import needs a file: hatch-wizard presets import FILE\n',
		});
		const missing = join(tmp('hatch-p-'), 'nope.yaml');
		expect(await presets(['import', missing])).toEqual({
			code: 2,
			stdout: '',
			stderr: `hatch-wizard: presets import: the preset file ${missing} does not exist\n`,
		});
	});

	it('import never replaces silently: the same one changes nothing, another shows changes, needs --force', async () => {
		const config = tmp('hatch-cfg-');
		const dir = tmp('hatch-p-');
		const file = join(dir, 'mine.yaml');
		writeFileSync(file, 'image: stem\nsettings: {STEM_SSH_PORT: 2222, STEM_USER: alice}\n');
		expect((await presets(['import', file], config)).code).toBe(0);
		expect((await presets(['import', file], config)).stdout).toBe(
			`preset "mine" is already saved as ${file} has it: nothing changed\n`,
		);
		writeFileSync(file, 'image: stem\ndescription: new\nsettings: {STEM_SSH_PORT: 2300, STEM_HOSTNAME: box}\n');
		const before = readFileSync(join(config, 'presets.json'), 'utf8');
		const refused = await presets(['import', file], config);
		expect(refused.code).toBe(2);
		expect(refused.stdout).toBe(
			`preset "mine" is already saved on ${host}; importing ${file} changes:\n` +
				'  + description: new\n  + STEM_HOSTNAME: box\n  ~ STEM_SSH_PORT: 2222 → 2300\n  - STEM_USER: alice\n',
		);
		expect(refused.stderr).toBe(
			'hatch-wizard: presets import: "mine" exists and differs (above): pass --force to replace it (the saved ' +
				'presets are backed up first), or give the file another name:\n',
		);
		expect(readFileSync(join(config, 'presets.json'), 'utf8')).toBe(before);
		const forced = await runMain(['presets', 'import', file, '--force'], {env: {HATCH_CONFIG_DIR: config}});
		expect(forced.code).toBe(0);
		const backup = readdirSync(config).find(n => n.startsWith('presets.json.bak-'))!;
		expect(forced.stdout).toContain(
			`replaced preset "mine" (stem) for ${host} (the saved presets were copied to ${join(config, backup)} first)\n`,
		);
		expect(readFileSync(join(config, backup), 'utf8')).toBe(before);
		const shown = parse((await presets(['show', 'mine'], config)).stdout);
		expect(shown.settings).toEqual({STEM_SSH_PORT: '2300', STEM_HOSTNAME: 'box'});
	});

	it('an import does not become the preset offered first', async () => {
		const config = tmp('hatch-cfg-');
		const dir = tmp('hatch-p-');
		for (const name of ['a', 'b']) writeFileSync(join(dir, `${name}.yaml`), 'image: stem\n');
		await presets(['import', join(dir, 'a.yaml')], config);
		await presets(['import', join(dir, 'b.yaml')], config);
		expect('last' in JSON.parse(readFileSync(join(config, 'presets.json'), 'utf8')).hosts[host]).toBe(false);
	});

	it('import refuses a FIFO, a device and a huge file at once, and a name that is not safe to print', async () => {
		const dir = tmp('hatch-p-');
		const fifo = join(dir, 'pipe.yaml');
		spawnSync('mkfifo', [fifo]);
		expect((await presets(['import', fifo])).stderr).toBe(
			`hatch-wizard: presets import: the preset file ${fifo} is a FIFO (named pipe): give the path of a regular file\n`,
		);
		expect((await presets(['import', '/dev/zero'])).stderr).toBe(
			'hatch-wizard: presets import: the preset file /dev/zero is a device: give the path of a regular file\n',
		);
		const big = join(dir, 'big.yaml');
		writeFileSync(big, `image: stem\ndescription: ${'x'.repeat(70_000)}\n`);
		expect((await presets(['import', big])).stderr).toBe(
			`hatch-wizard: presets import: the preset file ${big} is 70 kB; hatch reads at most 64 kB there\n`,
		);
		const odd = join(dir, 'odd.yaml');
		writeFileSync(odd, 'name: "\\e[31mred"\nimage: stem\n');
		const r = await presets(['import', odd]);
		expect(r.code).toBe(2);
		expect(r.stderr).toBe(
			`hatch-wizard: ${odd}: name "\\u001b[31mred" must be 1 to 64 letters, digits, dots, dashes or underscores, ` +
				'the first a letter or digit\n',
		);
	});

	it('delete without a name, and a verb it does not know: exit 2 and the right words', async () => {
		expect(await presets(['delete'])).toEqual({
			code: 2,
			stdout: '',
			stderr: 'hatch-wizard: presets delete needs a preset name\n',
		});
		expect(await presets(['rename', 'a'])).toEqual({
			code: 2,
			stdout: '',
			stderr: 'hatch-wizard: unknown presets command "rename"; use list, show, export, import or delete\n',
		});
	});
});
