// The README.md each stack folder gets: what runs, its mounts and where they come from, how to reach it, how
// to look after it and where the settings live, for this host.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults, type Values} from '../../source/core/model.js';
import {renderStackReadme} from '../../source/core/stack-readme.js';
import {pinnedFingerprint} from '../../source/sshconfig.js';

const facts = {host: 'vortex', dir: '/srv/docker/services/vortex/stem'};
const stem = (over: Values = {}): Values => ({...defaults('stem'), STEM_USER: 'ana', STEM_UID: '1001', ...over});

describe("the stack folder's README", () => {
	it('says what runs, for whom, on which network, and where the settings live', () => {
		const text = renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box', STEM_SUDO: '0'}), {
			...facts,
			store: '/home/ana/.config/hatch-wizard/presets.json',
		});
		expect(text.split('\n')[0]).toBe('# box on vortex');
		expect(text).toContain(
			'- **stem**: container `box` (hostname `stem`), image `hatch/stem:latest` built from `ubuntu:24.04`.',
		);
		expect(text).toContain('- User `ana` (1001:1000), created at each start; sudo: no.');
		expect(text).toContain("- Network: bridge; port 0.0.0.0:22222 on this host is the container's sshd.");
		expect(text).toContain('- Volumes are made by compose on the first start.');
		expect(text).toContain('`/srv/docker/services/vortex/stem/.env`: every setting');
		expect(text).toContain("- This host's presets and list of stacks: `/home/ana/.config/hatch-wizard/presets.json`.");
		expect(text).not.toContain('GPUs');
		expect(text).not.toContain('SSH session:');
		expect(text).not.toContain('mosh');
		// No time stamp: the same settings give the same file, so a rewrite leaves it unchanged.
		expect(renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box', STEM_SUDO: '0'}), facts)).toBe(
			renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box', STEM_SUDO: '0'}), facts),
		);
	});

	it('lists every mount with where it comes from: the volumes by name, each set host path with its setting', () => {
		const text = renderStackReadme(
			'neuron',
			{
				...defaults('neuron'),
				STEM_USER: 'ana',
				DROPBOX_PATH_ON_HOST: '/home/ana/Dropbox',
				STEM_AUTH_KEYS_PATH: '/home/ana/.ssh/id_ed25519.pub',
				NEURON_MODELS_PATH: '/tank/models',
				STEM_EXTRA_MOUNTS: '/mnt/nfs/src:/data/src,/mnt/vfs|x:/data/x:ro',
				NEURON_EXTRA_MOUNTS: '/srv/y:/data/y',
				STEM_SSH_AUTH_SOCK_HOST: '/run/user/1001/agent.sock',
				NEURON_GPUS: '0,1',
				STEM_VOLUMES_EXTERNAL: '1',
			},
			facts,
		);
		const table = text.slice(text.indexOf('## Mounts'), text.indexOf('## Reaching it')).trim().split('\n');
		expect(table).toEqual([
			'## Mounts',
			'',
			'| In the container | From | Set by |',
			'| --- | --- | --- |',
			'| `/home/ana` | volume `neuron-home` | the home: survives rebuilds |',
			'| `/etc/ssh/hatch-hostkeys` | volume `neuron-sshkeys` | SSH host keys: no "host key changed" |',
			'| `/var/lib/hatch/ssh` | volume `neuron-sshstate` | authorized keys as first injected |',
			'| `/etc/hatch/authorized_keys.host` (read-only) | `/home/ana/.ssh/id_ed25519.pub` | `STEM_AUTH_KEYS_PATH` |',
			'| `~/Dropbox` (`/mnt/hatch/dropbox`) | `/home/ana/Dropbox` | `DROPBOX_PATH_ON_HOST` |',
			'| `/workspace/models` | `/tank/models` | `NEURON_MODELS_PATH` |',
			'| `/data/src` | `/mnt/nfs/src` | `STEM_EXTRA_MOUNTS` |',
			// A bar is escaped, inside code too: GitHub's tables split cells on it before anything else.
			'| `/data/x` (read-only) | `/mnt/vfs\\|x` | `STEM_EXTRA_MOUNTS` |',
			'| `/data/y` | `/srv/y` | `NEURON_EXTRA_MOUNTS` |',
			'| `/ssh-agent`: SSH_AUTH_SOCK for ana when the session forwards no agent | `/run/user/1001/agent.sock` | ' +
				'`STEM_SSH_AUTH_SOCK_HOST` |',
		]);
		expect(text).toContain('- GPUs: `0,1`.');
		expect(text).toContain('- Volumes are external: created once, never removed by compose.');
	});

	it('says how to reach it: the alias, the plain command, the pinned host key when known, mosh when it can', () => {
		const bridge = renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box'}), facts);
		expect(bridge).toContain('`ssh box`');
		expect(bridge).toContain('- Without it: `ssh -p 22222 ana@<docker-host>`.');
		expect(bridge).toContain(
			'- Host key: made on the first start and kept in its volume; `hatch-wizard status box` shows it.',
		);
		expect(bridge).not.toContain('mosh');
		const pinned = renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box'}), {...facts, fingerprint: 'SHA256:xyz'});
		expect(pinned).toContain('- Host key: `SHA256:xyz` (pinned in ~/.ssh/known_hosts as `hatch-box`).');
		const ranged = renderStackReadme('stem', stem({STEM_MOSH_PORTS: '60000-60010'}), facts);
		expect(ranged).toContain("- mosh: `mosh -p 60000:60010 --ssh='ssh -p 22222' ana@<docker-host>`.");
		const host = renderStackReadme(
			'stem',
			stem({STEM_NETWORK_MODE: 'host', STEM_SSH_LISTEN: '127.0.0.1', STEM_SSH_PORT: '2201'}),
			facts,
		);
		expect(host).toContain("- Network: the host's own; sshd listens on 127.0.0.1:2201.");
		expect(host).toContain("- mosh: `mosh --ssh='ssh -p 2201' ana@127.0.0.1` (UDP 60000–61000 on this host).");
		const env = renderStackReadme('stem', stem({STEM_ENV: 'EDITOR=vim,TZ=UTC'}), facts);
		expect(env).toContain('- Set in every SSH session: `EDITOR=vim`, `TZ=UTC`.');
	});

	it('names the commands that look after this stack, by its name', () => {
		const text = renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box'}), facts);
		for (const c of [
			'status box',
			'doctor box',
			'logs box -f',
			'bindu-update box',
			'rebuild box',
			'down box',
			'up box',
		])
			expect(text).toContain(`\`hatch-wizard ${c}\``);
	});
});

describe("the stack folder's README, whole", () => {
	it('a plain stem stack: each section under its heading, one blank line apart, nothing it does not use', () => {
		const text = renderStackReadme('stem', stem({STEM_CONTAINER_NAME: 'box'}), {host: 'vortex', dir: '/srv/box/stem'});
		expect(text.split('\n')).toEqual([
			'# box on vortex',
			'',
			'Generated by hatch-wizard each time it writes this stack; edits here are kept as README.md.bak-<time>.',
			'',
			'## What runs',
			'',
			'- **stem**: container `box` (hostname `stem`), image `hatch/stem:latest` built from `ubuntu:24.04`.',
			'- User `ana` (1001:1000), created at each start; sudo: yes.',
			"- Network: bridge; port 0.0.0.0:22222 on this host is the container's sshd.",
			'- Volumes are made by compose on the first start.',
			'',
			'## Mounts',
			'',
			'| In the container | From | Set by |',
			'| --- | --- | --- |',
			'| `/home/ana` | volume `box-home` | the home: survives rebuilds |',
			'| `/etc/ssh/hatch-hostkeys` | volume `box-sshkeys` | SSH host keys: no "host key changed" |',
			'| `/var/lib/hatch/ssh` | volume `box-sshstate` | authorized keys as first injected |',
			'',
			'## Reaching it',
			'',
			'- With the Host block hatch adds to ~/.ssh/config (offered after the first start, or `--ssh-config`): ' +
				'`ssh box`; VS Code Remote-SSH and JetBrains Gateway take the same name.',
			'- Without it: `ssh -p 22222 ana@<docker-host>`.',
			'- Host key: made on the first start and kept in its volume; `hatch-wizard status box` shows it.',
			'',
			'## Looking after it',
			'',
			'- State and a real SSH check: `hatch-wizard status box`; what is wrong and how to fix it: ' +
				'`hatch-wizard doctor box`.',
			'- Boot log: `hatch-wizard logs box -f`.',
			'- Dotfiles again: `hatch-wizard bindu-update box`.',
			'- Rebuild (after a new hatch or base image): `hatch-wizard rebuild box`; stop: `hatch-wizard down box`; ' +
				'start: `hatch-wizard up box`.',
			'',
			'## Where the settings live',
			'',
			'- `/srv/box/stem/.env`: every setting, one per line with its help. Edit it and run `docker compose up -d` ' +
				'here, or run hatch-wizard again (it shows a diff and keeps a backup).',
			'- `docker-compose.yml`: written from .env by hatch-wizard; `image/`: the build context.',
			'',
		]);
	});

	it('GPUs set to none say none; a backtick in a value cannot end its code span', () => {
		const neuron = renderStackReadme('neuron', {...defaults('neuron'), STEM_USER: 'ana', NEURON_GPUS: 'none'}, facts);
		expect(neuron).toContain('\n- GPUs: none.\n');
		const ticked = renderStackReadme('stem', stem({STEM_ENV: 'GREETING=say `hi`,TZ=UTC'}), facts);
		expect(ticked).toContain("- Set in every SSH session: `GREETING=say 'hi'`, `TZ=UTC`.");
	});
});

describe('the pinned host key, as a fingerprint', () => {
	it('is what ssh-keygen prints for the key pinned under the stack’s alias; none when nothing is pinned', () => {
		const home = mkdtempSync(join(tmpdir(), 'hatch-fp-'));
		mkdirSync(join(home, '.ssh'));
		expect(pinnedFingerprint('box', home)).toBeUndefined();
		execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, 'k')]);
		const [type, blob] = readFileSync(join(home, 'k.pub'), 'utf8').split(' ');
		writeFileSync(join(home, '.ssh', 'known_hosts'), `hatch-other ${type} AAAA\nhatch-box ${type} ${blob}\n`);
		const printed = execFileSync('ssh-keygen', ['-l', '-f', join(home, 'k.pub')], {encoding: 'utf8'}).split(' ')[1];
		expect(pinnedFingerprint('box', home)).toBe(printed);
		expect(pinnedFingerprint('bo', home)).toBeUndefined();
	});
});
