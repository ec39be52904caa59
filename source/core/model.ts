// The configuration model: every .env key hatch knows, its default, its help text and its validation.
// Pure: no I/O. Everything else (the .env file, compose files, the CLI's --set, the wizard's screens and the
// examples under images/) is derived from FIELDS.

/**
 * The images hatch builds: one name across the `--image` flag, a preset's `image:` and the code. A stack is one
 * written instance of an image (a folder with its compose file and .env, and the container it runs).
 */
export const IMAGES = ['stem', 'neuron'] as const;
export type Image = (typeof IMAGES)[number];

export type Values = Record<string, string>;

/**
 * The settings that hatch's own code acts on (names, ports, the network, the image), by role: only this file
 * spells their keys, so messages and code elsewhere take the name from here.
 */
export const KEY = {
	name: 'STEM_CONTAINER_NAME',
	hostname: 'STEM_HOSTNAME',
	user: 'STEM_USER',
	uid: 'STEM_UID',
	gid: 'STEM_GID',
	network: 'STEM_NETWORK_MODE',
	listen: 'STEM_SSH_LISTEN',
	port: 'STEM_SSH_PORT',
	authKeys: 'STEM_AUTH_KEYS_PATH',
	image: 'STEM_IMAGE',
	baseImage: 'STEM_BASE_IMAGE',
	buildNetwork: 'STEM_BUILD_NETWORK',
	volumesExternal: 'STEM_VOLUMES_EXTERNAL',
	stemMounts: 'STEM_EXTRA_MOUNTS',
	neuronMounts: 'NEURON_EXTRA_MOUNTS',
	sessionEnv: 'STEM_ENV',
	moshPorts: 'STEM_MOSH_PORTS',
	binduRepo: 'BINDU_REPO',
	binduRef: 'BINDU_REF',
	gpus: 'NEURON_GPUS',
	agent: 'STEM_SSH_AUTH_SOCK_HOST',
} as const;

/** What the host told us; every field optional so the model works without probing (examples, tests). */
export interface HostFacts {
	user?: string;
	uid?: number;
	gid?: number;
	hostname?: string;
	home?: string;
	publicKeys?: string[];
	dropboxPath?: string;
	agentSocket?: string;
	gpuCount?: number;
	nvidiaRuntime?: boolean;
	/** Why a container here cannot use the host's GPUs, when a real `docker run --gpus all` said so. */
	gpuProblem?: string;
	/** docker compose's version: the GPU stanza follows it. */
	composeVersion?: string;
	/** False when the engine has no bridge network (dockerd --bridge=none): only the host network works. */
	bridgeNetwork?: boolean;
}

export type Group = 'identity' | 'user' | 'ssh' | 'image' | 'mounts' | 'bindu' | 'pixi' | 'secrets' | 'agent' | 'gpu';

export const GROUP_TITLES: Record<Group, string> = {
	identity: 'Container identity',
	user: 'User mapping (match your host user so bind mounts just work)',
	ssh: 'SSH',
	image: 'Image and volumes',
	mounts: 'Host folders',
	bindu: 'Dotfiles (bindu) cloned into ~/.config',
	pixi: 'Pixi',
	secrets: 'Apogee secrets (an env file of tokens, kept out of the image)',
	agent: 'SSH agent forwarding',
	gpu: 'GPU',
};

export interface Field {
	key: string;
	group: Group;
	/** The images (stem, neuron) the key applies to. */
	images: readonly Image[];
	/** One line for .env comments and the wizard. */
	help: string;
	/** Allowed values, for select-style fields. */
	choices?: readonly string[];
	/** Default for an image, optionally improved by host facts or following other settings. */
	default: (image: Image, facts: HostFacts, values: Values) => string;
	/** Returns an error message (naming the fix) or undefined. Empty values reach it only when `required`. */
	check?: (value: string, values: Values) => string | undefined;
	/** Empty is not allowed. */
	required?: boolean;
	/**
	 * docker-compose.yml's structure is written for this setting (compose cannot switch it from .env): for its
	 * whole value, or only for whether it is set. Changing it by hand needs hatch-wizard to rewrite the compose
	 * file; the .env comment says so, and `status`, the wizard and the boot itself name the key until then.
	 */
	written?: 'value' | 'set';
	/** Used by the image build: a change applies once the image is built again (`docker compose up -d --build`). */
	rebuild?: boolean;
	/**
	 * How the container receives it: as an environment variable of the same name (the boot reads it), or as a
	 * bind mount of the host path at `mount` (of /dev/null when empty; with `written: 'set'`, only when set),
	 * read-only when asked, and with `env` naming a variable that tells programs in the container where it is;
	 * `mounts`: a list of HOST:CONTAINER[:ro] bind mounts, each written into the compose file.
	 */
	container?: 'env' | 'mounts' | {mount: string; readOnly?: boolean; env?: string};
	/**
	 * A path on this host, checked before anything is written: `keys` an authorized-keys file (empty: nobody can
	 * log in), `file` a file, `folder` a folder the container user writes in, `agent` an agent's socket (may move).
	 */
	hostPath?: 'keys' | 'file' | 'folder' | 'agent';
	/** The wizard's question for it. */
	ask: Ask;
}

/** How the wizard asks for a setting: its prompt above the field (the help goes below it). */
export interface Ask {
	prompt: string | ((values: Values, facts: HostFacts) => string);
	/** Asked only when this holds for the answers so far. */
	when?: (values: Values) => boolean;
	/** A label for each of `choices` (asked as a list, in the order of `choices`). */
	labels?: Record<string, string>;
	/** A list of what this host's inspection found (the wizard fills it in). */
	detected?: 'publicKeys' | 'agents' | 'gpus';
	/** Said after the help when hatch-wizard runs as root. */
	asRoot?: string;
}

/** Docker Desktop's forwarded ssh-agent: it exists inside Docker Desktop's VM, where containers run. */
export const DOCKER_DESKTOP_AGENT = '/run/host-services/ssh-auth.sock';

/** Where hatch keeps its own volumes in the container; the boot scripts use the same paths. */
export const CONTAINER_PATHS = {
	home: '/home',
	hostKeys: '/etc/ssh/hatch-hostkeys',
	sshState: '/var/lib/hatch/ssh',
	workspace: '/workspace',
} as const;

// Accounts that exist in Debian/Ubuntu base images or that services rely on: a login user must not take one.
const SYSTEM_ACCOUNTS = new Set([
	'root',
	'daemon',
	'bin',
	'sys',
	'sync',
	'games',
	'man',
	'lp',
	'mail',
	'news',
	'uucp',
	'proxy',
	'www-data',
	'backup',
	'list',
	'irc',
	'gnats',
	'nobody',
	'nogroup',
	'_apt',
	'sshd',
	'messagebus',
	'syslog',
	'uuidd',
	'tcpdump',
	'tss',
	'landscape',
	'polkitd',
	'usbmux',
	'dnsmasq',
	'avahi',
	'pollinate',
	'lxd',
	'dhcpcd',
	'systemd-network',
	'systemd-resolve',
	'systemd-timesync',
	'systemd-coredump',
	'systemd-journal',
	'adm',
	'tty',
	'disk',
	'kmem',
	'dialout',
	'fax',
	'voice',
	'cdrom',
	'floppy',
	'tape',
	'sudo',
	'audio',
	'dip',
	'operator',
	'src',
	'shadow',
	'utmp',
	'video',
	'sasl',
	'plugdev',
	'staff',
	'users',
	'docker',
	'ssh',
	'crontab',
	'input',
	'render',
	'kvm',
	'sgx',
	'netdev',
]);

const MAX_ID = 2147483646;
const STACK_PORT: Record<Image, number> = {stem: 22222, neuron: 22223};

function checkUsername(v: string): string | undefined {
	if (v.length > 32) return `is ${v.length} characters long; use at most 32`;
	if (!/^[a-z_][a-z0-9_-]*$/.test(v)) {
		return 'must start with a lower-case letter or "_" and use only a-z, 0-9, "_" and "-" (e.g. dev)';
	}
	if (SYSTEM_ACCOUNTS.has(v)) return `"${v}" is a system account name; pick another (e.g. dev)`;
	return undefined;
}

function checkId(v: string): string | undefined {
	if (!/^\d+$/.test(v)) return 'must be a whole number (run `id -u` / `id -g` on the host to see yours)';
	const n = Number(v);
	if (n > 0 && v !== String(n)) return `must be written without leading zeros, like ${n}`;
	if (n === 0) return 'must not be 0: the container user must not be root (use your host id, e.g. 1000)';
	if (n > MAX_ID) return `must be at most ${MAX_ID}`;
	if (n === 65534) return 'must not be 65534: that is nobody/nogroup (use your host id, e.g. 1000)';
	return undefined;
}

export function checkPort(v: string): string | undefined {
	// In host mode sshd would listen there itself; in bridge mode Docker would publish the container there.
	if (v === '22')
		return "22 is where this host's own sshd listens (or will, once it is installed): pick another, e.g. 22222";
	if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535)
		return 'must be a port number from 1 to 65535 (e.g. 22222)';
	return undefined;
}

function checkAbsPath(v: string): string | undefined {
	if (!v.startsWith('/'))
		return 'must be an absolute path on the Docker host (starting with /); ~ and relative paths are not expanded';
	if (v.includes(',')) return 'must not contain a comma';
	return undefined;
}

function checkBool(v: string): string | undefined {
	return v === '0' || v === '1' ? undefined : 'must be 1 (on) or 0 (off)';
}

function checkChoice(choices: readonly string[]) {
	return (v: string) => (choices.includes(v) ? undefined : `must be one of: ${choices.join(', ')}`);
}

function checkIPv4(v: string): string | undefined {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
	if (!m || m.slice(1).some(o => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) {
		return 'must be an IPv4 address: 0.0.0.0 (all interfaces) or 127.0.0.1 (this host only)';
	}
	return undefined;
}

function checkHostname(v: string): string | undefined {
	if (v.length > 63 || !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(v)) {
		return 'must be a host name: letters, digits and "-", at most 63 characters, not starting or ending with "-"';
	}
	return undefined;
}

function checkContainerName(v: string): string | undefined {
	// At most 64: the stack's name in hatch's list and its saved answers, as well as the container's.
	if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v) || v.length > 64) {
		return (
			'must start with a letter or digit and use only letters, digits, "_", "." and "-", at most 64 of them ' +
			'(e.g. stem)'
		);
	}
	return undefined;
}

const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';

export function checkImageRef(v: string): string | undefined {
	// [registry[:port]/]path[:tag][@digest]; path components lower case.
	const re = new RegExp(
		`^(?:[a-zA-Z0-9.-]+(?::\\d+)?/)?${PATH_PART}(?:/${PATH_PART})*` + // [registry[:port]/]path
			'(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$', // [:tag][@digest]
	);
	if (!re.test(v))
		return 'must be an image reference like ubuntu:24.04 or registry.example:5000/team/stem:1.0 (lower-case name)';
	return undefined;
}

export function checkGitRef(v: string): string | undefined {
	if (
		!/^[A-Za-z0-9._/+-]+$/.test(v) ||
		v.startsWith('-') ||
		v.startsWith('/') ||
		v.endsWith('/') ||
		v.endsWith('.lock') ||
		v.includes('..') ||
		v.includes('//')
	) {
		return 'must be a branch or tag name like main or v1.2 (no spaces, "..", or leading "-")';
	}
	return undefined;
}

export function checkRepoUrl(v: string): string | undefined {
	if (/\s/.test(v) || v.startsWith('-'))
		return 'must be a git URL without spaces (e.g. https://github.com/you/bindu.git)';
	// The clone runs inside the container, which sees none of this host's paths.
	if (v.startsWith('/') || v.startsWith('file:') || v.startsWith('~') || v.startsWith('.')) {
		return (
			'is a path on this host, which the container cannot see when it clones: use a URL it can reach ' +
			'(https://…, ssh://…, git@host:path), e.g. where you push your dotfiles'
		);
	}
	// A URL, or scp-like: git@github.com:you/bindu.git
	const ok = /^(https?|ssh|git):\/\/[^\s]+$/.test(v) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(v);
	if (!ok) return 'must be an https://, ssh://, git:// or git@host:path URL';
	return undefined;
}

function checkInstallUrl(v: string): string | undefined {
	return /^https?:\/\/[^\s'"]+$/.test(v)
		? undefined
		: 'must be an http:// or https:// URL (e.g. https://pixi.sh/install.sh)';
}

export function checkGpus(v: string): string | undefined {
	if (v === 'none' || v === 'all') return undefined;
	if (/^\d+$/.test(v)) return Number(v) >= 1 && Number(v) <= 64 ? undefined : 'a GPU count must be from 1 to 64';
	const ids = v.split(',');
	if (ids.every(id => /^(\d+|GPU-[0-9a-fA-F-]{8,})$/.test(id))) return undefined;
	return 'must be none, all, a count (e.g. 2), or device ids/UUIDs separated by commas (e.g. 0,1 or GPU-4f2c…)';
}

/**
 * Container paths hatch mounts itself (its volumes, and every mount FIELDS declares outside /workspace): an extra
 * mount there would clash.
 */
export function reservedTargets(): string[] {
	const own = FIELDS.flatMap(f =>
		typeof f.container === 'object' && !f.container.mount.startsWith(`${CONTAINER_PATHS.workspace}/`)
			? [f.container.mount]
			: [],
	);
	return [CONTAINER_PATHS.home, CONTAINER_PATHS.hostKeys, CONTAINER_PATHS.sshState, ...own, CONTAINER_PATHS.workspace];
}

/** Container folders the login user can write to (or that hold such folders). */
const USER_WRITABLE = ['/home', '/tmp', '/var/tmp', '/dev', '/run', '/proc', '/sys', '/mnt/hatch'];

export function checkExtraMounts(v: string): string | undefined {
	const reserved = reservedTargets();
	const targets = new Set<string>();
	for (const item of v.split(',')) {
		const parts = item.split(':');
		const [host, target, mode] = parts;
		if (parts.length > 3 || !host || !target) {
			return `"${item}" must be HOST_PATH:CONTAINER_PATH[:ro], several separated by commas`;
		}
		if (!host.startsWith('/') || !target.startsWith('/')) return `"${item}": both paths must be absolute`;
		if (mode !== undefined && mode !== 'ro' && mode !== 'rw') return `"${item}": the mode must be ro or rw`;
		const t = target.replace(/\/+$/, '') || '/';
		if (reserved.includes(t) || t === '/')
			return `"${item}": ${t} is where hatch mounts its own things; pick another container path (e.g. /data/…)`;
		// Docker follows symlinks when it places a mount, at every start: a target below a folder the container
		// user can rename (their home, /tmp, a folder inside /workspace) could be redirected onto /etc or /usr.
		const under = USER_WRITABLE.find(d => t === d || t.startsWith(`${d}/`));
		if (under || /^\/workspace\/[^/]+\/./.test(t)) {
			return (
				`"${item}": ${t} is inside a folder the container user can change (${under ?? '/workspace/…/'}), ` +
				`where a link could move the mount; use /data/<name> or ` +
				`/workspace/<name>`
			);
		}
		if (targets.has(t)) return `"${item}": ${t} is mounted twice`;
		targets.add(t);
	}
	return undefined;
}

/** Variables an SSH session gets from sshd or from hatch itself: STEM_ENV may not set them. */
const SESSION_OWN = new Set(['HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'PWD', 'SHLVL', 'MAIL', 'SSH_AUTH_SOCK']);

/** STEM_ENV: KEY=VALUE pairs for SSH sessions, separated by commas. */
export function checkSessionEnv(v: string): string | undefined {
	const seen = new Set<string>();
	for (const item of v.split(',')) {
		const eq = item.indexOf('=');
		const key = eq < 0 ? item : item.slice(0, eq);
		if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
			return `"${item}" must be KEY=VALUE (a letter or _ first, then letters, digits, _), several separated by commas`;
		}
		if (SESSION_OWN.has(key) || key.startsWith('SSH_')) return `"${key}" is set by sshd for each session; leave it out`;
		if (BY_KEY.has(key) || key.startsWith('HATCH_'))
			return `"${key}" is a hatch setting, not a session variable; set it on its own line in .env`;
		// The boot writes these into sshd's configuration: nothing that could end a value or start another.
		if (/["\\\x00-\x1f\x7f]/.test(item.slice(eq + 1)))
			return `"${key}": its value may not hold a double quote, a backslash or control characters`;
		if (seen.has(key)) return `"${key}" is set twice`;
		seen.add(key);
	}
	return undefined;
}

/** STEM_MOSH_PORTS: a UDP port range LOW-HIGH, for mosh in bridge mode. */
export function checkPortRange(v: string): string | undefined {
	const m = /^(\d{1,5})-(\d{1,5})$/.exec(v);
	const [lo, hi] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
	if (!m || lo < 1024 || hi > 65535)
		return 'must be a UDP port range LOW-HIGH between 1024 and 65535 (e.g. 60000-60010)';
	if (lo > hi) return `starts above where it ends: write it ${hi}-${lo}`;
	if (hi - lo >= 1000) return `publishes ${hi - lo + 1} ports; a few per session are enough (e.g. 60000-60010)`;
	return undefined;
}

const ALL: readonly Image[] = IMAGES;
const AS_ROOT =
	' You run hatch-wizard as root, so this defaults to 1000 (the container user must not be root): use the id of ' +
	'the host user who owns the files you mount (id -u NAME, id -g NAME).';
const PIXI_ON = (v: Values) => v.STEM_PIXI_ENABLE === '1';

export const FIELDS: readonly Field[] = [
	// identity
	{
		key: 'STEM_CONTAINER_NAME',
		group: 'identity',
		images: ALL,
		required: true,
		help:
			'Docker container name; the volumes are named after it when the stack is first written (<name>-home, ' +
			'<name>-sshkeys, <name>-sshstate) and keep those names when you rename ' +
			'it',
		default: s => s,
		check: checkContainerName,
		ask: {prompt: 'Container name'},
	},
	{
		key: 'STEM_HOSTNAME',
		group: 'identity',
		images: ALL,
		required: true,
		help: 'Container hostname (also picks the pixi host folder)',
		default: s => s,
		check: checkHostname,
		container: 'env',
		ask: {prompt: 'Hostname inside the container'},
	},
	// user
	{
		key: 'STEM_USER',
		group: 'user',
		images: ALL,
		required: true,
		help: 'Login user inside the container',
		default: (_s, f) => (f.user && !checkUsername(f.user) ? f.user : 'dev'),
		check: checkUsername,
		container: 'env',
		ask: {prompt: 'Your user name inside the container'},
	},
	{
		key: 'STEM_UID',
		group: 'user',
		images: ALL,
		required: true,
		help: 'User id; match your host user (id -u) so files in bind mounts keep their owner',
		default: (_s, f) => String((f.uid ?? 0) > 0 ? f.uid : 1000),
		check: checkId,
		container: 'env',
		ask: {prompt: 'User id (UID)', asRoot: AS_ROOT},
	},
	{
		key: 'STEM_GID',
		group: 'user',
		images: ALL,
		required: true,
		help: 'Primary group id; match your host group (id -g)',
		default: (_s, f) => String((f.gid ?? 0) > 0 ? f.gid : 1000),
		check: checkId,
		container: 'env',
		ask: {prompt: 'Group id (GID)', asRoot: AS_ROOT},
	},
	{
		key: 'STEM_SUDO',
		group: 'user',
		images: ALL,
		required: true,
		help: '1 gives the user passwordless sudo; 0 gives none',
		default: () => '1',
		choices: ['1', '0'],
		check: checkBool,
		container: 'env',
		ask: {prompt: 'sudo for this user?', labels: {'1': 'yes, passwordless sudo', '0': 'no sudo'}},
	},
	// ssh
	{
		key: 'STEM_NETWORK_MODE',
		group: 'ssh',
		images: ALL,
		required: true,
		help: 'bridge publishes the port; host shares the host network (sshd listens on STEM_SSH_LISTEN:STEM_SSH_PORT)',
		// An engine without a bridge network can only run the container on the host network.
		default: (_s, f) => (f.bridgeNetwork === false ? 'host' : 'bridge'),
		choices: ['bridge', 'host'],
		check: checkChoice(['bridge', 'host']),
		container: 'env',
		ask: {
			prompt: (_v, f) =>
				f.bridgeNetwork === false
					? 'How is SSH reached? (this engine has no bridge network: only host works here)'
					: 'How is SSH reached?',
			labels: {
				bridge: 'bridge: publish a port (works everywhere, Docker Desktop too)',
				host: 'host: share the host network (Linux; sshd listens on the host directly)',
			},
		},
	},
	{
		key: 'STEM_SSH_LISTEN',
		group: 'ssh',
		images: ALL,
		required: true,
		help: 'Host address SSH is reachable on: 0.0.0.0 for every interface, 127.0.0.1 for this host only',
		default: () => '0.0.0.0',
		check: checkIPv4,
		container: 'env',
		ask: {
			prompt: v =>
				v.STEM_NETWORK_MODE === 'host' ? 'Address sshd listens on' : 'Host address the port is published on',
		},
	},
	{
		key: 'STEM_SSH_PORT',
		group: 'ssh',
		images: ALL,
		required: true,
		help: 'Port you ssh to on the Docker host',
		default: s => String(STACK_PORT[s]),
		check: checkPort,
		container: 'env',
		ask: {prompt: 'SSH port on the Docker host'},
	},
	{
		key: 'STEM_AUTH_KEYS_PATH',
		group: 'ssh',
		images: ALL,
		help: 'Public key or authorized_keys file on the host, mounted read-only and persisted on first boot',
		default: (_s, f) => f.publicKeys?.[0] ?? '',
		check: checkAbsPath,
		container: {mount: '/etc/hatch/authorized_keys.host', readOnly: true},
		hostPath: 'keys',
		ask: {prompt: 'Which public key may log in?', detected: 'publicKeys'},
	},
	{
		key: 'STEM_ENV',
		group: 'ssh',
		images: ALL,
		help:
			'More environment for SSH sessions (login shells and ssh host cmd): KEY=VALUE pairs separated by commas, ' +
			'values without commas (e.g. EDITOR=vim,TZ=Europe/Paris)',
		default: () => '',
		check: checkSessionEnv,
		container: 'env',
		ask: {prompt: 'Environment variables for your SSH sessions, KEY=VALUE comma-separated (empty for none)'},
	},
	{
		key: 'STEM_MOSH_PORTS',
		group: 'ssh',
		images: ALL,
		help:
			'bridge mode: UDP ports published for mosh, LOW-HIGH (e.g. 60000-60010; connect with mosh -p LOW:HIGH); ' +
			'empty: none (host mode needs none)',
		default: () => '',
		check: checkPortRange,
		written: 'set',
		ask: {
			prompt: 'UDP ports for mosh, LOW-HIGH (empty for none)',
			when: v => v.STEM_NETWORK_MODE !== 'host',
		},
	},
	// image
	{
		key: 'STEM_IMAGE',
		group: 'image',
		images: ALL,
		required: true,
		help: 'Name:tag given to the built image',
		default: s => `hatch/${s}:latest`,
		check: checkImageRef,
		rebuild: true,
		ask: {prompt: 'Name:tag for the built image'},
	},
	{
		key: 'STEM_BASE_IMAGE',
		group: 'image',
		images: ALL,
		required: true,
		help: 'Image the build starts FROM (Ubuntu or Debian; phusion/baseimage works too)',
		default: () => 'ubuntu:24.04',
		check: checkImageRef,
		rebuild: true,
		ask: {prompt: 'Base image to build FROM'},
	},
	{
		key: 'STEM_BUILD_NETWORK',
		group: 'image',
		images: ALL,
		required: true,
		help:
			"Network the image build uses: default (Docker's own) or host (the host's network: for engines without " +
			'a bridge network, or a VPN only the host reaches)',
		default: (_s, _f, v) => (v.STEM_NETWORK_MODE === 'host' ? 'host' : 'default'),
		choices: ['default', 'host'],
		check: checkChoice(['default', 'host']),
		rebuild: true,
		ask: {
			prompt: 'Which network does the image build use?',
			labels: {
				default: "default: Docker's own",
				host: "host: this host's network (no bridge network, or a VPN only the host reaches)",
			},
		},
	},
	{
		key: 'STEM_VOLUMES_EXTERNAL',
		group: 'image',
		images: ALL,
		required: true,
		help:
			'1: external volumes, made once (hatch-wizard creates any that are missing before it starts the stack) and ' +
			'never removed by compose, not even by down -v; 0: compose manages them',
		default: () => '0',
		choices: ['0', '1'],
		check: checkBool,
		written: 'value',
		ask: {
			prompt: 'Who creates the volumes?',
			labels: {
				'0': 'compose creates them on first start',
				'1': 'external: made once (hatch creates the missing ones before the start); compose never removes them',
			},
		},
	},
	// mounts
	{
		key: 'DROPBOX_PATH_ON_HOST',
		group: 'mounts',
		images: ALL,
		help: 'Host Dropbox folder, mounted at ~/Dropbox (empty: no mount)',
		default: (_s, f) => f.dropboxPath ?? '',
		check: checkAbsPath,
		container: {mount: '/mnt/hatch/dropbox'},
		hostPath: 'folder',
		ask: {
			prompt: (_v, f) =>
				f.dropboxPath ? 'Dropbox folder (detected; empty for none)' : 'Dropbox folder (empty for none)',
		},
	},
	{
		key: 'NEURON_PROJECTS_PATH',
		group: 'mounts',
		images: ['neuron'],
		help: 'Host projects folder, mounted at /workspace/projects',
		default: () => '',
		check: checkAbsPath,
		written: 'set',
		container: {mount: '/workspace/projects'},
		hostPath: 'folder',
		ask: {prompt: 'Projects folder for /workspace/projects (empty for none)'},
	},
	{
		key: 'NEURON_DATASETS_PATH',
		group: 'mounts',
		images: ['neuron'],
		help: 'Host datasets folder, mounted at /workspace/datasets',
		default: () => '',
		check: checkAbsPath,
		written: 'set',
		container: {mount: '/workspace/datasets'},
		hostPath: 'folder',
		ask: {prompt: 'Datasets folder for /workspace/datasets (empty for none)'},
	},
	{
		key: 'NEURON_MODELS_PATH',
		group: 'mounts',
		images: ['neuron'],
		help: 'Host models folder, mounted at /workspace/models',
		default: () => '',
		check: checkAbsPath,
		written: 'set',
		container: {mount: '/workspace/models'},
		hostPath: 'folder',
		ask: {prompt: 'Models folder for /workspace/models (empty for none)'},
	},
	{
		key: 'STEM_EXTRA_MOUNTS',
		group: 'mounts',
		images: ALL,
		help:
			"This host's own folders (NFS or VirtIO-FS shares, repositories): HOST:CONTAINER[:ro], separated by commas; " +
			'a missing host folder stops the start instead of being created empty',
		default: () => '',
		check: checkExtraMounts,
		written: 'value',
		container: 'mounts',
		ask: {prompt: 'Host folders to mount, HOST:CONTAINER[:ro], comma-separated (empty for none)'},
	},
	{
		key: 'NEURON_EXTRA_MOUNTS',
		group: 'mounts',
		images: ['neuron'],
		help: 'More mounts: HOST:CONTAINER[:ro], separated by commas',
		default: () => '',
		check: checkExtraMounts,
		written: 'value',
		container: 'mounts',
		ask: {prompt: 'More mounts, HOST:CONTAINER[:ro], comma-separated (empty for none)'},
	},
	// bindu
	{
		key: 'BINDU_REPO',
		group: 'bindu',
		images: ALL,
		help: 'Dotfiles repository cloned into ~/.config on first boot (empty: skip)',
		default: () => '',
		check: checkRepoUrl,
		container: 'env',
		ask: {prompt: 'Dotfiles repository to clone into ~/.config (empty to skip)'},
	},
	{
		key: 'BINDU_REF',
		group: 'bindu',
		images: ALL,
		required: true,
		help: 'Branch or tag of the dotfiles repository',
		default: () => 'main',
		check: checkGitRef,
		container: 'env',
		ask: {prompt: 'Branch or tag', when: v => Boolean(v.BINDU_REPO)},
	},
	{
		key: 'BINDU_FORCE',
		group: 'bindu',
		images: ALL,
		required: true,
		help: '1 replaces a non-empty ~/.config (the old one is kept as ~/.config.bak-<time>)',
		default: () => '0',
		choices: ['0', '1'],
		check: checkBool,
		container: 'env',
		ask: {
			prompt: 'If ~/.config is not empty…',
			when: v => Boolean(v.BINDU_REPO),
			labels: {'0': 'leave it alone', '1': 'replace it (the old one is kept as ~/.config.bak-<time>)'},
		},
	},
	// pixi
	{
		key: 'STEM_PIXI_ENABLE',
		group: 'pixi',
		images: ALL,
		required: true,
		help: '1 installs pixi when missing (needs network; offline only warns)',
		default: () => '1',
		choices: ['1', '0'],
		check: checkBool,
		container: 'env',
		ask: {prompt: 'Install pixi?', labels: {'1': 'yes, when missing', '0': 'no'}},
	},
	{
		key: 'STEM_PIXI_STOW',
		group: 'pixi',
		images: ALL,
		required: true,
		help:
			'Link ~/.config/pixi/hosts/<host>/.pixi/manifests/pixi-global.toml into ~/.pixi: auto (when present), ' +
			'1 (always try), 0 (never)',
		default: () => 'auto',
		choices: ['auto', '1', '0'],
		check: checkChoice(['auto', '1', '0']),
		container: 'env',
		ask: {
			prompt: 'Link your host pixi-global.toml from the dotfiles?',
			when: PIXI_ON,
			labels: {
				auto: 'auto: when the dotfiles have one for this host',
				'1': 'always try (warn when missing)',
				'0': 'never',
			},
		},
	},
	{
		key: 'STEM_PIXI_GLOBAL_SYNC',
		group: 'pixi',
		images: ALL,
		required: true,
		help: '1 runs `pixi global sync` at boot',
		default: () => '0',
		choices: ['0', '1'],
		check: checkBool,
		container: 'env',
		ask: {prompt: 'Run `pixi global sync` at boot?', when: PIXI_ON, labels: {'0': 'no', '1': 'yes'}},
	},
	{
		key: 'STEM_PIXI_HOST',
		group: 'pixi',
		images: ALL,
		help: 'Pixi host folder name (empty: STEM_HOSTNAME, else hostname -s)',
		default: () => '',
		check: checkHostname,
		container: 'env',
		ask: {prompt: 'Pixi host folder name (empty: the container hostname)', when: PIXI_ON},
	},
	{
		key: 'STEM_PIXI_INSTALL_URL',
		group: 'pixi',
		images: ALL,
		required: true,
		help: 'Where the pixi installer script is fetched from (a mirror or a local server works too)',
		default: () => 'https://pixi.sh/install.sh',
		check: checkInstallUrl,
		container: 'env',
		ask: {prompt: 'Pixi installer URL', when: PIXI_ON},
	},
	// secrets
	{
		key: 'APOGEE_SECRETS_PATH',
		group: 'secrets',
		images: ALL,
		help:
			'For Apogee users: a secrets file (KEY=VALUE lines, such as API tokens) on the host, mounted read-only and ' +
			'copied to ~/.config/apogee/secrets.env (0600, never overwritten silently), so secrets stay out of the ' +
			'image; empty if you do not use Apogee',
		default: () => '',
		check: checkAbsPath,
		container: {mount: '/opt/secrets/apogee-secrets.env', readOnly: true},
		hostPath: 'file',
		ask: {prompt: 'Apogee secrets file on this host (empty for none)'},
	},
	// agent
	{
		key: 'STEM_SSH_AUTH_SOCK_HOST',
		group: 'agent',
		images: ALL,
		help: 'Host ssh-agent socket mounted at /ssh-agent (empty: no forwarding)',
		default: () => '',
		check: checkAbsPath,
		container: {mount: '/ssh-agent', env: 'SSH_AUTH_SOCK'},
		hostPath: 'agent',
		ask: {prompt: 'Forward this host’s ssh-agent into the container?', detected: 'agents'},
	},
	// gpu
	{
		key: 'NEURON_GPUS',
		group: 'gpu',
		images: ['neuron'],
		required: true,
		help: 'GPUs given to the container: none, all, a count, or device ids (0,1)',
		default: (_s, f) => (f.gpuProblem ? 'none' : f.gpuCount === undefined ? 'all' : f.gpuCount > 0 ? 'all' : 'none'),
		check: checkGpus,
		written: 'value',
		ask: {prompt: 'GPUs for the container', detected: 'gpus'},
	},
];

const BY_KEY = new Map(FIELDS.map(f => [f.key, f]));

export function fieldsFor(image: Image): Field[] {
	return FIELDS.filter(f => f.images.includes(image));
}

export function field(key: string): Field | undefined {
	return BY_KEY.get(key);
}

export function isImage(s: string): s is Image {
	return (IMAGES as readonly string[]).includes(s);
}

/** Every setting's default; those that follow other settings (STEM_BUILD_NETWORK) follow `values`. */
export function defaults(image: Image, facts: HostFacts = {}, values?: Values): Values {
	const out: Values = {};
	// In FIELDS order: a setting that follows another comes after it.
	for (const f of fieldsFor(image)) out[f.key] = f.default(image, facts, {...out, ...values});
	return out;
}

/**
 * The values after one answer: settings whose default follows the answered one (STEM_BUILD_NETWORK follows
 * STEM_NETWORK_MODE) move with it while they still hold the old default.
 */
export function answer(image: Image, values: Values, key: string, value: string): Values {
	const before = defaults(image, {}, values);
	const next = {...values, [key]: value};
	const after = defaults(image, {}, next);
	for (const f of fieldsFor(image)) {
		// (A setting whose default did not move gets the same value again.)
		if (f.key !== key && values[f.key] === before[f.key]) next[f.key] = after[f.key]!;
	}
	return next;
}

/** The settings docker-compose.yml is written for (see Field.written). */
export function writtenFields(image: Image): Field[] {
	return fieldsFor(image).filter(f => f.written);
}

export interface Problem {
	key: string;
	message: string;
}

/** Validates one value; the message names the key and the fix. */
export function validateValue(key: string, value: string, values: Values = {}): string | undefined {
	const f = field(key);
	if (!f) return `${key} is not a hatch setting`;
	if (/[\n\r\0]/.test(value)) return `${key} must be a single line (it contains a line break)`;
	if (value === '') return f.required ? `${key} must not be empty` : undefined;
	const msg = f.check?.(value, values);
	return msg ? `${key} ${msg}` : undefined;
}

/** Validates a whole config for an image: every field, then rules across fields. */
export function validate(image: Image, values: Values): Problem[] {
	const problems: Problem[] = [];
	for (const f of fieldsFor(image)) {
		const msg = validateValue(f.key, values[f.key] ?? '', values);
		if (msg) problems.push({key: f.key, message: msg});
	}
	for (const key of Object.keys(values)) {
		const f = field(key);
		if (!f) problems.push({key, message: `${key} is not a hatch setting`});
		else if (!f.images.includes(image)) problems.push({key, message: `${key} only applies to ${f.images.join(', ')}`});
	}
	// The mount lists (STEM_EXTRA_MOUNTS, NEURON_EXTRA_MOUNTS) together: a target mounted by two of them, or on a
	// workspace folder that a set host-path setting already mounts (hatch's other targets are reserved:
	// checkExtraMounts refuses those).
	const reserved = reservedTargets();
	const taken = new Map<string, string>();
	for (const f of fieldsFor(image)) {
		if (typeof f.container === 'object' && !reserved.includes(f.container.mount) && values[f.key])
			taken.set(f.container.mount, f.key);
	}
	for (const list of fieldsFor(image).filter(f => f.container === 'mounts')) {
		for (const item of (values[list.key] ?? '').split(',').filter(Boolean)) {
			const target = (item.split(':')[1] ?? '').replace(/\/+$/, '');
			const other = taken.get(target);
			if (other && other !== list.key)
				problems.push({
					key: list.key,
					message: `${list.key} mounts ${target}, which ${other} already uses; drop one of them`,
				});
			else taken.set(target, list.key);
		}
	}
	return problems;
}

/** Where sshd is reached from the Docker host itself: listening on every interface (0.0.0.0) means loopback. */
export function localAddress(listen: string | undefined): string {
	return !listen || listen === '0.0.0.0' ? '127.0.0.1' : listen;
}

/**
 * The ssh command to show a user; on every interface, the host to type is the Docker host's own name. `jump`: a
 * stack on a remote Docker host is reached through it.
 */
export function loginCommand(values: Values, jump?: string): string {
	const listen = values.STEM_SSH_LISTEN;
	return (
		`ssh ${jump ? `-J ${jump} ` : ''}-p ${values.STEM_SSH_PORT} ` +
		`${values.STEM_USER}@${!listen || listen === '0.0.0.0' ? '<docker-host>' : listen}`
	);
}

/** Checks the text of an authorized-keys file. Errors for private keys; warnings for lines that are not keys. */
export function checkAuthorizedKeysText(text: string): {error?: string; warning?: string} {
	if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
		return {
			error:
				'STEM_AUTH_KEYS_PATH points at a PRIVATE key; give the public one (the .pub file next to it) or an ' +
				'authorized_keys file',
		};
	}
	const lines = text
		.split('\n')
		.map(l => l.trim())
		.filter(l => l && !l.startsWith('#'));
	if (lines.length === 0)
		return {warning: 'STEM_AUTH_KEYS_PATH holds no keys; you will not be able to log in until you add one'};
	const keyRe = new RegExp(
		'(^|\\s)(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com)' +
			'\\s+[A-Za-z0-9+/=]+',
	);
	const bad = lines.filter(l => !keyRe.test(l));
	if (bad.length) return {warning: `STEM_AUTH_KEYS_PATH: ${bad.length} line(s) do not look like SSH public keys`};
	return {};
}

/** Settings that this host cannot honour as it is (a GPU request without GPUs), as warnings. */
export function factWarnings(image: Image, values: Values, facts: HostFacts): string[] {
	const gpus = values.NEURON_GPUS ?? 'none';
	if (image !== 'neuron' || gpus === 'none') return [];
	if (facts.gpuCount === 0)
		return [
			`NEURON_GPUS=${gpus}, but no NVIDIA GPU was found on this host: the container will not start that way; set ` +
				`NEURON_GPUS=none, or run it on a GPU host`,
		];
	if (facts.gpuProblem)
		return [
			`${KEY.gpus}=${gpus}, but a container here cannot use the GPUs (${facts.gpuProblem}): install ` +
				`nvidia-container-toolkit and restart Docker, or set ${KEY.gpus}=none`,
		];
	if (facts.gpuCount && facts.nvidiaRuntime === false)
		return [
			`NEURON_GPUS=${gpus}, but Docker has no NVIDIA runtime here: install nvidia-container-toolkit and restart ` +
				`Docker, or set NEURON_GPUS=none`,
		];
	return [];
}
