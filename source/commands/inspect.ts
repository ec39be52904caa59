// `hatch-wizard inspect [--json]`: what hatch sees on this host, for scripts and bug reports.
import {STATUS_MARK} from '../core/describe.js';
import {describeProbes, type Inspection, inspectHost, systemGraphics} from '../host/inspect.js';
import {realHost} from '../host/probes.js';

/** The inspection as the welcome screen shows it (without colour): who you are, then each probe with its fix. */
function inspectionLines(i: Inspection): string[] {
	const {user, uid, gid, hostname, home} = i.identity;
	return [
		`${STATUS_MARK.ok.mark} ${'you'.padEnd(9)} ${user} (${uid}:${gid}) on ${hostname}, home ${home}`,
		...describeProbes(i).flatMap(l => [
			`${STATUS_MARK[l.status].mark} ${l.label.padEnd(9)} ${l.text}`,
			...(l.hint && l.status !== 'ok' ? [`            → ${l.hint}`] : []),
		]),
	];
}

export async function inspectCommand(json: boolean): Promise<number> {
	const i = await inspectHost(realHost(), {graphics: systemGraphics});
	process.stdout.write(json ? `${JSON.stringify(i, null, 2)}\n` : `${inspectionLines(i).join('\n')}\n`);
	return 0;
}
