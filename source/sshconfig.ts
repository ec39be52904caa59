// The user's side of SSH: a `Host <name>` block in ~/.ssh/config between hatch's marker comments, and the
// container's host key pinned in ~/.ssh/known_hosts under a HostKeyAlias, so a rebuild never says
// "host key changed". Only hatch's own block and alias lines are ever touched; every change is shown as
// a diff, the old file is kept as <file>.bak-<time>, and the write is atomic.
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {ansi, changeLines} from './core/describe.js';
import {KEY, localAddress, type Values} from './core/model.js';
import {fingerprint} from './docker/ready.js';
import {apply, compare} from './stack.js';

const begin = (name: string) => `# >>> hatch ${name} >>>`;
const end = (name: string) => `# <<< hatch ${name} <<<`;
const aliasFor = (name: string) => `hatch-${name}`;

export interface HostBlock {
	name: string;
	hostName: string;
	port: string;
	user: string;
	identityFile?: string;
	forwardAgent: boolean;
	/** Reached through this SSH destination (the Docker host where the container listens). */
	proxyJump?: string;
	/** Reached through this command's stdin and stdout (kubectl exec into a pod), ready for ssh_config. */
	proxyCommand?: string;
}

/** How a stack on a remote Docker host is reached from here: through that host, with a key of this side. */
export interface SshVia {
	/** The ProxyJump destination: the alias or user@host[:port] that reaches the Docker host. */
	jump: string;
	/** The private key whose public half the stack got (carried from this side). */
	identity?: string;
}

/**
 * A value as ssh_config reads it back unchanged: in double quotes, with `\\` and `"` escaped, and `%` doubled
 * (IdentityFile expands %-tokens). Undefined for a value no config line can hold (a control character).
 */
function sshConfigValue(value: string): string | undefined {
	// eslint-disable-next-line no-control-regex
	if (/[\x00-\x1f\x7f]/.test(value)) return undefined;
	return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

export function hostBlock(b: HostBlock): string {
	const identity = b.identityFile === undefined ? undefined : sshConfigValue(b.identityFile);
	return [
		begin(b.name),
		'# Written by hatch-wizard; it rewrites only what is between these markers.',
		`Host ${b.name}`,
		`  HostName ${b.hostName}`,
		`  Port ${b.port}`,
		`  User ${b.user}`,
		...(b.proxyJump ? [`  ProxyJump ${b.proxyJump}`] : []),
		...(b.proxyCommand ? [`  ProxyCommand ${b.proxyCommand}`] : []),
		...(identity
			? [`  IdentityFile ${identity}`, '  IdentitiesOnly yes']
			: b.identityFile
				? ['  # IdentityFile left out: its path has a control character, which no ssh_config line can hold']
				: []),
		`  HostKeyAlias ${aliasFor(b.name)}`,
		...(b.forwardAgent ? ['  ForwardAgent yes'] : []),
		end(b.name),
	].join('\n');
}

function findBlock(lines: string[], name: string): [number, number] | undefined {
	const from = lines.indexOf(begin(name));
	if (from < 0) return undefined;
	const to = lines.indexOf(end(name), from);
	return to < 0 ? undefined : [from, to];
}

/** Replaces hatch's block for `name`, or adds it before the first Host/Match (ssh uses the first value it finds). */
export function upsertBlock(text: string, name: string, block: string): string {
	const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
	const found = findBlock(lines, name);
	if (found) lines.splice(found[0], found[1] - found[0] + 1, ...block.split('\n'));
	else {
		// Before the first Host/Match, or before another stack's hatch block (never inside it).
		const at = lines.findIndex(l => /^\s*(Host|Match)\s/i.test(l) || l.startsWith('# >>> hatch '));
		const insert = [...block.split('\n'), ''];
		if (at < 0) lines.push(...(lines.length && lines[lines.length - 1] !== '' ? [''] : []), ...block.split('\n'));
		else lines.splice(at, 0, ...insert);
	}
	return `${lines.join('\n')}\n`;
}

export function removeBlock(text: string, name: string): string {
	const lines = text.replace(/\n$/, '').split('\n');
	const found = findBlock(lines, name);
	if (!found) return text;
	const [from, to] = found;
	lines.splice(from, to - from + 1 + (lines[to + 1] === '' ? 1 : 0));
	return lines.length ? `${lines.join('\n')}\n` : '';
}

const isAlias = (line: string, alias: string) => line.split(/\s+/)[0] === alias;

/** Sets the known_hosts entry for `alias` to this key in place (appended when new); other lines untouched. */
export function upsertKnownHost(text: string, alias: string, type: string, blob: string): string {
	const entry = `${alias} ${type} ${blob}`;
	const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
	const at = lines.findIndex(l => isAlias(l, alias));
	if (at < 0) return `${[...lines, entry].join('\n')}\n`;
	const kept = lines.filter((l, i) => i === at || !isAlias(l, alias));
	kept[kept.findIndex(l => isAlias(l, alias))] = entry;
	return `${kept.join('\n')}\n`;
}

export function removeKnownHost(text: string, alias: string): string {
	if (!text.split('\n').some(l => isAlias(l, alias))) return text;
	const lines = text
		.replace(/\n$/, '')
		.split('\n')
		.filter(l => !isAlias(l, alias));
	return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Whether ~/.ssh/config has hatch's Host block for stack `name` (so `ssh NAME` reaches it). */
export function hasHostBlock(name: string, home = homedir()): boolean {
	return read(join(home, '.ssh', 'config'))
		.split('\n')
		.includes(begin(name));
}

/** The SHA256 fingerprint (as ssh-keygen -l prints it) of the host key pinned for stack `name`, if any. */
export function pinnedFingerprint(name: string, home = homedir()): string | undefined {
	const blob = pinnedKey(read(join(home, '.ssh', 'known_hosts')), name);
	return blob ? fingerprint(blob) : undefined;
}

/** The key blob known_hosts `text` pins for stack `name`, if any. */
function pinnedKey(text: string, name: string): string | undefined {
	return text
		.split('\n')
		.find(l => isAlias(l, aliasFor(name)))
		?.split(/\s+/)[2];
}

function read(path: string): string {
	return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** Plans ~/.ssh/config and known_hosts for a stack; returns the changes (with diffs) to show and apply. */
export async function planSshConfig(values: Values, keyBlob: string, home = homedir(), via?: SshVia) {
	const name = values[KEY.name]!;
	const keys = values[KEY.authKeys] ?? '';
	const identity = via
		? via.identity
		: keys.endsWith('.pub') && existsSync(keys.slice(0, -4))
			? keys.slice(0, -4)
			: undefined;
	const block = hostBlock({
		name,
		hostName: localAddress(values[KEY.listen]),
		port: values[KEY.port]!,
		user: values[KEY.user]!,
		...(identity ? {identityFile: identity} : {}),
		forwardAgent: Boolean(values[KEY.agent]),
		...(via ? {proxyJump: via.jump} : {}),
	});
	const config = join(home, '.ssh', 'config');
	const known = join(home, '.ssh', 'known_hosts');
	return compare([
		{path: config, content: upsertBlock(read(config), name, block), mode: 0o600, showDiff: true},
		{
			path: known,
			content: upsertKnownHost(read(known), aliasFor(name), 'ssh-ed25519', keyBlob),
			mode: 0o600,
			showDiff: true,
		},
	]);
}

function describe(done: Awaited<ReturnType<typeof apply>>): string {
	return ansi(
		done.flatMap(c => changeLines(c, true)),
		false,
	);
}

/** --ssh-config: writes the block and pins the key; returns what it did, diffs included. */
export async function installSshConfig(
	values: Values,
	keyBlob: string,
	home = homedir(),
	via?: SshVia,
): Promise<string> {
	const done = await apply(await planSshConfig(values, keyBlob, home, via));
	return `${describe(done)}Now: ssh ${values[KEY.name]}\n`;
}

/**
 * After a start: when the stack's host key is pinned and the container now has another one (its volumes were
 * made new: `down --volumes`), the pin follows, as the first one was made (the key read from the container's
 * own volume, checked against what sshd serves). Returns what it did, or undefined when there was nothing to do.
 */
export async function repinHostKey(values: Values, keyBlob: string, home = homedir()): Promise<string | undefined> {
	const name = values[KEY.name]!;
	const known = join(home, '.ssh', 'known_hosts');
	const text = read(known);
	const pinned = pinnedKey(text, name);
	if (!pinned || pinned === keyBlob) return undefined;
	const [change] = await compare([
		{path: known, content: upsertKnownHost(text, aliasFor(name), 'ssh-ed25519', keyBlob), mode: 0o600, showDiff: true},
	]);
	const [done] = await apply([change!]);
	return (
		`${name}'s host key is new (its volumes were made again): pinned it in ${known}` +
		`${done!.backup ? ` (old copy: ${done!.backup})` : ''}, so ssh ${name} goes on working\n`
	);
}

/** `hatch-wizard ssh-config --remove NAME` */
export async function removeSshConfig(name: string, home = homedir()): Promise<string> {
	const config = join(home, '.ssh', 'config');
	const known = join(home, '.ssh', 'known_hosts');
	const changes = await compare([
		...(existsSync(config)
			? [{path: config, content: removeBlock(read(config), name), mode: 0o600, showDiff: true}]
			: []),
		...(existsSync(known)
			? [{path: known, content: removeKnownHost(read(known), aliasFor(name)), mode: 0o600, showDiff: true}]
			: []),
	]);
	if (changes.every(c => c.state === 'unchanged'))
		return `nothing to remove: no hatch block for "${name}" in ${config}\n`;
	return describe(await apply(changes));
}
