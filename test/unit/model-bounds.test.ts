// Every check of the settings model (source/core/model.ts) at its edges: the last value accepted and the
// first refused, and a value that would pass only if the check forgot an anchor.
import {describe, expect, it} from 'vitest';
import {
	answer,
	checkAuthorizedKeysText,
	checkExtraMounts,
	checkGpus,
	checkImageRef,
	checkRepoUrl,
	defaults,
	FIELDS,
	factWarnings,
	loginCommand,
	reservedTargets,
	validate,
	validateValue,
} from '../../source/core/model.js';

const ok = (key: string, ...values: string[]) => {
	for (const v of values) expect(validateValue(key, v), `${key}=${v}`).toBeUndefined();
};
const bad = (key: string, message: string, ...values: string[]) => {
	for (const v of values) expect(validateValue(key, v), `${key}=${v}`).toBe(`${key} ${message}`);
};

describe('the edges of each check', () => {
	it('ids', () => {
		ok('STEM_UID', '1', '65533', '65535', '2147483646');
		bad('STEM_UID', 'must not be 65534: that is nobody/nogroup (use your host id, e.g. 1000)', '65534');
		bad('STEM_UID', 'must be at most 2147483646', '2147483647');
	});

	it('ports', () => {
		ok('STEM_SSH_PORT', '1', '65535');
		bad('STEM_SSH_PORT', 'must be a port number from 1 to 65535 (e.g. 22222)', '0', '65536', '1a', 'a1');
	});

	it('host paths', () => {
		ok('DROPBOX_PATH_ON_HOST', '/a b/c');
		bad('DROPBOX_PATH_ON_HOST', 'must not contain a comma', '/a,b');
		bad(
			'DROPBOX_PATH_ON_HOST',
			'must be an absolute path on the Docker host (starting with /); ~ and relative paths are not expanded',
			'a/b',
			'~/x',
		);
	});

	it('choices', () => {
		bad('STEM_NETWORK_MODE', 'must be one of: bridge, host', 'bridged', 'Host');
		bad('STEM_BUILD_NETWORK', 'must be one of: default, host', 'bridge');
	});

	it('IPv4 listen addresses', () => {
		ok('STEM_SSH_LISTEN', '1.22.3.4', '1.2.33.4', '1.2.3.44', '255.255.255.255', '0.0.0.0');
		bad(
			'STEM_SSH_LISTEN',
			'must be an IPv4 address: 0.0.0.0 (all interfaces) or 127.0.0.1 (this host only)',
			'x1.2.3.4',
			'1.2.3.4x',
			'1.2.3.256',
			'1.2.3.04',
			'1.2.3',
		);
	});

	it('host names', () => {
		ok('STEM_HOSTNAME', 'a', 'a-b', 'A9', 'a'.repeat(63));
		bad(
			'STEM_HOSTNAME',
			'must be a host name: letters, digits and "-", at most 63 characters, not starting or ending with "-"',
			'a'.repeat(64),
			'-a',
			'a-',
			'a.b',
			'!a',
			'a!',
		);
	});

	it('container names', () => {
		ok('STEM_CONTAINER_NAME', 'a', 'a_b.c-d', '9', 'a'.repeat(64));
		bad(
			'STEM_CONTAINER_NAME',
			'must start with a letter or digit and use only letters, digits, "_", "." and "-", at most 64 of them (e.g. stem)',
			'a'.repeat(65),
			'_a',
			'!a',
			'a!',
		);
	});

	it('image references', () => {
		ok(
			'STEM_IMAGE',
			'a',
			'a__b',
			'a--b',
			'a.b',
			'a_b',
			'reg/x',
			'reg.example:5000/team/x:1.0',
			`x@sha256:${'a'.repeat(64)}`,
		);
		bad(
			'STEM_IMAGE',
			'must be an image reference like ubuntu:24.04 or registry.example:5000/team/stem:1.0 (lower-case name)',
			'A',
			'a..b',
			'a___b',
			'a/',
			'/a',
			'a:',
			'x@sha256:abc',
			' a',
			'a b',
		);
	});

	it('git refs', () => {
		ok('BINDU_REF', 'main', 'v1.2', 'feature/x', 'x-');
		bad(
			'BINDU_REF',
			'must be a branch or tag name like main or v1.2 (no spaces, "..", or leading "-")',
			'-x',
			'/x',
			'x/',
			'x.lock',
			'a..b',
			'a//b',
			'a b',
		);
	});

	it('repository URLs', () => {
		ok('BINDU_REPO', 'https://x/y-', 'http://x/y', 'ssh://git@x/y', 'git://x/y', 'git@github.com:you/bindu.git');
		bad(
			'BINDU_REPO',
			'must be a git URL without spaces (e.g. https://github.com/you/bindu.git)',
			'https://x/a b',
			'-https://x',
		);
		bad(
			'BINDU_REPO',
			'must be an https://, ssh://, git:// or git@host:path URL',
			'foohttps://x',
			'ftp://x/y',
			'git@host',
		);
	});

	it('installer URLs', () => {
		ok('STEM_PIXI_INSTALL_URL', 'http://x/i.sh', 'https://x/i.sh');
		bad(
			'STEM_PIXI_INSTALL_URL',
			'must be an http:// or https:// URL (e.g. https://pixi.sh/install.sh)',
			'xhttp://x',
			"https://x/'a",
			'https://x"',
			'ftp://x',
		);
	});

	it('session environment (STEM_ENV): KEY=VALUE pairs; what sshd or hatch owns, quotes and controls refused', () => {
		ok('STEM_ENV', 'EDITOR=vim', 'A=1,_b2=x y:z/w', 'EMPTY=', 'PATH=/opt/x/bin:/usr/bin', 'E==');
		const pairs = 'must be KEY=VALUE (a letter or _ first, then letters, digits, _), several separated by commas';
		bad('STEM_ENV', `"EDITOR" ${pairs}`, 'EDITOR');
		bad('STEM_ENV', `"1A=x" ${pairs}`, '1A=x');
		bad('STEM_ENV', `"A-B=x" ${pairs}`, 'A-B=x');
		bad('STEM_ENV', `"=x" ${pairs}`, '=x');
		bad('STEM_ENV', `"" ${pairs}`, 'A=1,');
		bad('STEM_ENV', '"HOME" is set by sshd for each session; leave it out', 'HOME=/x');
		bad('STEM_ENV', '"SSH_AUTH_SOCK" is set by sshd for each session; leave it out', 'A=1,SSH_AUTH_SOCK=/x');
		bad('STEM_ENV', '"SSH_X" is set by sshd for each session; leave it out', 'SSH_X=1');
		bad(
			'STEM_ENV',
			'"STEM_USER" is a hatch setting, not a session variable; set it on its own line in .env',
			'STEM_USER=x',
		);
		bad(
			'STEM_ENV',
			'"HATCH_X" is a hatch setting, not a session variable; set it on its own line in .env',
			'HATCH_X=1',
		);
		const quote = 'its value may not hold a double quote, a backslash or control characters';
		bad('STEM_ENV', `"A": ${quote}`, 'A=say "hi"', 'A=c:\\x', 'A=a\tb', 'A=\x7f', 'A=\x1b[31m');
		bad('STEM_ENV', '"A" is set twice', 'A=1,B=2,A=3');
	});

	it('mosh UDP ranges (STEM_MOSH_PORTS)', () => {
		ok('STEM_MOSH_PORTS', '60000-60010', '1024-1024', '65535-65535', '60000-60999');
		const range = 'must be a UDP port range LOW-HIGH between 1024 and 65535 (e.g. 60000-60010)';
		bad('STEM_MOSH_PORTS', range, '1023-1030', '60000-65536', '60000', 'a-b', ' 60000-60010', '60000-60010x');
		bad('STEM_MOSH_PORTS', 'starts above where it ends: write it 60000-60010', '60010-60000');
		bad('STEM_MOSH_PORTS', 'publishes 1001 ports; a few per session are enough (e.g. 60000-60010)', '60000-61000');
	});

	it('GPU requests', () => {
		ok('NEURON_GPUS', 'none', 'all', '1', '64', '0,1', 'GPU-4f2c1a3b');
		bad('NEURON_GPUS', 'a GPU count must be from 1 to 64', '0', '65');
		bad(
			'NEURON_GPUS',
			'must be none, all, a count (e.g. 2), or device ids/UUIDs separated by commas (e.g. 0,1 or GPU-4f2c…)',
			'x0',
			'0x',
			'0,x',
			'GPU-1234',
		);
	});
});

describe('the model at its edges: each rule and each message', () => {
	it('loginCommand: every interface means the Docker host’s name; an address is the one to type', () => {
		expect(loginCommand({STEM_SSH_PORT: '2222', STEM_USER: 'alice'})).toBe('ssh -p 2222 alice@<docker-host>');
		expect(loginCommand({STEM_SSH_PORT: '2222', STEM_USER: 'alice', STEM_SSH_LISTEN: ''})).toBe(
			'ssh -p 2222 alice@<docker-host>',
		);
		expect(loginCommand({STEM_SSH_PORT: '2222', STEM_USER: 'alice', STEM_SSH_LISTEN: '0.0.0.0'})).toBe(
			'ssh -p 2222 alice@<docker-host>',
		);
		expect(loginCommand({STEM_SSH_PORT: '2200', STEM_USER: 'bob', STEM_SSH_LISTEN: '127.0.0.1'})).toBe(
			'ssh -p 2200 bob@127.0.0.1',
		);
	});

	it('factWarnings: GPUs asked for on a host without them, or without the runtime; nothing otherwise', () => {
		expect(factWarnings('stem', {NEURON_GPUS: 'all'}, {gpuCount: 0})).toEqual([]);
		expect(factWarnings('neuron', {NEURON_GPUS: 'none'}, {gpuCount: 0})).toEqual([]);
		expect(factWarnings('neuron', {}, {gpuCount: 0})).toEqual([]);
		expect(factWarnings('neuron', {NEURON_GPUS: 'all'}, {gpuCount: 0})).toEqual([
			'NEURON_GPUS=all, but no NVIDIA GPU was found on this host: the container will not start that way; set ' +
				'NEURON_GPUS=none, or run it on a GPU host',
		]);
		expect(factWarnings('neuron', {NEURON_GPUS: '2'}, {gpuCount: 2, nvidiaRuntime: false})).toEqual([
			'NEURON_GPUS=2, but Docker has no NVIDIA runtime here: install nvidia-container-toolkit and restart Docker, ' +
				'or set NEURON_GPUS=none',
		]);
		expect(factWarnings('neuron', {NEURON_GPUS: '2'}, {gpuCount: 2, nvidiaRuntime: true})).toEqual([]);
		expect(factWarnings('neuron', {NEURON_GPUS: '2'}, {gpuCount: 2})).toEqual([]);
		expect(factWarnings('neuron', {NEURON_GPUS: 'all'}, {})).toEqual([]);
	});

	it('validateValue: a key that is not a setting; a setting without a check takes any single line', () => {
		expect(validateValue('STEM_NOPE', 'x')).toBe('STEM_NOPE is not a hatch setting');
		expect(validateValue('STEM_NOPE', '')).toBe('STEM_NOPE is not a hatch setting');
		const unchecked = FIELDS.find(f => !f.check && !f.required);
		if (unchecked) expect(validateValue(unchecked.key, 'anything at all')).toBeUndefined();
	});

	it(
		'validate: a setting of the other stack; an extra mount on a workspace folder already set, with or without ' +
			'a trailing slash; port 22 only in host mode',
		() => {
			const stem = defaults('stem');
			expect(validate('stem', {...stem, NEURON_GPUS: 'all'})).toEqual([
				{key: 'NEURON_GPUS', message: 'NEURON_GPUS only applies to neuron'},
			]);
			const neuron = {...defaults('neuron'), NEURON_GPUS: 'none'};
			expect(
				validate('neuron', {
					...neuron,
					NEURON_MODELS_PATH: '/srv/models',
					NEURON_EXTRA_MOUNTS: '/a:/data/a,/srv/m:/workspace/models/',
				}),
			).toEqual([
				{
					key: 'NEURON_EXTRA_MOUNTS',
					message:
						'NEURON_EXTRA_MOUNTS mounts /workspace/models, which NEURON_MODELS_PATH already uses; drop one of them',
				},
			]);
			expect(validate('neuron', {...neuron, NEURON_EXTRA_MOUNTS: '/srv/m:/workspace/models'})).toEqual([]);
			expect(
				validate('neuron', {
					...neuron,
					NEURON_PROJECTS_PATH: '/srv/p',
					NEURON_EXTRA_MOUNTS: '/x:/workspace/projects//',
				}),
			).toEqual([
				{
					key: 'NEURON_EXTRA_MOUNTS',
					message:
						'NEURON_EXTRA_MOUNTS mounts /workspace/projects, which NEURON_PROJECTS_PATH already uses; drop one of them',
				},
			]);
			expect(
				validate('neuron', {
					...neuron,
					NEURON_PROJECTS_PATH: '/srv/p',
					NEURON_EXTRA_MOUNTS: '/srv/m:/workspace/models',
				}),
			).toEqual([]);
			// Port 22 is the host's own sshd's in either mode: one rule, for the wizard's question and --yes alike.
			const port22 = {
				key: 'STEM_SSH_PORT',
				message:
					"STEM_SSH_PORT 22 is where this host's own sshd listens (or will, once it is installed): pick another, " +
					'e.g. 22222',
			};
			for (const mode of ['host', 'bridge'])
				expect(
					validate('stem', {
						...stem,
						STEM_NETWORK_MODE: mode,
						STEM_BUILD_NETWORK: mode === 'host' ? 'host' : 'default',
						STEM_SSH_PORT: '22',
					}),
				).toEqual([port22]);
			expect(validateValue('STEM_SSH_PORT', '22')).toBe(port22.message);
		},
	);

	it('answer: a setting that follows another moves with it while it holds the default, and only then', () => {
		const stem = defaults('stem');
		expect(stem.STEM_BUILD_NETWORK).toBe('default');
		const host = answer('stem', stem, 'STEM_NETWORK_MODE', 'host');
		expect(host).toEqual({...stem, STEM_NETWORK_MODE: 'host', STEM_BUILD_NETWORK: 'host'});
		expect(answer('stem', host, 'STEM_NETWORK_MODE', 'bridge')).toEqual({
			...stem,
			STEM_NETWORK_MODE: 'bridge',
			STEM_BUILD_NETWORK: 'default',
		});
		const chosen = {...stem, STEM_BUILD_NETWORK: 'host'};
		expect(answer('stem', chosen, 'STEM_NETWORK_MODE', 'host').STEM_BUILD_NETWORK).toBe('host');
		expect(
			answer('stem', {...host, STEM_BUILD_NETWORK: 'default'}, 'STEM_NETWORK_MODE', 'bridge').STEM_BUILD_NETWORK,
		).toBe('default');
		// The answered key itself is what was answered, even when it equals another's default.
		expect(answer('stem', stem, 'STEM_BUILD_NETWORK', 'host')).toEqual({...stem, STEM_BUILD_NETWORK: 'host'});
		expect(answer('stem', stem, 'STEM_SSH_PORT', '2200')).toEqual({...stem, STEM_SSH_PORT: '2200'});
	});

	it('the user’s ids as defaults only when they are real non-root ids', () => {
		expect(defaults('stem', {uid: 0, gid: 0})).toMatchObject({STEM_UID: '1000', STEM_GID: '1000'});
		expect(defaults('stem', {uid: 1, gid: 1})).toMatchObject({STEM_UID: '1', STEM_GID: '1'});
		expect(defaults('stem', {uid: 501, gid: 20})).toMatchObject({STEM_UID: '501', STEM_GID: '20'});
		expect(defaults('stem', {})).toMatchObject({STEM_UID: '1000', STEM_GID: '1000'});
		expect(defaults('stem', {uid: -2, gid: -2})).toMatchObject({STEM_UID: '1000', STEM_GID: '1000'});
	});

	it('image references, repository URLs and GPU lists: the near misses', () => {
		expect(checkImageRef('registry.example:5000/team/stem:1.0')).toBeUndefined();
		expect(checkImageRef('registry.example/team/stem')).toBeUndefined();
		expect(checkImageRef('registry.example:/stem')).toBeDefined();
		expect(checkImageRef('a__b/c')).toBeUndefined();
		expect(checkImageRef('a---b')).toBeUndefined();
		expect(checkImageRef('a___b')).toBeDefined();
		expect(checkImageRef(`stem@sha256:${'a'.repeat(64)}`)).toBeUndefined();
		expect(checkImageRef(`stem@sha256:${'a'.repeat(63)}`)).toBeDefined();
		expect(checkImageRef(`stem:${'t'.repeat(128)}`)).toBeUndefined();
		expect(checkImageRef(`stem:${'t'.repeat(129)}`)).toBeDefined();
		expect(checkImageRef('stem:-x')).toBeDefined();
		expect(checkImageRef('Stem')).toBeDefined();
		expect(checkImageRef('x/Stem')).toBeDefined();
		expect(checkImageRef('stem/')).toBeDefined();
		for (const ok of ['https://h/x.git', 'ssh://git@h/x', 'git://h/x', 'git@github.com:you/bindu.git', 'a.b-c@h.x:p'])
			expect(checkRepoUrl(ok), ok).toBeUndefined();
		for (const bad of ['ftp://h/x', 'xhttps://h/x', 'https://', 'git@h', '@h:p', 'a@:p', 'a@h:', 'a@h:p x', 'a b@h:p'])
			expect(checkRepoUrl(bad), bad).toBeDefined();
		expect(checkRepoUrl('a!b@h:p')).toBe('must be an https://, ssh://, git:// or git@host:path URL');
		expect(checkRepoUrl('~/dotfiles')).toBe(
			'is a path on this host, which the container cannot see when it clones: use a URL it can reach ' +
				'(https://…, ssh://…, git@host:path), e.g. where you push your dotfiles',
		);
		for (const ok of ['0,1', '10,11', 'GPU-4f2c1e2d', 'GPU-4f2c1e2d-aaaa,3', '64', '1'])
			expect(checkGpus(ok), ok).toBeUndefined();
		for (const bad of ['0', '0,', 'GPU-4f2c', 'GPU-xyzxyzxy', '65', '0x1', '1,a', 'x0'])
			expect(checkGpus(bad), bad).toBeDefined();
	});

	it(
		'extra mounts: the mode, the trailing slashes, a workspace subfolder, and which writable folder it is ' + 'under',
		() => {
			expect(checkExtraMounts('/a:/data/a:rx')).toBe('"/a:/data/a:rx": the mode must be ro or rw');
			expect(checkExtraMounts('/a:/data/a:rw')).toBeUndefined();
			expect(checkExtraMounts('/a:/data/a:ro')).toBeUndefined();
			expect(checkExtraMounts('/a:/data/a:')).toBe('"/a:/data/a:": the mode must be ro or rw');
			expect(checkExtraMounts('/a:/data/a//,/b:/data/a')).toBe('"/b:/data/a": /data/a is mounted twice');
			expect(checkExtraMounts('/a:/home//')).toBe(
				'"/a:/home//": /home is where hatch mounts its own things; pick another container path (e.g. /data/…)',
			);
			expect(checkExtraMounts('/a:///')).toBe(
				'"/a:///": / is where hatch mounts its own things; pick another container path (e.g. /data/…)',
			);
			expect(checkExtraMounts('/a:/tmp/x')).toBe(
				'"/a:/tmp/x": /tmp/x is inside a folder the container user can change (/tmp), where a link could move the ' +
					'mount; use /data/<name> or /workspace/<name>',
			);
			expect(checkExtraMounts('/a:/run')).toMatch(/\(\/run\)/);
			expect(checkExtraMounts('/a:/runner')).toBeUndefined();
			expect(checkExtraMounts('/a:/workspace/p/x')).toBe(
				'"/a:/workspace/p/x": /workspace/p/x is inside a folder the container user can change (/workspace/…/), ' +
					'where a link could move the mount; use /data/<name> or ' +
					'/workspace/<name>',
			);
			expect(checkExtraMounts('/a:/workspace/p/')).toBeUndefined();
			expect(checkExtraMounts('/a:/data/workspace/p/x')).toBeUndefined();
			expect(checkExtraMounts('/a')).toBe('"/a" must be HOST_PATH:CONTAINER_PATH[:ro], several separated by commas');
			expect(checkExtraMounts(':/data/a')).toBe(
				'":/data/a" must be HOST_PATH:CONTAINER_PATH[:ro], several separated by commas',
			);
			expect(checkExtraMounts('/a:')).toBe('"/a:" must be HOST_PATH:CONTAINER_PATH[:ro], several separated by commas');
			expect(checkExtraMounts('/a:/b:ro:x')).toBe(
				'"/a:/b:ro:x" must be HOST_PATH:CONTAINER_PATH[:ro], several separated by commas',
			);
		},
	);

	it('validate: the two mount lists together mount a target once; a list may not take a set folder either', () => {
		const neuron = defaults('neuron');
		const clash = {...neuron, STEM_EXTRA_MOUNTS: '/mnt/a:/data/a', NEURON_EXTRA_MOUNTS: '/srv/b:/data/a/'};
		expect(validate('neuron', clash)).toEqual([
			{
				key: 'NEURON_EXTRA_MOUNTS',
				message: 'NEURON_EXTRA_MOUNTS mounts /data/a, which STEM_EXTRA_MOUNTS already uses; drop one of them',
			},
		]);
		expect(validate('neuron', {...clash, NEURON_EXTRA_MOUNTS: '/srv/b:/data/b'})).toEqual([]);
		const onSet = {...neuron, NEURON_MODELS_PATH: '/srv/m', STEM_EXTRA_MOUNTS: '/srv/m2:/workspace/models'};
		expect(validate('neuron', onSet)).toEqual([
			{
				key: 'STEM_EXTRA_MOUNTS',
				message: 'STEM_EXTRA_MOUNTS mounts /workspace/models, which NEURON_MODELS_PATH already uses; drop one of them',
			},
		]);
		expect(validate('stem', {...defaults('stem'), STEM_EXTRA_MOUNTS: '/srv/m2:/workspace/models'})).toEqual([]);
	});

	it('validate: a required setting missing from the values is refused as empty; an optional one is fine', () => {
		const {STEM_USER: _user, DROPBOX_PATH_ON_HOST: _dropbox, ...rest} = defaults('stem');
		expect(validate('stem', rest)).toEqual([{key: 'STEM_USER', message: 'STEM_USER must not be empty'}]);
	});

	it('authorized keys: a key type without the key after it is no key; a private key is refused, naming the fix', () => {
		expect(checkAuthorizedKeysText('ssh-ed25519\n')).toEqual({
			warning: 'STEM_AUTH_KEYS_PATH: 1 line(s) do not look like SSH public keys',
		});
		expect(checkAuthorizedKeysText('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n')).toEqual({
			error:
				'STEM_AUTH_KEYS_PATH points at a PRIVATE key; give the public one (the .pub file next to it) or an ' +
				'authorized_keys file',
		});
	});

	it('authorized keys: a key after options counts; comments and blank lines do not', () => {
		expect(checkAuthorizedKeysText('  # mine\n\n  ssh-ed25519 AAAAC3Nz you@host  \n')).toEqual({});
		expect(checkAuthorizedKeysText('from="10.0.0.1" ssh-rsa AAAAB3 you@host\n')).toEqual({});
		expect(checkAuthorizedKeysText('sk-ssh-ed25519@openssh.com AAAA you\n')).toEqual({});
		expect(checkAuthorizedKeysText('ecdsa-sha2-nistp384 AAAA you\n')).toEqual({});
	});
});

describe('what FIELDS declares about the container', () => {
	it('the reserved container paths: hatch’s volumes, every mount outside /workspace, and /workspace itself', () => {
		expect(reservedTargets()).toEqual([
			'/home',
			'/etc/ssh/hatch-hostkeys',
			'/var/lib/hatch/ssh',
			'/etc/hatch/authorized_keys.host',
			'/mnt/hatch/dropbox',
			'/opt/secrets/apogee-secrets.env',
			'/ssh-agent',
			'/workspace',
		]);
	});

	it('every host path a container mounts is checked on the host, and the other way round', () => {
		for (const f of FIELDS) expect(Boolean(f.hostPath), f.key).toBe(typeof f.container === 'object');
	});
});
