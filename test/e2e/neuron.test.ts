// neuron, end to end without a GPU: built on the stem stage, booted with NEURON_GPUS=none, workspace
// mounts in place. (Whether a GPU reaches the container can only be checked on a GPU host.)
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	destroy,
	fileOwner,
	hostDir,
	logs,
	remoteServerGaps,
	type Stack,
	sh,
	ssh,
	waitReady,
	writeStack,
} from './helpers.js';

describe.sequential('neuron', () => {
	let s: Stack;
	let projects: string;
	let datasets: string;

	beforeAll(async () => {
		s = writeStack('hatch-e2e-neuron', 'neuron', {
			NEURON_GPUS: 'none',
			STEM_USER: 'ml',
			STEM_UID: '1003',
			STEM_GID: '1003',
		});
		projects = hostDir(s.root, 'projects');
		datasets = hostDir(s.root, 'datasets', 0o755);
		writeFileSync(join(datasets, 'train.csv'), 'x,y\n1,2\n');
		s = writeStack(
			s.name,
			'neuron',
			{NEURON_PROJECTS_PATH: projects, NEURON_EXTRA_MOUNTS: `${datasets}:/data/ro:ro`},
			s,
		);
		s.compose('build', '--progress', 'plain');
		s.compose('up', '-d');
		await waitReady(s);
	});

	afterAll(() => destroy(s));

	it('builds on stem and boots without a GPU when none is requested', () => {
		const r = ssh(s, 'id -un; python3 -c "import sys; print(sys.version_info[0])"; command -v git-lfs gcc', {
			user: 'ml',
		});
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout.trim().split('\n')).toEqual(['ml', '3', '/usr/bin/git-lfs', '/usr/bin/gcc']);
		expect(logs(s.name)).toContain('no GPU visible');
		expect(sh('docker', ['inspect', '-f', '{{json .HostConfig.DeviceRequests}}', s.name]).stdout.trim()).toBe('null');
	});

	it('mounts the workspace: projects writable as the user, extra mounts read-only', () => {
		const r = ssh(
			s,
			'touch /workspace/projects/new.py && cat /data/ro/train.csv && (touch /data/ro/x 2>/dev/null && echo ' +
				'writable || echo read-only); stat -c %U /workspace',
			{user: 'ml'},
		);
		expect(r.stdout.trim().split('\n')).toEqual(['x,y', '1,2', 'read-only', 'ml']);
		expect(fileOwner(join(projects, 'new.py'))).toBe('1003:1003');
	});

	it("has what VS Code Remote-SSH's server needs, and the image's GPU variables in every kind of session", () => {
		expect(remoteServerGaps(s, 'ml')).toEqual([]);
		// ENV in the neuron stage of the Dockerfile; a CUDA base adds its own the same way.
		const r = ssh(s, 'printenv NVIDIA_DRIVER_CAPABILITIES; bash -lc "printenv NVIDIA_DRIVER_CAPABILITIES"', {
			user: 'ml',
		});
		expect(r.stdout, r.stderr).toBe('compute,utility\ncompute,utility\n');
	});

	it('asks the engine for GPUs in the form this compose honours', () => {
		const gpu = writeStack(s.name, 'neuron', {NEURON_GPUS: 'all'}, s);
		const cfg = JSON.parse(gpu.compose('config', '--format', 'json').stdout);
		const svc = cfg.services.neuron;
		const requests = svc.gpus ?? svc.deploy?.resources?.reservations?.devices;
		expect(requests).toHaveLength(1);
		// compose before 2.30 honours only the deploy form, which names the capability; the gpus list has none.
		if (svc.deploy) expect(requests[0]).toMatchObject({driver: 'nvidia', capabilities: ['gpu']});
		else expect(requests[0]).toMatchObject({driver: 'nvidia'});
		expect(String(requests[0].count)).toMatch(/^(all|-1)$/);
		writeStack(s.name, 'neuron', {NEURON_GPUS: 'none'}, s);
	});
});
