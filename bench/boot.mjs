#!/usr/bin/env node
// bench/boot: container start → SSH login works, for an empty home and for a home with 100k files.
// Targets: empty ≤ 1000 ms; 100k files ≤ 1.2× empty (boot must not walk the home).
// Needs a Docker engine and the test base (bash test/e2e/make-base.sh). Run: node bench/boot.mjs [files]
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const FILES = Number(process.argv[2] ?? 100_000);
const RUNS = 5;
const name = 'hatch-bench-boot';
const port = 22990;
const root = mkdtempSync(join(tmpdir(), 'hatch-bench-'));
const sh = (cmd, args, opts = {}) =>
	execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts});
const key = join(root, 'id');
sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
const bin = join(import.meta.dirname, '..', 'bin', 'hatch-wizard.js');
const sets = {
	STEM_CONTAINER_NAME: name,
	STEM_HOSTNAME: name,
	STEM_NETWORK_MODE: 'host',
	STEM_SSH_LISTEN: '127.0.0.1',
	STEM_SSH_PORT: String(port),
	STEM_BASE_IMAGE: process.env.HATCH_TEST_BASE ?? 'hatch-test-base:bookworm',
	STEM_IMAGE: `hatch-e2e/${name}:bench`,
	STEM_AUTH_KEYS_PATH: `${key}.pub`,
	STEM_PIXI_ENABLE: '0',
};
sh(process.execPath, [
	bin,
	'--image',
	'stem',
	'--yes',
	'--no-build',
	'--no-boot',
	'--out',
	root,
	...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
]);
const dir = join(root, 'stem');
const compose = (...args) => sh('docker', ['compose', ...args], {cwd: dir});

function sshOk() {
	return (
		spawnSync('ssh', [
			'-p',
			String(port),
			'-i',
			key,
			'-o',
			'BatchMode=yes',
			'-o',
			'StrictHostKeyChecking=no',
			'-o',
			'UserKnownHostsFile=/dev/null',
			'-o',
			'LogLevel=ERROR',
			'-o',
			'ConnectTimeout=1',
			'dev@127.0.0.1',
			'true',
		]).status === 0
	);
}

function bootOnce() {
	const t0 = performance.now();
	compose('up', '-d', '--force-recreate');
	while (!sshOk()) {
		if (performance.now() - t0 > 30_000) throw new Error(`no login after 30 s:\n${sh('docker', ['logs', name])}`);
	}
	const wall = performance.now() - t0;
	const inside = Number(
		/boot took (\d+) ms/.exec(spawnSync('docker', ['logs', name], {encoding: 'utf8'}).stdout)?.[1] ?? NaN,
	);
	return {wall, inside};
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function measure(label) {
	const runs = Array.from({length: RUNS}, bootOnce);
	const walls = runs.map(r => r.wall);
	const wall = median(walls);
	const inside = median(runs.map(r => r.inside));
	const spread = `${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)}`;
	console.log(
		`${label.padEnd(22)} start→ssh ${wall.toFixed(0).padStart(5)} ms median, ${spread} ms over ${RUNS} runs ` +
			`(boot steps ${inside} ms)`,
	);
	return wall;
}

try {
	compose('build', '--progress', 'plain');
	bootOnce(); // first boot generates the host keys once; they persist on the volume
	const empty = measure('empty home');
	compose('stop', '--timeout', '2');
	sh('docker', [
		'run',
		'--rm',
		'--network',
		'none',
		'-v',
		`${name}-home:/home`,
		sets.STEM_BASE_IMAGE,
		'bash',
		'-c',
		`mkdir -p /home/dev/big && cd /home/dev/big && seq 1 ${FILES} | xargs touch && chown -R 4242:4242 /home/dev/big`,
	]);
	const full = measure(`home with ${FILES} files`);
	const ratio = full / empty;
	console.log(`ratio ${ratio.toFixed(2)}× (target ≤ 1.20×); empty ${empty.toFixed(0)} ms (target ≤ 1000 ms)`);
} finally {
	spawnSync('docker', ['compose', 'down', '--volumes', '--rmi', 'local', '--timeout', '1'], {cwd: dir});
}
