import {describe, expect, it, vi} from 'vitest';
import {defaults, factWarnings} from '../../source/core/model.js';
import {
	describeProbes,
	factsFrom,
	failedInspection,
	gpuSummary,
	gpusInContainer,
	inspectHost,
	PROBE_LABELS,
	PROBES,
	parseNvidiaSmi,
	systemGraphics,
} from '../../source/host/inspect.js';
import {dropboxPath, publicKeys, type RunResult} from '../../source/host/probes.js';
import {fail, fakeHost, fixture, ok} from '../helpers/fake-host.js';

const dockerOk = {'docker info': ok(fixture('docker-info-nvidia.json')), 'docker compose version': ok('2.29.7\n')};

describe('GPU probe (fixtures captured from real hosts; no GPU here)', () => {
	it('parses nvidia-smi with 1 and 8 GPUs', () => {
		expect(parseNvidiaSmi(fixture('nvidia-smi-1gpu.csv'))).toEqual([
			{
				index: 0,
				name: 'NVIDIA GeForce RTX 4090',
				memoryMiB: 24564,
				driver: '550.120',
				uuid: 'GPU-5c3a1d2e-8f4b-4a6e-9c1d-2b7e0f9a3c41',
			},
		]);
		const eight = parseNvidiaSmi(fixture('nvidia-smi-8gpu.csv'));
		expect(eight.map(g => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(new Set(eight.map(g => g.name))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
	});

	it('reports GPUs with the runtime, and a GPU without the runtime as "runtime missing"', async () => {
		const withRuntime = await inspectHost(
			fakeHost({commands: {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-8gpu.csv'))}}),
		);
		expect(withRuntime.gpus.status).toBe('ok');
		expect(gpuSummary(withRuntime)).toBe('8 GPU(s): NVIDIA H100 80GB HBM3');
		expect(factsFrom(withRuntime)).toMatchObject({gpuCount: 8, nvidiaRuntime: true, composeVersion: '2.29.7'});

		const noRuntime = await inspectHost(
			fakeHost({
				commands: {
					'docker info': ok(fixture('docker-info-desktop.json')),
					'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv')),
				},
			}),
		);
		expect(gpuSummary(noRuntime)).toContain('1 GPU(s) found (NVIDIA GeForce RTX 4090), runtime missing');
	});

	it('says what a broken nvidia-smi means', async () => {
		const i = await inspectHost(
			fakeHost({commands: {...dockerOk, 'nvidia-smi': fail(9, '', fixture('nvidia-smi-broken.txt'))}}),
		);
		expect(i.gpus.status).toBe('error');
		expect(i.gpus.detail).toContain("couldn't communicate with the NVIDIA driver");
		expect(i.gpus.hint).toContain('driver');
	});

	it('gives nvidia-smi 2 s and docker 4 s; reports a hung nvidia-smi as timed out', async () => {
		const host = fakeHost({commands: {...dockerOk, 'nvidia-smi': 'hang'}});
		const i = await inspectHost(host);
		expect(i.gpus.status).toBe('timeout');
		expect(gpuSummary(i)).toBe('GPU check timed out');
		expect(host.deadlines).toEqual({
			'docker info --format {{json .}}': 4000,
			'docker network ls --filter name=^bridge$ --format {{.Name}}': 4000,
			'docker compose version --short': 4000,
			'nvidia-smi --query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader': 2000,
		});
	});

	it(
		'a probe that never answers at all is cut at its own deadline (fake timers: the deadline is the ' + 'subject)',
		async () => {
			vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'performance']});
			try {
				const never = new Promise<never>(() => {});
				const p = inspectHost({...fakeHost(), run: () => never, kind: () => never});
				await vi.advanceTimersByTimeAsync(4000);
				await vi.advanceTimersByTimeAsync(500);
				await vi.advanceTimersByTimeAsync(7000);
				const i = await p;
				expect(i.docker).toEqual({status: 'timeout', detail: 'no answer within 4500 ms', ms: 4500});
				expect(i.compose).toEqual({status: 'timeout', detail: 'no answer within 4500 ms', ms: 4500});
				expect(i.gpus).toEqual({status: 'timeout', detail: 'no answer within 11500 ms', ms: 11500});
				expect(i.dropbox).toEqual({status: 'timeout', detail: 'no answer within 4000 ms', ms: 4000});
				expect(i.publicKeys.status).toBe('missing');
			} finally {
				vi.useRealTimers();
			}
		},
	);

	it('falls back to systeminformation only when nvidia-smi is missing', async () => {
		let asked = 0;
		const graphics = async () => {
			asked++;
			return [
				{vendor: 'NVIDIA Corporation', model: 'GA102 [GeForce RTX 3090]', vram: 24576},
				{vendor: 'Intel', model: 'UHD 770'},
			];
		};
		const i = await inspectHost(fakeHost({commands: dockerOk}), {graphics});
		expect(asked).toBe(1);
		expect(i.gpus.value).toEqual({
			source: 'systeminformation',
			gpus: [{index: 0, name: 'GA102 [GeForce RTX 3090]', memoryMiB: 24576}],
		});
		await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))}}), {
			graphics,
		});
		expect(asked).toBe(1);
	});

	it('asks systeminformation only when /sys lists an NVIDIA PCI device, or cannot tell (fixtures)', async () => {
		let asked = 0;
		const graphics = async () => {
			asked++;
			return [{vendor: 'NVIDIA Corporation', model: 'AD102 [GeForce RTX 4090]'}];
		};
		const pci = (vendors: Record<string, string>, platform: NodeJS.Platform = 'linux') =>
			fakeHost({
				commands: dockerOk,
				platform,
				files: Object.fromEntries(
					Object.entries(vendors).map(([dev, v]) => [`/sys/bus/pci/devices/${dev}/vendor`, `${v}\n`]),
				),
			});
		const intelOnly = await inspectHost(pci({'0000:00:02.0': '0x8086', '0000:00:1f.0': '0x8086'}), {graphics});
		expect(asked).toBe(0);
		expect(intelOnly.gpus).toMatchObject({status: 'missing', detail: 'no NVIDIA GPU found'});
		await inspectHost(pci({'0000:00:02.0': '0x8086', '0000:01:00.0': '0x10DE'}), {graphics});
		expect(asked).toBe(1);
		await inspectHost(pci({}), {graphics}); // no /sys/bus/pci: cannot tell
		expect(asked).toBe(2);
		await inspectHost(pci({'0000:00:02.0': '0x8086'}, 'darwin'), {graphics}); // not Linux: /sys means nothing
		expect(asked).toBe(3);
	});
});

describe('Docker probe', () => {
	it.each([
		['docker-info-permission.txt', 'permission denied on the Docker socket', 'usermod -aG docker'],
		['docker-info-down.txt', 'not running or not reachable', 'systemctl start docker'],
	])('explains %s with a fix', async (file, detail, hint) => {
		const i = await inspectHost(fakeHost({commands: {'docker info': fail(1, fixture(file))}}));
		expect(i.docker.status).toBe('error');
		expect(i.docker.detail).toContain(detail);
		expect(i.docker.hint).toContain(hint);
	});

	it('reports a missing docker and compose', async () => {
		const i = await inspectHost(fakeHost());
		expect(i.docker).toMatchObject({status: 'missing', hint: expect.stringContaining('install Docker')});
		expect(i.compose.status).toBe('missing');
	});

	it('reads runtimes and Docker Desktop', async () => {
		const i = await inspectHost(fakeHost({commands: {'docker info': ok(fixture('docker-info-desktop.json'))}}));
		expect(i.docker.value).toEqual({
			serverVersion: '27.4.0',
			runtimes: ['io.containerd.runc.v2', 'runc'],
			nvidiaRuntime: false,
			desktop: true,
		});
	});
});

describe('Dropbox probe', () => {
	const home = '/home/alice';
	it.each([
		['dropbox-info-personal.json', '/home/alice/Dropbox'],
		['dropbox-info-business.json', '/home/alice/Dropbox (Acme)'],
		['dropbox-info-both.json', '/Users/alice/Library/CloudStorage/Dropbox'],
	])('reads %s', async (file, expected) => {
		const host = fakeHost({files: {[`${home}/.dropbox/info.json`]: fixture(file)}, dirs: [expected]});
		expect(await dropboxPath(host, home)).toBe(expected);
	});

	it('falls back to ~/Dropbox, then the macOS CloudStorage folder, and survives a truncated info.json', async () => {
		const files = {[`${home}/.dropbox/info.json`]: fixture('dropbox-info-truncated.json')};
		expect(await dropboxPath(fakeHost({files, dirs: [`${home}/Dropbox`]}), home)).toBe(`${home}/Dropbox`);
		expect(await dropboxPath(fakeHost({files, dirs: [`${home}/Library/CloudStorage/Dropbox`]}), home)).toBe(
			`${home}/Library/CloudStorage/Dropbox`,
		);
		expect(await dropboxPath(fakeHost({files}), home)).toBeUndefined();
	});
});

describe('agent and keys probes', () => {
	it('accepts a live agent socket and explains a dead or stale one', async () => {
		const live = await inspectHost(
			fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1'}, sockets: {'/tmp/ssh-x/agent.1': true}}),
		);
		expect(live.agent).toMatchObject({status: 'ok', value: '/tmp/ssh-x/agent.1'});
		const dead = await inspectHost(
			fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1'}, sockets: {'/tmp/ssh-x/agent.1': false}}),
		);
		expect(dead.agent).toMatchObject({status: 'error', detail: expect.stringContaining('dead agent')});
		const gone = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/ssh-gone/agent.9'}}));
		expect(gone.agent.detail).toContain('stale after a re-login');
		expect((await inspectHost(fakeHost())).agent.status).toBe('missing');
	});

	it('lists public keys, ed25519 first', async () => {
		const host = fakeHost({
			files: {
				'/home/alice/.ssh/id_rsa.pub': 'x',
				'/home/alice/.ssh/id_ed25519.pub': 'y',
				'/home/alice/.ssh/id_ed25519': 'z',
				'/home/alice/.ssh/config': '',
			},
		});
		expect(await publicKeys(host, '/home/alice')).toEqual([
			'/home/alice/.ssh/id_ed25519.pub',
			'/home/alice/.ssh/id_rsa.pub',
		]);
	});
});

describe('each probe’s answers, word for word', () => {
	const throwing = (what: string) => async () => {
		throw new Error(what);
	};

	it('nvidia-smi rows: an index and a name at least; memory only as "N MiB"; a uuid only when it is one', () => {
		const csv = [
			'0, A100, 40960 MiB, 535.1, GPU-abc',
			'x, junk',
			'a1, junk',
			'1a, junk',
			'single',
			'1, B',
			'2, C, 100MiB, , MIG-1',
			'3, D, 5 GiB',
			'12, E, 7 MiB extra',
			'4, F, x100 MiB',
			'',
		].join('\n');
		expect(parseNvidiaSmi(csv)).toEqual([
			{index: 0, name: 'A100', memoryMiB: 40960, driver: '535.1', uuid: 'GPU-abc'},
			{index: 1, name: 'B'},
			{index: 2, name: 'C', memoryMiB: 100},
			{index: 3, name: 'D'},
			{index: 12, name: 'E'},
			{index: 4, name: 'F'},
		]);
	});

	it('Docker: missing in three ways, each with the same words', async () => {
		const missing = {
			status: 'missing',
			detail: 'the docker command is not installed',
			hint: 'install Docker Engine (Linux) or Docker Desktop (macOS)',
		};
		const thrown = await inspectHost({...fakeHost(), run: throwing('spawn ENOENT')});
		expect(thrown.docker).toMatchObject(missing);
		expect(thrown.compose).toMatchObject({
			status: 'missing',
			detail: 'docker compose v2 is not installed',
			hint: 'install the compose plugin (docker-compose-plugin, or docker-compose 2.x)',
		});
		expect((await inspectHost(fakeHost({commands: {'docker info': fail(127, '')}}))).docker).toMatchObject(missing);
		expect(
			(await inspectHost(fakeHost({commands: {'docker info': fail(1, 'sh: docker: not found')}}))).docker,
		).toMatchObject(missing);
		// Output on stdout means docker is there, whatever stderr says.
		expect(
			(
				await inspectHost(
					fakeHost({commands: {'docker info': fail(1, 'plugin not found', '{"ServerErrors":["Cannot connect"]}')}}),
				)
			).docker,
		).toMatchObject({status: 'error', detail: 'the Docker daemon is not running or not reachable'});
	});

	it(
		'Docker: permission problems named from stderr or from the server errors; a daemon without a version is ' +
			'not running',
		async () => {
			const denied = {
				status: 'error',
				detail: 'permission denied on the Docker socket',
				hint: 'add yourself to the docker group: sudo usermod -aG docker $USER, then log out and in',
			};
			expect(
				(
					await inspectHost(
						fakeHost({
							commands: {
								'docker info': fail(1, '', '{"ServerErrors":["Got Permission Denied while trying to connect"]}'),
							},
						}),
					)
				).docker,
			).toMatchObject(denied);
			const down = {
				status: 'error',
				detail: 'the Docker daemon is not running or not reachable',
				hint: 'start it: sudo systemctl start docker (Linux) or open Docker Desktop (macOS)',
			};
			expect((await inspectHost(fakeHost({commands: {'docker info': ok('{"ID":"x"}')}}))).docker).toMatchObject(down);
			expect(
				(await inspectHost(fakeHost({commands: {'docker info': fail(1, 'oops', '{"ServerVersion":"27.0.1"}')}})))
					.docker,
			).toMatchObject(down);
			expect((await inspectHost(fakeHost({commands: {'docker info': ok('not json')}}))).docker).toMatchObject(down);
			expect(
				(
					await inspectHost(
						fakeHost({commands: {'docker info': {stdout: '', stderr: '', exitCode: 143, timedOut: true}}}),
					)
				).docker,
			).toMatchObject({
				status: 'timeout',
				detail: 'docker info did not answer',
				hint: 'is the Docker daemon hung? try: docker info',
			});
		},
	);

	it(
		'Docker: the last line is the JSON (warnings come first); runtimes sorted; NVIDIA through a runtime or a ' +
			'CDI folder; Desktop by its name',
		async () => {
			const info = (o: object) => ok(`WARNING: something\n${JSON.stringify({ServerVersion: '28.1.0', ...o})}\n`);
			const probe = async (o: object) =>
				(await inspectHost(fakeHost({commands: {'docker info': info(o)}}))).docker.value;
			expect(await probe({Runtimes: {runc: {}, nvidia: {}, crun: {}}})).toEqual({
				serverVersion: '28.1.0',
				runtimes: ['crun', 'nvidia', 'runc'],
				nvidiaRuntime: true,
				desktop: false,
			});
			expect(await probe({})).toEqual({serverVersion: '28.1.0', runtimes: [], nvidiaRuntime: false, desktop: false});
			expect((await probe({CDISpecDirs: ['/etc/cdi', '/var/run/cdi']}))?.nvidiaRuntime).toBe(false);
			expect((await probe({CDISpecDirs: ['/etc/cdi/NVIDIA']}))?.nvidiaRuntime).toBe(true);
			expect((await probe({OperatingSystem: 'Ubuntu 24.04'}))?.desktop).toBe(false);
			expect((await probe({OperatingSystem: 'docker desktop'}))?.desktop).toBe(true);
		},
	);

	it('an engine without a bridge network (dockerd --bridge=none) is said, and its stacks default to host', async () => {
		const info = ok(`${JSON.stringify({ServerVersion: '28.1.0'})}\n`);
		const look = (networks: string | undefined) =>
			inspectHost(
				fakeHost({
					commands: {'docker info': info, ...(networks === undefined ? {} : {'docker network ls': ok(networks)})},
				}),
			);
		const none = await look('');
		expect(none.docker.value?.bridge).toBe(false);
		expect(describeProbes(none)[0]!.text).toBe(
			'28.1.0, runtimes: ; no bridge network (containers use the host network)',
		);
		expect(factsFrom(none).bridgeNetwork).toBe(false);
		expect(defaults('stem', factsFrom(none)).STEM_NETWORK_MODE).toBe('host');
		expect(defaults('stem', factsFrom(none)).STEM_BUILD_NETWORK).toBe('host');
		const withBridge = await look('bridge\n');
		expect(withBridge.docker.value?.bridge).toBe(true);
		expect(factsFrom(withBridge).bridgeNetwork).toBeUndefined();
		expect(defaults('stem', factsFrom(withBridge)).STEM_NETWORK_MODE).toBe('bridge');
		// Not known (the look failed): nothing is said, and bridge stays the default.
		const unknown = await look(undefined);
		expect(unknown.docker.value?.bridge).toBeUndefined();
		expect(defaults('stem', factsFrom(unknown)).STEM_NETWORK_MODE).toBe('bridge');
	});

	it('compose: a version only from a successful `docker compose version`, without its v', async () => {
		const compose = async (r: ReturnType<typeof ok>) =>
			(await inspectHost(fakeHost({commands: {'docker compose version': r}}))).compose;
		expect(await compose(ok('v2.29.7\n'))).toMatchObject({status: 'ok', value: '2.29.7'});
		expect(await compose(ok('12.3\n'))).toMatchObject({status: 'ok', value: '12.3'});
		for (const bad of [ok('garbage'), ok('2'), ok('x2.29'), ok('vv2.29'), fail(1, '', '2.29.7')])
			expect((await compose(bad)).status).toBe('missing');
		expect(await compose({stdout: '', stderr: '', exitCode: 143, timedOut: true})).toMatchObject({
			status: 'timeout',
			detail: 'docker compose version did not answer',
			hint: 'a hung docker CLI plugin? try: docker compose version',
		});
	});

	it(
		'GPUs: nvidia-smi’s exact command; no rows means none; a failure’s first line; a hang; no ' + 'nvidia-smi at all',
		async () => {
			const host = fakeHost({
				commands: {'nvidia-smi --query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader': ok('')},
			});
			expect((await inspectHost(host)).gpus).toMatchObject({
				status: 'missing',
				value: {gpus: [], source: 'nvidia-smi'},
			});
			const broken = await inspectHost(
				fakeHost({commands: {'nvidia-smi': fail(9, 'second line', 'NVIDIA-SMI has failed\nmore')}}),
			);
			expect(broken.gpus).toMatchObject({
				status: 'error',
				detail: 'nvidia-smi failed: NVIDIA-SMI has failed',
				hint: 'the NVIDIA driver is installed but not working; reboot or reinstall the driver',
				value: {gpus: [], source: 'nvidia-smi'},
			});
			const stderrOnly = await inspectHost(fakeHost({commands: {'nvidia-smi': fail(9, 'driver gone\nx')}}));
			expect(stderrOnly.gpus.detail).toBe('nvidia-smi failed: driver gone');
			const hung = await inspectHost(
				fakeHost({commands: {'nvidia-smi': {stdout: '', stderr: '', exitCode: 143, timedOut: true}}}),
			);
			expect(hung.gpus).toMatchObject({
				status: 'timeout',
				detail: 'nvidia-smi did not answer within 2000 ms',
				hint: 'the NVIDIA driver may be hung; check nvidia-smi by hand',
			});
			expect((await inspectHost({...fakeHost(), run: throwing('spawn ENOENT')})).gpus).toMatchObject({
				status: 'missing',
				detail: 'no NVIDIA GPU found',
				value: {gpus: [], source: 'nvidia-smi'},
			});
		},
	);

	it('GPUs without nvidia-smi: NVIDIA controllers by vendor or model, named, with memory when known', async () => {
		const graphics = async () => [
			{vendor: 'NVIDIA Corporation'},
			{model: 'nvidia T4', vram: null},
			{vendor: 'AMD', model: 'Radeon', vram: 8192},
			{vendor: 'Nvidia', model: 'A2', vram: 16384},
		];
		const i = await inspectHost(fakeHost(), {graphics});
		expect(i.gpus).toMatchObject({
			status: 'ok',
			detail: 'found without nvidia-smi',
			hint: 'install the NVIDIA driver (nvidia-smi) to use these GPUs',
			value: {
				source: 'systeminformation',
				gpus: [
					{index: 0, name: 'NVIDIA GPU'},
					{index: 1, name: 'nvidia T4'},
					{index: 2, name: 'A2', memoryMiB: 16384},
				],
			},
		});
		expect(i.gpus.value!.gpus[0]).toEqual({index: 0, name: 'NVIDIA GPU'});
		const none = await inspectHost(fakeHost(), {graphics: async () => [{vendor: 'Intel', model: 'UHD 770'}]});
		expect(none.gpus).toMatchObject({status: 'missing', detail: 'no NVIDIA GPU found'});
	});

	it('agent: a path that is not a socket, one that is gone, one nobody answers on', async () => {
		const file = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/a/f'}, files: {'/tmp/a/f': ''}}));
		expect(file.agent).toMatchObject({
			status: 'error',
			detail: 'SSH_AUTH_SOCK=/tmp/a/f is not a socket (stale after a re-login?)',
			hint: 'open a new shell or restart your agent',
		});
		const gone = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/a/s'}}));
		expect(gone.agent.detail).toBe('SSH_AUTH_SOCK=/tmp/a/s is gone (stale after a re-login?)');
		const dead = await inspectHost(fakeHost({env: {SSH_AUTH_SOCK: '/tmp/a/s'}, sockets: {'/tmp/a/s': false}}));
		expect(dead.agent).toMatchObject({
			status: 'error',
			detail: 'nothing answers on /tmp/a/s (a dead agent)',
			hint: 'restart your agent: eval "$(ssh-agent)"; ssh-add',
		});
		expect((await inspectHost(fakeHost())).agent).toMatchObject({
			status: 'missing',
			detail: 'SSH_AUTH_SOCK is not set',
			hint: 'start an agent (eval "$(ssh-agent)"; ssh-add) to forward it',
		});
	});

	it('a probe that throws is an error with its message, not a crash', async () => {
		const i = await inspectHost({
			...fakeHost({files: {'/home/alice/.ssh/id_ed25519.pub': 'k'}}),
			kind: throwing('EACCES: permission denied'),
		});
		expect(i.publicKeys).toMatchObject({status: 'error', detail: 'EACCES: permission denied'});
		expect(i.dropbox).toMatchObject({status: 'error', detail: 'EACCES: permission denied'});
		expect(typeof i.publicKeys.ms).toBe('number');
	});

	it('facts for the defaults: only what was found; a GPU count only when the GPU answer can be trusted', async () => {
		const bare = factsFrom(await inspectHost(fakeHost()));
		expect(bare).toEqual({
			user: 'alice',
			uid: 1000,
			gid: 1000,
			home: '/home/alice',
			hostname: 'vortex',
			gpuCount: 0,
			nvidiaRuntime: false,
		});
		const broken = factsFrom(await inspectHost(fakeHost({commands: {'nvidia-smi': fail(9, 'x')}})));
		expect(broken).not.toHaveProperty('gpuCount');
		const full = factsFrom(
			await inspectHost(
				fakeHost({
					commands: {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))},
					env: {SSH_AUTH_SOCK: '/tmp/s'},
					sockets: {'/tmp/s': true},
					files: {'/home/alice/.ssh/id_ed25519.pub': 'k'},
					dirs: ['/home/alice/Dropbox'],
				}),
			),
		);
		expect(full).toEqual({
			user: 'alice',
			uid: 1000,
			gid: 1000,
			home: '/home/alice',
			hostname: 'vortex',
			publicKeys: ['/home/alice/.ssh/id_ed25519.pub'],
			dropboxPath: '/home/alice/Dropbox',
			agentSocket: '/tmp/s',
			gpuCount: 1,
			nvidiaRuntime: true,
			composeVersion: '2.29.7',
		});
	});
});

describe('the probe registry: each probe declared once, everything else derived', () => {
	it('inspection, its lines and the welcome labels follow PROBES, in its order', async () => {
		const i = await inspectHost(fakeHost({commands: dockerOk}));
		const names = Object.keys(PROBES);
		expect(Object.keys(i)).toEqual(['identity', 'platform', ...names]);
		expect(describeProbes(i).map(l => l.label)).toEqual(PROBE_LABELS);
		expect(PROBE_LABELS).toEqual(names.map(n => PROBES[n as keyof typeof PROBES].label));
		expect(PROBE_LABELS).toEqual(['Docker', 'compose', 'GPUs', 'Dropbox', 'agent', 'SSH keys']);
	});

	it('each probe runs under its own deadline (docker and compose 4.5 s, GPUs 11.5 s, the file probes 4 s)', async () => {
		const deadlines = Object.fromEntries(Object.entries(PROBES).map(([n, s]) => [n, s.deadlineMs]));
		expect(deadlines).toEqual({
			docker: 4500,
			compose: 4500,
			// nvidia-smi 2 s, then with GPUs an image to run (3 s) and a container listing them (6 s).
			gpus: 11500,
			dropbox: 4000,
			agent: 4000,
			publicKeys: 4000,
		});
	});

	it('an inspection that could not run: every probe an error naming the reason, and no facts guessed', () => {
		const id = {user: 'alice', uid: 1000, gid: 1000, home: '/home/alice', hostname: 'vortex'};
		const i = failedInspection(id, 'linux', new Error('spawn EAGAIN'));
		expect(describeProbes(i).map(l => `${l.label}: ${l.status} ${l.text}`)).toEqual(
			PROBE_LABELS.map(l => `${l}: error host check failed: spawn EAGAIN`),
		);
		expect(factsFrom(i)).toEqual({...id, nvidiaRuntime: false});
	});
});

describe('GPUs as a real container sees them (scripted engine and nvidia-smi: no GPU on this machine)', () => {
	const smi = {...dockerOk, 'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv'))};
	const RUN = 'docker run --rm --gpus all --network none --entrypoint nvidia-smi 3f2a1b -L';

	it('a container that lists the GPUs: ok, with its count; it runs an image already here (no pull)', async () => {
		const host = fakeHost({
			commands: {
				...smi,
				'docker images --quiet': ok('3f2a1b\n9c8d7e\n'),
				[RUN]: ok('GPU 0: NVIDIA A100 (UUID: GPU-1)\n'),
			},
		});
		const i = await inspectHost(host);
		expect(i.gpus).toMatchObject({status: 'ok', value: {container: {ok: true, count: 1}}});
		expect(host.calls).toContain(RUN);
		expect(factsFrom(i)).toMatchObject({gpuCount: 1});
		expect(factsFrom(i).gpuProblem).toBeUndefined();
	});

	it('a runtime that cannot give a container the GPUs: an error with the fix, no GPU for the defaults', async () => {
		const refused = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]]';
		const host = fakeHost({
			commands: {
				...smi,
				'docker images --quiet': ok('3f2a1b\n'),
				[RUN]: fail(125, '', `${refused}\nRun 'docker run --help' for more information\n`),
			},
		});
		const i = await inspectHost(host);
		const why = 'Error response from daemon: could not select device driver "" with capabilities: [[gpu]]';
		expect(i.gpus).toMatchObject({
			status: 'error',
			detail: `1 GPU(s) on the host, but a container cannot use them: ${why}`,
			hint: 'install nvidia-container-toolkit, then: sudo nvidia-ctk runtime configure --runtime=docker && restart Docker',
		});
		expect(gpuSummary(i)).toBe(`1 GPU(s) on the host, but a container cannot use them: ${why}`);
		const facts = factsFrom(i);
		expect(facts.gpuCount).toBeUndefined();
		expect(facts.gpuProblem).toBe(why);
		expect(defaults('neuron', facts).NEURON_GPUS).toBe('none');
		expect(factWarnings('neuron', {NEURON_GPUS: 'all'}, facts)).toEqual([
			`NEURON_GPUS=all, but a container here cannot use the GPUs (${why}): install nvidia-container-toolkit and ` +
				'restart Docker, or set NEURON_GPUS=none',
		]);
		// A run past its deadline says so.
		const slow = fakeHost({commands: {...smi, 'docker images --quiet': ok('3f2a1b\n'), [RUN]: 'hang'}});
		expect((await inspectHost(slow)).gpus.detail).toBe(
			'1 GPU(s) on the host, but a container cannot use them: no answer within 6000 ms',
		);
	});

	it('no image on the engine yet: not tried, the host’s GPUs stand; none on the host: no container at all', async () => {
		const none = fakeHost({commands: {...smi, 'docker images --quiet': ok('')}});
		const i = await inspectHost(none);
		expect(i.gpus.status).toBe('ok');
		expect(i.gpus.value?.container).toBeUndefined();
		expect(none.calls.some(c => c.startsWith('docker run'))).toBe(false);
		const noGpu = fakeHost({commands: {...dockerOk, 'nvidia-smi': ok(''), 'docker images --quiet': ok('3f2a1b\n')}});
		await inspectHost(noGpu);
		expect(noGpu.calls.some(c => c.startsWith('docker images') || c.startsWith('docker run'))).toBe(false);
	});
});

describe('nvidia-smi -L in a container, line by line (scripted engine: no GPU on this machine)', () => {
	const RUN = 'docker run --rm --gpus all --network none --entrypoint nvidia-smi 3f2a1b -L';
	const host = (answer: RunResult) => fakeHost({commands: {'docker images --quiet': ok('3f2a1b\n'), [RUN]: answer}});

	it('counts every GPU line, ten and more; a line that only mentions a GPU (one off the bus) is no GPU', async () => {
		const sixteen = Array.from({length: 16}, (_, i) => `GPU ${i}: NVIDIA H100 80GB HBM3 (UUID: GPU-${i}a)`);
		expect(await gpusInContainer(host(ok(`${sixteen.join('\n')}\n`)))).toEqual({ok: true, count: 16});
		const lost = 'Unable to determine the device handle for GPU 0000:3B:00.0: Unknown Error';
		expect(await gpusInContainer(host(ok(`GPU 0: NVIDIA A100 (UUID: GPU-1)\n${lost}\n`)))).toEqual({
			ok: true,
			count: 1,
		});
	});

	it('a run that fails without a word says how it exited', async () => {
		expect(await gpusInContainer(host(fail(125, '')))).toEqual({ok: false, detail: 'docker run --gpus all exited 125'});
	});
});

describe('inspection edges: the clock, the PCI bus, odd tool output, the GPU line', () => {
	it(
		'each probe’s time is measured from its own start, whatever the clock read before (fake timers: time is ' +
			'the subject)',
		async () => {
			vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'performance']});
			try {
				await vi.advanceTimersByTimeAsync(10_000);
				const never = new Promise<never>(() => {});
				const p = inspectHost({...fakeHost(), run: () => never});
				await vi.advanceTimersByTimeAsync(11_500);
				const i = await p;
				expect(i.docker).toEqual({status: 'timeout', detail: 'no answer within 4500 ms', ms: 4500});
				expect(i.publicKeys).toMatchObject({status: 'missing', ms: 0});
			} finally {
				vi.useRealTimers();
			}
		},
	);

	it('an inspection whose probes all answered leaves no deadline timer behind (fake timers count them)', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'performance']});
		try {
			await inspectHost(fakeHost({commands: dockerOk}));
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});

	it('an nvidia-smi row of a lone number is no GPU', () => {
		expect(parseNvidiaSmi('7\n0, A100\n')).toEqual([{index: 0, name: 'A100'}]);
	});

	it('compose: only a leading v is dropped from the version', async () => {
		const i = await inspectHost(fakeHost({commands: {'docker compose version': ok('2.32.4-dev\n')}}));
		expect(i.compose).toMatchObject({status: 'ok', value: '2.32.4-dev'});
	});

	it('/sys: devices whose vendor cannot be read tell nothing; a readable non-NVIDIA one settles it', async () => {
		let asked = 0;
		const graphics = async () => {
			asked++;
			return [{vendor: 'NVIDIA Corporation', model: 'AD102 [GeForce RTX 4090]'}];
		};
		// Devices listed, but no vendor file readable: /sys cannot tell, so systeminformation is asked.
		const unreadable = fakeHost({
			commands: dockerOk,
			files: {'/sys/bus/pci/devices/0000:01:00.0/class': '0x030000\n'},
		});
		expect((await inspectHost(unreadable, {graphics})).gpus.status).toBe('ok');
		expect(asked).toBe(1);
		// One unreadable vendor beside an Intel one: no NVIDIA device, systeminformation is not asked.
		const mixed = fakeHost({
			commands: dockerOk,
			files: {
				'/sys/bus/pci/devices/0000:01:00.0/class': '0x030000\n',
				'/sys/bus/pci/devices/0000:00:02.0/vendor': '0x8086\n',
			},
		});
		expect((await inspectHost(mixed, {graphics})).gpus).toMatchObject({
			status: 'missing',
			detail: 'no NVIDIA GPU found',
		});
		expect(asked).toBe(1);
	});

	it('a failing nvidia-smi is named by its first line of words, past blank lines', async () => {
		const i = await inspectHost(fakeHost({commands: {'nvidia-smi': fail(9, '', '\n\nNVIDIA-SMI has failed\nmore')}}));
		expect(i.gpus.detail).toBe('nvidia-smi failed: NVIDIA-SMI has failed');
	});

	it('systemGraphics is systeminformation’s list of graphics controllers on this machine', async () => {
		const si = await import('systeminformation');
		const controllers = await systemGraphics();
		expect(Array.isArray(controllers)).toBe(true);
		// Vendor and model only: on a GPU host a second look reads other temperatures and loads.
		const named = (list: typeof controllers) => list.map(c => `${c.vendor} ${c.model}`);
		expect(named(controllers)).toEqual(named((await si.default.graphics()).controllers));
	});

	it('the GPU line: the runtime without a GPU, each model named once, no runtime warning without Docker', async () => {
		expect(gpuSummary(await inspectHost(fakeHost({commands: dockerOk})))).toBe(
			'NVIDIA runtime present, but no GPU found',
		);
		expect(gpuSummary(await inspectHost(fakeHost()))).toBe('no GPU');
		const smi = ok(
			'0, A100, 40960 MiB, 535.1, GPU-a\n1, T4, 15360 MiB, 535.1, GPU-b\n2, A100, 40960 MiB, 535.1, GPU-c\n',
		);
		expect(gpuSummary(await inspectHost(fakeHost({commands: {...dockerOk, 'nvidia-smi': smi}})))).toBe(
			'3 GPU(s): A100, T4',
		);
		// Docker is not there to ask, so a missing runtime is not what to fix first.
		expect(gpuSummary(await inspectHost(fakeHost({commands: {'nvidia-smi': smi}})))).toBe('3 GPU(s): A100, T4');
	});
});
