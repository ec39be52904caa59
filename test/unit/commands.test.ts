// The stack commands (source/commands/) in process, against a scripted engine (test/helpers/engine.ts):
// the exact docker command lines they run and every line they print, for each answer the engine can give.
// bindu-update's script runs for real here, with bash, git and rsync against a local repository: the
// scripted engine turns `docker exec … bash -c SCRIPT` into the same script run on this machine.
import {spawnSync} from 'node:child_process';
import {
	chmodSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, expect, it, vi} from 'vitest';
import {binduUpdateCommand} from '../../source/commands/bindu-update.js';
import {askYesNo, CommandError, loadStack} from '../../source/commands/common.js';
import {logsCommand} from '../../source/commands/logs.js';
import {publishCommand} from '../../source/commands/publish.js';
import {bootSummary, sinceWhen, statusCommand} from '../../source/commands/status.js';
import {renderCompose} from '../../source/core/compose.js';
import {renderEnv} from '../../source/core/env.js';
import {defaults, type Values} from '../../source/core/model.js';
import {fingerprint} from '../../source/docker/ready.js';
import {hostBlock} from '../../source/sshconfig.js';
import {
	BOX,
	type Call,
	HOST_KEY,
	keyscanLine,
	LOOKS,
	type Reply,
	scriptedEngine,
	storedKey,
} from '../helpers/engine.js';

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `hatch-cmd-${name}-`));

const VALUES = BOX;
const FP = fingerprint(HOST_KEY);
const INSPECT = 'docker inspect --format {{.State.Status}} {{.State.StartedAt}} {{.RestartCount}} box';
const RECORD = LOOKS.record;
const KEYSCAN = LOOKS.keyscan;
const STORED = LOOKS.stored;

function ref(values: Values = VALUES, dir = tmp('stack')) {
	return {image: 'stem' as const, dir, values};
}

function printed() {
	const lines: string[] = [];
	return {out: (s: string) => void lines.push(s), text: () => lines.join('')};
}

describe('loadStack', () => {
	it('reads the stack folder’s .env', () => {
		const out = tmp('out');
		mkdirSync(join(out, 'stem'));
		writeFileSync(join(out, 'stem', '.env'), 'STEM_CONTAINER_NAME=box\nSTEM_SSH_PORT=2200\n');
		expect(loadStack('stem', out)).toEqual({
			image: 'stem',
			dir: join(out, 'stem'),
			values: {STEM_CONTAINER_NAME: 'box', STEM_SSH_PORT: '2200'},
		});
	});

	it('names the folder and the fix when there is no .env', () => {
		const out = tmp('none');
		expect(() => loadStack('neuron', out)).toThrow(CommandError);
		expect(() => loadStack('neuron', out)).toThrow(
			`no neuron stack in ${join(out, 'neuron')} (no .env there); write one with hatch-wizard, or pass --out DIR ` +
				`/ --image`,
		);
	});
});

describe('askYesNo', () => {
	/** Asks with stdin and stdout replaced by streams (the terminal cannot exist here); types `answer` at the prompt. */
	async function ask(answer: string) {
		const input = new PassThrough();
		const output = new PassThrough();
		let shown = '';
		output.on('data', chunk => {
			shown += String(chunk);
			if (shown.endsWith('[y/N] ')) input.write(`${answer}\n`);
		});
		const stdin = vi.spyOn(process, 'stdin', 'get').mockReturnValue(input as unknown as typeof process.stdin);
		const stdout = vi.spyOn(process, 'stdout', 'get').mockReturnValue(output as unknown as typeof process.stdout);
		try {
			const yes = await askYesNo('Delete them?');
			return {yes, shown, listening: input.listenerCount('data') + input.listenerCount('keypress')};
		} finally {
			stdin.mockRestore();
			stdout.mockRestore();
		}
	}

	it('asks with [y/N] (the terminal replaced by streams): y or yes in any case is yes, anything else no', async () => {
		expect(await ask('y')).toEqual({yes: true, shown: 'Delete them? [y/N] ', listening: 0});
		for (const answer of ['yes', ' YES ', 'Y']) expect((await ask(answer)).yes).toBe(true);
		for (const answer of ['', 'n', 'no', 'yess', 'ay', 'y e s']) expect((await ask(answer)).yes).toBe(false);
	});
});

describe('bootSummary', () => {
	it('says each state of the boot record in words', () => {
		expect(bootSummary({state: 'ready 812', warnings: []})).toBe('boot: ready, no warnings\n');
		expect(bootSummary({state: 'ready 812', warnings: ['05-bindu: not cloned', '06-pixi: offline']})).toBe(
			'boot: ready, 2 warning(s):\n  ! 05-bindu: not cloned\n  ! 06-pixi: offline\n',
		);
		expect(bootSummary({state: 'booting', warnings: []})).toBe('boot: sshd is up; optional steps still running\n');
		expect(bootSummary({state: 'booting', warnings: ['05-bindu: slow']})).toBe(
			'boot: sshd is up; optional steps still running, 1 warning(s) so far:\n  ! 05-bindu: slow\n',
		);
		expect(bootSummary({state: 'failed 00-user-bootstrap', warnings: []})).toBe(
			'boot: FAILED at 00-user-bootstrap (hatch-wizard logs shows why)\n',
		);
		expect(bootSummary({state: 'failed', warnings: ['x: y']})).toBe(
			'boot: FAILED at ? (hatch-wizard logs shows why)\n  ! x: y\n',
		);
		expect(bootSummary(undefined)).toBe('boot: no record (an image older than this hatch-wizard?)\n');
		expect(bootSummary({state: 'strange', warnings: []})).toBe(
			'boot: no record (an image older than this hatch-wizard?)\n',
		);
	});
});

describe('statusCommand', () => {
	const running = (extra: Record<string, Reply> = {}, answers = true) =>
		scriptedEngine({
			reply: line =>
				({
					[INSPECT]: {stdout: 'running 2026-11-29T10:00:00Z 0\n'},
					[RECORD]: {stdout: 'ready 900\n05-bindu: dotfiles not cloned\n'},
					[KEYSCAN]: {stdout: keyscanLine(2222)},
					[STORED]: {stdout: storedKey()},
					...extra,
				})[line],
			answers: (address, port) => answers && address === '127.0.0.1' && port === 2222,
		});

	it(
		'a container that was never created: says so with the command that creates it, and checks ' + 'nothing else',
		async () => {
			const e = scriptedEngine({reply: () => ({exitCode: 1, stderr: 'Error: No such object: box'})});
			const p = printed();
			const r = ref();
			expect(await statusCommand(r, p.out, e.engine)).toBe(1);
			expect(p.text()).toBe(`box: not created (cd ${r.dir} && docker compose up -d --build)\n`);
			expect(e.lines()).toEqual([INSPECT]);
		},
	);

	it('a stopped container: its state and restarts, exit 1, no SSH check', async () => {
		const e = scriptedEngine({
			reply: line => (line === INSPECT ? {stdout: 'exited 2026-11-29T10:00:00Z 3\n'} : undefined),
		});
		const p = printed();
		expect(await statusCommand(ref(), p.out, e.engine)).toBe(1);
		expect(p.text()).toBe('box: exited, restarted 3 time(s)\n');
		expect(e.lines()).toEqual([INSPECT]);
	});

	it('a running, ready container: since when, the boot’s warnings, the checked host key and the login', async () => {
		const e = running();
		const p = printed();
		const home = mkdtempSync(join(tmpdir(), 'hatch-home-'));
		expect(await statusCommand(ref(), p.out, e.engine, Date.parse('2026-11-29T12:05:30Z'), home)).toBe(0);
		expect(p.text()).toBe(
			'box: running since 2026-11-29 10:00 UTC (2 h 5 min ago)\n' +
				'boot: ready, 1 warning(s):\n  ! 05-bindu: dotfiles not cloned\n' +
				`ssh: ok on port 2222, host key ${FP}\n` +
				'login: ssh -p 2222 alice@<docker-host>\n',
		);
		expect(e.lines()).toEqual([INSPECT, RECORD, 'connect 127.0.0.1:2222', KEYSCAN, STORED]);
		// With hatch's Host block in ~/.ssh/config, the short way first.
		mkdirSync(join(home, '.ssh'));
		writeFileSync(
			join(home, '.ssh', 'config'),
			hostBlock({name: 'box', hostName: 'h', port: '2222', user: 'alice', forwardAgent: false}),
		);
		const again = printed();
		await statusCommand(ref(), again.out, running().engine, Date.parse('2026-11-29T10:00:20Z'), home);
		expect(again.text()).toContain('box: running since 2026-11-29 10:00 UTC (just now)\n');
		expect(again.text()).toContain('login: ssh box (or: ssh -p 2222 alice@<docker-host>)\n');
	});

	it("since when, in words: minutes, hours, days; Docker's own text when it is not a time", () => {
		const at = Date.parse('2026-11-29T10:00:00Z');
		expect(sinceWhen('2026-11-29T10:00:00.123456789Z', at + 59_000)).toBe('2026-11-29 10:00 UTC (just now)');
		expect(sinceWhen('2026-11-29T10:00:00Z', at + 60_000)).toBe('2026-11-29 10:00 UTC (1 min ago)');
		expect(sinceWhen('2026-11-29T10:00:00Z', at + 3 * 3_600_000)).toBe('2026-11-29 10:00 UTC (3 h ago)');
		expect(sinceWhen('2026-11-29T10:00:00Z', at + 47 * 3_600_000 + 59 * 60_000)).toBe(
			'2026-11-29 10:00 UTC (47 h 59 min ago)',
		);
		expect(sinceWhen('2026-11-29T10:00:00Z', at + 50 * 3_600_000)).toBe('2026-11-29 10:00 UTC (2 days ago)');
		expect(sinceWhen('soon', at)).toBe('soon');
	});

	it('a container restarted by Docker says how often; one listening on an address is checked there', async () => {
		const values = {...VALUES, STEM_SSH_LISTEN: '127.0.0.2'};
		const e = scriptedEngine({
			reply: line =>
				({
					[INSPECT]: {stdout: 'running 2026-11-29T10:00:00Z 2\n'},
					[RECORD]: {stdout: 'ready 900\n'},
					'ssh-keyscan -T 3 -t ed25519 -p 2222 127.0.0.2': {stdout: keyscanLine(2222)},
					[STORED]: {stdout: storedKey()},
				})[line],
			answers: (address, port) => address === '127.0.0.2' && port === 2222,
		});
		const p = printed();
		const home = mkdtempSync(join(tmpdir(), 'hatch-home-'));
		expect(await statusCommand(ref(values), p.out, e.engine, Date.parse('2026-11-29T10:30:00Z'), home)).toBe(0);
		expect(p.text()).toBe(
			'box: running since 2026-11-29 10:00 UTC (30 min ago), restarted 2 time(s)\nboot: ready, no warnings\n' +
				`ssh: ok on port 2222, host key ${FP}\nlogin: ssh -p 2222 alice@127.0.0.2\n`,
		);
	});

	it('sshd not answering: the reason, exit 1', async () => {
		const p = printed();
		expect(await statusCommand(ref(), p.out, running({}, false).engine)).toBe(1);
		expect(p.text()).toMatch(/\nssh: nothing answers on 127\.0\.0\.1:2222\n$/);
	});

	it('another sshd on the port: both host keys named, exit 1', async () => {
		const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIAnotherSshdOnThisPortWithItsOwnHostKey0';
		const p = printed();
		expect(await statusCommand(ref(), p.out, running({[KEYSCAN]: {stdout: keyscanLine(2222, other)}}).engine)).toBe(1);
		expect(p.text()).toContain(`ssh: port 2222 answers with host key SHA256:`);
		expect(p.text()).toContain(`not this container's ${FP} (another sshd on that port?)\n`);
	});

	it('a compose file that does not follow the .env: each key and the command that applies it', async () => {
		const out = tmp('drift');
		const dir = join(out, 'stem');
		mkdirSync(dir);
		writeFileSync(join(dir, 'docker-compose.yml'), renderCompose('stem', VALUES));
		writeFileSync(join(dir, '.env'), renderEnv('stem', {...VALUES, STEM_VOLUMES_EXTERNAL: '1'}));
		const p = printed();
		expect(await statusCommand(ref(VALUES, dir), p.out, running().engine)).toBe(0);
		expect(p.text()).toContain(
			'compose: docker-compose.yml does not follow .env:\n' +
				'  ! STEM_VOLUMES_EXTERNAL is "1" in .env, but docker-compose.yml was written for "0"\n' +
				`  to apply: npx hatch-wizard --yes --no-build --image stem --out ${out} (rewrites it, with a diff, and ` +
				`restarts the container)\nssh: ok`,
		);
	});

	it('a compose file behind .env on two keys: one line for each', async () => {
		const out = tmp('drift');
		const dir = join(out, 'neuron');
		mkdirSync(dir);
		const values = {...defaults('neuron'), ...VALUES};
		writeFileSync(join(dir, 'docker-compose.yml'), renderCompose('neuron', values));
		writeFileSync(
			join(dir, '.env'),
			renderEnv('neuron', {...values, STEM_VOLUMES_EXTERNAL: '1', NEURON_PROJECTS_PATH: '/srv/projects'}),
		);
		const p = printed();
		expect(await statusCommand({image: 'neuron', dir, values}, p.out, running().engine)).toBe(0);
		const drift = p.text().split('compose: docker-compose.yml does not follow .env:\n')[1]!.split('\n');
		expect(drift.slice(0, 3)).toEqual([
			expect.stringMatching(/^ {2}! STEM_VOLUMES_EXTERNAL is "1" in \.env/),
			expect.stringMatching(/^ {2}! NEURON_PROJECTS_PATH /),
			expect.stringMatching(/^ {2}to apply: npx hatch-wizard --yes --no-build --image neuron /),
		]);
	});

	it('a container with no boot record (an older image) says so', async () => {
		const p = printed();
		await statusCommand(ref(), p.out, running({[RECORD]: {exitCode: 1}}).engine);
		expect(p.text()).toContain('\nboot: no record (an image older than this hatch-wizard?)\n');
	});
});

describe('logsCommand', () => {
	it('to a terminal: docker compose logs in the stack folder, its output straight through, its exit code', async () => {
		const e = scriptedEngine({
			reply: line => (line === 'docker compose logs --no-log-prefix --follow' ? {exitCode: 3} : undefined),
		});
		const r = ref();
		vi.stubEnv('COMPOSE_PROJECT_NAME', 'another');
		vi.stubEnv('STEM_CONTAINER_NAME', 'another');
		expect(await logsCommand(r, true, () => {}, true, e.engine)).toBe(3);
		expect(e.calls).toMatchObject([{kind: 'run', options: {cwd: r.dir, inherit: true}}]);
		// The stack's .env names the project, not a variable left in this shell.
		for (const call of e.calls) {
			expect(call.options.env?.COMPOSE_PROJECT_NAME).toBeUndefined();
			expect(call.options.env?.STEM_CONTAINER_NAME).toBeUndefined();
			expect(call.options.env?.PATH).toBe(process.env.PATH);
		}
		vi.unstubAllEnvs();
	});

	it('into a pipe: one clean line each, without terminal codes', async () => {
		const e = scriptedEngine({
			reply: line =>
				line === 'docker compose logs --no-log-prefix'
					? {lines: ['hatch: step 00-user done (5 ms)', 'caf\x1b[31mé\x1b[0m \x07bell'], exitCode: 0}
					: undefined,
		});
		const p = printed();
		const r = ref();
		expect(await logsCommand(r, false, p.out, false, e.engine)).toBe(0);
		expect(p.text()).toBe('hatch: step 00-user done (5 ms)\ncafé bell\n');
		expect(e.calls).toMatchObject([{kind: 'stream', options: {cwd: r.dir}}]);
	});

	it('into a pipe, following: Ctrl-C stops compose and exits 130; the handlers go with it', async () => {
		const before = new Set(process.listeners('SIGINT'));
		const e = scriptedEngine({
			reply: line => (line === 'docker compose logs --no-log-prefix --follow' ? {lines: ['x'], hang: true} : undefined),
		});
		const run = logsCommand(ref(), true, () => {}, false, e.engine);
		await e.ran(/logs/);
		const ours = process.listeners('SIGINT').filter(l => !before.has(l));
		expect(ours).toHaveLength(1);
		(ours[0] as () => void)();
		expect(await run).toBe(130);
		expect(e.cancels).toHaveLength(1);
		expect(process.listeners('SIGINT').filter(l => !before.has(l))).toEqual([]);
		expect(process.listeners('SIGTERM')).not.toContain(ours[0]);
	});

	it('into a pipe with no printer given: the clean lines go to standard output', async () => {
		const e = scriptedEngine({
			reply: line => (line === 'docker compose logs --no-log-prefix' ? {lines: ['a\x1b[2K\r', 'b']} : undefined),
		});
		const written: string[] = [];
		const write = vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
			written.push(String(chunk));
			return true;
		});
		try {
			expect(await logsCommand(ref(), false, undefined, false, e.engine)).toBe(0);
		} finally {
			write.mockRestore();
		}
		expect(written.join('')).toBe('a\nb\n');
	});

	it('into a pipe, following: Ctrl-C exits 130 even when compose ends cleanly on it (engine scripted)', async () => {
		const before = new Set(process.listeners('SIGINT'));
		const e = scriptedEngine({
			reply: line => (line === 'docker compose logs --no-log-prefix --follow' ? {hang: true} : undefined),
		});
		// docker compose logs -f stops on SIGINT and exits 0: the stream's end says 0, not 130.
		const engine = {
			...e.engine,
			proc: {
				...e.engine.proc,
				stream: (...a: Parameters<typeof e.engine.proc.stream>) => {
					const s = e.engine.proc.stream(...a);
					return {...s, done: s.done.then(r => ({...r, exitCode: 0}))};
				},
			},
		};
		const run = logsCommand(ref(), true, () => {}, false, engine);
		await e.ran(/logs/);
		const ours = process.listeners('SIGINT').filter(l => !before.has(l));
		(ours[0] as () => void)();
		expect(await run).toBe(130);
	});

	it('into a pipe: compose’s failure is the exit code', async () => {
		const e = scriptedEngine({reply: () => ({lines: ['no such service'], exitCode: 14})});
		expect(await logsCommand(ref(), false, () => {}, false, e.engine)).toBe(14);
	});
});

describe('publishCommand', () => {
	const BUILD = 'docker compose --progress plain build --build-arg HATCH_VERSION=1.2.3';
	const ok = (extra: Record<string, Reply> = {}) =>
		scriptedEngine({
			reply: line =>
				({
					[BUILD]: {lines: ['#1 [internal] load build definition', '#1 DONE 0.0s']},
					'docker tag 127.0.0.1:5000/team/stem:1.2.3 127.0.0.1:5000/team/stem:latest': {},
					'docker push 127.0.0.1:5000/team/stem:1.2.3': {},
					'docker push 127.0.0.1:5000/team/stem:latest': {},
					...extra,
				})[line],
		});

	it('refuses a repository with a tag and a version that is not semantic, naming the flag', async () => {
		const e = ok();
		await expect(publishCommand(ref(), 'you/stem:1', '1.2.3', () => {}, e.engine)).rejects.toThrow(
			'--repo must be an image name without a tag, like you/stem or 127.0.0.1:5000/team/stem (got "you/stem:1")',
		);
		await expect(publishCommand(ref(), 'You/Stem', '1.2.3', () => {}, e.engine)).rejects.toThrow(CommandError);
		await expect(publishCommand(ref(), 'you/stem', '1.2', () => {}, e.engine)).rejects.toThrow(
			'--version must look like 1.2.3 (got "1.2")',
		);
		await expect(publishCommand(ref(), 'you/stem', 'v1.2.3', () => {}, e.engine)).rejects.toThrow('--version');
		await expect(publishCommand(ref(), 'you/stem', '1.2.3x', () => {}, e.engine)).rejects.toThrow('--version');
		expect(e.calls).toEqual([]);
	});

	it('builds once with the version, tags latest, pushes both, in that order, and says each step', async () => {
		const e = ok();
		const p = printed();
		const r = ref();
		expect(await publishCommand(r, '127.0.0.1:5000/team/stem', '1.2.3', p.out, e.engine)).toBe(0);
		expect(e.lines()).toEqual([
			BUILD,
			'docker tag 127.0.0.1:5000/team/stem:1.2.3 127.0.0.1:5000/team/stem:latest',
			'docker push 127.0.0.1:5000/team/stem:1.2.3',
			'docker push 127.0.0.1:5000/team/stem:latest',
		]);
		expect(p.text()).toBe(
			'build: 127.0.0.1:5000/team/stem:1.2.3\n' +
				'tag: 127.0.0.1:5000/team/stem:1.2.3 → 127.0.0.1:5000/team/stem:latest\n' +
				'push: 127.0.0.1:5000/team/stem:1.2.3\n' +
				'push: 127.0.0.1:5000/team/stem:latest\n' +
				'published 127.0.0.1:5000/team/stem:1.2.3 and 127.0.0.1:5000/team/stem:latest\n',
		);
		// The build names the image through the environment, and nothing from hatch's own COMPOSE_* or STEM_* reaches it.
		const build = e.calls[0]!;
		expect(build.options.cwd).toBe(r.dir);
		expect(build.options.env?.STEM_IMAGE).toBe('127.0.0.1:5000/team/stem:1.2.3');
	});

	it('interrupted during the build: nothing pushed, exit 130', async () => {
		const e = scriptedEngine({
			reply: line =>
				line === `${BUILD.replace('1.2.3', '10.20.30')}`
					? {lines: ['#1 [internal] load build definition'], hang: true}
					: undefined,
		});
		const p = printed();
		const run = publishCommand(ref(), '127.0.0.1:5000/team/stem', '10.20.30', p.out, e.engine);
		await e.ran(/compose --progress plain build/);
		e.interrupt();
		expect(await run).toBe(130);
		expect(p.text()).toBe('build: 127.0.0.1:5000/team/stem:10.20.30\ninterrupted: nothing was pushed\n');
		expect(e.lines()).toHaveLength(1);
	});

	it('the build sees none of hatch’s own settings or COMPOSE_* variables', async () => {
		vi.stubEnv('STEM_SSH_PORT', '9999');
		vi.stubEnv('COMPOSE_FILE', 'other.yml');
		const e = ok();
		await publishCommand(ref(), '127.0.0.1:5000/team/stem', '1.2.3', () => {}, e.engine);
		expect(e.calls[0]!.options.env?.STEM_SSH_PORT).toBeUndefined();
		expect(e.calls[0]!.options.env?.COMPOSE_FILE).toBeUndefined();
		vi.unstubAllEnvs();
	});

	it('a pre-release version keeps its dash; build metadata becomes an underscore in the tag', async () => {
		const e = scriptedEngine({reply: () => ({})});
		const p = printed();
		expect(await publishCommand(ref(), 'you/stem', '1.2.3-rc.1', p.out, e.engine)).toBe(0);
		expect(p.text()).toMatch(/^build: you\/stem:1\.2\.3-rc\.1\n/);
		const e2 = scriptedEngine({reply: () => ({})});
		const p2 = printed();
		expect(await publishCommand(ref(), 'you/stem', '1.2.3+build.7', p2.out, e2.engine)).toBe(0);
		expect(p2.text()).toMatch(/^build: you\/stem:1\.2\.3_build\.7\n/);
		expect(e2.lines()[0]).toBe('docker compose --progress plain build --build-arg HATCH_VERSION=1.2.3+build.7');
	});

	it('a failed build: the last 20 lines of its output, nothing tagged or pushed', async () => {
		const lines = Array.from({length: 25}, (_, i) => `line ${i + 1}`);
		const e = ok({[BUILD]: {lines, exitCode: 17}});
		const p = printed();
		expect(await publishCommand(ref(), '127.0.0.1:5000/team/stem', '1.2.3', p.out, e.engine)).toBe(1);
		expect(p.text()).toBe(
			`build: 127.0.0.1:5000/team/stem:1.2.3\nbuild failed (exit 17):\n${lines
				.slice(-20)
				.map(l => `  ${l}\n`)
				.join('')}`,
		);
		expect(e.lines()).toEqual([BUILD]);
	});

	it('a failed push: the registry’s last line, and nothing after it', async () => {
		const e = ok({
			'docker push 127.0.0.1:5000/team/stem:1.2.3': {
				exitCode: 1,
				stderr: 'The push refers to repository\nconnection refused\n',
			},
		});
		const p = printed();
		expect(await publishCommand(ref(), '127.0.0.1:5000/team/stem', '1.2.3', p.out, e.engine)).toBe(1);
		expect(p.text()).toBe(
			'build: 127.0.0.1:5000/team/stem:1.2.3\ntag: 127.0.0.1:5000/team/stem:1.2.3 → ' +
				'127.0.0.1:5000/team/stem:latest\npush failed: connection refused\n',
		);
		expect(e.lines()).toHaveLength(3);
	});
});

// ---- bindu-update: its script, run for real on this machine -------------------------------------------

function git(cwd: string, ...args: string[]) {
	const r = spawnSync('git', args, {
		cwd,
		encoding: 'utf8',
		env: {
			...process.env,
			GIT_AUTHOR_NAME: 't',
			GIT_AUTHOR_EMAIL: 't@t',
			GIT_COMMITTER_NAME: 't',
			GIT_COMMITTER_EMAIL: 't@t',
		},
	});
	if (r.status !== 0) throw new Error(r.stderr);
	return r.stdout.trim();
}

/** A dotfiles repository with `files` committed on main; returns its file:// URL and a way to commit more. */
function dotfiles(files: Record<string, string>) {
	const work = tmp('bindu');
	git(work, 'init', '-q', '-b', 'main');
	const commit = (f: Record<string, string | null>) => {
		for (const [path, text] of Object.entries(f)) {
			if (text === null) git(work, 'rm', '-q', path);
			else {
				mkdirSync(join(work, path, '..'), {recursive: true});
				writeFileSync(join(work, path), text);
				git(work, 'add', path);
			}
		}
		git(work, 'commit', '-q', '-m', 'change');
		return git(work, 'rev-parse', 'HEAD');
	};
	const head = commit(files);
	return {url: `file://${work}`, commit, head};
}

/**
 * The scripted engine for bindu-update: `docker exec -u U:G -e K=V … box bash -c SCRIPT` runs SCRIPT here with
 * exactly those variables (and PATH), HOME being a folder of the test's. Anything else is unknown.
 */
function binduEngine(home: string) {
	const runs: Record<string, string>[] = [];
	const e = scriptedEngine({
		reply: (_line, call: Call) => {
			const a = call.args;
			if (call.cmd !== 'docker' || a[0] !== 'exec' || a[1] !== '-u' || a[2] !== '1000:1000') return undefined;
			const env: Record<string, string> = {};
			let i = 3;
			for (; a[i] === '-e'; i += 2) {
				const [k, ...v] = a[i + 1]!.split('=');
				env[k!] = v.join('=');
			}
			if (a[i] !== 'box' || a[i + 1] !== 'bash' || a[i + 2] !== '-c' || a.length !== i + 4) return undefined;
			expect(env.HOME).toBe('/home/alice');
			runs.push(env);
			const r = spawnSync('bash', ['-c', a[i + 3]!], {
				encoding: 'utf8',
				env: {...env, HOME: home, PATH: process.env.PATH!},
			});
			return {exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr};
		},
	});
	return {...e, runs};
}

describe('binduUpdateCommand, its output read (scripted engine)', () => {
	const values = {...VALUES, BINDU_REPO: 'https://example.org/bindu.git', BINDU_REF: 'v2'};
	it('the commit’s first 12 characters, each change, and the backup named from ~', async () => {
		const e = scriptedEngine({
			reply: (_l, call) =>
				call.cmd === 'docker' && call.args.includes('MODE=apply')
					? {stdout: 'at 0123456789abcdef\n>f+++++++++ a\n.d..t...... ./\nbackup /home/alice/.config.bak-X\n'}
					: undefined,
		});
		const p = printed();
		expect(await binduUpdateCommand(ref(values), {}, p.out, e.engine)).toBe(0);
		expect(p.text()).toBe(
			'~/.config updated from https://example.org/bindu.git v2 (0123456789ab): 1 change(s)\n  >f+++++++++ a\nthe ' +
				'folder as it was is kept as ~/.config.bak-X\n',
		);
	});

	it('rsync’s lines are read by their flags, never by the file’s name', async () => {
		const e = scriptedEngine({
			reply: (_l, call) =>
				call.cmd === 'docker' && call.args.includes('MODE=apply')
					? {stdout: 'at 0123456789abcdef\n>f+++++++++ fish/conf.d/t 2.fish\n>f+++++++++ backup plan.md\n'}
					: undefined,
		});
		const p = printed();
		expect(await binduUpdateCommand(ref(values), {}, p.out, e.engine)).toBe(0);
		expect(p.text()).toBe(
			'~/.config updated from https://example.org/bindu.git v2 (0123456789ab): 2 change(s)\n' +
				'  >f+++++++++ fish/conf.d/t 2.fish\n  >f+++++++++ backup plan.md\n',
		);
	});

	it(
		'a failure: its exit code and the last three lines it wrote, cleaned; a failed list stops before anything ' +
			'changes',
		async () => {
			const e = scriptedEngine({reply: () => ({exitCode: 9, stderr: 'one\ntwo\nthr\x1b[31mee\nfour\n'})});
			const p = printed();
			expect(await binduUpdateCommand(ref(values), {delete: true, yes: true}, p.out, e.engine)).toBe(1);
			expect(p.text()).toBe('bindu-update failed (exit 9): two / three / four\n');
			expect(e.calls.map(c => c.args.find(a => a.startsWith('MODE=')))).toEqual(['MODE=plan']);
		},
	);
});

describe('binduUpdateCommand (its script run here with git and rsync)', () => {
	const values = (repo: string, extra: Values = {}) => ({...VALUES, BINDU_REPO: repo, BINDU_REF: 'main', ...extra});

	it('needs BINDU_REPO, and a subtree that stays inside the repository', async () => {
		const e = scriptedEngine({reply: () => undefined});
		await expect(binduUpdateCommand(ref({...VALUES, BINDU_REPO: ''}), {}, () => {}, e.engine)).rejects.toThrow(
			/^BINDU_REPO is empty in .*\/\.env; set it first \(hatch-wizard --set BINDU_REPO=…\)$/,
		);
		for (const subtree of ['', '../etc', 'a b', 'x/../../y']) {
			await expect(binduUpdateCommand(ref(values('file:///r')), {subtree}, () => {}, e.engine)).rejects.toThrow(
				`--subtree must be a folder of the repository, like apogee (got "${subtree}")`,
			);
		}
		expect(e.calls).toEqual([]);
	});

	it('copies the repository into ~/.config, lists each change, and never touches secrets files', async () => {
		const repo = dotfiles({'nvim/init.lua': 'set number\n', 'git/config': '[user]\n'});
		const home = tmp('home');
		mkdirSync(join(home, '.config', 'apogee'), {recursive: true});
		writeFileSync(join(home, '.config', 'apogee', 'secrets.env'), 'TOKEN=mine\n');
		// A folder whose time alone differs (rsync: `.d..t......`) is not a change to count.
		utimesSync(join(home, '.config'), 1_000_000, 1_000_000);
		const e = binduEngine(home);
		const p = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {}, p.out, e.engine)).toBe(0);
		expect(readFileSync(join(home, '.config', 'nvim', 'init.lua'), 'utf8')).toBe('set number\n');
		expect(readFileSync(join(home, '.config', 'apogee', 'secrets.env'), 'utf8')).toBe('TOKEN=mine\n');
		const text = p.text();
		expect(text).toBe(
			`~/.config updated from ${repo.url} main (${repo.head.slice(0, 12)}): 4 change(s)\n  cd+++++++++ git/\n  ` +
				`>f+++++++++ git/config\n  cd+++++++++ nvim/\n  >f+++++++++ ` +
				`nvim/init.lua\n`,
		);
		expect(e.runs).toHaveLength(1);
		expect(e.runs[0]).toMatchObject({
			MODE: 'apply',
			DELETE: '0',
			SUBTREE: '',
			EXPECT: '',
			REPO: repo.url,
			REF: 'main',
			GIT_TERMINAL_PROMPT: '0',
		});
	});

	it('again with nothing new: no change; a file whose mode changed is put back and counted', async () => {
		const repo = dotfiles({'nvim/init.lua': 'set number\n'});
		const home = tmp('home');
		expect(await binduUpdateCommand(ref(values(repo.url)), {}, () => {}, binduEngine(home).engine)).toBe(0);
		const again = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {}, again.out, binduEngine(home).engine)).toBe(0);
		expect(again.text()).toMatch(/: 0 change\(s\)\n$/);
		chmodSync(join(home, '.config', 'nvim', 'init.lua'), 0o600);
		const mode = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {}, mode.out, binduEngine(home).engine)).toBe(0);
		// Its mode changed (p), perhaps its time too (t): one change either way.
		expect(mode.text()).toMatch(/: 1 change\(s\)\n {2}\.f\.\.[.t]p\.+ nvim\/init\.lua\n$/);
	});

	it('an empty BINDU_REF means main', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const e = binduEngine(tmp('home'));
		const p = printed();
		expect(await binduUpdateCommand(ref(values(repo.url, {BINDU_REF: ''})), {}, p.out, e.engine)).toBe(0);
		expect(e.runs[0]!.REF).toBe('main');
		expect(p.text()).toContain(` main (${repo.head.slice(0, 12)})`);
	});

	it('--subtree copies only that folder, into the same folder of ~/.config', async () => {
		const repo = dotfiles({'apogee/theme.toml': 'dark\n', 'nvim/init.lua': 'x\n'});
		const home = tmp('home');
		const p = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {subtree: 'apogee'}, p.out, binduEngine(home).engine)).toBe(
			0,
		);
		expect(readdirSync(join(home, '.config'))).toEqual(['apogee']);
		expect(p.text()).toMatch(/^~\/\.config\/apogee updated from /);
		const missing = printed();
		expect(
			await binduUpdateCommand(ref(values(repo.url)), {subtree: 'zsh'}, missing.out, binduEngine(home).engine),
		).toBe(1);
		expect(missing.text()).toBe('bindu-update failed (exit 3): the repository has no zsh/ at main\n');
	});

	it('a repository that cannot be cloned: git’s own error line, exit 1', async () => {
		const p = printed();
		expect(
			await binduUpdateCommand(
				ref(values(`file://${tmp('empty')}/nothing`)),
				{},
				p.out,
				binduEngine(tmp('home')).engine,
			),
		).toBe(1);
		expect(p.text()).toMatch(/^bindu-update failed \(exit 4\): fatal: .*\n$/);
	});

	it('--delete lists what it would remove and asks; no: nothing changes', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const home = tmp('home');
		mkdirSync(join(home, '.config'), {recursive: true});
		writeFileSync(join(home, '.config', 'old.txt'), 'mine\n');
		writeFileSync(join(home, '.config', 'b-old.txt'), 'mine\n');
		const asked: string[] = [];
		const e = binduEngine(home);
		const p = printed();
		const code = await binduUpdateCommand(
			ref(values(repo.url)),
			{
				delete: true,
				ask: async q => {
					asked.push(q);
					return false;
				},
			},
			p.out,
			e.engine,
		);
		expect(code).toBe(1);
		expect(asked).toEqual(['Delete them?']);
		expect(p.text()).toMatch(
			new RegExp(
				'^--delete removes 2 file\\(s\\) from ~/\\.config that the repository no longer has ' +
					'\\(a copy of the folder is kept as ~/\\.config\\.bak-\\d{8}-\\d{6}\\):\n' +
					' {2}- b-old\\.txt\n {2}- old\\.txt\nnothing changed\n$',
			),
		);
		expect(existsSync(join(home, '.config', 'old.txt'))).toBe(true);
		expect(existsSync(join(home, '.config', 'a.txt'))).toBe(false);
		expect(e.runs.map(r => r.MODE)).toEqual(['plan']);
	});

	it('--delete without a terminal and without --yes: exit 2 and the flag to pass', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const home = tmp('home');
		mkdirSync(join(home, '.config'), {recursive: true});
		writeFileSync(join(home, '.config', 'old.txt'), 'mine\n');
		const p = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {delete: true}, p.out, binduEngine(home).engine)).toBe(2);
		expect(p.text()).toMatch(/\nnothing changed: pass --yes to delete them without a question\n$/);
	});

	it('--delete --yes removes them, keeps the folder as it was in a backup, and pins the commit it listed', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const home = tmp('home');
		mkdirSync(join(home, '.config'), {recursive: true});
		writeFileSync(join(home, '.config', 'old.txt'), 'mine\n');
		const e = binduEngine(home);
		const p = printed();
		expect(await binduUpdateCommand(ref(values(repo.url)), {delete: true, yes: true}, p.out, e.engine)).toBe(0);
		expect(existsSync(join(home, '.config', 'old.txt'))).toBe(false);
		const backup = readdirSync(home).find(n => n.startsWith('.config.bak-'))!;
		expect(readFileSync(join(home, backup, 'old.txt'), 'utf8')).toBe('mine\n');
		expect(p.text()).toContain('  *deleting   old.txt\n');
		expect(p.text()).toMatch(
			new RegExp(
				`\\nthe folder as it was is kept as ${home.replaceAll('/', '\\/')}\\/${backup.replace('.', '\\.')}\\n$`,
			),
		);
		expect(e.runs.map(r => [r.MODE, r.DELETE, r.EXPECT])).toEqual([
			['plan', '1', ''],
			['apply', '1', repo.head],
		]);
	});

	it('--delete with nothing to delete asks nothing', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const asked: string[] = [];
		const p = printed();
		expect(
			await binduUpdateCommand(
				ref(values(repo.url)),
				{
					delete: true,
					ask: async q => {
						asked.push(q);
						return false;
					},
				},
				p.out,
				binduEngine(tmp('home')).engine,
			),
		).toBe(0);
		expect(asked).toEqual([]);
	});

	it('--delete refuses to apply when the repository moved on after the list was shown', async () => {
		const repo = dotfiles({'a.txt': 'a\n'});
		const home = tmp('home');
		mkdirSync(join(home, '.config'), {recursive: true});
		writeFileSync(join(home, '.config', 'old.txt'), 'mine\n');
		let next = '';
		const p = printed();
		const code = await binduUpdateCommand(
			ref(values(repo.url)),
			{
				delete: true,
				ask: async () => {
					next = repo.commit({'b.txt': 'b\n'});
					return true;
				},
			},
			p.out,
			binduEngine(home).engine,
		);
		expect(code).toBe(1);
		expect(p.text()).toMatch(
			new RegExp(
				`\\nbindu-update failed \\(exit 5\\): the repository changed since the list was made \\(now ` +
					`${next.slice(0, 12)}\\); run bindu-update again\\n$`,
			),
		);
		expect(existsSync(join(home, '.config', 'old.txt'))).toBe(true);
	});
});
