// Build, start and the readiness wait (source/docker/deploy.ts), their outcome in words, and the plain
// output of --yes (source/docker/plain.ts), in process against a scripted engine (test/helpers/engine.ts):
// the build prints a real BuildKit log captured from this project's stem build, compose answers as it does,
// sshd answers (or not) on the scripted clock. The real engine is exercised by the e2e suite.
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {BuildProgress} from '../../source/docker/buildkit.js';
import {type DeployEvents, type DeployResult, deploy, outcome, stateAfter} from '../../source/docker/deploy.js';
import {deployPlain} from '../../source/docker/plain.js';
import {fingerprint} from '../../source/docker/ready.js';
import {BOX, HOST_KEY, keyscanLine, LOOKS, type Reply, scriptedEngine, storedKey} from '../helpers/engine.js';
import {fixture} from '../helpers/fake-host.js';

const VALUES = BOX;
const FP = fingerprint(HOST_KEY);
const BUILD = 'docker compose --progress plain build';
const UP = 'docker compose up --detach';
const STOP = 'docker compose stop --timeout 2';
const KEYSCAN = LOOKS.keyscan;
const STORED = LOOKS.stored;
const RECORD = LOOKS.record;
const BUILD_LOG = fixture('buildkit-stem-ok.txt').trimEnd().split('\n');
const BOOT_LOG = [
	'hatch: step 00-user-bootstrap done (40 ms)',
	'hatch[05-bindu]: WARNING: dotfiles not cloned: offline',
	'hatch: ready (1 warning)',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'hatch-deploy-'));

/** A host where everything works, unless `replies` says otherwise; sshd answers from `answersFrom` ms. */
function engine(replies: Record<string, Reply> = {}, answersFrom = 0) {
	return scriptedEngine({
		reply: line => {
			if (line in replies) return replies[line];
			if (line.startsWith('docker logs --follow --since ')) return {lines: BOOT_LOG};
			return (
				{
					[BUILD]: {lines: BUILD_LOG},
					[UP]: {lines: [' Container box  Started', 'Published ports are discarded when using host network mode']},
					[`${UP} --no-build`]: {lines: [' Container box  Started']},
					[KEYSCAN]: {stdout: keyscanLine(2222)},
					[STORED]: {stdout: storedKey()},
					[RECORD]: {stdout: 'ready 900\n05-bindu: dotfiles not cloned: offline\n'},
					[STOP]: {},
				} as Record<string, Reply>
			)[line];
		},
		answers: (address, port, t) => t >= answersFrom && address === '127.0.0.1' && port === 2222,
	});
}

/** Every event, in order, as one line each. */
function recorder() {
	const seen: string[] = [];
	const events: DeployEvents = {
		onStart: f => seen.push(`start ${f}`),
		onPhase: p => seen.push(`phase ${p}`),
		onBuildLine: (line, progress) => seen.push(`build ${progress.counts().total} ${line}`),
		onUpLine: l => seen.push(`up ${l}`),
		onBoot: e => seen.push(`boot ${e.kind} ${e.text}`),
	};
	return {seen, events};
}

afterEach(() => vi.unstubAllEnvs());

/**
 * Runs deployPlain with a heartbeat every millisecond until a line containing `word` is printed; returns the lines
 * and the exit code.
 */
async function untilHeartbeat(word: string, replies: Record<string, Reply>, options: {build: boolean; boot: boolean}) {
	let heard: () => void = () => {};
	const heartbeat = new Promise<void>(r => (heard = r));
	const e = engine(Object.fromEntries(Object.entries(replies).map(([k, v]) => [k, {...v, until: heartbeat}])));
	const lines: string[] = [];
	const out = (s: string) => {
		lines.push(s);
		if (s.includes(word)) heard();
	};
	const code = await deployPlain(tmp(), VALUES, {...options, sshConfig: false, heartbeatMs: 1, engine: e.engine}, out);
	return {lines, code};
}

describe('deploy', () => {
	it('builds, starts and waits for sshd with the stored host key: every event in order, ready', async () => {
		vi.stubEnv('STEM_SSH_PORT', '9999');
		vi.stubEnv('COMPOSE_PROJECT_NAME', 'someone-else');
		vi.stubEnv('HATCH_KEPT', 'yes');
		const dir = tmp();
		const e = engine();
		const rec = recorder();
		const before = Date.now();
		const r = await deploy(dir, VALUES, {build: true, boot: true, events: rec.events, engine: e.engine}).done;
		expect(r).toMatchObject({
			ok: true,
			canceled: false,
			phase: 'ready',
			exitCode: 0,
			tail: BOOT_LOG,
			ready: {ok: true, fingerprint: FP, keyBlob: HOST_KEY, warnings: ['05-bindu: dotfiles not cloned: offline']},
		});
		expect(r.hint).toBeUndefined();
		expect(r.logFile).toMatch(new RegExp(`^${dir}/logs/hatch-\\d{8}-\\d{6}\\.log$`));
		expect(r.progress.counts()).toEqual({done: 9, cached: 0, total: 9});
		expect(e.lines().map(l => l.replace(/--since \S+/, '--since T'))).toEqual([
			BUILD,
			UP,
			'docker logs --follow --since T box',
			'connect 127.0.0.1:2222',
			KEYSCAN,
			STORED,
		]);
		// The log is followed from a second before `up`, so no line of this boot is missed.
		const since = Date.parse(e.calls[2]!.args[3]!);
		expect(since).toBeGreaterThanOrEqual(before - 1000 - 5);
		expect(since).toBeLessThanOrEqual(Date.now() - 1000);
		// Compose runs in the stack folder, writes to the log, and sees nothing of hatch's own settings.
		for (const c of e.calls.slice(0, 2)) {
			expect(c.options.cwd).toBe(dir);
			expect(c.options.logFile).toBe(r.logFile);
			expect(c.options.env?.STEM_SSH_PORT).toBeUndefined();
			expect(c.options.env?.COMPOSE_PROJECT_NAME).toBeUndefined();
			expect(c.options.env?.HATCH_KEPT).toBe('yes');
		}
		expect(rec.seen[0]).toBe(`start ${r.logFile}`);
		expect(rec.seen[1]).toBe('phase build');
		const built = rec.seen.slice(2, 2 + BUILD_LOG.length);
		expect(built.map(l => l.replace(/^build \d+ /, ''))).toEqual(BUILD_LOG);
		expect(built.at(-1)).toBe(`build 9 ${BUILD_LOG.at(-1)}`);
		// The note compose prints in host network mode is expected, and not shown.
		expect(rec.seen.slice(2 + BUILD_LOG.length)).toEqual([
			'phase up',
			'up  Container box  Started',
			'phase ready',
			'boot step 00-user-bootstrap',
			'boot warning 05-bindu: dotfiles not cloned: offline',
			'boot ready hatch: ready (1 warning)',
		]);
	});

	it('without a build: `up --no-build`, no build phase', async () => {
		const e = engine();
		const rec = recorder();
		const r = await deploy(tmp(), VALUES, {build: false, boot: true, events: rec.events, engine: e.engine}).done;
		expect(r.ok).toBe(true);
		expect(e.lines()[0]).toBe(`${UP} --no-build`);
		expect(rec.seen.filter(s => s.startsWith('phase'))).toEqual(['phase up', 'phase ready']);
		expect(r.progress.counts().total).toBe(0);
	});

	it('external volumes: the missing ones are created before the start, each said; others left alone', async () => {
		const CONFIG = 'docker compose config --format json';
		const config = JSON.stringify({
			volumes: {
				home: {name: 'box-home', external: true},
				sshkeys: {name: 'box-sshkeys', external: true},
				other: {name: 'box-scratch'},
			},
		});
		const e = engine({
			[CONFIG]: {stdout: config},
			'docker volume inspect box-home': {exitCode: 1, stderr: 'Error: No such volume: box-home'},
			'docker volume inspect box-sshkeys': {stdout: '[{}]'},
			'docker volume create box-home': {stdout: 'box-home'},
		});
		const rec = recorder();
		const values = {...VALUES, STEM_VOLUMES_EXTERNAL: '1'};
		const r = await deploy(tmp(), values, {build: false, boot: true, events: rec.events, engine: e.engine}).done;
		expect(r.ok).toBe(true);
		expect(e.lines().slice(0, 5)).toEqual([
			CONFIG,
			'docker volume inspect box-home',
			'docker volume create box-home',
			'docker volume inspect box-sshkeys',
			`${UP} --no-build`,
		]);
		expect(rec.seen.filter(s => s.startsWith('up '))).toEqual([
			'up Volume box-home  Created (external: compose never removes it)',
			'up  Container box  Started',
		]);
		// Compose managing them: nothing is asked of the engine before `up`.
		const managed = engine();
		await deploy(tmp(), VALUES, {build: false, boot: true, engine: managed.engine}).done;
		expect(managed.lines()[0]).toBe(`${UP} --no-build`);
	});

	it('external volumes that cannot be made stop the start, saying why; nothing is started', async () => {
		const CONFIG = 'docker compose config --format json';
		const e = engine({
			[CONFIG]: {stdout: JSON.stringify({volumes: {home: {name: 'box-home', external: true}}})},
			'docker volume inspect box-home': {exitCode: 1},
			'docker volume create box-home': {exitCode: 1, stderr: 'Error response from daemon: no space left on device\n'},
		});
		const values = {...VALUES, STEM_VOLUMES_EXTERNAL: '1'};
		const r = await deploy(tmp(), values, {build: false, boot: true, engine: e.engine}).done;
		expect(r).toMatchObject({ok: false, phase: 'up', exitCode: 1});
		expect(r.tail).toEqual([
			'docker volume create box-home failed: Error response from daemon: no space left on device',
		]);
		expect(r.hint).toBe('the disk is full: docker system prune frees space');
		expect(e.lines()).not.toContain(`${UP} --no-build`);
		const broken = engine({[CONFIG]: {exitCode: 15, stderr: 'yaml: line 3: did not find expected key\n'}});
		const bad = await deploy(tmp(), values, {build: false, boot: true, engine: broken.engine}).done;
		expect(bad.tail).toEqual(['docker compose config failed: yaml: line 3: did not find expected key']);
	});

	it('external volumes: compose config in the stack folder, none of hatch’s settings, a deadline on each', async () => {
		vi.stubEnv('COMPOSE_PROJECT_NAME', 'someone-else');
		vi.stubEnv('HATCH_KEPT', 'yes');
		const CONFIG = 'docker compose config --format json';
		const dir = tmp();
		const e = engine({
			[CONFIG]: {stdout: JSON.stringify({volumes: {home: {name: 'box-home', external: true}}})},
			'docker volume inspect box-home': {exitCode: 1, stderr: 'Error: No such volume: box-home'},
			'docker volume create box-home': {stdout: 'box-home'},
		});
		const values = {...VALUES, STEM_VOLUMES_EXTERNAL: '1'};
		expect((await deploy(dir, values, {build: false, boot: true, engine: e.engine}).done).ok).toBe(true);
		const looks = e.calls.slice(0, 3);
		expect(looks.map(c => c.line)).toEqual([CONFIG, 'docker volume inspect box-home', 'docker volume create box-home']);
		expect(looks[0]!.options.cwd).toBe(dir);
		for (const c of looks) {
			expect(c.options.env?.COMPOSE_PROJECT_NAME, c.line).toBeUndefined();
			expect(c.options.env?.HATCH_KEPT, c.line).toBe('yes');
			expect(c.options.timeoutMs, c.line).toBeGreaterThan(0);
			expect(c.options.timeoutMs, c.line).toBeLessThanOrEqual(15_000);
		}
	});

	it('a build alone: ends after the build, not ready, nothing started', async () => {
		const e = engine();
		const r = await deploy(tmp(), VALUES, {build: true, boot: false, engine: e.engine}).done;
		expect(r).toMatchObject({ok: true, phase: 'build', exitCode: 0, tail: []});
		expect(r.ready).toBeUndefined();
		expect(e.lines()).toEqual([BUILD]);
	});

	it('a failed build: the failing step, its output, a hint; nothing started', async () => {
		const lines = [
			'#1 [stem internal] load build definition from Dockerfile',
			'#1 DONE 0.0s',
			'#4 [stem stem 1/9] FROM docker.io/library/nope:latest',
			'#4 ERROR: pull access denied for nope, repository does not exist',
		];
		const e = engine({[BUILD]: {lines, exitCode: 17}});
		const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine}).done;
		expect(r).toMatchObject({
			ok: false,
			canceled: false,
			phase: 'build',
			exitCode: 17,
			tail: lines,
			hint: 'the base image could not be pulled: check STEM_BASE_IMAGE and your network (or docker login)',
		});
		expect(r.failedStep).toMatchObject({title: 'FROM docker.io/library/nope:latest', status: 'error'});
		expect(e.lines()).toEqual([BUILD]);
	});

	it('a failed build keeps only its last 30 lines', async () => {
		const lines = Array.from({length: 45}, (_, i) => `out ${i}`);
		const r = await deploy(tmp(), VALUES, {
			build: true,
			boot: true,
			engine: engine({[BUILD]: {lines, exitCode: 1}}).engine,
		}).done;
		expect(r.tail).toEqual(lines.slice(-30));
		expect(r.failedStep).toBeUndefined();
		expect(r.hint).toBeUndefined();
	});

	it('interrupted during the build: the build is cancelled, nothing else runs, exit 130', async () => {
		let started: () => void = () => {};
		const building = new Promise<void>(r => (started = r));
		// Output that would give a hint for a failure: an interruption gives none.
		const e = engine({
			[BUILD]: {
				lines: ['#1 [stem internal] load build definition from Dockerfile', 'no space left on device'],
				hang: true,
			},
		});
		const run = deploy(tmp(), VALUES, {
			build: true,
			boot: true,
			engine: e.engine,
			events: {onBuildLine: () => started()},
		});
		await building;
		run.cancel();
		const r = await run.done;
		expect(r).toMatchObject({ok: false, canceled: true, phase: 'build', exitCode: 130});
		expect(r.hint).toBeUndefined();
		expect(e.cancels).toEqual([{line: BUILD, graceMs: undefined}]);
		expect(e.lines()).toEqual([BUILD]);
	});

	it('interrupted while starting: phase up, cancelled, no wait for sshd', async () => {
		let started: () => void = () => {};
		const starting = new Promise<void>(r => (started = r));
		const e = engine({[UP]: {lines: [' Container box  Creating'], hang: true}});
		const run = deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine, events: {onUpLine: () => started()}});
		await starting;
		run.cancel();
		const r = await run.done;
		expect(r).toMatchObject({ok: false, canceled: true, phase: 'up', exitCode: 130});
		expect(e.lines()).toEqual([BUILD, UP]);
	});

	it('interrupted while waiting for sshd: the wait ends, the container is left running (not stopped)', async () => {
		let cancel: () => void = () => {};
		const e = scriptedEngine({
			reply: line => (line.startsWith('docker logs') ? {lines: []} : line === BUILD || line === UP ? {} : undefined),
			answers: (_a, _p, t) => {
				if (t >= 1000) cancel();
				return false;
			},
		});
		const run = deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine});
		cancel = run.cancel;
		const r = await run.done;
		expect(r).toMatchObject({
			ok: false,
			canceled: true,
			phase: 'ready',
			exitCode: 130,
			ready: {reason: 'interrupted while waiting for sshd'},
		});
		expect(r.stopped).toBeUndefined();
		expect(e.lines()).not.toContain(STOP);
	});

	it('a failed start: compose’s output and the hint for a taken port', async () => {
		const e = engine({
			[UP]: {
				lines: ['Error response from daemon: driver failed: Bind for 0.0.0.0:2222 failed: port is already allocated'],
				exitCode: 1,
			},
		});
		const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine}).done;
		expect(r).toMatchObject({
			ok: false,
			phase: 'up',
			exitCode: 1,
			hint: 'the SSH port is taken: pick another STEM_SSH_PORT (hatch-wizard --set STEM_SSH_PORT=…)',
		});
		expect(r.tail).toEqual([
			'Error response from daemon: driver failed: Bind for 0.0.0.0:2222 failed: port is already allocated',
		]);
		expect(e.lines()).toEqual([BUILD, UP]);
	});

	it(
		'sshd never answers: after the deadline the container is stopped (no restart loop), and the ' + 'result says why',
		async () => {
			const e = engine({}, Infinity);
			const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine, readyTimeoutMs: 5000}).done;
			expect(r).toMatchObject({
				ok: false,
				phase: 'ready',
				exitCode: 1,
				stopped: true,
				hint: 'sshd did not answer on 127.0.0.1:2222 within 5 s',
			});
			expect(e.time()).toBe(5000);
			expect(e.lines().at(-1)).toBe(STOP);
			expect(e.calls.at(-1)!.options.cwd).toBe(e.calls[0]!.options.cwd);
		},
	);

	it('the default deadline is the README’s 60 s; a stop that fails is not claimed', async () => {
		const e = engine({[STOP]: {exitCode: 1}}, Infinity);
		const r = await deploy(tmp(), VALUES, {build: false, boot: true, engine: e.engine}).done;
		expect(e.time()).toBe(60_000);
		expect(r.stopped).toBe(false);
	});

	it('a boot step that fails: the failure, its hint from the log, and the container stopped', async () => {
		const log = [
			'hatch: step 00-user-bootstrap done (40 ms)',
			'bind source path does not exist: /data',
			'hatch: boot step 02-ssh-hostkeys FAILED (exit 1)',
		];
		const withLog = scriptedEngine({
			reply: line =>
				line.startsWith('docker logs --follow')
					? {lines: log}
					: ({[BUILD]: {}, [UP]: {}, [STOP]: {}} as Record<string, Reply>)[line],
		});
		const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: withLog.engine}).done;
		expect(r).toMatchObject({
			ok: false,
			phase: 'ready',
			stopped: true,
			ready: {reason: 'boot step 02-ssh-hostkeys FAILED (exit 1)'},
			hint: 'a host path in .env does not exist: create it or clear the setting',
		});
		expect(withLog.time()).toBe(0);
	});

	it('cancelled before anything ran: no crash; the build that starts anyway ends as interrupted', async () => {
		const e = engine();
		const run = deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine});
		expect(() => run.cancel()).not.toThrow();
		expect(await run.done).toMatchObject({canceled: true, phase: 'build', exitCode: 130});
		expect(e.lines()).toEqual([BUILD]);
	});

	it('a duration, not a time of day', async () => {
		const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: engine().engine}).done;
		expect(r.ms).toBeGreaterThanOrEqual(0);
		expect(r.ms).toBeLessThan(600_000);
	});

	it('a failed start keeps its last 30 lines', async () => {
		const lines = Array.from({length: 40}, (_, i) => `up ${i}`);
		const r = await deploy(tmp(), VALUES, {
			build: false,
			boot: true,
			engine: engine({[`${UP} --no-build`]: {lines, exitCode: 1}}).engine,
		}).done;
		expect(r.tail).toEqual(lines.slice(-30));
	});

	it('a failure of its own is put on the phase it happened in', async () => {
		const starting = engine();
		const stream = starting.engine.proc.stream;
		starting.engine.proc.stream = (cmd, args, o) => {
			if (args.includes('up')) throw new Error('spawn docker EMFILE');
			return stream(cmd, args, o);
		};
		expect(await deploy(tmp(), VALUES, {build: true, boot: true, engine: starting.engine}).done).toMatchObject({
			ok: false,
			phase: 'up',
			tail: ['spawn docker EMFILE'],
		});
		const waiting = engine();
		waiting.engine.ready.followLog = () => {
			throw new Error('no logs');
		};
		expect(await deploy(tmp(), VALUES, {build: true, boot: true, engine: waiting.engine}).done).toMatchObject({
			ok: false,
			phase: 'ready',
			tail: ['no logs'],
		});
	});

	it(
		'a failure of its own (docker missing, a folder it cannot write) ends as a failed result, never ' + 'a crash',
		async () => {
			const e = engine();
			e.engine.proc.stream = () => {
				throw new Error('spawn docker ENOENT');
			};
			const r = await deploy(tmp(), VALUES, {build: true, boot: true, engine: e.engine}).done;
			expect(r).toMatchObject({ok: false, canceled: false, phase: 'build', exitCode: 1, tail: ['spawn docker ENOENT']});
		},
	);
});

// ---- the outcome in words ---------------------------------------------------------------------------

function result(extra: Partial<DeployResult>): DeployResult {
	return {
		ok: true,
		canceled: false,
		phase: 'ready',
		exitCode: 0,
		logFile: '/s/logs/hatch-1.log',
		progress: new BuildProgress(),
		tail: [],
		ms: 12_345,
		...extra,
	};
}

describe('outcome and stateAfter', () => {
	it('ready: the login, the host key, what was built, and the boot’s notes', () => {
		const progress = new BuildProgress();
		for (const l of BUILD_LOG) progress.feed(l);
		const told = outcome(
			result({
				progress,
				ready: {ok: true, fingerprint: FP, warnings: ['05-bindu: offline'], stillBooting: true, logTail: [], ms: 1},
			}),
			VALUES,
			'/s',
		);
		expect(told.code).toBe(0);
		expect(told.lines).toEqual([
			{text: '✔ ready in 12.3 s: ssh -p 2222 alice@127.0.0.1', tone: 'good'},
			{text: `  host key ${FP} (ED25519)`, tone: 'dim'},
			{text: '  built 9 step(s), 0 cached · log /s/logs/hatch-1.log', tone: 'dim'},
			{text: 'ready with 1 boot warning(s):', tone: 'warn'},
			{text: '  ! 05-bindu: offline', tone: 'warn'},
			{
				text:
					'sshd answers, but optional boot steps were still running at the deadline: hatch-wizard status shows ' +
					'when they finish',
				tone: 'warn',
			},
		]);
	});

	it('ready without a build says nothing about steps; a listen address is the one to ssh to', () => {
		const told = outcome(
			result({ready: {ok: true, fingerprint: FP, warnings: [], logTail: [], ms: 1}}),
			{...VALUES, STEM_SSH_LISTEN: '10.0.0.5'},
			'/s',
		);
		expect(told.lines.map(l => l.text)).toEqual([
			'✔ ready in 12.3 s: ssh -p 2222 alice@10.0.0.5',
			`  host key ${FP} (ED25519)`,
		]);
	});

	it('a stack on a remote host: the login goes through that host (ssh -J)', () => {
		const told = outcome(
			result({ready: {ok: true, fingerprint: FP, warnings: [], logTail: [], ms: 1}}),
			VALUES,
			'/s',
			'gpu-box',
		);
		expect(told.lines[0]!.text).toBe('✔ ready in 12.3 s: ssh -J gpu-box -p 2222 alice@127.0.0.1');
	});

	it('done without a boot: the time and the log', () => {
		expect(outcome(result({phase: 'build'}), VALUES, '/s')).toEqual({
			code: 0,
			lines: [{text: 'Done (12.3 s). Log: /s/logs/hatch-1.log', tone: 'plain'}],
		});
	});

	it('a failed build step: which step, its own output, the hint, the log', () => {
		const progress = new BuildProgress();
		for (const l of [
			'#8 [stem stem 4/9] RUN install-packages.sh',
			'#8 0.5 E: Unable to locate package nope',
			'#8 ERROR: process did not complete successfully: exit code: 100',
		])
			progress.feed(l);
		const told = outcome(
			result({
				ok: false,
				phase: 'build',
				exitCode: 17,
				progress,
				failedStep: progress.failed()!,
				tail: ['ignored'],
				hint: 'the build could not reach the package servers',
			}),
			VALUES,
			'/s',
		);
		expect(told.code).toBe(1);
		expect(told.lines).toEqual([
			{text: '✗ build failed (exit 17) at step 4/9: RUN install-packages.sh', tone: 'bad'},
			{text: '  E: Unable to locate package nope', tone: 'output'},
			{text: '  process did not complete successfully: exit code: 100', tone: 'output'},
			{text: 'Hint: the build could not reach the package servers', tone: 'warn'},
			{text: 'Full log: /s/logs/hatch-1.log', tone: 'plain'},
		]);
	});

	it('a step title is cut at 100 characters; a step that failed without an error line shows its output only', () => {
		const progress = new BuildProgress();
		const title = `RUN ${'x'.repeat(150)}`;
		for (const l of [`#8 [stem stem 4/9] ${title}`, '#8 0.5 some output']) progress.feed(l);
		const step = progress.numbered()[0]!;
		const told = outcome(
			result({ok: false, phase: 'build', exitCode: 1, progress, failedStep: step, tail: ['not this']}),
			VALUES,
			'/s',
		);
		expect(told.lines[0]!.text).toBe(`✗ build failed (exit 1) at step 4/9: ${title.slice(0, 100)}`);
		expect(told.lines.slice(1, -1).map(l => l.text)).toEqual(['  some output']);
	});

	it('a failed start shows the last 30 lines of output; a readiness failure its reason and the state it left', () => {
		const tail = Array.from({length: 40}, (_, i) => `l${i}`);
		const up = outcome(result({ok: false, phase: 'up', exitCode: 1, tail}), VALUES, '/s');
		expect(up.lines[0]).toEqual({text: '✗ start failed (exit 1)', tone: 'bad'});
		expect(up.lines.slice(1, -1).map(l => l.text)).toEqual(tail.slice(-30).map(l => `  ${l}`));
		expect(up.lines.at(-1)).toEqual({text: 'Full log: /s/logs/hatch-1.log', tone: 'plain'});
		const ready = outcome(
			result({
				ok: false,
				phase: 'ready',
				exitCode: 1,
				stopped: true,
				tail: ['x'],
				ready: {ok: false, reason: 'sshd did not answer', warnings: [], logTail: [], ms: 1},
			}),
			VALUES,
			'/s',
		);
		expect(ready.lines.map(l => l.text)).toEqual([
			'✗ readiness check failed (exit 1)',
			'sshd did not answer',
			'  x',
			'the container never became ready and was stopped, so it does not restart in a loop: fix the cause, then cd ' +
				'/s && docker compose up -d',
			'Full log: /s/logs/hatch-1.log',
		]);
	});

	it('interrupted: the state each phase leaves, exit 130', () => {
		const told = (phase: DeployResult['phase'], extra: Partial<DeployResult> = {}) =>
			outcome(result({ok: false, canceled: true, exitCode: 130, phase, ...extra}), VALUES, '/s');
		expect(told('build')).toEqual({
			code: 130,
			lines: [
				{
					text:
						'Interrupted: stopped during the build: nothing was started; an earlier container of this stack, if ' +
						'any, still runs (cd /s && docker compose ps)',
					tone: 'warn',
				},
				{text: 'Log: /s/logs/hatch-1.log', tone: 'dim'},
			],
		});
		expect(told('up').lines[0]!.text).toBe(
			'Interrupted: stopped while starting: the container may be half started; see: cd /s && docker compose ps',
		);
		expect(told('ready').lines[0]!.text).toBe(
			'Interrupted: the container is running and finishes its boot on its own, but ready was not confirmed; check ' +
				'with: hatch-wizard status (or cd /s && docker compose logs)',
		);
		expect(stateAfter(result({phase: 'ready', stopped: true}), '/s')).toMatch(
			/^the container never became ready and was stopped/,
		);
	});
});

// ---- the plain output of --yes ----------------------------------------------------------------------

describe('deployPlain', () => {
	it('one line per phase, per finished build step and per boot step, then the outcome; exit 0', async () => {
		const lines: string[] = [];
		const dir = tmp();
		const code = await deployPlain(
			dir,
			VALUES,
			{build: true, boot: true, sshConfig: false, engine: engine().engine},
			s => void lines.push(s),
		);
		expect(code).toBe(0);
		const text = lines.join('');
		expect(text.replace(/\d+\.\d s/, 'T s').replace(/hatch-\d{8}-\d{6}\.log/, 'LOG')).toBe(
			[
				'build: docker compose build',
				'build: step 1/9 FROM docker.io/library/hatch-test-base:bookworm … done 0.0s',
				'build: step 2/9 COPY install-packages.sh /usr/local/lib/hatch/install-packages.sh … done 0.3s',
				'build: step 3/9 COPY stem/packages.txt /usr/local/lib/hatch/packages/stem.txt … done 0.0s',
				'build: step 4/9 RUN /usr/local/lib/hatch/install-packages.sh /usr/local/lib/hatch/packages/stem.txt  && ' +
					'(localedef - … done 0.8s',
				'build: step 5/9 COPY stem/rootfs/sshd_config.conf /etc/ssh/sshd_config.d/00-hatch.conf … done 0.0s',
				'build: step 6/9 COPY stem/lib.sh /usr/local/lib/hatch/lib.sh … done 0.0s',
				'build: step 7/9 COPY stem/hatch-init /usr/local/sbin/hatch-init … done 0.0s',
				'build: step 8/9 COPY stem/my_init.d/ /etc/hatch/my_init.d/ … done 0.0s',
				'build: step 9/9 RUN chmod 0755 /usr/local/sbin/hatch-init /etc/hatch/my_init.d/*.sh … done 0.0s',
				'start: docker compose up -d',
				'ready: waiting for sshd and its host key',
				'boot: 00-user-bootstrap (40 ms)',
				'boot: WARNING 05-bindu: dotfiles not cloned: offline',
				'✔ ready in T s: ssh -p 2222 alice@127.0.0.1',
				`  host key ${FP} (ED25519)`,
				`  built 9 step(s), 0 cached · log ${dir}/logs/LOG`,
				'ready with 1 boot warning(s):',
				'  ! 05-bindu: dotfiles not cloned: offline',
				'',
			].join('\n'),
		);
	});

	it('a failure: a blank line, then the outcome’s lines; the exit code is the outcome’s', async () => {
		const lines: string[] = [];
		const e = engine({[`${UP} --no-build`]: {lines: ['port is already allocated'], exitCode: 1}});
		const code = await deployPlain(
			tmp(),
			VALUES,
			{build: false, boot: true, sshConfig: false, engine: e.engine},
			s => void lines.push(s),
		);
		expect(code).toBe(1);
		expect(lines.join('')).toMatch(/^start: docker compose up -d\n\n✗ start failed/);
		expect(lines.join('')).toContain(
			'\n\n✗ start failed (exit 1)\n  port is already allocated\nHint: the SSH port is taken: pick another ' +
				'STEM_SSH_PORT (hatch-wizard --set STEM_SSH_PORT=…)\nFull log: ',
		);
	});

	it('a cached step and a failed one, each in its words', async () => {
		const lines: string[] = [];
		const log = [
			'#4 [stem stem 1/2] FROM base',
			'#4 CACHED',
			'#5 [stem stem 2/2] RUN false',
			'#5 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
		];
		expect(
			await deployPlain(
				tmp(),
				VALUES,
				{build: true, boot: true, sshConfig: false, engine: engine({[BUILD]: {lines: log, exitCode: 1}}).engine},
				s => void lines.push(s),
			),
		).toBe(1);
		expect(lines.slice(0, 3)).toEqual([
			'build: docker compose build\n',
			'build: step 1/2 FROM base … cached\n',
			'build: step 2/2 RUN false … FAILED\n',
		]);
	});

	it(
		'Ctrl-C or SIGTERM: "stopping…" once, however many come; the run is cancelled; exit 130; the ' + 'handlers go',
		async () => {
			const before = new Set(process.listeners('SIGINT'));
			const e = engine({[BUILD]: {lines: ['#1 [stem internal] load build definition from Dockerfile'], hang: true}});
			const lines: string[] = [];
			const run = deployPlain(
				tmp(),
				VALUES,
				{build: true, boot: true, sshConfig: false, engine: e.engine},
				s => void lines.push(s),
			);
			await e.ran(/build/);
			const ours = process.listeners('SIGINT').filter(l => !before.has(l));
			expect(ours).toHaveLength(1);
			expect(process.listeners('SIGTERM')).toContain(ours[0]);
			(ours[0] as () => void)();
			(ours[0] as () => void)();
			expect(await run).toBe(130);
			expect(lines.filter(l => l.includes('stopping'))).toEqual(['\nstopping…\n']);
			expect(e.cancels.length).toBeGreaterThan(0);
			expect(lines.join('')).toContain('Interrupted: stopped during the build');
			expect(process.listeners('SIGINT')).not.toContain(ours[0]);
			expect(process.listeners('SIGTERM')).not.toContain(ours[0]);
		},
	);

	it('a long internal step (no number) is named without one', async () => {
		const title = 'load metadata for registry.example.org:5000/a-long-team-name/stem-base:24.04';
		const {lines} = await untilHeartbeat(
			'still running',
			{[BUILD]: {lines: [`#3 [stem internal] ${title}`]}},
			{build: true, boot: false},
		);
		expect(lines.find(l => l.includes('still running'))).toMatch(
			new RegExp(`^build: ${title.slice(0, 60).replace(/[.]/g, '\\.')} … still running \\(\\d+ s\\)\n$`),
		);
	});

	it('a boot step that fails is printed as it happens', async () => {
		const lines: string[] = [];
		const e = scriptedEngine({
			reply: line =>
				line.startsWith('docker logs')
					? {lines: ['hatch: boot step 02-ssh FAILED (exit 1)']}
					: line === `${UP} --no-build` || line === STOP
						? {}
						: undefined,
		});
		expect(
			await deployPlain(
				tmp(),
				VALUES,
				{build: false, boot: true, sshConfig: false, engine: e.engine},
				s => void lines.push(s),
			),
		).toBe(1);
		expect(lines).toContain('boot: boot step 02-ssh FAILED (exit 1)\n');
	});

	it('a long step says it is still running (a heartbeat), naming the step', async () => {
		const {lines, code} = await untilHeartbeat(
			'still running',
			{[BUILD]: {lines: ['#8 [stem stem 4/9] RUN apt-get install -y git']}},
			{build: true, boot: false},
		);
		expect(code).toBe(0);
		expect(lines.find(l => l.includes('still running'))).toMatch(
			/^build: step 4\/9 RUN apt-get install -y git … still running \(\d+ s\)\n$/,
		);
		expect(lines.at(-1)).toMatch(/^Done \(\d+\.\d s\)\. Log: /);
	});

	it('a phase with no step to name says the phase is still working', async () => {
		const {lines} = await untilHeartbeat(
			'still working',
			{[`${UP} --no-build`]: {lines: []}},
			{build: false, boot: true},
		);
		expect(lines.find(l => l.includes('still working'))).toMatch(/^start: still working \(\d+ s\)\n$/);
	});

	it(
		'with --ssh-config: writes the Host block into ~/.ssh/config, pins the key in place of an old one, and ' +
			'says so',
		async () => {
			const home = tmp();
			vi.stubEnv('HOME', home);
			mkdirSync(join(home, '.ssh'));
			writeFileSync(
				join(home, '.ssh', 'known_hosts'),
				'github.com ssh-ed25519 AAAAgithub\nhatch-box ssh-ed25519 AAAAoldkey\n',
			);
			const lines: string[] = [];
			expect(
				await deployPlain(
					tmp(),
					VALUES,
					{build: false, boot: true, sshConfig: true, engine: engine().engine},
					s => void lines.push(s),
				),
			).toBe(0);
			expect(lines.at(-1)).toMatch(/Now: ssh box\n$/);
			const config = readFileSync(join(home, '.ssh', 'config'), 'utf8');
			expect(config).toMatch(/^# >>> hatch box >>>\n(#[^\n]*\n)*Host box\n/);
			expect(config).toContain('  HostKeyAlias hatch-box\n');
			expect(config).toMatch(/\n# <<< hatch box <<<\n$/);
			expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(
				`github.com ssh-ed25519 AAAAgithub\nhatch-box ssh-ed25519 ${HOST_KEY}\n`,
			);
		},
	);

	it('without --ssh-config: a changed pinned key (new volumes) is pinned again and said; no pin, no write', async () => {
		const home = tmp();
		vi.stubEnv('HOME', home);
		mkdirSync(join(home, '.ssh'));
		const known = join(home, '.ssh', 'known_hosts');
		writeFileSync(known, 'github.com ssh-ed25519 AAAAgithub\nhatch-box ssh-ed25519 AAAAoldkey\n');
		const lines: string[] = [];
		const up = () =>
			deployPlain(tmp(), VALUES, {build: false, boot: true, sshConfig: false, engine: engine().engine}, s => {
				lines.push(s);
			});
		expect(await up()).toBe(0);
		expect(readFileSync(known, 'utf8')).toBe(`github.com ssh-ed25519 AAAAgithub\nhatch-box ssh-ed25519 ${HOST_KEY}\n`);
		expect(lines.at(-1)).toMatch(
			new RegExp(
				`^box's host key is new \\(its volumes were made again\\): pinned it in ${known} \\(old copy: ` +
					`${known}\\.bak-\\d{8}-\\d{6}\\), so ssh box goes on working\n$`,
			),
		);
		// The same key again: nothing to do, nothing said.
		lines.length = 0;
		expect(await up()).toBe(0);
		expect(lines.some(l => l.includes('pinned'))).toBe(false);
		// No pin for this stack: ~/.ssh is left alone.
		writeFileSync(known, 'github.com ssh-ed25519 AAAAgithub\n');
		expect(await up()).toBe(0);
		expect(readFileSync(known, 'utf8')).toBe('github.com ssh-ed25519 AAAAgithub\n');
	});
});
