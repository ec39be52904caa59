// The clients people connect to stem with, for real: OpenSSH (commands, login shells, forwarding, agent
// forwarding), sftp, scp, rsync and mosh, against one container written by the CLI and booted by the engine.
// The base image carries the variables a CUDA base sets (ENV only: no GPU here), so the test sees how the
// image's environment reaches SSH sessions.
import {type ChildProcess, spawn} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {until} from '../helpers/until.js';
import {
	BASE,
	clientOptions,
	destroy,
	logs,
	newKey,
	remoteServerGaps,
	type Stack,
	sh,
	ssh,
	waitReady,
	writeStack,
} from './helpers.js';

const NAME = 'hatch-e2e-clients';
const CUDA_BASE = `hatch-e2e/${NAME}-base:test`;
// What nvidia/cuda images set with ENV.
const CUDA_PATH =
	'/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CUDA_LIBS = '/usr/local/nvidia/lib:/usr/local/nvidia/lib64';
// STEM_ENV as the wizard takes it.
const STEM_ENV = 'GREETING=hello world,EDITOR=nano';
// STEM_ENV edited by hand past the wizard's checks: one good entry, and three the boot must refuse (a forged
// agent socket, and two that would add a Banner line to sshd's configuration if they were written as they are).
const HOSTILE_ENV = [
	'GREETING=still here',
	'SSH_AUTH_SOCK=/tmp/not-an-agent',
	'NL=x\nBanner /etc/hostname',
	'QUOTE=x" Banner /etc/hostname "Y=1',
].join(',');

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const fingerprint = (key: string) => sh('ssh-keygen', ['-lf', `${key}.pub`]).stdout.split(' ')[1]!;
const plain = (text: string) =>
	text
		.replace(/\x1b\][^\x07]*\x07/g, '')
		.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
		.replace(/\r/g, '');

/** An ssh-agent of the test's own on `sock`, holding `key`. */
async function agent(sock: string, key: string): Promise<ChildProcess> {
	const p = spawn('ssh-agent', ['-D', '-a', sock], {stdio: 'ignore'});
	await until(() => existsSync(sock), `ssh-agent on ${sock}`, {timeoutMs: 10_000});
	sh('ssh-add', ['-q', key], {env: {...process.env, SSH_AUTH_SOCK: sock}});
	return p;
}

/** Exit code of a child process, once it ends. */
const exited = (p: ChildProcess) => new Promise<number>(resolve => p.on('close', code => resolve(code ?? -1)));

describe.sequential('clients', () => {
	let s: Stack;
	let clientAgent: string;
	let hostAgent: string;
	let clientKey: string;
	let hostKey: string;
	const children: ChildProcess[] = [];

	beforeAll(async () => {
		const env = `PATH=${CUDA_PATH} LD_LIBRARY_PATH=${CUDA_LIBS} CUDA_VERSION=12.4.1 NVIDIA_VISIBLE_DEVICES=all`;
		sh('docker', ['build', '-q', '-t', CUDA_BASE, '-'], {input: `FROM ${BASE}\nENV ${env}\n`});
		s = writeStack(NAME, 'stem', {STEM_BASE_IMAGE: CUDA_BASE});
		clientKey = newKey(s.root, 'client-agent');
		hostKey = newKey(s.root, 'host-agent');
		clientAgent = join(s.root, 'client-agent.sock');
		hostAgent = join(s.root, 'host-agent.sock');
		children.push(await agent(clientAgent, clientKey), await agent(hostAgent, hostKey));
		s = writeStack(NAME, 'stem', {STEM_SSH_AUTH_SOCK_HOST: hostAgent, STEM_ENV}, s);
		s.compose('build', '--progress', 'plain');
		s.compose('up', '-d');
		await waitReady(s);
	});

	afterAll(() => {
		for (const c of children) c.kill();
		if (s) destroy(s);
		sh('docker', ['rmi', '-f', CUDA_BASE], {allowFail: true});
	});

	/** An interactive login (ssh -tt, no command) that types `typed`; returns what the terminal showed. */
	const login = (typed: string, extra: string[] = [], env?: NodeJS.ProcessEnv) => {
		const r = sh('ssh', ['-tt', '-p', String(s.port), ...clientOptions(s), ...extra, 'dev@127.0.0.1'], {
			input: `${typed}; exit\n`,
			env,
			allowFail: true,
		});
		expect(r.code, r.stderr).toBe(0);
		return plain(r.stdout + r.stderr);
	};

	it('prints only what the command prints: no banner, motd or profile noise on stdout or stderr', () => {
		expect(ssh(s, 'echo ok')).toMatchObject({code: 0, stdout: 'ok\n', stderr: ''});
		// A login shell shows its prompt, what was typed and its output: no motd, no last login line.
		const screen = login('echo "o""k"');
		const lines = screen.split('\n').filter(l => l.trim() !== '');
		const noise = lines.filter(l => !/(^|\$ )echo "o""k"; exit$/.test(l) && l !== 'ok' && l !== 'logout');
		expect(noise, screen).toEqual([]);
		expect(lines).toContain('ok');
	});

	it('serves 20 connections opened at once (MaxStartups, MaxSessions)', async () => {
		const all = Array.from({length: 20}, () =>
			exited(spawn('ssh', ['-p', String(s.port), ...clientOptions(s), 'dev@127.0.0.1', 'true'], {stdio: 'ignore'})),
		);
		expect(await Promise.all(all)).toEqual(Array(20).fill(0));
		const cfg = sh('docker', ['exec', s.name, 'sshd', '-T']).stdout;
		expect(cfg).toMatch(/^maxstartups 64:30:256$/m);
		expect(cfg).toMatch(/^maxsessions 64$/m);
	});

	it("has what VS Code Remote-SSH's server needs, with ~/.vscode-server on the home volume", () => {
		expect(remoteServerGaps(s)).toEqual([]);
		const cfg = sh('docker', ['exec', s.name, 'sshd', '-T']).stdout;
		for (const line of ['allowtcpforwarding yes', 'allowstreamlocalforwarding yes', 'disableforwarding no']) {
			expect(cfg).toMatch(new RegExp(`^${line}$`, 'm'));
		}
	});

	it('forwards a TCP port (-L), a SOCKS proxy (-D) and a unix socket (-L) into the container', async () => {
		// The listeners answer with a token and live only inside the container: the TCP one on an address named
		// by the container's hostname, which only the container resolves; the unix socket in its own /tmp.
		const token = randomBytes(6).toString('hex');
		const port = s.port + 10_000;
		const remoteSock = `/tmp/${NAME}-${token}.sock`;
		expect(sh('getent', ['hosts', NAME], {allowFail: true}).code, 'the host must not resolve the name').not.toBe(0);
		const started = ssh(
			s,
			`addr=$(getent hosts ${NAME} | cut -d" " -f1) && ` +
				`setsid -f socat TCP-LISTEN:${port},bind=$addr,reuseaddr,fork SYSTEM:'echo tcp-${token}; cat >/dev/null' ` +
				'</dev/null >/dev/null 2>&1 && ' +
				`setsid -f socat UNIX-LISTEN:${remoteSock},fork SYSTEM:'echo unix-${token}; cat >/dev/null' ` +
				'</dev/null >/dev/null 2>&1',
		);
		expect(started.code, started.stderr).toBe(0);
		const local = s.port + 11_000;
		const socks = s.port + 12_000;
		const localSock = join(s.root, 'forwarded.sock');
		const tunnel = spawn(
			'ssh',
			['-N', '-p', String(s.port), ...clientOptions(s), '-o', 'ExitOnForwardFailure=yes']
				.concat(['-L', `127.0.0.1:${local}:${NAME}:${port}`, '-D', `127.0.0.1:${socks}`])
				.concat(['-L', `${localSock}:${remoteSock}`, 'dev@127.0.0.1']),
			{stdio: 'ignore'},
		);
		children.push(tunnel);
		const through = (address: string) => () =>
			sh('socat', ['-t', '5', '-T', '10', '-', address], {input: '', allowFail: true}).stdout.trim();
		const timing = {timeoutMs: 20_000, everyMs: 100};
		try {
			expect(await until(through(`TCP:127.0.0.1:${local}`), 'the -L TCP forward', timing)).toBe(`tcp-${token}`);
			expect(await until(through(`SOCKS4A:127.0.0.1:${NAME}:${port},socksport=${socks}`), 'SOCKS', timing)).toBe(
				`tcp-${token}`,
			);
			expect(await until(through(`UNIX-CONNECT:${localSock}`), 'the unix socket forward', timing)).toBe(
				`unix-${token}`,
			);
		} finally {
			tunnel.kill();
		}
	});

	it('copies a 20 MB file with sftp (batch: put, ls, get), scp and rsync, unchanged', () => {
		const big = join(s.root, 'big');
		writeFileSync(big, randomBytes(20 * 1024 * 1024));
		const want = sha256(big);
		const port = String(s.port);
		const batch = join(s.root, 'batch');
		writeFileSync(batch, `put ${big} big.sftp\nls -l big.sftp\nget big.sftp ${big}.sftp\n`);
		const sftp = sh('sftp', ['-b', batch, '-P', port, ...clientOptions(s), 'dev@127.0.0.1']);
		expect(sftp.stdout).toMatch(/ 20971520 .* big\.sftp/);
		sh('scp', ['-P', port, ...clientOptions(s), big, 'dev@127.0.0.1:big.scp']);
		sh('scp', ['-P', port, ...clientOptions(s), 'dev@127.0.0.1:big.scp', `${big}.scp`]);
		const rsh = ['ssh', '-p', port, ...clientOptions(s)].join(' ');
		sh('rsync', ['-e', rsh, big, 'dev@127.0.0.1:big.rsync']);
		sh('rsync', ['-e', rsh, 'dev@127.0.0.1:big.rsync', `${big}.rsync`]);
		for (const copy of ['sftp', 'scp', 'rsync']) expect(sha256(`${big}.${copy}`), copy).toBe(want);
		const inside = ssh(s, 'sha256sum big.sftp big.scp big.rsync').stdout;
		expect(
			inside
				.split('\n')
				.filter(Boolean)
				.map(l => l.split(' ')[0]),
		).toEqual([want, want, want]);
	});

	it('ssh -A: the forwarded agent wins over the host agent relay, in commands and login shells', () => {
		const asClient = {...process.env, SSH_AUTH_SOCK: clientAgent};
		// Without -A, sessions get the Docker host's agent through the relay.
		const relayed = ssh(s, 'ssh-add -l');
		expect(relayed.stdout, relayed.stderr).toContain(fingerprint(hostKey));
		for (const command of ['ssh-add -l', 'bash -lc "ssh-add -l"']) {
			const r = ssh(s, command, {extra: ['-A'], env: asClient});
			expect(r.stdout, `${command}: ${r.stderr}`).toContain(fingerprint(clientKey));
			expect(r.stdout).not.toContain(fingerprint(hostKey));
		}
		const screen = login('ssh-add -l', ['-A'], asClient);
		expect(screen).toContain(fingerprint(clientKey));
		expect(screen).not.toContain(fingerprint(hostKey));
	});

	it("gives sessions the image's variables and STEM_ENV's, in commands and login shells", () => {
		const names = 'PATH LD_LIBRARY_PATH CUDA_VERSION NVIDIA_VISIBLE_DEVICES GREETING EDITOR';
		const want = [CUDA_PATH, CUDA_LIBS, '12.4.1', 'all', 'hello world', 'nano'];
		const command = ssh(s, `printenv ${names}`);
		expect(command.stdout.split('\n').slice(0, -1), command.stderr).toEqual(want);
		// A login shell: Debian's /etc/profile resets PATH.
		const shell = ssh(s, `bash -lc "printenv ${names}"`);
		expect(shell.stdout.split('\n').slice(0, -1), shell.stderr).toEqual(want);
		const screen = login(`printenv ${names}`).split('\n');
		for (const value of want) expect(screen).toContain(value);
	});

	it("runs in the container's UTF-8 locale whatever locale the client sends", () => {
		// As macOS clients do: LC_CTYPE=UTF-8 is no locale on Linux.
		const r = ssh(s, 'locale; locale charmap', {extra: ['-o', 'SetEnv=LC_CTYPE=UTF-8 LANG=xx_XX.UTF-8']});
		expect(r.stderr).toBe('');
		expect(r.stdout).toMatch(/^LANG=en_US\.UTF-8$/m);
		expect(r.stdout).toMatch(/^LC_CTYPE="en_US\.UTF-8"$/m);
		expect(r.stdout.trim().split('\n').pop()).toBe('UTF-8');
	});

	it('connects with mosh (UDP ports given with -p): typed commands run and show on the screen', async () => {
		const tmux = ['-L', `${NAME}-${process.pid}`];
		const pane = () => sh('tmux', [...tmux, 'capture-pane', '-p', '-t', 'mosh']).stdout;
		const ports = [s.port + 20_000, s.port + 20_005];
		const sshCommand = ['ssh', '-p', String(s.port), ...clientOptions(s)].join(' ');
		const command =
			`env LANG=C.UTF-8 mosh --port=${ports.join(':')} --ssh='${sshCommand}' dev@127.0.0.1; ` +
			'echo MOSH-EXIT=$?; sleep 60';
		sh('tmux', [...tmux, 'new-session', '-d', '-s', 'mosh', '-x', '100', '-y', '30', command]);
		const timing = {timeoutMs: 30_000, everyMs: 100};
		try {
			const prompt = await until(() => /dev@hatch-e2e-clients:~\$/.test(pane()) && pane(), 'the prompt', timing);
			// Nothing before the prompt: mosh-server prints the motd itself, and the image has none.
			expect(prompt.trimStart()).toMatch(/^dev@hatch-e2e-clients:~\$/);
			// mosh-server listens on 127.0.0.1 (host network) on a UDP port of the range it was given.
			const udp = readFileSync('/proc/net/udp', 'utf8')
				.split('\n')
				.map(l => l.trim().split(/\s+/)[1] ?? '')
				.filter(a => a.startsWith('0100007F:'))
				.map(a => Number.parseInt(a.split(':')[1]!, 16));
			expect(
				udp.some(p => p >= ports[0]! && p <= ports[1]!),
				String(udp),
			).toBe(true);
			sh('tmux', [...tmux, 'send-keys', '-t', 'mosh', 'echo mosh-$((6*7))', 'Enter']);
			await until(
				() => pane().includes('mosh-42'),
				() => `mosh-42 on the screen:\n${pane()}`,
				timing,
			);
			sh('tmux', [...tmux, 'send-keys', '-t', 'mosh', 'exit', 'Enter']);
			await until(
				() => pane().includes('MOSH-EXIT=0'),
				() => `mosh to exit:\n${pane()}`,
				timing,
			);
		} finally {
			sh('tmux', [...tmux, 'kill-server'], {allowFail: true});
		}
	});

	// Last: it recreates the container.
	it('refuses STEM_ENV entries that would forge the agent socket or change sshd: warned, never written', async () => {
		// A hand edit the wizard never sees: compose passes the value as it is.
		writeFileSync(
			join(s.dir, 'docker-compose.override.yml'),
			JSON.stringify({services: {stem: {environment: {STEM_ENV: HOSTILE_ENV}}}}),
		);
		s.compose('up', '-d');
		await waitReady(s);
		const log = logs(s.name);
		expect(log).toContain('STEM_ENV entry 2 (SSH_AUTH_SOCK) skipped: hatch or sshd sets SSH_AUTH_SOCK');
		expect(log).toContain('STEM_ENV entry 3 (NL) skipped: its value has a double quote, a backslash or a control');
		expect(log).toContain('STEM_ENV entry 4 (QUOTE) skipped: its value has a double quote');
		const cfg = sh('docker', ['exec', s.name, 'sshd', '-T']).stdout;
		expect(cfg).toMatch(/^setenv GREETING=still here$/m);
		expect(cfg).not.toMatch(/^banner (?!none)/m);
		expect(cfg).not.toMatch(/^setenv (NL|QUOTE|Y|SSH_AUTH_SOCK)=/m);
		expect(ssh(s, 'echo ok')).toMatchObject({code: 0, stdout: 'ok\n', stderr: ''});
		const env = ssh(s, 'printenv GREETING NL QUOTE Y; echo "$SSH_AUTH_SOCK"; ssh-add -l');
		expect(env.stdout.split('\n').slice(0, 2)).toEqual(['still here', '/run/hatch/ssh-agent.sock']);
		expect(env.stdout).toContain(fingerprint(hostKey));
		const forwarded = ssh(s, 'ssh-add -l', {extra: ['-A'], env: {...process.env, SSH_AUTH_SOCK: clientAgent}});
		expect(forwarded.stdout, forwarded.stderr).toContain(fingerprint(clientKey));
	});

	// Past sshd's own limits (1000 variables per session; its configuration in one message) every login would
	// fail though `sshd -t` passes: the boot stops short of them, says so, and logins go on working.
	it('passes at most 400 variables to SSH sessions, warns about the rest, and logins still work', async () => {
		const many = Array.from({length: 1000}, (_, i) => `V${i}=x`).join(',');
		writeFileSync(
			join(s.dir, 'docker-compose.override.yml'),
			JSON.stringify({services: {stem: {environment: {STEM_ENV: many}}}}),
		);
		s.compose('up', '-d');
		await waitReady(s);
		expect(logs(s.name)).toMatch(
			/V\d+ and the variables after it are not passed to SSH sessions: at most 400 variables/,
		);
		const r = ssh(s, 'printenv V0; env | grep -c "^V[0-9]*=x$"');
		expect(r).toMatchObject({code: 0, stderr: ''});
		const [first, count] = r.stdout.trim().split('\n');
		expect(first).toBe('x');
		expect(Number(count)).toBeLessThan(400);
		expect(Number(count)).toBeGreaterThan(300);
	});
});
