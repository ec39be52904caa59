// What `inspect` and the welcome screen say about a host (source/host/inspect.ts describeProbes), line by
// line, for a bare host, a GPU host and hosts where things went wrong (simulated: no such hosts here).
import {describe, expect, it} from 'vitest';
import {describeProbes, inspectHost} from '../../source/host/inspect.js';
import {fail, fakeHost, fixture, ok} from '../helpers/fake-host.js';

const noGraphics = async () => [];
const lines = async (spec: Parameters<typeof fakeHost>[0]) =>
	describeProbes(await inspectHost(fakeHost(spec), {graphics: noGraphics}));

describe('describeProbes, simulated hosts', () => {
	it('a bare host: nothing installed, nothing found', async () => {
		expect(await lines({})).toMatchInlineSnapshot(`
			[
			  {
			    "hint": "install Docker Engine (Linux) or Docker Desktop (macOS)",
			    "label": "Docker",
			    "status": "missing",
			    "text": "the docker command is not installed",
			  },
			  {
			    "hint": "install the compose plugin (docker-compose-plugin, or docker-compose 2.x)",
			    "label": "compose",
			    "status": "missing",
			    "text": "docker compose v2 is not installed",
			  },
			  {
			    "label": "GPUs",
			    "status": "missing",
			    "text": "no GPU",
			  },
			  {
			    "label": "Dropbox",
			    "status": "missing",
			    "text": "no Dropbox folder in /home/alice/.dropbox/info.json, ~/Dropbox or ~/Library/CloudStorage/Dropbox",
			  },
			  {
			    "hint": "start an agent (eval "$(ssh-agent)"; ssh-add) to forward it",
			    "label": "agent",
			    "status": "missing",
			    "text": "SSH_AUTH_SOCK is not set",
			  },
			  {
			    "hint": "make one: ssh-keygen -t ed25519",
			    "label": "SSH keys",
			    "status": "missing",
			    "text": "no ~/.ssh/*.pub",
			  },
			]
		`);
	});

	it('a GPU host with everything', async () => {
		expect(
			await lines({
				commands: {
					'docker info': ok(fixture('docker-info-nvidia.json')),
					'docker compose version': ok('v2.29.7\n'),
					'nvidia-smi': ok(fixture('nvidia-smi-1gpu.csv')),
				},
				files: {
					'/home/alice/.ssh/id_ed25519.pub': 'ssh-ed25519 AAAA a\n',
					'/home/alice/.ssh/id_rsa.pub': 'ssh-rsa AAAA a\n',
				},
				dirs: ['/home/alice/Dropbox'],
				sockets: {'/tmp/agent.sock': true},
				env: {SSH_AUTH_SOCK: '/tmp/agent.sock'},
			}),
		).toMatchInlineSnapshot(`
			[
			  {
			    "label": "Docker",
			    "status": "ok",
			    "text": "27.3.1, runtimes: io.containerd.runc.v2, nvidia, runc",
			  },
			  {
			    "label": "compose",
			    "status": "ok",
			    "text": "v2.29.7",
			  },
			  {
			    "label": "GPUs",
			    "status": "ok",
			    "text": "1 GPU(s): NVIDIA GeForce RTX 4090",
			  },
			  {
			    "label": "Dropbox",
			    "status": "ok",
			    "text": "/home/alice/Dropbox",
			  },
			  {
			    "label": "agent",
			    "status": "ok",
			    "text": "/tmp/agent.sock",
			  },
			  {
			    "label": "SSH keys",
			    "status": "ok",
			    "text": "/home/alice/.ssh/id_ed25519.pub, /home/alice/.ssh/id_rsa.pub",
			  },
			]
		`);
	});

	it('things gone wrong: docker unreachable, an old compose, nvidia-smi failing, a stale agent', async () => {
		expect(
			await lines({
				commands: {
					'docker info': fail(
						1,
						'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
					),
					'docker compose version': fail(1, "docker: 'compose' is not a docker command."),
					'nvidia-smi': fail(9, '', fixture('nvidia-smi-broken.txt')),
				},
				env: {SSH_AUTH_SOCK: '/tmp/gone.sock'},
			}),
		).toMatchInlineSnapshot(`
			[
			  {
			    "hint": "start it: sudo systemctl start docker (Linux) or open Docker Desktop (macOS)",
			    "label": "Docker",
			    "status": "error",
			    "text": "the Docker daemon is not running or not reachable",
			  },
			  {
			    "hint": "install the compose plugin (docker-compose-plugin, or docker-compose 2.x)",
			    "label": "compose",
			    "status": "missing",
			    "text": "docker compose v2 is not installed",
			  },
			  {
			    "hint": "the NVIDIA driver is installed but not working; reboot or reinstall the driver",
			    "label": "GPUs",
			    "status": "error",
			    "text": "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
			  },
			  {
			    "label": "Dropbox",
			    "status": "missing",
			    "text": "no Dropbox folder in /home/alice/.dropbox/info.json, ~/Dropbox or ~/Library/CloudStorage/Dropbox",
			  },
			  {
			    "hint": "open a new shell or restart your agent",
			    "label": "agent",
			    "status": "error",
			    "text": "SSH_AUTH_SOCK=/tmp/gone.sock is gone (stale after a re-login?)",
			  },
			  {
			    "hint": "make one: ssh-keygen -t ed25519",
			    "label": "SSH keys",
			    "status": "missing",
			    "text": "no ~/.ssh/*.pub",
			  },
			]
		`);
	});

	it('hung tools time out, each named; the probes that run no tool say what they say on a bare host', async () => {
		const hung = await lines({
			commands: {'docker info': 'hang', 'docker compose version': 'hang', 'nvidia-smi': 'hang'},
		});
		expect(hung.slice(3)).toEqual((await lines({})).slice(3));
		expect(hung.slice(0, 3)).toMatchInlineSnapshot(`
			[
			  {
			    "hint": "is the Docker daemon hung? try: docker info",
			    "label": "Docker",
			    "status": "timeout",
			    "text": "timed out (docker info did not answer)",
			  },
			  {
			    "hint": "a hung docker CLI plugin? try: docker compose version",
			    "label": "compose",
			    "status": "timeout",
			    "text": "timed out (docker compose version did not answer)",
			  },
			  {
			    "hint": "the NVIDIA driver may be hung; check nvidia-smi by hand",
			    "label": "GPUs",
			    "status": "timeout",
			    "text": "timed out (nvidia-smi did not answer within 2000 ms)",
			  },
			]
		`);
	});
});

describe('inspect’s lines, from what a hostile remote could answer', () => {
	it('carry no control characters: a remote cannot retitle, redraw or recolour this terminal', async () => {
		const {inspectionLines} = await import('../../source/commands/inspect.js');
		const host = {
			...fakeHost({
				env: {SSH_AUTH_SOCK: '/tmp/a\x1b[5mBLINK\x1b[0m'},
				commands: {'nvidia-smi': fail(9, '', 'NVIDIA-SMI \x1b]52;c;cGF3bmVk\x07failed\r\n')},
			}),
			hostname: () => 'box\x1b[31mRED\x1b[0m',
		};
		const i = await inspectHost(host, {graphics: noGraphics});
		i.identity.home = '/home/ana\x1b]0;PWNED\x07\x1b[2K\r\x1b[32m✔ all fine';
		const out = inspectionLines(i);
		expect(out.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
		expect(out[0]).toBe('✔ you       alice (1000:1000) on boxRED, home /home/ana✔ all fine');
		expect(out.join('\n')).toContain('SSH_AUTH_SOCK=/tmp/aBLINK is gone');
		expect(out.join('\n')).toContain('nvidia-smi failed: NVIDIA-SMI failed');
	});
});
