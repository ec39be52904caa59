// Checks made just before writing a stack: is the SSH port free, do the volumes exist already
// (first run or re-run), and are the host files in the settings what they should be.
import type {Values} from '../core/model.js';
import {hostFileProblems} from '../stack.js';
import type {Host} from './probes.js';

export interface Preflight {
	errors: string[];
	warnings: string[];
	notes: string[];
}

export async function preflight(host: Host, values: Values): Promise<Preflight> {
	const {errors, warnings} = hostFileProblems(values);
	const notes: string[] = [];
	const name = values.STEM_CONTAINER_NAME ?? '';
	const volumes = ['home', 'sshkeys', 'sshstate'].map(v => `${name}-${v}`);
	const [ours, existing] = await Promise.all([
		host.run('docker', ['ps', '-q', '--filter', `name=^${name}$`], 3000).catch(() => undefined),
		host.run('docker', ['volume', 'ls', '-q', '--filter', `name=^${name}-`], 3000).catch(() => undefined),
	]);
	const running = Boolean(ours?.exitCode === 0 && ours.stdout.trim());

	const port = Number(values.STEM_SSH_PORT);
	const address = values.STEM_SSH_LISTEN || '0.0.0.0';
	if (Number.isInteger(port) && port > 0 && !(await host.portFree(port, address))) {
		if (running) notes.push(`${name} is running and holds port ${port}; docker compose up -d will recreate it`);
		else warnings.push(`port ${port} on ${address} is already in use on this host; pick another STEM_SSH_PORT`);
	}

	if (existing?.exitCode === 0) {
		const present = new Set(existing.stdout.split('\n').map(s => s.trim()).filter(Boolean));
		const have = volumes.filter(v => present.has(v));
		const missing = volumes.filter(v => !present.has(v));
		if (have.length) notes.push(`re-run: volume(s) ${have.join(', ')} exist; your home and host keys are kept`);
		if (missing.length && values.STEM_VOLUMES_EXTERNAL === '1') {
			warnings.push(`external volumes missing; create them first: docker volume create ${missing.join(' && docker volume create ')}`);
		} else if (missing.length && !have.length) {
			notes.push(`first run: compose creates ${missing.join(', ')}`);
		}
	}
	return {errors, warnings, notes};
}
