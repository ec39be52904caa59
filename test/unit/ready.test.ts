// The readiness gate (source/docker/ready.ts) against a scripted host: a clock that moves only when the
// gate pauses, sshd that answers from a given time, host keys as ssh-keyscan and the volume give them, and
// boot log lines that arrive at given times. No engine, no sockets, no real time.
import {describe, expect, it} from 'vitest';
import {POLL_MS, READY_TIMEOUT_MS, type ReadyHost, type BootEvent, checkSsh, fingerprint, waitForSsh} from '../../source/docker/ready.js';

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

function scripted(script: Script) {
	let t = 0;
	let onLine: ((l: string) => void) | undefined;
	const printed: string[] = [];
	const calls: string[] = [];
	const pauses: number[] = [];
	let stopped = false;
	const flush = () => {
		for (const [at, text] of script.log ?? []) {
			if (at <= t && !printed.includes(text)) {
				printed.push(text);
				onLine?.(text);
			}
		}
	};
	const host: ReadyHost = {
		async output(cmd, args) {
			calls.push([cmd, ...args].join(' '));
			if (cmd === 'ssh-keyscan') return script.scan ?? line(KEY);
			if (args.includes('/run/hatch/boot-state')) return script.record?.(t) ?? '';
			return script.stored ?? `ssh-ed25519 ${KEY} root@box\n`;
		},
		async answers(address, port) {
			calls.push(`connect ${address}:${port}`);
			return script.answersFrom !== undefined && t >= script.answersFrom;
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
	return {host, calls, pauses, stopped: () => stopped, time: () => t};
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
		const s = scripted({answersFrom: 0, log: [[1000, 'hatch: ready: sshd listening on 0.0.0.0:22 (boot took 1000 ms)']]});
		const r = await waitForSsh({...base, host: s.host});
		expect(r.ok).toBe(true);
		expect(s.calls.filter(c => c.startsWith('ssh-keyscan'))).toHaveLength(1);
		expect(r.ms).toBe(1000);
	});

	it('never says ready for another sshd on the port: names both host keys at the deadline', async () => {
		const s = scripted({answersFrom: 0, scan: line(OTHER), log: [[0, 'hatch: ready: sshd listening (boot took 1 ms)']]});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 2000});
		expect(r.ok).toBe(false);
		expect(r.reason).toBe(`port 2222 answers with host key ${fingerprint(OTHER)}, not this container's ${fingerprint(KEY)} (another sshd on that port?)`);
		expect(r.ms).toBe(2000);
		expect(r.fingerprint).toBeUndefined();
	});

	it('gives up at the deadline (60 s unless told) when nothing answers, naming the address', async () => {
		const s = scripted({});
		const r = await waitForSsh({...base, host: s.host});
		expect(READY_TIMEOUT_MS).toBe(60_000);
		expect(r).toMatchObject({ok: false, reason: 'sshd did not answer on 127.0.0.1:2222 within 60 s', ms: READY_TIMEOUT_MS});
		const short = await waitForSsh({...base, address: '127.0.0.2', host: scripted({}).host, timeoutMs: 1400});
		expect(short.reason).toBe('sshd did not answer on 127.0.0.2:2222 within 1 s');
	});

	it('says when the host key could not be read, rather than that nothing answered', async () => {
		const s = scripted({answersFrom: 0, stored: ''});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 1000});
		expect(r.reason).toBe('port 2222 answers, but its host key could not be compared yet');
	});

	it('stops at a failed boot step with its line, at once', async () => {
		const s = scripted({answersFrom: 0, log: [[400, 'hatch: boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line above']]});
		const r = await waitForSsh({...base, host: s.host});
		expect(r).toMatchObject({ok: false, reason: 'boot step 00-user-bootstrap.sh FAILED (exit 1): see its ERROR line above', ms: 400});
	});

	it('stops when cancelled, saying so', async () => {
		const s = scripted({});
		const r = await waitForSsh({...base, host: s.host, canceled: () => s.time() >= 600});
		expect(r).toMatchObject({ok: false, reason: 'interrupted while waiting for sshd', ms: 600});
		expect(s.stopped()).toBe(true);
	});

	it('takes the boot record when this start logged no ready line (compose left the container running)', async () => {
		const s = scripted({answersFrom: 0, record: t => (t >= 400 ? 'ready 1\n06-pixi: pixi not installed\n' : 'booting\n')});
		const r = await waitForSsh({...base, host: s.host});
		expect(r).toMatchObject({ok: true, warnings: ['06-pixi: pixi not installed'], ms: 400});
		expect(r.stillBooting).toBeUndefined();
	});

	it('is ok but still booting when sshd answers and the optional steps run past the deadline', async () => {
		const s = scripted({answersFrom: 0, record: () => 'booting\n', log: [[200, 'hatch[06-pixi]: WARNING: slow']]});
		const r = await waitForSsh({...base, host: s.host, timeoutMs: 3000});
		expect(r).toMatchObject({ok: true, stillBooting: true, fingerprint: fingerprint(KEY), keyBlob: KEY, warnings: ['06-pixi: slow'], ms: 3000});
	});

	it('keeps the last 20 log lines', async () => {
		const log: [number, string][] = Array.from({length: 30}, (_, i) => [0, `line ${i}`]);
		const r = await waitForSsh({...base, host: scripted({log}).host, timeoutMs: 200});
		expect(r.logTail).toEqual(log.slice(10).map(([, l]) => l));
	});
});

describe('checkSsh', () => {
	it('reports what it saw at each stage', async () => {
		expect(await checkSsh('box', '127.0.0.1', 2222, scripted({}).host)).toEqual({ok: false, reason: 'nothing answers on 127.0.0.1:2222'});
		expect(await checkSsh('box', '127.0.0.1', 2222, scripted({answersFrom: 0, scan: ''}).host)).toEqual({ok: false, reason: 'port 2222 answers, but its host key could not be compared yet'});
		expect(await checkSsh('box', '10.0.0.5', 2222, scripted({answersFrom: 0}).host)).toEqual({ok: true, fingerprint: fingerprint(KEY), keyBlob: KEY, reason: ''});
	});
});
