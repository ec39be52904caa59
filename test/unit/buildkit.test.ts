import {describe, expect, it} from 'vitest';
import {BuildProgress, cleanLine, hintFor} from '../../source/docker/buildkit.js';
import {fixture} from '../helpers/fake-host.js';

describe('BuildKit plain progress', () => {
	it('turns a real stem build log into numbered steps with times', () => {
		const p = new BuildProgress();
		for (const line of fixture('buildkit-stem-ok.txt').split('\n')) p.feed(line);
		const steps = p.numbered();
		expect(steps.map(s => `${s.index}/${s.total}`)).toEqual([
			'1/9',
			'2/9',
			'3/9',
			'4/9',
			'5/9',
			'6/9',
			'7/9',
			'8/9',
			'9/9',
		]);
		expect(steps[3]).toMatchObject({status: 'done', seconds: 0.8, lines: ['hatch: all 15 packages already installed']});
		expect(steps[3]!.title).toMatch(/^RUN \/usr\/local\/lib\/hatch\/install-packages\.sh/);
		expect(p.counts()).toEqual({done: 9, cached: 0, total: 9});
		expect(p.current()).toBeUndefined();
		expect(p.failed()).toBeUndefined();
	});

	it('counts a two-stage neuron build stage by stage: 15 steps, not 19 of 11', () => {
		const p = new BuildProgress();
		for (const line of fixture('buildkit-neuron-ok.txt').split('\n')) p.feed(line);
		expect(p.counts()).toEqual({done: 15, cached: 1, total: 15}); // FROM is always cached
		const steps = p.numbered();
		expect(steps.map(s => p.position(s))).toEqual([
			...Array.from({length: 11}, (_, i) => `step stem ${i + 1}/11`),
			...Array.from({length: 4}, (_, i) => `step neuron ${i + 1}/4`),
		]);
	});

	it('names a single-stage step by its number, and a step without one in words', () => {
		const p = new BuildProgress();
		p.feed('#4 [stem stem 2/3] RUN make');
		p.feed('#5 [stem internal] load metadata for docker.io/library/ubuntu:24.04');
		p.feed('#5 ERROR: failed to resolve source metadata');
		expect(p.position(p.numbered()[0]!)).toBe('step 2/3');
		expect(p.position(p.failed()!)).toBe('a build step');
	});

	it('marks cached steps, finds the failing one with its output, and keeps memory bounded', () => {
		const p = new BuildProgress();
		const lines = [
			'#4 [stem stem 1/3] FROM docker.io/library/ubuntu:24.04',
			'#4 CACHED',
			'#5 [stem stem 2/3] RUN make',
			...Array.from({length: 5000}, (_, i) => `#5 ${(i / 100).toFixed(3)} compiling unit ${i}`),
			'#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
			'------',
			'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
		];
		for (const l of lines) p.feed(l);
		expect(p.counts()).toEqual({done: 1, cached: 1, total: 3});
		const failed = p.failed()!;
		expect(failed).toMatchObject({
			index: 2,
			title: 'RUN make',
			status: 'error',
			error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2',
		});
		// The last 30 output lines, in order, without their timestamps.
		expect(failed.lines).toEqual(Array.from({length: 30}, (_, i) => `compiling unit ${4970 + i}`));
		expect(p.other.at(-1)).toContain('failed to solve');
	});

	it('strips the erase-line codes and carriage returns of piped compose output', () => {
		expect(cleanLine('\x1b[2K#5 DONE 0.1s')).toBe('#5 DONE 0.1s');
		expect(cleanLine(' Container stem  Starting\r Container stem  Started\r')).toBe(' Container stem  Started');
		expect(cleanLine('\x1b[1A\x1b[2K\r#1 [internal] load')).toBe('#1 [internal] load');
	});

	it.each([
		[
			'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
			'systemctl start docker',
		],
		[
			'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
			'usermod -aG docker',
		],
		[
			'Error response from daemon: driver failed programming external connectivity: Bind for 0.0.0.0:22222 ' +
				'failed: port is already allocated',
			'STEM_SSH_PORT',
		],
		[
			'Error response from daemon: could not select device driver "nvidia" with capabilities: [[gpu]]',
			'nvidia-container-toolkit',
		],
		['docker: Error response from daemon: unknown or invalid runtime name: nvidia', 'or set NEURON_GPUS=none'],
		[
			'failed to solve: ubuntu:24.04: failed to resolve source metadata for docker.io/library/ubuntu:24.04',
			'STEM_BASE_IMAGE',
		],
		[
			"#8 1.2 Err:1 http://archive.example/ubuntu noble InRelease\n#8 1.2   Temporary failure resolving 'archive.example'",
			'could not reach the package servers',
		],
		['E: Unable to locate package openssh-server', 'use a base image that already has the packages'],
		['E: Failed to fetch http://archive.example/ubuntu/pool/main/o/openssh-server_9.6.deb  404', 'network or DNS'],
		['failed to copy: write /var/lib/docker/tmp/x: no space left on device', 'the disk is full'],
		[
			'failed to solve: process "/bin/sh -c x" did not complete successfully: network bridge not found',
			'STEM_NETWORK_MODE=host',
		],
	])('hints at the cause of %j, whatever its case', (output, hint) => {
		expect(hintFor(output)).toContain(hint);
		expect(hintFor(output.toUpperCase())).toBe(hintFor(output));
	});
});
