// The real `docker compose config` reads what hatch writes: every value arrives byte-identical and every
// GPU branch is accepted. Needs compose v2 (required under CI=true; skipped with a notice elsewhere).
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {renderCompose} from '../../source/core/compose.js';
import {parseEnv, quoteEnvValue, renderEnv, userLines} from '../../source/core/env.js';
import {defaults, type Image, validate} from '../../source/core/model.js';
import {hasCompose} from '../helpers/docker.js';
import {rng} from '../helpers/rng.js';

type Json = Record<string, any>;

function composeConfig(dir: string): Json {
	const out = execFileSync('docker', ['compose', 'config', '--format', 'json'], {
		cwd: dir,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	return JSON.parse(out);
}

/** `docker compose config` prints a compose file, so it writes every literal `$` as `$$`. */
const unescapeDollars = (s: string) => s.replaceAll('$$', '$');

const ALPHABET = [
	...'aZ09 _-./:=,@+#\'"$\\{}()[]!?*&|;<>~`%^',
	'é',
	'ü',
	'日',
	'本',
	'😀',
	'\t',
	'$HOME',
	'${X}',
	'$$',
	'\\n',
	' #',
	'\u2028',
	'\u2029',
	'\u0085',
	'\u00a0',
];

describe.skipIf(!hasCompose)('docker compose config reads what hatch writes', () => {
	it('gets every .env value back byte-identical (200 random values)', () => {
		const r = rng(7);
		const values: string[] = [];
		for (let i = 0; i < 200; i++) {
			const len = Math.floor(r() * 24);
			values.push(Array.from({length: len}, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join(''));
		}
		const dir = mkdtempSync(join(tmpdir(), 'hatch-env-'));
		writeFileSync(join(dir, '.env'), values.map((v, i) => `K${i}=${quoteEnvValue(v)}\n`).join(''));
		const env = Object.fromEntries(values.map((_, i) => [`K${i}`, `\${K${i}}`]));
		writeFileSync(
			join(dir, 'docker-compose.yml'),
			JSON.stringify({services: {t: {image: 'hatch-none', environment: env}}}),
		);
		const got = composeConfig(dir).services.t.environment as Record<string, string | null>;
		for (const [i, v] of values.entries()) {
			expect(unescapeDollars(got[`K${i}`] ?? ''), `value ${JSON.stringify(v)}`).toBe(v);
		}
	});

	it(
		"reads the user's own settings the same before and after hatch rewrites .env (multi-line, export, " + 'comments)',
		() => {
			const own = [
				"NOTE='first line",
				"second line'",
				'export EXPORTED=yes',
				'SPACED = around # a comment',
				'MULTI="one',
				'two \\" three"',
			].join('\n');
			const keys = ['NOTE', 'EXPORTED', 'SPACED', 'MULTI'];
			const read = (envText: string) => {
				const dir = mkdtempSync(join(tmpdir(), 'hatch-own-'));
				writeFileSync(join(dir, '.env'), envText);
				writeFileSync(
					join(dir, 'docker-compose.yml'),
					JSON.stringify({
						services: {t: {image: 'hatch-none', environment: Object.fromEntries(keys.map(k => [k, `\${${k}}`]))}},
					}),
				);
				return composeConfig(dir).services.t.environment as Record<string, string>;
			};
			const before = read(`${renderEnv('stem', defaults('stem'))}${own}\n`);
			const rewritten = renderEnv(
				'stem',
				{...defaults('stem'), STEM_USER: 'bob'},
				userLines(`${renderEnv('stem', defaults('stem'))}${own}\n`),
			);
			expect(read(rewritten)).toEqual(before);
			expect(before.NOTE).toBe('first line\nsecond line');
			// And hatch's own reader agrees with compose on each of them.
			const ours = parseEnv(rewritten);
			for (const k of keys) expect(unescapeDollars(before[k]!), k).toBe(ours[k]);
		},
	);

	for (const image of ['stem', 'neuron'] as const) {
		for (const mode of ['bridge', 'host']) {
			it(`accepts the ${image} stack in ${mode} mode with awkward paths, values intact`, () => {
				const dir = mkdtempSync(join(tmpdir(), `hatch-${image}-`));
				const odd = join(dir, 'it\'s a "path" with $HOME #1 é');
				mkdirSync(odd, {recursive: true});
				const values = {
					// STEM_BUILD_NETWORK follows the network mode, as for a new stack.
					...defaults(image as Image, {}, {STEM_NETWORK_MODE: mode}),
					STEM_USER: 'alice',
					STEM_UID: '1001',
					STEM_NETWORK_MODE: mode,
					STEM_SSH_LISTEN: '127.0.0.1',
					STEM_SSH_PORT: '2222',
					DROPBOX_PATH_ON_HOST: odd,
					APOGEE_SECRETS_PATH: join(odd, 'secrets.env'),
					BINDU_REPO: 'https://example.invalid/me/bindu.git',
					BINDU_REF: 'feature/x',
					STEM_PIXI_HOST: 'vortex',
					STEM_ENV: "EDITOR=vim,GREETING=it's $HOME #1 é",
					STEM_MOSH_PORTS: '60000-60010',
					STEM_EXTRA_MOUNTS: `${join(dir, 'nfs $z')}:/data/nfs`,
					...(image === 'neuron'
						? {NEURON_PROJECTS_PATH: odd, NEURON_GPUS: 'none', NEURON_EXTRA_MOUNTS: `${join(dir, 'x$y')}:/data/x:ro`}
						: {}),
				};
				expect(validate(image, values)).toEqual([]);
				writeFileSync(join(dir, '.env'), renderEnv(image, values));
				writeFileSync(join(dir, 'docker-compose.yml'), renderCompose(image, values, {composeVersion: '2.26.1'}));
				const cfg = composeConfig(dir);
				const s = cfg.services[image];
				expect(s.container_name).toBe(image);
				expect(s.environment).toMatchObject({
					STEM_USER: 'alice',
					STEM_UID: '1001',
					BINDU_REF: 'feature/x',
					STEM_PIXI_HOST: 'vortex',
					SSH_AUTH_SOCK: '/ssh-agent',
				});
				expect(unescapeDollars(s.environment.BINDU_REPO)).toBe(values.BINDU_REPO);
				const byTarget = Object.fromEntries((s.volumes as Json[]).map(v => [v.target, v]));
				expect(unescapeDollars(byTarget['/mnt/hatch/dropbox']!.source)).toBe(odd);
				expect(unescapeDollars(byTarget['/opt/secrets/apogee-secrets.env']!.source)).toBe(values.APOGEE_SECRETS_PATH);
				expect(byTarget['/ssh-agent']!.source).toBe('/dev/null');
				expect(unescapeDollars(s.environment.STEM_ENV)).toBe(values.STEM_ENV);
				expect(unescapeDollars(byTarget['/data/nfs']!.source)).toBe(join(dir, 'nfs $z'));
				// A missing host folder is an error at start, not an empty folder made in its place (compose prints
				// create_host_path only when true: what the short syntax, HOST:CONTAINER, would have meant).
				for (const v of s.volumes as Json[]) if (v.type === 'bind') expect(v.bind, v.target).toEqual({});
				expect(cfg.volumes.home.name).toBe(`${image}-home`);
				if (mode === 'host') {
					expect(s.network_mode).toBe('host');
					expect(s.build.network).toBe('host');
				} else {
					expect(s.network_mode).toBe('bridge');
					expect(s.build.network).toBe('default');
					expect(s.ports).toEqual([
						expect.objectContaining({host_ip: '127.0.0.1', published: '2222', target: 22}),
						...Array.from({length: 11}, (_, i) =>
							expect.objectContaining({
								host_ip: '127.0.0.1',
								published: String(60000 + i),
								target: 60000 + i,
								protocol: 'udp',
							}),
						),
					]);
				}
				if (image === 'neuron') {
					expect(unescapeDollars(byTarget['/workspace/projects']!.source)).toBe(odd);
					expect(byTarget['/data/x']).toMatchObject({read_only: true});
					expect(unescapeDollars(byTarget['/data/x']!.source)).toBe(join(dir, 'x$y'));
				}
			});
		}
	}

	it('accepts every GPU branch for every compose version hatch writes for', () => {
		for (const gpus of ['all', '2', '0,1', 'GPU-4f2c1a3b-0000-1111-2222-333344445555']) {
			for (const version of ['2.26.1', '2.30.0', '2.33.0']) {
				const dir = mkdtempSync(join(tmpdir(), 'hatch-gpu-'));
				const values = {...defaults('neuron'), NEURON_GPUS: gpus};
				writeFileSync(join(dir, '.env'), renderEnv('neuron', values));
				writeFileSync(join(dir, 'docker-compose.yml'), renderCompose('neuron', values, {composeVersion: version}));
				const s = composeConfig(dir).services.neuron;
				const requests: Json[] = s.gpus ?? s.deploy?.resources?.reservations?.devices;
				expect(requests, `${gpus} for compose ${version}`).toHaveLength(1);
				const req = requests[0]!;
				// compose reads `count: all` (and `gpus: all`) as -1.
				if (gpus === 'all') expect(req.count === 'all' || req.count === -1).toBe(true);
				if (gpus === '2') expect(req.count).toBe(2);
				if (gpus.includes(',') || gpus.startsWith('GPU-')) expect(req.device_ids).toEqual(gpus.split(','));
				if (version === '2.26.1') expect(req.capabilities).toEqual(['gpu']);
			}
		}
	});
});
