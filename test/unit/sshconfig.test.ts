import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {fingerprint, parseKey} from '../../source/docker/ready.js';
import {
	hostBlock,
	installSshConfig,
	planSshConfig,
	removeBlock,
	removeKnownHost,
	removeSshConfig,
	upsertBlock,
	upsertKnownHost,
} from '../../source/sshconfig.js';

const block = (port = '22222') =>
	hostBlock({name: 'stem', hostName: '127.0.0.1', port, user: 'dev', forwardAgent: false});

describe('~/.ssh/config block', () => {
	it('goes before the first Host so its values win, and replaces only itself', () => {
		const user = '# mine\nInclude conf.d/*\n\nHost *\n  User bob\n\nHost work\n  HostName work.example\n';
		const once = upsertBlock(user, 'stem', block());
		expect(once.indexOf('Host stem')).toBeLessThan(once.indexOf('Host *'));
		expect(once.startsWith('# mine\nInclude conf.d/*\n\n# >>> hatch stem >>>')).toBe(true);
		const twice = upsertBlock(once, 'stem', block('2200'));
		expect(twice).toBe(once.replace('Port 22222', 'Port 2200'));
		expect(removeBlock(twice, 'stem')).toBe(user);
		expect(upsertBlock('', 'stem', block())).toBe(`${block()}\n`);
	});

	it('forwards the agent only when asked, and pins by alias', () => {
		expect(block()).not.toContain('ForwardAgent');
		expect(
			hostBlock({name: 'n', hostName: 'h', port: '1', user: 'u', forwardAgent: true, identityFile: '/k/id'}),
		).toContain('  ForwardAgent yes\n');
		expect(block()).toContain('  HostKeyAlias hatch-stem');
		// A stack on a remote Docker host is reached through that host.
		expect(block()).not.toContain('ProxyJump');
		expect(
			hostBlock({
				name: 'n',
				hostName: '127.0.0.1',
				port: '1',
				user: 'u',
				forwardAgent: false,
				proxyJump: 'ana@box:2200',
			}),
		).toContain('  User u\n  ProxyJump ana@box:2200\n');
		const known = upsertKnownHost(
			'github.com ssh-ed25519 AAAA\nhatch-stem ssh-ed25519 OLD\n',
			'hatch-stem',
			'ssh-ed25519',
			'NEW',
		);
		expect(known).toBe('github.com ssh-ed25519 AAAA\nhatch-stem ssh-ed25519 NEW\n');
	});

	it('round-trips on a temporary HOME: add, update, remove, with diffs and backups', async () => {
		const home = mkdtempSync(join(tmpdir(), 'hatch-sshhome-'));
		mkdirSync(join(home, '.ssh'));
		writeFileSync(join(home, '.ssh', 'config'), 'Host work\n  HostName work.example\n');
		writeFileSync(join(home, '.ssh', 'id_ed25519'), 'private');
		const values = {
			...defaults('stem'),
			STEM_AUTH_KEYS_PATH: join(home, '.ssh', 'id_ed25519.pub'),
			STEM_SSH_LISTEN: '0.0.0.0',
		};
		const added = await installSshConfig(values, 'AAAAC3NzaC1lZDI1NTE5AAAAIKEY1', home);
		expect(added).toContain('+Host stem');
		expect(added).toContain('Now: ssh stem');
		const config = readFileSync(join(home, '.ssh', 'config'), 'utf8');
		expect(config).toContain(`  IdentityFile "${join(home, '.ssh', 'id_ed25519')}"`);
		expect(config.endsWith('Host work\n  HostName work.example\n')).toBe(true);
		expect(statSync(join(home, '.ssh', 'config')).mode & 0o777).toBe(0o600);
		expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(
			'hatch-stem ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEY1\n',
		);

		const updated = await installSshConfig({...values, STEM_SSH_PORT: '2222'}, 'AAAAC3NzaC1lZDI1NTE5AAAAIKEY2', home);
		expect(updated).toContain('-  Port 22222');
		expect(updated).toContain('+  Port 2222');
		expect(readdirSync(join(home, '.ssh')).filter(n => n.startsWith('config.bak-'))).toHaveLength(2);

		const removed = await removeSshConfig('stem', home);
		expect(removed).toContain('-Host stem');
		expect(readFileSync(join(home, '.ssh', 'config'), 'utf8')).toBe('Host work\n  HostName work.example\n');
		expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe('');
		expect(await removeSshConfig('stem', home)).toContain('nothing to remove');
	});
});

describe('host key fingerprints', () => {
	it('match ssh-keygen -l', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-fp-'));
		execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
		const key = parseKey(readFileSync(join(dir, 'k.pub'), 'utf8'))!;
		expect(key.type).toBe('ssh-ed25519');
		const expected = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], {encoding: 'utf8'}).split(' ')[1];
		expect(fingerprint(key.blob)).toBe(expected);
	});
});

describe('several stacks and a busy known_hosts', () => {
	it('keeps each stack’s block whole when another is added or removed', () => {
		const b = (name: string) => hostBlock({name, hostName: '127.0.0.1', port: '1', user: 'u', forwardAgent: false});
		const both = upsertBlock(upsertBlock('Host *\n  User me\n', 'stem', b('stem')), 'neuron', b('neuron'));
		expect(both.indexOf('# >>> hatch neuron >>>')).toBeLessThan(both.indexOf('# >>> hatch stem >>>'));
		expect(both.indexOf('# <<< hatch neuron <<<')).toBeLessThan(both.indexOf('# >>> hatch stem >>>'));
		const onlyStem = removeBlock(both, 'neuron');
		expect(onlyStem).toContain(b('stem'));
		expect(removeBlock(onlyStem, 'stem')).toBe('Host *\n  User me\n');
	});

	it('updates the pinned key in place and leaves other lines, blank ones too, as they were', () => {
		const text = 'a ssh-ed25519 A\n\nhatch-stem ssh-ed25519 OLD\nb ssh-rsa B\n';
		expect(upsertKnownHost(text, 'hatch-stem', 'ssh-ed25519', 'NEW')).toBe(
			'a ssh-ed25519 A\n\nhatch-stem ssh-ed25519 NEW\nb ssh-rsa B\n',
		);
		expect(upsertKnownHost(text, 'hatch-x', 'ssh-ed25519', 'K')).toBe(`${text}hatch-x ssh-ed25519 K\n`);
		expect(removeKnownHost(text, 'hatch-none')).toBe(text);
		expect(removeKnownHost(text, 'hatch-stem')).toBe('a ssh-ed25519 A\n\nb ssh-rsa B\n');
	});
});

// What hatch writes into ~/.ssh/config must never break it: a broken file stops every ssh, to any host.
describe.skipIf(spawnSync('ssh', ['-V']).status !== 0)('hostBlock values, read back by the real ssh -G', () => {
	const readBack = (identityFile: string) => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-sshg-'));
		const config = join(dir, 'config');
		writeFileSync(
			config,
			hostBlock({name: 'box', hostName: '127.0.0.1', port: '2222', user: 'dev', identityFile, forwardAgent: false}),
		);
		const r = spawnSync('ssh', ['-G', '-F', config, 'box'], {encoding: 'utf8'});
		return {code: r.status, stderr: r.stderr, identity: /^identityfile (.*)$/m.exec(r.stdout)?.[1]};
	};
	it.each(['/k/a "quoted" name/id', '/k/50% off/id', '/k/back\\slash/id', "/k/it's/id", '/k/ü €/id'])('%j', path => {
		const r = readBack(path);
		expect(r.code, r.stderr).toBe(0);
		expect(r.identity).toBe(path.replace(/%/g, '%%')); // -G shows %-tokens before expansion; %% is a literal %
	});
	it('leaves out a path no config line can hold, and the file still parses', () => {
		const r = readBack('/k/line\nbreak/id');
		expect(r.code, r.stderr).toBe(0);
		expect(r.identity).not.toContain('line');
	});
});

describe('exact forms (each line and each edge of the block and pin edits)', () => {
	const B = [
		'# >>> hatch stem >>>',
		'# Written by hatch-wizard; it rewrites only what is between these markers.',
		'Host stem',
		'  HostName 127.0.0.1',
		'  Port 22222',
		'  User dev',
	];
	const tail = ['  HostKeyAlias hatch-stem', '# <<< hatch stem <<<'];

	it('hostBlock: every line, with and without an identity and the agent', () => {
		expect(block()).toBe([...B, ...tail].join('\n'));
		expect(
			hostBlock({
				name: 'stem',
				hostName: '127.0.0.1',
				port: '22222',
				user: 'dev',
				identityFile: '/k/id',
				forwardAgent: true,
			}),
		).toBe(
			[...B, '  IdentityFile "/k/id"', '  IdentitiesOnly yes', ...tail.slice(0, 1), '  ForwardAgent yes', tail[1]].join(
				'\n',
			),
		);
		expect(
			hostBlock({
				name: 'stem',
				hostName: '127.0.0.1',
				port: '22222',
				user: 'dev',
				identityFile: '/k/\x01',
				forwardAgent: false,
			}),
		).toBe(
			[
				...B,
				'  # IdentityFile left out: its path has a control character, which no ssh_config line can hold',
				...tail,
			].join('\n'),
		);
	});

	it(
		'upsertBlock: appends after a blank line when there is no Host, and writes only the block into an empty ' + 'file',
		() => {
			expect(upsertBlock('', 'stem', block())).toBe(`${block()}\n`);
			expect(upsertBlock('ServerAliveInterval 30\n', 'stem', block())).toBe(`ServerAliveInterval 30\n\n${block()}\n`);
			expect(upsertBlock('ServerAliveInterval 30\n\n', 'stem', block())).toBe(`ServerAliveInterval 30\n\n${block()}\n`);
		},
	);

	it('upsertBlock: an indented Host counts, a comment that mentions Host does not', () => {
		expect(upsertBlock('# see Host docs\nServerAliveInterval 30\n  Host a\n', 'stem', block())).toBe(
			`# see Host docs\nServerAliveInterval 30\n${block()}\n\n  Host a\n`,
		);
	});

	it('upsertBlock: a marker without its partner is not a block: a new one is added, the stray line kept', () => {
		expect(upsertBlock('# <<< hatch stem <<<\nHost a\n', 'stem', block())).toBe(
			`# <<< hatch stem <<<\n${block()}\n\nHost a\n`,
		);
		expect(upsertBlock('Host a\n# >>> hatch stem >>>\n', 'stem', block())).toBe(
			`${block()}\n\nHost a\n# >>> hatch stem >>>\n`,
		);
		expect(upsertBlock('Host a\n# <<< hatch stem <<<\n', 'stem', block())).toBe(
			`${block()}\n\nHost a\n# <<< hatch stem <<<\n`,
		);
	});

	it('removeBlock: takes the blank line after the block only when there is one; an emptied file is empty', () => {
		expect(removeBlock(`${block()}\nHost a\n`, 'stem')).toBe('Host a\n');
		expect(removeBlock(`${block()}\n\nHost a\n`, 'stem')).toBe('Host a\n');
		expect(removeBlock(`${block()}\n`, 'stem')).toBe('');
		expect(removeBlock('Host a\n', 'stem')).toBe('Host a\n');
	});

	it('upsertKnownHost: the pin on the first line is replaced in place; duplicates of it are dropped', () => {
		expect(
			upsertKnownHost('hatch-stem ssh-ed25519 OLD\nother ssh-ed25519 X\n', 'hatch-stem', 'ssh-ed25519', 'NEW'),
		).toBe('hatch-stem ssh-ed25519 NEW\nother ssh-ed25519 X\n');
		expect(
			upsertKnownHost(
				'a ssh-ed25519 A\nhatch-stem ssh-ed25519 OLD\nb ssh-ed25519 B\nhatch-stem ssh-ed25519 OLD2\n',
				'hatch-stem',
				'ssh-ed25519',
				'NEW',
			),
		).toBe('a ssh-ed25519 A\nhatch-stem ssh-ed25519 NEW\nb ssh-ed25519 B\n');
		expect(upsertKnownHost('', 'hatch-stem', 'ssh-ed25519', 'NEW')).toBe('hatch-stem ssh-ed25519 NEW\n');
	});

	function home() {
		const h = mkdtempSync(join(tmpdir(), 'hatch-sshexact-'));
		mkdirSync(join(h, '.ssh'));
		return h;
	}
	const values = (keys: string) => ({
		...defaults('stem'),
		STEM_USER: 'dev',
		STEM_SSH_LISTEN: '127.0.0.1',
		STEM_AUTH_KEYS_PATH: keys,
	});

	it('names the private key next to a .pub file only when it is there', async () => {
		const h = home();
		writeFileSync(join(h, 'id.pub'), 'ssh-ed25519 AAAA x\n');
		writeFileSync(join(h, 'other'), 'ssh-ed25519 AAAA x\n');
		const config = async (keys: string) => (await planSshConfig(values(keys), 'AAAA', h))[0]!.content;
		expect(await config(join(h, 'id.pub'))).not.toContain('IdentityFile');
		writeFileSync(join(h, 'id'), 'private\n');
		expect(await config(join(h, 'id.pub'))).toContain(`  IdentityFile "${join(h, 'id')}"`);
		// Not a .pub file: nothing to derive, even when a file of the shortened name exists.
		writeFileSync(join(h, 'id.key'), 'ssh-ed25519 AAAA x\n');
		expect(await config(join(h, 'id.key'))).not.toContain('IdentityFile');
		const plan = await planSshConfig(values(''), 'AAAA', h);
		expect(plan.map(c => [c.path, c.showDiff, c.mode])).toEqual([
			[join(h, '.ssh', 'config'), true, 0o600],
			[join(h, '.ssh', 'known_hosts'), true, 0o600],
		]);
	});

	it('installSshConfig and removeSshConfig say exactly what they did', async () => {
		const h = home();
		const config = join(h, '.ssh', 'config');
		const known = join(h, '.ssh', 'known_hosts');
		expect(await installSshConfig(values(''), 'AAAA', h)).toBe(
			`created   ${config}\ncreated   ${known}\nNow: ssh stem\n`,
		);
		expect(await installSshConfig(values(''), 'AAAA', h)).toBe(
			`unchanged ${config}\nunchanged ${known}\nNow: ssh stem\n`,
		);
		const moved = await installSshConfig({...values(''), STEM_SSH_PORT: '2200'}, 'AAAA', h);
		expect(moved).toMatch(new RegExp(`^updated   ${config} \\(old copy: ${config}\\.bak-\\d{8}-\\d{6}\\)\\n--- `));
		expect(moved).toContain('-  Port 22222\n+  Port 2200\n');
		expect(moved).toContain(`unchanged ${known}\nNow: ssh stem\n`);
		// The pin was removed by hand: removing still takes the block out.
		writeFileSync(known, 'other ssh-ed25519 X\n');
		const removed = await removeSshConfig('stem', h);
		expect(removed).toMatch(new RegExp(`^updated   ${config} \\(old copy: `));
		expect(removed).toContain(`unchanged ${known}\n`);
		expect(await removeSshConfig('stem', h)).toBe(`nothing to remove: no hatch block for "stem" in ${config}\n`);
		const empty = home();
		expect(await removeSshConfig('stem', empty)).toBe(
			`nothing to remove: no hatch block for "stem" in ${join(empty, '.ssh', 'config')}\n`,
		);
	});
});
