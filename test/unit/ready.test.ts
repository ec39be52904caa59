// The readiness gate (source/docker/ready.ts) against a scripted host: a clock that moves only when the
// gate pauses, sshd that answers from a given time, host keys as ssh-keyscan and the volume give them, and
// boot log lines that arrive at given times. No engine, no sockets, no real time.

import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import {
	type BootEvent,
	bootEvent,
	checkSsh,
	fingerprint,
	LOOK_TIMEOUT_MS,
	POLL_MS,
	parseBootRecord,
	parseKey,
	READY_TIMEOUT_MS,
	type ReadyHost,
	readyHostOn,
	realReadyHost,
	waitForSsh,
} from '../../source/docker/ready.js';
import {scriptedEngine} from '../helpers/engine.js';
import {until} from '../helpers/until.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHatchStoredHostKeyForTheReadinessGate00';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIAnotherSshdOnThisPortWithItsOwnHostKey0';
const line = (blob: string) => `[127.0.0.1]:2222 ssh-ed25519 ${blob}\n`;

interface Script {
	/** sshd answers from this time on (ms); undefined: never. */
	answersFrom?: number;
	/** What ssh-keyscan prints. */
	scan?: string;
	/** The .pub file in the container's sshkeys volume. */
	stored?: string;
	/** /run/hatch/boot-state + boot-warnings at a time; '' when the container has none. */
	record?: (t: number) => string;
	/** Boot log lines and when they are printed. */
	log?: [number, string][];
}

/** The scripted clock starts here, not at 0: a duration computed as now + start would show. */
const START = 1_000_000;

function scripted(script: Script) {
	let t = START;
	let onLine: ((l: string) => void) | undefined;
	const printed: string[] = [];
	const calls: string[] = [];
	const pauses: number[] = [];
	let stopped = false;
	const flush = () => {
		for (const [at, text] of script.log ?? []) {
			if (START + at <= t && !printed.includes(text)) {
				printed.push(text);
				onLine?.(text);
			}
		}
	};
	const host: ReadyHost = {
		// Only the exact commands the gate should run get an answer; anything else fails, as a wrong one would.
		async output(cmd, args) {
			const command = [cmd, ...args].join(' ');
			calls.push(command);
			if (command === 'ssh-keyscan -T 3 -t ed25519 -p 2222 127.0.0.1') return script.scan ?? line(KEY);
			if (command === 'docker exec box cat /run/hatch/boot-state /run/hatch/boot-warnings')
				return script.record?.(t - START) ?? '';
			if (command === 'docker exec box cat /etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub')
				return script.stored ?? `ssh-ed25519 ${KEY} root@box\n`;
			return '';
		},
		async answers(address, port) {
			calls.push(`connect ${address}:${port}`);
			return (
				address === '127.0.0.1' && port === 2222 && script.answersFrom !== undefined && t - START >= script.answersFrom
			);
		},
		followLog(container, since, listener) {
			calls.push(`logs ${container} since ${since}`);
			onLine = listener;
			flush();
			return {
				stop: async () => {
					stopped = true;
					return printed;
				},
			};
		},
		async pause(ms) {
			pauses.push(ms);
			t += ms;
			flush();
		},
		now: () => t,
	};
	return {host, calls, pauses, stopped: () => stopped, time: () => t - START};
}

const base = {container: 'box', address: '0.0.0.0', port: 2222, since: '2026-11-29T10:00:00Z'};

describe('waitForSsh', () => {
	it('is ready when sshd answers with the stored host key and the boot logs ready; passes on every event', async () => {
		const s = scripted({
			answersFrom: 600,
			log: [
				[0, 'hatch: step 00-hosts.sh done (3 ms)'],
				[400, 'hatch[05-bindu]: WARNING: dotfiles not cloned from x at main: fatal: nope'],
				[800, 'hatch: ready: sshd listening on 0.0.0.0:22 (boot took 800 ms), 1 warning(s)'],
			],
		});
		const events: BootEvent[] = [];
		const r = await waitForSsh({...base, host: s.host, onEvent: e => events.push(e)});
		expect(r).toEqual({
			ok: true,
			fingerprint: fingerprint(KEY),
			keyBlob: KEY,
			warnings: ['05-bindu: dotfiles not cloned from x at main: fatal: nope'],
			logTail: [
				'hatch: step 00-hosts.sh done (3 ms)',
				'hatch[05-bindu]: WARNING: dotfiles not cloned from x at main: fatal: nope',
				'hatch: ready: sshd listening on 0.0.0.0:22 (boot took 800 ms), 1 warning(s)',
			],
			ms: 800,
		});
		expect(events.map(e => e.kind)).toEqual(['step', 'warning', 'ready']);
		expect(s.stopped()).toBe(true);
		// Every pause is the poll interval; the log is followed from this boot's start.
		expect(new Set(s.pauses)).toEqual(new Set([POLL_MS]));
		expect(s.calls[0]).toBe('logs box since 2026-11-29T10:00:00Z');
		// Listening on every interface is reached on loopback.
		expect(s.calls).toContain('connect 127.0.0.1:2222');
		expect(s.calls).toContain('ssh-keyscan -T 3 -t ed25519 -p 2222 127.0.0.1');
		expect(s.calls).toContain('docker exec box cat /etc/ssh/hatch-hostkeys/ssh_host_ed25519_key.pub');
	});

	it('checks the host key once it matched, then waits only for the boot', async () => {
		const s = scripted({
			answersFrom: 0,
			log: [[1000, 'hatch: ready: sshd listening on 0.0.0.0:22 (boot took 1000 ms)']],
		});
		const r = await waitForSsh({...base, host: s.host});
		expect(r.ok).toBe(true);
		expect(s.calls.filter(c => c.startsWith('ssh-keyscan'))).toHaveLength(1);
		expect(r.ms).toBe(1000);
	});

	it('never says ready for another sshd on the port: names both host keys at the deadline', async () => {
		const s = scripted({
			answersFrom: 0,
			scan: line(OTHER),
			log: [[0, 'hatch: ready: sshd listening (boot took 1 ms)']],
		});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 2000});
		expect(r.ok).toBe(false);
		expect(r.reason).toBe(
			`port 2222 answers with host key ${fingerprint(OTHER)}, not this container's ${fingerprint(KEY)} (another ` +
				`sshd on that port?)`,
		);
		expect(r.ms).toBe(2000);
		expect(r.fingerprint).toBeUndefined();
	});

	it('gives up at the deadline (60 s unless told) when nothing answers, naming the address', async () => {
		const s = scripted({});
		const r = await waitForSsh({...base, host: s.host});
		expect(READY_TIMEOUT_MS).toBe(60_000);
		expect(r).toMatchObject({
			ok: false,
			reason: 'sshd did not answer on 127.0.0.1:2222 within 60 s',
			ms: READY_TIMEOUT_MS,
		});
		const short = await waitForSsh({...base, address: '127.0.0.2', host: scripted({}).host, timeoutMs: 1400});
		expect(short.reason).toBe('sshd did not answer on 127.0.0.2:2222 within 1 s');
	});

	it('says when the host key could not be read, rather than that nothing answered', async () => {
		const s = scripted({answersFrom: 0, stored: ''});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 1000});
		expect(r.reason).toBe('port 2222 answers, but its host key could not be compared yet');
	});

	it('stops at a failed boot step with its line, at once', async () => {
		const s = scripted({
			answersFrom: 0,
			log: [[400, 'hatch: boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line above']],
		});
		const r = await waitForSsh({...base, host: s.host});
		expect(r).toMatchObject({
			ok: false,
			reason: 'boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line above',
			ms: 400,
		});
	});

	it('stops when cancelled, saying so', async () => {
		const s = scripted({});
		const r = await waitForSsh({...base, host: s.host, canceled: () => s.time() >= 600});
		expect(r).toMatchObject({ok: false, reason: 'interrupted while waiting for sshd', ms: 600});
		expect(s.stopped()).toBe(true);
	});

	it('takes the boot record when this start logged no ready line (compose left the container running)', async () => {
		const s = scripted({
			answersFrom: 0,
			record: t => (t >= 400 ? 'ready 1  \n06-pixi: pixi not installed\n   \n' : 'booting\n'),
		});
		const r = await waitForSsh({...base, host: s.host});
		expect(r).toMatchObject({ok: true, warnings: ['06-pixi: pixi not installed'], ms: 400});
		expect(r.stillBooting).toBeUndefined();
	});

	it('reads the boot record only once sshd answers with the right key, and not at all after a ready line', async () => {
		const record = (c: string) => c.includes('/run/hatch/boot-state');
		const late = scripted({answersFrom: 600, record: () => 'ready 0\n'});
		await waitForSsh({...base, host: late.host});
		const firstRecord = late.calls.findIndex(record);
		expect(firstRecord).toBeGreaterThan(late.calls.findIndex(c => c.startsWith('docker exec box cat /etc/ssh')));
		const logged = scripted({
			answersFrom: 0,
			log: [[0, 'hatch: ready: sshd listening (boot took 5 ms)']],
			record: () => 'ready 0\n',
		});
		await waitForSsh({...base, host: logged.host});
		expect(logged.calls.filter(record)).toEqual([]);
	});

	it('with no time at all, says nothing answered (it never looked)', async () => {
		const r = await waitForSsh({...base, host: scripted({answersFrom: 0}).host, timeoutMs: 0});
		expect(r).toMatchObject({ok: false, reason: 'sshd did not answer on 127.0.0.1:2222 within 0 s', ms: 0});
	});

	it('is ok but still booting when sshd answers and the optional steps run past the deadline', async () => {
		const s = scripted({answersFrom: 0, record: () => 'booting\n', log: [[200, 'hatch[06-pixi]: WARNING: slow']]});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 3000});
		expect(r).toMatchObject({
			ok: true,
			stillBooting: true,
			fingerprint: fingerprint(KEY),
			keyBlob: KEY,
			warnings: ['06-pixi: slow'],
			ms: 3000,
		});
	});

	it('keeps the last 20 log lines', async () => {
		const log: [number, string][] = Array.from({length: 30}, (_, i) => [0, `line ${i}`]);
		const r = await waitForSsh({...base, host: scripted({log}).host, timeoutMs: 200});
		expect(r.logTail).toEqual(log.slice(10).map(([, l]) => l));
	});
});

describe('checkSsh', () => {
	it('reports what it saw at each stage', async () => {
		expect(await checkSsh('box', '127.0.0.1', 2222, scripted({}).host)).toEqual({
			ok: false,
			reason: 'nothing answers on 127.0.0.1:2222',
		});
		expect(await checkSsh('box', '127.0.0.1', 2222, scripted({answersFrom: 0, scan: ''}).host)).toEqual({
			ok: false,
			reason: 'port 2222 answers, but its host key could not be compared yet',
		});
		expect(await checkSsh('box', '0.0.0.0', 2222, scripted({answersFrom: 0}).host)).toEqual({
			ok: true,
			fingerprint: fingerprint(KEY),
			keyBlob: KEY,
			reason: '',
		});
		// A listen address other than every interface is where it is reached.
		const other = scripted({answersFrom: 0});
		expect((await checkSsh('box', '10.0.0.5', 2222, other.host)).reason).toBe('nothing answers on 10.0.0.5:2222');
		expect(other.calls).toEqual(['connect 10.0.0.5:2222']);
	});
});

describe('parseKey and bootEvent read only what they should', () => {
	it('finds the ed25519 key however it is spaced, and nothing else', () => {
		expect(parseKey(`[127.0.0.1]:2222 ssh-ed25519  ${KEY}`)).toEqual({type: 'ssh-ed25519', blob: KEY});
		expect(parseKey(`ssh-ed25519\t${KEY} root@box`)).toEqual({type: 'ssh-ed25519', blob: KEY});
		expect(parseKey(`ssh-rsa ${KEY}`)).toBeUndefined();
	});

	it('reads the boot record: the state trimmed, blank warning lines dropped', () => {
		expect(parseBootRecord('ready 1  \n06-pixi: slow\n  \n')).toEqual({state: 'ready 1', warnings: ['06-pixi: slow']});
		expect(parseBootRecord('')).toEqual({state: '', warnings: []});
	});

	it('takes a boot line only at the start of the line: a program echoing one inside its own is just a log line', () => {
		for (const text of [
			'x hatch: step 05-bindu.sh done (1 ms)',
			'x hatch: boot step 00-user-bootstrap.sh FAILED (exit 1)',
			'x hatch[05-bindu]: WARNING: fake',
			'x hatch: ready: fake',
		]) {
			expect(bootEvent(text).kind, text).toBe('log');
		}
		expect(bootEvent('hatch: boot step 00-user-bootstrap.sh FAILED (exit 1): hatch: see above').text).toBe(
			'boot step 00-user-bootstrap.sh FAILED (exit 1): hatch: see above',
		);
	});
});

describe('realReadyHost (this host: a TCP connect, a process)', () => {
	/** A local server that does `onConnection` with each client; resolves to its port. */
	async function server(onConnection: (socket: net.Socket, seen: string[]) => void) {
		const seen: string[] = [];
		const srv = net.createServer(socket => {
			socket.on('data', d => seen.push(String(d)));
			onConnection(socket, seen);
		});
		await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
		return {port: (srv.address() as net.AddressInfo).port, seen, close: () => new Promise(r => srv.close(r))};
	}

	it(
		'answers: yes when the server speaks first (as sshd does), and it says who is asking before ' + 'hanging up',
		async () => {
			const s = await server(socket => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
			expect(await realReadyHost.answers('127.0.0.1', s.port)).toBe(true);
			await vi.waitFor(() => expect(s.seen.join('')).toBe('SSH-2.0-hatch-readiness-check\r\n'));
			await s.close();
		},
	);

	it('answers: yes, and closes the connection itself even when the peer never closes its side', async () => {
		// allowHalfOpen: this peer keeps its side open after ours ends, for good.
		const peers: net.Socket[] = [];
		const srv = net.createServer({allowHalfOpen: true}, socket => {
			peers.push(socket);
			socket.write('SSH-2.0-OpenSSH_9.6\r\n');
		});
		await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
		const sockets = () => process.getActiveResourcesInfo().filter(r => r === 'TCPSocketWrap').length;
		const before = sockets();
		expect(await realReadyHost.answers('127.0.0.1', (srv.address() as net.AddressInfo).port)).toBe(true);
		// Only the peer's own socket is left once the check has let go of its end.
		await until(() => sockets() === before + 1, 'the readiness check to close its socket', {timeoutMs: 5000});
		for (const p of peers) p.destroy();
		await new Promise(r => srv.close(r));
	});

	it(
		'answers: no when the server accepts and hangs up without a word (a proxy before sshd is up), or nothing ' +
			'listens',
		async () => {
			const s = await server(socket => socket.end());
			expect(await realReadyHost.answers('127.0.0.1', s.port)).toBe(false);
			await s.close();
			expect(await realReadyHost.answers('127.0.0.1', s.port)).toBe(false);
		},
	);

	it('output: what a command printed when it succeeded, nothing when it failed', async () => {
		expect(await realReadyHost.output(process.execPath, ['-e', 'process.stdout.write("hello")'])).toBe('hello');
		expect(
			await realReadyHost.output(process.execPath, ['-e', 'process.stdout.write("partial"); process.exit(3)']),
		).toBe('');
	});

	it('answers: no after a second when the server accepts and stays silent, and the connection is closed', async () => {
		let closed = false;
		const s = await server(socket => socket.on('close', () => (closed = true)));
		expect(await realReadyHost.answers('127.0.0.1', s.port)).toBe(false);
		await vi.waitFor(() => expect(closed).toBe(true));
		await s.close();
	});

	it(
		'followLog runs `docker logs --follow --since T NAME` and stops it (docker faked on PATH: no engine in ' +
			'unit tests)',
		async () => {
			const bin = mkdtempSync(join(tmpdir(), 'hatch-fakedocker-'));
			writeFileSync(join(bin, 'docker'), '#!/bin/sh\necho "args: $*"\necho "hatch: ready: fake"\nexec sleep 30\n');
			chmodSync(join(bin, 'docker'), 0o755);
			const saved = process.env.PATH;
			process.env.PATH = `${bin}:${saved}`;
			try {
				const lines: string[] = [];
				const logs = realReadyHost.followLog('box', '2026-11-29T10:00:00Z', l => lines.push(l));
				await vi.waitFor(() =>
					expect(lines).toEqual(['args: logs --follow --since 2026-11-29T10:00:00Z box', 'hatch: ready: fake']),
				);
				expect(await logs.stop()).toEqual(lines);
			} finally {
				process.env.PATH = saved;
			}
		},
	);

	it(
		'is the ready host on this machine’s programs: each look has a 10 s deadline; the followed log stops with ' +
			'a short grace',
		async () => {
			const e = scriptedEngine({
				reply: line =>
					line === 'ssh-keyscan -p 1 x'
						? {stdout: 'key'}
						: line === 'docker logs --follow --since T box'
							? {lines: ['a', 'b'], hang: true}
							: undefined,
			});
			const host = readyHostOn(e.engine.proc);
			expect(await host.output('ssh-keyscan', ['-p', '1', 'x'])).toBe('key');
			expect(await host.output('ssh-keyscan', ['-p', '2', 'x'])).toBe('');
			expect(e.calls.map(c => c.options.timeoutMs)).toEqual([10_000, 10_000]);
			expect(LOOK_TIMEOUT_MS).toBe(10_000);
			const lines: string[] = [];
			const logs = host.followLog('box', 'T', l => lines.push(l));
			expect(await logs.stop()).toEqual(['a', 'b']);
			expect(lines).toEqual(['a', 'b']);
			expect(e.cancels).toEqual([{line: 'docker logs --follow --since T box', graceMs: 500}]);
			// Its clock is the real one, and a pause is a real wait.
			expect(Math.abs(host.now() - Date.now())).toBeLessThan(1000);
			const pause = host.pause(1);
			expect(pause).toBeInstanceOf(Promise);
			await pause;
		},
	);

	it('its clock is the real one, and a pause lasts', async () => {
		const t0 = realReadyHost.now();
		expect(Math.abs(t0 - Date.now())).toBeLessThan(1000);
		let paused = false;
		const p = realReadyHost.pause(1).then(() => (paused = true));
		expect(paused).toBe(false);
		await p;
		expect(paused).toBe(true);
	});
});

describe('bootEvent', () => {
	it('classifies steps, warnings, failures and the ready line', () => {
		expect(bootEvent('hatch: step 05-bindu.sh done (12 ms)')).toEqual({kind: 'step', text: '05-bindu.sh', ms: 12});
		expect(bootEvent('hatch[05-bindu]: WARNING: dotfiles not cloned from x at main: fatal: nope')).toEqual({
			kind: 'warning',
			text: '05-bindu: dotfiles not cloned from x at main: fatal: nope',
		});
		expect(bootEvent('hatch: boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line').kind).toBe('failed');
		expect(bootEvent('hatch: ready: sshd listening on 127.0.0.1:2222 (boot took 800 ms), 1 warning(s)').kind).toBe(
			'ready',
		);
		expect(bootEvent('hatch[05-bindu]: cloned x').kind).toBe('log');
		// A user program cannot make its output a warning of another step: user_run prefixes every line.
		expect(bootEvent('hatch[05-bindu]: hatch[00-user-bootstrap]: WARNING: fake').kind).toBe('log');
	});

	it('drops escape sequences and C0/C1 controls a program in the container printed', () => {
		expect(bootEvent('hatch[05-bindu]: WARNING: a\x1b[2Jb\x07c\u009b31md\re').text).toBe('05-bindu: abc31mde');
	});
});
