// The README's pictures of the wizard, taken from a real run: the built CLI runs in tmux at 100×34, keys are
// sent as a person would press them, and each screen is captured with its colours and drawn as an SVG
// (scripts/svg-screen.mjs) under docs/screens/:
//   welcome.svg  the first screen, once every host check has answered
//   review.svg   Enter through the defaults, up to the review
//   build.svg    the live build, captured while a step runs (▸)
//   ready.svg    the end: ready, with the host key, and the offer to add it to ~/.ssh/config
//
//   npm run screenshots          (node scripts/screenshots.mjs)
//
// Needs tmux. The last two need a Docker engine with the offline base image (hatch-test-base:bookworm, see
// test/e2e/make-base.sh): without one they are skipped, said so, and the run still exits 0. The build runs in
// host network mode with SSH on 127.0.0.1, from a copy of the base made for this run (so no step is cached
// and a step can be seen running), under the names hatch-e2e-shots…; the container, its volumes and both
// images are removed at the end (one run at a time: the names are fixed, so the pictures stay the same).
//
// Run as root on Linux, the wizard runs in a room of its own (mount and UTS namespaces): user "you"
// (1000:1000), host "laptop", home /home/you, so the pictures show no detail of this machine but its Docker
// engine, and a second run changes only what differs in each run (times, the host key, the log's name).
// Otherwise it runs as you are, with a temporary home.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {svgFromAnsi} from './svg-screen.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'screens');
const COLS = 100;
const ROWS = 34;
const BASE = 'hatch-test-base:bookworm';
const SHOTS_BASE = 'hatch-e2e/shots-base:bookworm';
const IMAGE = 'hatch-e2e/shots:latest';
const CONTAINER = 'hatch-e2e-shots';
// This run's files (the home, the stack) and its own tmux server, whose socket goes with them.
const tmp = mkdtempSync(join(tmpdir(), 'hatch-shots-'));
const TMUX = ['-S', join(tmp, 'tmux'), '-f', '/dev/null'];

const ok = (cmd, args) => spawnSync(cmd, args, {stdio: 'ignore', timeout: 20_000}).status === 0;
const run = (cmd, args, options = {}) => execFileSync(cmd, args, {encoding: 'utf8', ...options});
const quote = s => `'${String(s).replaceAll("'", "'\\''")}'`;

/** The screen as tmux holds it, with its colours as SGR sequences. */
const screen = () => run('tmux', [...TMUX, 'capture-pane', '-p', '-e', '-t', 'shots']);
const keys = (...k) => run('tmux', [...TMUX, 'send-keys', '-t', 'shots', ...k]);

const plain = ansi => ansi.replace(/\x1b\[[0-9;:]*m/g, '');

// Ctrl-C ends the wait under way, so the cleanup below runs (tmux, the container, the images, the files).
let interrupted = false;
process.on('SIGINT', () => {
	interrupted = true;
});

/** Looks again every `everyMs` until `check` gives a value; fails after `ms` with `what` and the screen. */
async function until(check, what, ms, everyMs = 50) {
	const t0 = Date.now();
	for (;;) {
		if (interrupted) throw new Error('interrupted');
		const value = check();
		if (value) return value;
		if (Date.now() - t0 > ms) throw new Error(`waited ${ms} ms for ${what}; the screen:\n${plain(screen())}`);
		await new Promise(r => setTimeout(r, everyMs));
	}
}

/**
 * The screen (with its colours) once `ready` holds, no spinner turns, and two captures in a row agree (not a
 * frame half redrawn). `ready` sees each capture: its text, with its colours, and whether it is the last one
 * again.
 */
async function settled(ready, what, ms = 30_000, everyMs = 50) {
	let last = '';
	return until(
		() => {
			const now = screen();
			const text = plain(now);
			const same = now === last;
			last = now;
			return ready(text, now, same) && same && !/[\u2800-\u28ff]/.test(text) && now;
		},
		what,
		ms,
		everyMs,
	);
}

/** Presses Enter on each screen that asks (a field and "Enter next" on it) until `text` shows. */
async function enterUntil(text) {
	for (let n = 0; n < 40; n++) {
		const shown = await settled(s => s.includes(text) || (s.includes('Enter next') && /❯ |› /.test(s)), text);
		const before = plain(shown);
		if (before.includes(text)) return shown;
		keys('Enter');
		await until(() => plain(screen()) !== before || undefined, 'the screen to change after Enter', 30_000);
	}
	throw new Error(`never reached "${text}"`);
}

async function save(name, ansi, title) {
	const path = join(OUT, `${name}.svg`);
	writeFileSync(path, await svgFromAnsi(ansi, {cols: COLS, rows: ROWS, title}));
	console.log(`wrote ${path.slice(ROOT.length + 1)}`);
}

/** The first port from 22222 that nothing listens on (the default, when free: the pictures show it). */
async function freePort() {
	for (let port = 22222; ; port++) {
		const free = await new Promise(resolve => {
			const server = createServer().once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return port;
	}
}

/** The group that may open the engine's socket, for the room's user (undefined: not a local socket). */
function socketGroup() {
	const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
	if (!host.startsWith('unix://')) return undefined;
	try {
		return statSync(host.slice('unix://'.length)).gid;
	} catch {
		return undefined;
	}
}

/**
 * The shell line that starts the wizard. In the room: /home is a fresh tmpfs holding what it held plus
 * you/ (this run's home), /etc/passwd and /etc/group name only root and you, the host is "laptop", and the
 * wizard runs as 1000:1000 (with the socket's group). Paths the Docker engine opens itself (the public key
 * mounted into the container) are given outside /home, as the engine sees the real file system.
 */
function launcher(room, env, args) {
	const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
	const wizard = `env -i TERM="$TERM" PATH=${quote(process.env.PATH)} ${vars.join(' ')} node bin/hatch-wizard.js`;
	const line = `${wizard} ${args.map(quote).join(' ')}`;
	if (!room) return line;
	const group = socketGroup();
	const groups = [
		'root:x:0:',
		'you:x:1000:',
		...(group !== undefined && group !== 0 && group !== 1000 ? [`docker:x:${group}:you`] : []),
	];
	writeFileSync(join(tmp, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nyou:x:1000:1000:you:/home/you:/bin/sh\n');
	writeFileSync(join(tmp, 'group'), `${groups.join('\n')}\n`);
	mkdirSync(join(tmp, 'oldhome'));
	const setup = [
		'hostname laptop',
		`mount --bind ${quote(join(tmp, 'passwd'))} /etc/passwd`,
		`mount --bind ${quote(join(tmp, 'group'))} /etc/group`,
		`mount --bind /home ${quote(join(tmp, 'oldhome'))}`,
		'mount -t tmpfs -o mode=0755 tmpfs /home',
		`for e in ${quote(join(tmp, 'oldhome'))}/*; do n="\${e##*/}"; [ -d "$e" ] && [ "$n" != you ] || continue; ` +
			'mkdir "/home/$n" && mount --bind "$e" "/home/$n"; done',
		`mkdir /home/you && mount --bind ${quote(join(tmp, 'you'))} /home/you`,
	];
	const drop = `setpriv --reuid=1000 --regid=1000 ${group === undefined ? '--clear-groups' : `--groups=${group}`} --`;
	return `unshare --mount --uts --fork -- sh -ec ${quote(`${setup.join('\n')}\nexec ${drop} ${line}`)}`;
}

async function main() {
	if (!ok('tmux', ['-V'])) throw new Error('tmux is needed: install it (apt-get install tmux)');
	run('node', ['scripts/build.mjs', '--if-stale'], {cwd: ROOT, stdio: 'inherit'});
	mkdirSync(OUT, {recursive: true});
	const engine = ok('docker', ['info', '--format', '{{.ServerVersion}}']) && ok('docker', ['image', 'inspect', BASE]);
	const room =
		process.platform === 'linux' &&
		process.getuid?.() === 0 &&
		ok('setpriv', ['--version']) &&
		ok('unshare', ['--mount', '--uts', '--fork', 'true']);
	chmodSync(tmp, 0o755);
	const realHome = join(tmp, 'you');
	const home = room ? '/home/you' : realHome;
	const stack = join(realHome, 'hatch', 'stem');
	try {
		mkdirSync(join(realHome, '.ssh'), {recursive: true, mode: 0o700});
		run('ssh-keygen', [
			'-q',
			'-t',
			'ed25519',
			'-N',
			'',
			'-C',
			'you@laptop',
			'-f',
			join(realHome, '.ssh', 'id_ed25519'),
		]);
		if (room)
			for (const p of ['', '.ssh', '.ssh/id_ed25519', '.ssh/id_ed25519.pub']) chownSync(join(realHome, p), 1000, 1000);
		if (engine) {
			// A base of this run's own (the offline base plus one file): nothing of the build is in the cache.
			spawnSync('docker', ['rm', '-f', `${CONTAINER}-base`], {stdio: 'ignore'});
			run('docker', ['run', '--name', `${CONTAINER}-base`, '--network', 'none', BASE, 'touch', '/etc/hatch-shots']);
			run('docker', ['commit', `${CONTAINER}-base`, SHOTS_BASE]);
			run('docker', ['rm', `${CONTAINER}-base`]);
		}
		const sets = {
			STEM_NETWORK_MODE: 'host',
			STEM_SSH_LISTEN: '127.0.0.1',
			STEM_SSH_PORT: String(await freePort()),
			STEM_CONTAINER_NAME: CONTAINER,
			STEM_IMAGE: IMAGE,
			STEM_BASE_IMAGE: SHOTS_BASE,
			STEM_PIXI_ENABLE: '0',
			...(room ? {STEM_AUTH_KEYS_PATH: join(realHome, '.ssh', 'id_ed25519.pub')} : {}),
		};
		const env = {
			HOME: home,
			HATCH_CONFIG_DIR: join(home, '.config', 'hatch-wizard'),
			SSH_AUTH_SOCK: '',
			LANG: 'C.UTF-8',
			...(process.env.DOCKER_HOST ? {DOCKER_HOST: process.env.DOCKER_HOST} : {}),
		};
		const args = ['--out', join(home, 'hatch'), ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
		const line = launcher(room, env, args);
		run('tmux', [
			...TMUX,
			'new-session',
			'-d',
			'-s',
			'shots',
			'-x',
			String(COLS),
			'-y',
			String(ROWS),
			'-c',
			ROOT,
			`${line}; echo "EXIT=$?"; exec sleep 3600`,
		]);

		const welcome = await settled(
			s => s.includes('Start from') && s.includes('❯ ') && !/checking…|loading presets…/.test(s),
			'the welcome screen with every host check answered',
		);
		await save('welcome', welcome, 'hatch-wizard: the welcome screen, with what it found on this host');
		await save('review', await enterUntil('Review: stem'), 'hatch-wizard: the review, before anything is written');
		if (!engine) {
			console.log(`skipped build.svg and ready.svg: no Docker engine answers here, or it lacks ${BASE}`);
			return;
		}
		keys('Enter'); // write
		await settled(s => s.includes('Build and start it now?') && s.includes('❯ yes'), 'the offer to build');
		keys('Enter'); // yes
		// The first frame with a step running (▸) and its output under it; failing that, the first with a step
		// running.
		let build;
		let first;
		const ready = await settled(
			(s, frame, same) => {
				if (same && s.includes('▸')) {
					first ??= frame;
					if (/^▸ .*\n {2}\S/m.test(s)) build ??= frame;
				}
				if (/FAILED|✗/.test(s)) throw new Error(`the build or boot failed:\n${s}`);
				return s.includes('✔ ready in') && s.includes('❯ yes');
			},
			'"✔ ready in" and the ~/.ssh/config offer',
			600_000,
			20,
		);
		if (!first) throw new Error('no frame showed a build step running (▸)');
		await save('build', build ?? first, 'hatch-wizard: the live build, a step running');
		await save('ready', ready, 'hatch-wizard: ready, with the host key and the offer to pin it');
		keys('Down');
		keys('Enter'); // no, leave ~/.ssh alone
		await until(() => plain(screen()).includes('EXIT='), 'the wizard to exit', 30_000);
	} finally {
		spawnSync('tmux', [...TMUX, 'kill-server'], {stdio: 'ignore'});
		if (engine) {
			spawnSync('docker', ['compose', 'down', '--volumes', '--timeout', '2'], {cwd: stack, stdio: 'ignore'});
			spawnSync('docker', ['rm', '-f', CONTAINER, `${CONTAINER}-base`], {stdio: 'ignore'});
			spawnSync('docker', ['rmi', '-f', IMAGE, SHOTS_BASE], {stdio: 'ignore'});
		}
	}
}

try {
	await main();
} finally {
	rmSync(tmp, {recursive: true, force: true});
}
