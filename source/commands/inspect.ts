// `hatch-wizard inspect [--json]`: what hatch sees on this host, for scripts and bug reports.
import {STATUS_MARK} from '../core/describe.js';
import {printable} from '../docker/buildkit.js';
import {describeProbes, type Inspection, inspectHost, systemGraphics} from '../host/inspect.js';
import {realHost} from '../host/probes.js';
import {UsageError} from './common.js';

/**
 * The inspection as the welcome screen shows it (without colour): who you are, then each probe with its fix.
 * What a host said (names, paths, a tool's error) is printed without its control characters: a remote host's
 * answers must not retitle, redraw or recolour this terminal.
 */
export function inspectionLines(i: Inspection): string[] {
	const {user, uid, gid, hostname, home} = i.identity;
	const lines = [
		`${STATUS_MARK.ok.mark} ${'you'.padEnd(9)} ${user} (${uid}:${gid}) on ${hostname}, home ${home}`,
		...describeProbes(i).flatMap(l => [
			`${STATUS_MARK[l.status].mark} ${l.label.padEnd(9)} ${l.text}`,
			...(l.hint && l.status !== 'ok' ? [`            → ${l.hint}`] : []),
		]),
	];
	return lines.map(l => printable(l).replaceAll('\n', ' '));
}

/** `inspect` of this host, or of TARGET over SSH (`--host`): there, only what that host itself says counts. */
export async function inspectCommand(json: boolean, target?: string): Promise<number> {
	let host = realHost();
	if (target !== undefined) {
		const {remoteHost, remoteRunner, resolveTarget} = await import('../host/remote.js');
		const t = await resolveTarget(target);
		if ('error' in t) throw new UsageError(t.error);
		// Not reaching it is a failure (exit 1), its message naming the fix.
		host = await remoteHost(remoteRunner(t));
	}
	// The PCI listing is this machine's: a remote host's GPUs are what its nvidia-smi says.
	const i = await inspectHost(host, {graphics: target === undefined ? systemGraphics : async () => []});
	process.stdout.write(json ? `${JSON.stringify(i, null, 2)}\n` : `${inspectionLines(i).join('\n')}\n`);
	return 0;
}
