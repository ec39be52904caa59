// The stacks written on this host (source/commands/stacks.ts and the registry in the store), in process: two
// stacks keep their own answers, every stack command finds its stack by name from any folder, `list` shows
// each one's live state, `forget`, `up`, `down` and `rebuild` do what they say and nothing more.
import {chmodSync, mkdtempSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {
	downCommand,
	findStack,
	forgetCommand,
	listCommand,
	locateStack,
	rebuildCommand,
	upCommand,
} from '../../source/commands/stacks.js';
import {parseEnv} from '../../source/core/env.js';
import {Store} from '../../source/store.js';
import {fakeHome} from '../helpers/cli.js';
import {BOX, scriptedEngine} from '../helpers/engine.js';
import {runMain} from '../helpers/main.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const host = hostname().split('.')[0]!;

/** Writes a stem stack with --yes (no build, no start) named `name` into `out`, remembered in `config`. */
async function write(config: string, name: string, port: string, out: string, ...more: string[]) {
	return runMain(
		[
			'--yes',
			'--no-build',
			'--no-boot',
			'--set',
			`STEM_CONTAINER_NAME=${name}`,
			'--set',
			`STEM_SSH_PORT=${port}`,
			'--out',
			out,
			...more,
		],
		{home: fakeHome(), env: {HATCH_CONFIG_DIR: config}},
	);
}

describe('two stacks on one host', () => {
	it('keep their own answers and their own folders; rewriting either changes nothing', async () => {
		const config = tmp('hatch-cfg-');
		const [outA, outB] = [tmp('hatch-a-'), tmp('hatch-b-')];
		expect((await write(config, 'first', '2301', outA)).code).toBe(0);
		expect((await write(config, 'second', '2302', outB)).code).toBe(0);
		const store = await Store.open(host, config);
		expect(store.stacks().map(s => [s.name, s.image, s.dir, s.port])).toEqual([
			['first', 'stem', join(outA, 'stem'), '2301'],
			['second', 'stem', join(outB, 'stem'), '2302'],
		]);
		// Each stack's answers are saved under its own name, not under the image's.
		expect(store.get('first')?.settings.STEM_SSH_PORT).toBe('2301');
		expect(store.get('second')?.settings.STEM_SSH_PORT).toBe('2302');
		expect(store.get('stem')).toBeUndefined();
		// Replaying either one's preset onto its own folder finds nothing to change.
		for (const [name, out] of [
			['first', outA],
			['second', outB],
		] as const) {
			const again = await runMain(['--yes', '--no-build', '--no-boot', '--preset', name, '--out', out], {
				home: fakeHome(),
				env: {HATCH_CONFIG_DIR: config},
			});
			expect(again.code, again.stderr).toBe(0);
			expect(again.stdout).toContain(`Nothing to write: ${join(out, 'stem')} is up to date.`);
		}
		expect(parseEnv(readFileSync(join(outA, 'stem', '.env'), 'utf8')).STEM_CONTAINER_NAME).toBe('first');
		const listed = await runMain(['list', '--json'], {env: {HATCH_CONFIG_DIR: config}});
		expect(JSON.parse(listed.stdout).map((s: {name: string; dir: string}) => [s.name, s.dir])).toEqual([
			['first', join(outA, 'stem')],
			['second', join(outB, 'stem')],
		]);
	});
});

describe('finding a stack', () => {
	it('by name from any folder; with one stack the name can be left out; with two it must be given', async () => {
		const config = tmp('hatch-cfg-');
		const out = tmp('hatch-a-');
		await write(config, 'only', '2311', out);
		const store = await Store.open(host, config);
		expect(findStack(store, {name: 'only'}).dir).toBe(join(out, 'stem'));
		expect(findStack(store, {}).values.STEM_CONTAINER_NAME).toBe('only');
		await write(config, 'other', '2312', tmp('hatch-b-'));
		expect(() => findStack(store, {})).toThrow(
			`there are 2 stacks on ${host} (only, other): name one, e.g. hatch-wizard status only`,
		);
		expect(() => findStack(store, {name: 'nope'})).toThrow(
			`no stack named "nope" on ${host} (there are: only, other); hatch-wizard list shows them`,
		);
		// --image/--out still find a stack by its folder, whatever is registered.
		expect(findStack(store, {out}).values.STEM_CONTAINER_NAME).toBe('only');
	});

	it('status NAME works from /: it looks at that stack (no engine here, so: not created, with its folder)', async () => {
		const config = tmp('hatch-cfg-');
		const out = tmp('hatch-a-');
		await write(config, 'far', '2321', out);
		const cwd = process.cwd();
		process.chdir('/');
		try {
			const r = await runMain(['status', 'far'], {env: {HATCH_CONFIG_DIR: config}});
			expect(r.stdout).toBe(`far: not created (cd ${join(out, 'stem')} && docker compose up -d --build)\n`);
			expect(r.code).toBe(1);
		} finally {
			process.chdir(cwd);
		}
	});

	it('a stack whose folder was moved or rewritten: the error says so and how to drop it', async () => {
		const config = tmp('hatch-cfg-');
		const out = tmp('hatch-a-');
		await write(config, 'moved', '2331', out);
		renameSync(join(out, 'stem'), join(out, 'elsewhere'));
		const store = await Store.open(host, config);
		expect(() => findStack(store, {name: 'moved'})).toThrow(
			`the stack moved was written to ${join(out, 'stem')}, but there is no .env there now (moved or deleted?): ` +
				'write it again with hatch-wizard, or take it off the list with hatch-wizard forget moved',
		);
		renameSync(join(out, 'elsewhere'), join(out, 'stem'));
		const env = join(out, 'stem', '.env');
		writeFileSync(env, readFileSync(env, 'utf8').replace('STEM_CONTAINER_NAME=moved', 'STEM_CONTAINER_NAME=new'));
		expect(() => findStack(store, {name: 'moved'})).toThrow(
			`${join(out, 'stem')} now holds the stack new, not moved: hatch-wizard forget moved takes the old one off the list`,
		);
	});
});

describe('list', () => {
	it('shows each stack with its container state and whether SSH answers (engine scripted: no engine here)', async () => {
		const config = tmp('hatch-cfg-');
		const [outA, outB, outC] = [tmp('hatch-a-'), tmp('hatch-b-'), tmp('hatch-c-')];
		await write(config, 'up', '2341', outA);
		await write(config, 'stopped', '2342', outB);
		await write(config, 'gone', '2343', outC);
		renameSync(join(outC, 'stem'), join(outC, 'away'));
		const store = await Store.open(host, config);
		const e = scriptedEngine({
			reply: line => {
				if (line.endsWith(' up')) return {stdout: 'running\n'};
				if (line.endsWith(' stopped')) return {stdout: 'exited\n'};
				if (line.endsWith(' gone')) return {exitCode: 1, stderr: 'Error: No such object: gone'};
				return undefined;
			},
			answers: (_address, port) => port === 2341,
		});
		let out = '';
		expect(
			await listCommand(
				store,
				true,
				s => {
					out += s;
				},
				e.engine,
			),
		).toBe(0);
		expect(
			JSON.parse(out).map((s: {name: string; folder: string; container: string; ssh?: boolean}) => [
				s.name,
				s.folder,
				s.container,
				s.ssh,
			]),
		).toEqual([
			['gone', 'missing', 'absent', undefined],
			['stopped', 'ok', 'exited', undefined],
			['up', 'ok', 'running', true],
		]);
		// SSH is looked at only where the container runs, on its own port.
		expect(e.lines().filter(l => l.startsWith('connect'))).toEqual(['connect 127.0.0.1:2341']);
		out = '';
		await listCommand(
			store,
			false,
			s => {
				out += s;
			},
			e.engine,
		);
		expect(out).toBe(
			`gone                 stem    absent\n  ${join(outC, 'stem')} (gone: moved or deleted? hatch-wizard forget gone)\n` +
				`stopped              stem    exited\n  ${join(outB, 'stem')}\n` +
				`up                   stem    running, ssh answers on 2341\n  ${join(outA, 'stem')}\n`,
		);
	});

	it('a folder that now holds another stack, and sshd not answering, are said as such', async () => {
		const config = tmp('hatch-cfg-');
		const [outA, outB] = [tmp('hatch-a-'), tmp('hatch-b-')];
		await write(config, 'mine', '2371', outA);
		await write(config, 'quiet', '2372', outB);
		const env = join(outA, 'stem', '.env');
		writeFileSync(env, readFileSync(env, 'utf8').replace('STEM_CONTAINER_NAME=mine', 'STEM_CONTAINER_NAME=theirs'));
		const e = scriptedEngine({reply: () => ({stdout: 'running\n'}), answers: () => false});
		let out = '';
		await listCommand(
			await Store.open(host, config),
			false,
			s => {
				out += s;
			},
			e.engine,
		);
		expect(out).toBe(
			`mine                 stem    running, ssh NOT answering on 2371\n  ${join(outA, 'stem')} (now holds another ` +
				'stack)\n' +
				`quiet                stem    running, ssh NOT answering on 2372\n  ${join(outB, 'stem')}\n`,
		);
	});

	it('an engine that does not answer: the state is unknown, and the list still comes', async () => {
		const config = tmp('hatch-cfg-');
		await write(config, 'lone', '2351', tmp('hatch-a-'));
		const e = scriptedEngine({reply: () => ({exitCode: 1, stderr: 'Cannot connect to the Docker daemon'})});
		let out = '';
		await listCommand(
			await Store.open(host, config),
			true,
			s => {
				out += s;
			},
			e.engine,
		);
		expect(JSON.parse(out)[0]).toMatchObject({name: 'lone', container: 'unknown'});
	});

	it('with no stacks says how to make one', async () => {
		let out = '';
		await listCommand(await Store.open(host, tmp('hatch-cfg-')), false, s => {
			out += s;
		});
		expect(out).toBe(`no stacks on ${host} yet: hatch-wizard writes one\n`);
	});
});

describe('forget, down, rebuild', () => {
	it('forget takes a stack off the list and leaves its files', async () => {
		const config = tmp('hatch-cfg-');
		const out = tmp('hatch-a-');
		await write(config, 'old', '2361', out);
		const store = await Store.open(host, config);
		let said = '';
		expect(
			forgetCommand(store, 'old', s => {
				said += s;
			}),
		).toBe(0);
		expect(said).toBe('forgot old: its folder, container and volumes are untouched\n');
		expect(store.stacks()).toEqual([]);
		expect(readFileSync(join(out, 'stem', '.env'), 'utf8')).toContain('STEM_CONTAINER_NAME=old');
		expect(() => forgetCommand(store, 'old', () => {})).toThrow(`no stack named "old" on ${host}`);
		expect(() => forgetCommand(store, undefined, () => {})).toThrow('forget needs the name of a stack');
	});

	const ref = {image: 'stem' as const, dir: tmpdir(), values: BOX};

	it('down keeps the volumes: compose down without --volumes, and it says so', async () => {
		const e = scriptedEngine({reply: line => (line === 'docker compose down' ? {} : undefined)});
		let said = '';
		expect(
			await downCommand(
				ref,
				{volumes: false, yes: false},
				s => {
					said += s;
				},
				e.engine,
			),
		).toBe(0);
		expect(e.lines()).toEqual(['docker compose down']);
		expect(e.calls[0]!.options.cwd).toBe(tmpdir());
		expect(said).toBe('box is down; its volumes are kept (hatch-wizard up box starts it again)\n');
	});

	it('down --volumes says what it deletes and asks; no answer or a no deletes nothing', async () => {
		const e = scriptedEngine({reply: line => (line === 'docker compose down --volumes' ? {} : undefined)});
		let said = '';
		const o = {volumes: true, yes: false};
		await expect(
			downCommand(
				ref,
				o,
				s => {
					said += s;
				},
				e.engine,
			),
		).rejects.toThrow('down --volumes deletes data: add --yes to confirm when there is no terminal');
		expect(said).toBe(
			"--volumes deletes box's volumes: its home (/home/alice, everything kept there) and its SSH host keys " +
				'(a new key is made at the next start; hatch re-pins it in ~/.ssh/known_hosts when it pinned the old one)\n',
		);
		const asked: string[] = [];
		const no = async (q: string) => {
			asked.push(q);
			return false;
		};
		expect(await downCommand(ref, {...o, ask: no}, () => {}, e.engine)).toBe(1);
		expect(asked).toEqual(['Delete the volumes of box?']);
		expect(e.lines()).toEqual([]);
		expect(await downCommand(ref, {...o, ask: async () => true}, () => {}, e.engine)).toBe(0);
		expect(await downCommand(ref, {...o, yes: true}, () => {}, e.engine)).toBe(0);
		expect(e.lines()).toEqual(['docker compose down --volumes', 'docker compose down --volumes']);
	});

	it('up starts the container without a build, and waits for it', async () => {
		const e = scriptedEngine({reply: () => ({exitCode: 1})});
		await upCommand(ref, e.engine);
		expect(e.lines()[0]).toBe('docker compose up --detach --no-build');
		expect(e.lines().some(l => l.includes(' build'))).toBe(false);
	});

	it('down that compose refuses: its code, and no word that it is down', async () => {
		const e = scriptedEngine({reply: line => (line === 'docker compose down' ? {exitCode: 3} : undefined)});
		let said = '';
		const code = await downCommand(
			ref,
			{volumes: false, yes: false},
			s => {
				said += s;
			},
			e.engine,
		);
		expect(code).toBe(3);
		expect(said).toBe('');
		// The terminal sees compose's own output.
		expect(e.calls[0]!.options.inherit).toBe(true);
	});

	it('rebuild --no-cache builds every step again, then starts the container', async () => {
		const e = scriptedEngine({reply: () => ({exitCode: 1})});
		await rebuildCommand(ref, true, e.engine);
		expect(e.lines()[0]).toBe('docker compose --progress plain build --no-cache');
		const plain = scriptedEngine({reply: () => ({exitCode: 1})});
		await rebuildCommand(ref, false, plain.engine);
		expect(plain.lines()[0]).toBe('docker compose --progress plain build');
	});
});

describe('stacks on remote hosts (the SSH hop replaced by a stand-in that cannot connect)', () => {
	const saved = process.env.HATCH_SSH_COMMAND;
	afterEach(() => {
		if (saved === undefined) delete process.env.HATCH_SSH_COMMAND;
		else process.env.HATCH_SSH_COMMAND = saved;
	});
	/** An ssh that fails as ssh does when nothing listens there (exit 255). */
	function unreachable(): void {
		const bin = join(tmp('hatch-bin-'), 'ssh');
		writeFileSync(bin, '#!/bin/sh\necho "ssh: connect to host box port 22: Connection refused" >&2\nexit 255\n');
		chmodSync(bin, 0o755);
		process.env.HATCH_SSH_COMMAND = bin;
	}
	const remoteRecord = (config: string, target: string, name: string) =>
		Store.open(`ssh:${target}`, config).then(s =>
			s.record({STEM_CONTAINER_NAME: name, STEM_SSH_PORT: '2222', STEM_SSH_LISTEN: '127.0.0.1'}, 'stem', '/srv/x/stem'),
		);

	it('list: each host under its name; one out of reach is said with its reason, the rest still comes', async () => {
		unreachable();
		const config = tmp('hatch-cfg-');
		await write(config, 'here', '2361', tmp('hatch-a-'));
		await remoteRecord(config, 'box', 'far');
		const e = scriptedEngine({reply: () => ({exitCode: 0, stdout: 'exited\n'})});
		const texts: string[] = [];
		await listCommand(await Store.open(host, config), false, s => texts.push(s), e.engine);
		const text = texts.join('');
		expect(text).toContain(`on ${host} (this machine):\nhere                 stem    exited\n`);
		expect(text).toContain(
			'on box: UNREACHABLE (--host box: cannot reach it (ssh: connect to host box port 22: Connection refused); ' +
				'check that it is up and that sshd listens on that port)\nfar                  stem    unknown\n  /srv/x/stem\n',
		);
		const json: string[] = [];
		await listCommand(await Store.open(host, config), true, s => json.push(s), e.engine);
		const all = JSON.parse(json.join(''));
		expect(all.map((x: {host: string; name: string}) => `${x.host}/${x.name}`)).toEqual([`${host}/here`, 'box/far']);
		expect(all[1].unreachable).toMatch(/cannot reach it/);
	});

	it('NAME is looked for on the other hosts when this one has none; on two, --host must say which', async () => {
		unreachable();
		const config = tmp('hatch-cfg-');
		await remoteRecord(config, 'box', 'far');
		const local = await Store.open(host, config);
		// Found there: hatch connects to it (here: the stand-in says it cannot).
		await expect(locateStack(local, {name: 'far'}, undefined)).rejects.toThrow(/--host box: cannot reach it/);
		await expect(locateStack(local, {}, 'box')).rejects.toThrow(/--host box: cannot reach it/);
		await expect(locateStack(local, {name: 'near'}, 'box')).rejects.toThrow(
			'no stack named "near" recorded for --host box (there are: far); write one with hatch-wizard --yes --host box',
		);
		await remoteRecord(config, 'other', 'far');
		await expect(locateStack(local, {name: 'far'}, undefined)).rejects.toThrow(
			'"far" is a stack on box and other: say which with --host',
		);
		// Not anywhere: this host's own words.
		await expect(locateStack(local, {name: 'none'}, undefined)).rejects.toThrow(`no stack named "none" on ${host}`);
	});
});
