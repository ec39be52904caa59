import {describe, expect, it} from 'vitest';
import {
	answer,
	checkAuthorizedKeysText,
	defaults,
	FIELDS,
	field,
	fieldsFor,
	KEY,
	validate,
	validateValue,
} from '../../source/core/model.js';
import {resolveConfig} from '../../source/core/resolve.js';

const bad = (key: string, value: string) => validateValue(key, value);

describe('KEY, the settings hatch acts on by role', () => {
	it('names only settings FIELDS declares, each once', () => {
		const keys = Object.values(KEY);
		for (const key of keys) expect(field(key), key).toBeDefined();
		expect(new Set(keys).size).toBe(keys.length);
	});
});

describe('validation names the field and the fix', () => {
	it.each([
		['Alice', 'lower-case'],
		['1dev', 'start with a lower-case letter'],
		['dev user', 'only a-z'],
		['a'.repeat(33), 'at most 32'],
		['root', 'system account'],
		['daemon', 'system account'],
		['nobody', 'system account'],
		['sshd', 'system account'],
	])('refuses username %j', (value, hint) => {
		const msg = bad('STEM_USER', value);
		expect(msg).toMatch(/^STEM_USER /);
		expect(msg!.toLowerCase()).toContain(hint.toLowerCase().split(' ')[0]);
	});

	it.each(['dev', 'alice', '_svc', 'a-b_c9', 'a'.repeat(32)])('accepts username %j', v => {
		expect(bad('STEM_USER', v)).toBeUndefined();
	});

	it.each([
		['0', 'must not be root'],
		['-5', 'whole number'],
		['1.5', 'whole number'],
		['abc', 'whole number'],
		['2147483647', 'at most 2147483646'],
		// The boot reads ids as decimal: "08" would be bad octal, and "01000" a second spelling of 1000.
		['08', 'without leading zeros, like 8'],
		['01000', 'without leading zeros, like 1000'],
		['00', 'must not be root'],
	])('refuses UID %j', (value, hint) => {
		expect(bad('STEM_UID', value)).toContain(hint);
		expect(bad('STEM_GID', value)).toMatch(/^STEM_GID /);
	});

	it.each(['1', '1000', '2147483646'])('accepts UID %j', v => expect(bad('STEM_UID', v)).toBeUndefined());

	it.each(['0', '65536', 'ssh', '', '22.5'])('refuses port %j', v => {
		expect(bad('STEM_SSH_PORT', v)).toMatch(/^STEM_SSH_PORT /);
	});

	it.each(['Dropbox', '~/Dropbox', './x'])('refuses relative host path %j', v => {
		expect(bad('DROPBOX_PATH_ON_HOST', v)).toContain('absolute path');
		expect(bad('STEM_AUTH_KEYS_PATH', v)).toContain('absolute path');
	});

	it('allows optional paths to be empty but not required values', () => {
		expect(bad('DROPBOX_PATH_ON_HOST', '')).toBeUndefined();
		expect(bad('STEM_USER', '')).toBe('STEM_USER must not be empty');
	});

	it.each(['-upload-pack=x', 'a..b', 'main.lock', 'feature//x', 'has space', '/main', 'main/'])('refuses ref %j', v => {
		expect(bad('BINDU_REF', v)).toMatch(/^BINDU_REF /);
	});

	it.each(['main', 'v1.2.3', 'feature/x', 'release-2026'])('accepts ref %j', v =>
		expect(bad('BINDU_REF', v)).toBeUndefined(),
	);

	it.each(['ftp://x/y', '-uhttps://x', 'https://x/a b', 'github.com/me/bindu'])('refuses repo URL %j', v => {
		expect(bad('BINDU_REPO', v)).toMatch(/^BINDU_REPO /);
	});

	// The clone runs inside the container, where a path on this host does not exist: refused with the reason.
	it.each(['file:///srv/b.git', '/srv/git/bindu', '~/dotfiles', './bindu'])(
		'refuses a host path as repo %j, saying why',
		v => {
			expect(bad('BINDU_REPO', v)).toContain('is a path on this host, which the container cannot see when it clones');
		},
	);

	it.each([
		'https://github.com/me/bindu.git',
		'git@github.com:me/bindu.git',
		'ssh://git@host:2222/me/b.git',
		'git://127.0.0.1/bindu',
	])('accepts repo URL %j', v => expect(bad('BINDU_REPO', v)).toBeUndefined());

	it('refuses any value with a line break', () => {
		expect(bad('BINDU_REPO', 'https://x/y\nSTEM_UID=0')).toContain('single line');
		expect(bad('DROPBOX_PATH_ON_HOST', '/a\rb')).toContain('single line');
	});

	it.each(['maybe', 'yes', '2'])('refuses boolean %j', v =>
		expect(bad('BINDU_FORCE', v)).toContain('1 (on) or 0 (off)'),
	);
	it.each(['x', '1.2.3', '256.0.0.1', '::1', '01.2.3.4'])('refuses listen address %j', v =>
		expect(bad('STEM_SSH_LISTEN', v)).toContain('IPv4'),
	);
	it.each(['Ubuntu:24.04', 'ubuntu 24.04', ':tag'])('refuses image %j', v =>
		expect(bad('STEM_BASE_IMAGE', v)).toMatch(/^STEM_BASE_IMAGE /),
	);
	it.each([
		'ubuntu:24.04',
		'phusion/baseimage:noble-1.0.2',
		'127.0.0.1:5000/team/stem:0.1.2',
		'hatch-test-base:bookworm',
	])('accepts image %j', v => expect(bad('STEM_IMAGE', v)).toBeUndefined());
	it.each(['none', 'all', '2', '0,1', 'GPU-4f2c1a3b-0000-1111-2222-333344445555'])('accepts GPU request %j', v =>
		expect(bad('NEURON_GPUS', v)).toBeUndefined(),
	);
	it.each(['0', '65', 'some', '0,,1'])('refuses GPU request %j', v =>
		expect(bad('NEURON_GPUS', v)).toMatch(/^NEURON_GPUS /),
	);
	it.each(['/a', '/a:/b:rx', 'a:/b', '/a:b', '/a:/b:ro:x'])('refuses extra mount %j', v =>
		expect(bad('NEURON_EXTRA_MOUNTS', v)).toMatch(/^NEURON_EXTRA_MOUNTS /),
	);
	it('accepts extra mounts', () =>
		expect(bad('NEURON_EXTRA_MOUNTS', '/srv/a:/data/a:ro,/srv/b:/data/b')).toBeUndefined());

	it('refuses a private key given as authorized keys', () => {
		const r = checkAuthorizedKeysText(
			'-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n',
		);
		expect(r.error).toContain('PRIVATE key');
		expect(checkAuthorizedKeysText('-----BEGIN RSA PRIVATE KEY-----\n').error).toContain('.pub');
	});

	it('accepts public keys and authorized_keys lines with options', () => {
		expect(checkAuthorizedKeysText('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG me@host\n')).toEqual({});
		expect(
			checkAuthorizedKeysText('# keys\nfrom="10.0.0.1" ssh-rsa AAAAB3Nza me\necdsa-sha2-nistp256 AAAAE2 x\n'),
		).toEqual({});
		expect(checkAuthorizedKeysText('\n').warning).toContain('no keys');
		expect(checkAuthorizedKeysText('hello\n').warning).toContain('do not look like');
	});

	it('flags unknown keys, keys of the other stack and port 22 in host mode', () => {
		const values = {
			...defaults('stem'),
			NEURON_GPUS: 'all',
			STEM_FOO: '1',
			STEM_NETWORK_MODE: 'host',
			STEM_SSH_PORT: '22',
		};
		const msgs = validate('stem', values).map(p => p.message);
		expect(msgs).toContain('NEURON_GPUS only applies to neuron');
		expect(msgs).toContain('STEM_FOO is not a hatch setting');
		expect(msgs.some(m => m.includes("host's own sshd"))).toBe(true);
	});
});

describe('defaults', () => {
	it('are valid for both stacks without host facts', () => {
		expect(validate('stem', defaults('stem'))).toEqual([]);
		expect(validate('neuron', defaults('neuron'))).toEqual([]);
	});

	it('follow the host user but never root', () => {
		expect(defaults('stem', {user: 'alice', uid: 1001, gid: 1002})).toMatchObject({
			STEM_USER: 'alice',
			STEM_UID: '1001',
			STEM_GID: '1002',
		});
		expect(defaults('stem', {user: 'root', uid: 0, gid: 0})).toMatchObject({
			STEM_USER: 'dev',
			STEM_UID: '1000',
			STEM_GID: '1000',
		});
		expect(defaults('stem', {user: 'John.Smith', uid: 501, gid: 20})).toMatchObject({
			STEM_USER: 'dev',
			STEM_UID: '501',
			STEM_GID: '20',
		});
	});

	it('take detected keys and Dropbox, and ask for GPUs only when some were found', () => {
		const d = defaults('neuron', {
			publicKeys: ['/home/a/.ssh/id_ed25519.pub'],
			dropboxPath: '/home/a/Dropbox',
			gpuCount: 0,
		});
		expect(d).toMatchObject({
			STEM_AUTH_KEYS_PATH: '/home/a/.ssh/id_ed25519.pub',
			DROPBOX_PATH_ON_HOST: '/home/a/Dropbox',
			NEURON_GPUS: 'none',
		});
		expect(defaults('neuron', {gpuCount: 8}).NEURON_GPUS).toBe('all');
		expect(defaults('stem', {})).not.toHaveProperty('NEURON_GPUS');
	});

	it('cover every variable of the spec for both stacks', () => {
		const seed = [
			'STEM_CONTAINER_NAME',
			'STEM_HOSTNAME',
			'STEM_SSH_PORT',
			'STEM_USER',
			'STEM_UID',
			'STEM_GID',
			'STEM_AUTH_KEYS_PATH',
			'DROPBOX_PATH_ON_HOST',
			'BINDU_REPO',
			'BINDU_REF',
			'BINDU_FORCE',
			'STEM_PIXI_ENABLE',
			'STEM_PIXI_STOW',
			'STEM_PIXI_GLOBAL_SYNC',
			'STEM_PIXI_HOST',
			'APOGEE_SECRETS_PATH',
			'STEM_SSH_AUTH_SOCK_HOST',
			'STEM_NETWORK_MODE',
			'STEM_SSH_LISTEN',
			'STEM_BASE_IMAGE',
			'STEM_IMAGE',
		];
		for (const image of ['stem', 'neuron'] as const) {
			const keys = fieldsFor(image).map(f => f.key);
			for (const k of seed) expect(keys).toContain(k);
		}
		expect(fieldsFor('neuron').map(f => f.key)).toEqual(
			expect.arrayContaining(['NEURON_GPUS', 'NEURON_PROJECTS_PATH', 'NEURON_DATASETS_PATH', 'NEURON_MODELS_PATH']),
		);
		expect(new Set(FIELDS.map(f => f.key)).size).toBe(FIELDS.length);
	});
});

describe('extra mounts', () => {
	it.each(['/srv/a:/home', '/srv/a:/ssh-agent', '/srv/a:/workspace', '/srv/a:/data/x,/srv/b:/data/x/', '/srv/a:/'])(
		'refuses %j (clashes with a mount)',
		v => {
			expect(validateValue('NEURON_EXTRA_MOUNTS', v)).toMatch(/hatch mounts its own|mounted twice/);
		},
	);

	// Docker follows links when it places a mount: the user could rename the folder above the target and put
	// a link to /usr/local/bin there, and the next start would mount a user-writable folder over it.
	it.each([
		'/srv/a:/home/dev/data',
		'/srv/a:/tmp/x',
		'/srv/a:/var/tmp/x',
		'/srv/a:/dev/shm/x',
		'/srv/a:/workspace/data/imagenet',
		'/srv/a:/mnt/hatch/x',
	])('refuses %j (a target the container user could redirect)', v =>
		expect(validateValue('NEURON_EXTRA_MOUNTS', v)).toMatch(
			/inside a folder the container user can change .*use \/data\/<name> or \/workspace\/<name>/,
		),
	);

	it('accepts one level under /workspace and folders the user cannot change', () => {
		expect(
			validateValue('NEURON_EXTRA_MOUNTS', '/srv/a:/workspace/data,/srv/b:/data/b,/srv/c:/opt/tools:ro'),
		).toBeUndefined();
	});

	it('refuses an extra mount on a workspace folder that is already mounted', () => {
		const values = {
			...defaults('neuron'),
			NEURON_PROJECTS_PATH: '/srv/p',
			NEURON_EXTRA_MOUNTS: '/srv/q:/workspace/projects',
		};
		expect(validate('neuron', values).map(p => p.message)).toContain(
			'NEURON_EXTRA_MOUNTS mounts /workspace/projects, which NEURON_PROJECTS_PATH already uses; drop one of them',
		);
		expect(validate('neuron', {...values, NEURON_PROJECTS_PATH: ''})).toEqual([]);
	});
});

describe('a default that follows another setting (STEM_BUILD_NETWORK follows STEM_NETWORK_MODE)', () => {
	it('moves with an answer while it still holds the old default, and stays when chosen', () => {
		const start = defaults('stem');
		expect(start.STEM_BUILD_NETWORK).toBe('default');
		const host = answer('stem', start, 'STEM_NETWORK_MODE', 'host');
		expect(host.STEM_BUILD_NETWORK).toBe('host');
		expect(answer('stem', host, 'STEM_NETWORK_MODE', 'bridge').STEM_BUILD_NETWORK).toBe('default');
		// Chosen by the user: an answer elsewhere does not move it.
		const chosen = answer('stem', start, 'STEM_BUILD_NETWORK', 'host');
		expect(answer('stem', chosen, 'STEM_NETWORK_MODE', 'bridge').STEM_BUILD_NETWORK).toBe('host');
		// Other keys never move.
		expect(answer('stem', start, 'STEM_NETWORK_MODE', 'host')).toEqual({
			...start,
			STEM_NETWORK_MODE: 'host',
			STEM_BUILD_NETWORK: 'host',
		});
	});

	it('follows in resolveConfig only where no layer gave it (an .env that has it keeps it)', () => {
		expect(resolveConfig({image: 'stem', sets: {STEM_NETWORK_MODE: 'host'}}).values.STEM_BUILD_NETWORK).toBe('host');
		const written = {...defaults('stem')};
		expect(
			resolveConfig({image: 'stem', existing: written, sets: {STEM_NETWORK_MODE: 'host'}}).values.STEM_BUILD_NETWORK,
		).toBe('default');
		// An .env from before the setting existed: it follows the mode that .env has.
		const {STEM_BUILD_NETWORK: _, ...older}: Record<string, string> = {...written, STEM_NETWORK_MODE: 'host'};
		expect(resolveConfig({image: 'stem', existing: older}).values.STEM_BUILD_NETWORK).toBe('host');
	});
});
