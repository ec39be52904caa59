// `hatch-wizard inspect [--json]`: what hatch sees on this host, for scripts and bug reports.
import {ansi, type Line, STATUS_MARK} from '../core/describe.js';
import {describeProbes, type Inspection, inspectHost, systemGraphics} from '../host/inspect.js';
import {realHost} from '../host/probes.js';

/** The inspection as the welcome screen shows it: who you are, then one line per probe with its fix. */
function inspectionLines(i: Inspection): Line[] {
	const {user, uid, gid, hostname, home} = i.identity;
	return [
		{
			text: `${STATUS_MARK.ok.mark} ${'you'.padEnd(9)} ${user} (${uid}:${gid}) on ${hostname}, home ${home}`,
			tone: 'plain',
		},
		...describeProbes(i).flatMap((l): Line[] => [
			{text: `${STATUS_MARK[l.status].mark} ${l.label.padEnd(9)} ${l.text}`, tone: 'plain'},
			...(l.hint && l.status !== 'ok' ? [{text: `            → ${l.hint}`, tone: 'plain' as const}] : []),
		]),
	];
}

export async function inspectCommand(json: boolean): Promise<number> {
	const i = await inspectHost(realHost(), {graphics: systemGraphics});
	process.stdout.write(json ? `${JSON.stringify(i, null, 2)}\n` : ansi(inspectionLines(i), false));
	return 0;
}
