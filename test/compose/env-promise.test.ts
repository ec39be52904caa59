// The .env promise, key by key: editing a setting in .env by hand and running `docker compose up -d` does
// what re-running hatch-wizard with --set KEY=VALUE does, or hatch names that key as not applied yet.
// Checked with the real `docker compose config` (it reads files only: no engine is touched).
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {composeDrift} from '../../source/core/compose.js';
import {parseEnv, renderEnv} from '../../source/core/env.js';
import {defaults, FIELDS, fieldsFor, IMAGES, type Image, type Values, validate} from '../../source/core/model.js';
import {resolveConfig} from '../../source/core/resolve.js';
import {planStack} from '../../source/stack.js';
import {hasCompose} from '../helpers/docker.js';

type Json = Record<string, any>;

const root = mkdtempSync(join(tmpdir(), 'hatch-promise-'));
for (const d of ['Dropbox', 'projects', 'datasets', 'models', 'extra']) mkdirSync(join(root, d));
writeFileSync(join(root, 'id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOx2 you@host\n');
writeFileSync(join(root, 'secrets.env'), 'TOKEN=1\n');

/** A valid value different from the default, for every setting hatch has. */
const OTHER: Record<string, string> = {
	STEM_CONTAINER_NAME: 'box',
	STEM_HOSTNAME: 'box',
	STEM_USER: 'alice',
	STEM_UID: '1234',
	STEM_GID: '1235',
	STEM_SUDO: '0',
	STEM_SSH_PORT: '2200',
	STEM_NETWORK_MODE: 'host',
	STEM_SSH_LISTEN: '127.0.0.1',
	STEM_AUTH_KEYS_PATH: join(root, 'id.pub'),
	STEM_ENV: 'EDITOR=vim,TZ=Europe/Paris',
	STEM_MOSH_PORTS: '60000-60010',
	STEM_IMAGE: 'me/box:2',
	STEM_BASE_IMAGE: 'debian:12',
	STEM_BUILD_NETWORK: 'host',
	STEM_VOLUMES_EXTERNAL: '1',
	DROPBOX_PATH_ON_HOST: join(root, 'Dropbox'),
	NEURON_PROJECTS_PATH: join(root, 'projects'),
	NEURON_DATASETS_PATH: join(root, 'datasets'),
	NEURON_MODELS_PATH: join(root, 'models'),
	STEM_EXTRA_MOUNTS: `${join(root, 'extra')}:/data/shared`,
	NEURON_EXTRA_MOUNTS: `${join(root, 'extra')}:/data/extra:ro`,
	BINDU_REPO: 'https://example.invalid/you/bindu.git',
	BINDU_REF: 'dev',
	BINDU_FORCE: '1',
	STEM_PIXI_ENABLE: '0',
	STEM_PIXI_STOW: '1',
	STEM_PIXI_GLOBAL_SYNC: '1',
	STEM_PIXI_INSTALL_URL: 'https://mirror.example.invalid/install.sh',
	STEM_PIXI_HOST: 'elsewhere',
	APOGEE_SECRETS_PATH: join(root, 'secrets.env'),
	STEM_SSH_AUTH_SOCK_HOST: join(root, 'agent.sock'),
	NEURON_GPUS: '2',
};

function config(dir: string): Json {
	return JSON.parse(
		execFileSync('docker', ['compose', 'config', '--format', 'json'], {
			cwd: dir,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	);
}

/** Writes the stack's .env and docker-compose.yml as hatch-wizard --yes would (the build context is left out). */
function write(image: Image, values: Values, out: string): void {
	for (const f of planStack(image, values, out))
		if (!f.path.includes(`${image}/image/`)) writeFileSync(f.path, f.content);
}

/** The service and project as compose resolves them, minus the record of what the file was written for. */
function resolved(dir: string, image: Image): Json {
	const c = config(dir);
	delete c.services[image].environment.HATCH_WRITTEN_FOR;
	return c;
}

describe('every setting has a different valid value to try', () => {
	it('covers each key of FIELDS, each valid and not the default', () => {
		expect(Object.keys(OTHER).sort()).toEqual(FIELDS.map(f => f.key).sort());
		for (const image of IMAGES) {
			const base = defaults(image);
			for (const f of fieldsFor(image)) {
				expect(OTHER[f.key], f.key).not.toBe(base[f.key]);
				expect(validate(image, {...base, [f.key]: OTHER[f.key]!}), f.key).toEqual([]);
			}
		}
	});
});

describe.skipIf(!hasCompose)('a hand edit of .env does what --set does, or hatch names the key', () => {
	for (const image of IMAGES) {
		it(`${image}: every key`, () => {
			const out = mkdtempSync(join(tmpdir(), `hatch-promise-${image}-`));
			const dir = join(out, image);
			mkdirSync(dir);
			const base = defaults(image);
			const written: string[] = [];
			for (const f of fieldsFor(image)) {
				write(image, base, out);
				const composeText = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
				// By hand: only this key's line of .env changes; docker-compose.yml stays as hatch wrote it.
				const edited = {...base, [f.key]: OTHER[f.key]!};
				writeFileSync(join(dir, '.env'), renderEnv(image, edited));
				const byHand = resolved(dir, image);
				const drift = composeDrift(image, composeText, parseEnv(readFileSync(join(dir, '.env'), 'utf8'))) ?? [];
				// Through hatch: the same edit as --set on the stack hatch wrote.
				write(image, base, out);
				const r = resolveConfig({
					image,
					existing: parseEnv(readFileSync(join(dir, '.env'), 'utf8')),
					sets: {[f.key]: OTHER[f.key]!},
				});
				expect(r.problems, f.key).toEqual([]);
				write(image, r.values, out);
				const byHatch = resolved(dir, image);
				if (f.written) {
					// compose cannot follow it by itself: hatch must name it, and its rewrite must apply it.
					expect(
						drift.map(d => d.key),
						f.key,
					).toEqual([f.key]);
					expect(byHand, `${f.key}: a rewrite changes the service`).not.toEqual(byHatch);
					written.push(f.key);
				} else {
					expect(drift, f.key).toEqual([]);
					expect(byHand, `${f.key}: the hand edit reaches compose as --set does`).toEqual(byHatch);
				}
			}
			expect(written.length).toBeGreaterThan(0);
		});
	}
});
