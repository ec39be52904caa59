// Each shipped preset does what its description says, run as a user would: --preset NAME --yes.
import {mkdirSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseEnv} from '../../source/core/env.js';
import {fakeHome, runCli} from '../helpers/cli.js';

/** A home with a Dropbox folder and an agent socket path, so that "off" really means turned off. */
function richHome() {
	const home = fakeHome();
	mkdirSync(join(home, 'Dropbox'));
	return home;
}

function run(preset: string, image: string, sets: string[] = []) {
	const home = richHome();
	const out = mkdtempSync(join(tmpdir(), `hatch-preset-${preset}-`));
	const r = runCli(
		['--preset', preset, '--yes', '--no-build', '--no-boot', '--out', out, ...sets.flatMap(s => ['--set', s])],
		{
			home,
			env: {HATCH_CONFIG_DIR: join(out, 'config'), SSH_AUTH_SOCK: join(home, 'agent.sock')},
		},
	);
	const envFile = join(out, image, '.env');
	let env: Record<string, string> = {};
	try {
		env = parseEnv(readFileSync(envFile, 'utf8'));
	} catch {}
	return {...r, env, home};
}

describe('shipped presets', () => {
	it(
		'stem-minimal: port 22222, and Dropbox, dotfiles, pixi, secrets and the agent off, even when found on the ' +
			'host',
		() => {
			const r = run('stem-minimal', 'stem');
			expect(r.code, r.stderr).toBe(0);
			expect(r.env).toMatchObject({
				STEM_SSH_PORT: '22222',
				DROPBOX_PATH_ON_HOST: '',
				BINDU_REPO: '',
				STEM_PIXI_ENABLE: '0',
				APOGEE_SECRETS_PATH: '',
				STEM_SSH_AUTH_SOCK_HOST: '',
			});
		},
	);

	it(
		'stem-dropbox-bindu: refuses without a dotfiles repository, saying what to set; with one, mounts Dropbox ' +
			'and clones',
		() => {
			const without = run('stem-dropbox-bindu', 'stem');
			expect(without.code).toBe(2);
			expect(without.stderr).toContain('BINDU_REPO is needed by the preset stem-dropbox-bindu');
			expect(without.stderr).toContain('--set BINDU_REPO=');
			const r = run('stem-dropbox-bindu', 'stem', ['BINDU_REPO=https://example.invalid/me/bindu.git']);
			expect(r.code, r.stderr).toBe(0);
			expect(r.env).toMatchObject({
				BINDU_REPO: 'https://example.invalid/me/bindu.git',
				BINDU_REF: 'main',
				DROPBOX_PATH_ON_HOST: join(r.home, 'Dropbox'),
				STEM_PIXI_ENABLE: '1',
			});
		},
	);

	it(
		'neuron-gpus: every GPU, host networking, port 22223; on this host without a GPU it says the container ' +
			'will not start that way',
		() => {
			const r = run('neuron-gpus', 'neuron');
			expect(r.code, r.stderr).toBe(0);
			expect(r.env).toMatchObject({NEURON_GPUS: 'all', STEM_NETWORK_MODE: 'host', STEM_SSH_PORT: '22223'});
			expect(r.stderr).toContain('warning: NEURON_GPUS=all, but no NVIDIA GPU was found on this host');
		},
	);

	it(
		"macos-docker-desktop: Docker Desktop's agent socket, with no warning that it is missing here (it lives in " +
			"Desktop's VM)",
		() => {
			const r = run('macos-docker-desktop', 'stem');
			expect(r.code, r.stderr).toBe(0);
			expect(r.env).toMatchObject({
				STEM_SSH_AUTH_SOCK_HOST: '/run/host-services/ssh-auth.sock',
				STEM_SSH_LISTEN: '127.0.0.1',
				STEM_NETWORK_MODE: 'bridge',
			});
			expect(r.stderr).not.toContain('ssh-auth.sock');
		},
	);
});
