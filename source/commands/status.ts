// `hatch-wizard status`: the stack's container, its boot record, compose drift, and a real SSH check.
import {homedir} from 'node:os';
import {dirname} from 'node:path';
import {KEY, loginCommand} from '../core/model.js';
import {printable} from '../docker/buildkit.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {type BootRecord, bootRecord, checkSsh} from '../docker/ready.js';
import {hasHostBlock} from '../sshconfig.js';
import {stackDrift} from '../stack.js';
import type {StackRef} from './common.js';

/** `status`: compose's view of the container plus a real SSH check (port answers with the stored host key). */
export async function statusCommand(
	ref: StackRef,
	out: (s: string) => void,
	engine: Engine = realEngine,
	now = Date.now(),
	home = homedir(),
): Promise<number> {
	const name = ref.values[KEY.name]!;
	const ps = await engine.proc.run('docker', [
		'inspect',
		'--format',
		'{{.State.Status}} {{.State.StartedAt}} {{.RestartCount}}',
		name,
	]);
	if (ps.exitCode !== 0) {
		out(
			ref.remote
				? `${name}: not created on ${ref.remote.text} (hatch-wizard rebuild ${name})\n`
				: `${name}: not created (cd ${ref.dir} && docker compose up -d --build)\n`,
		);
		return 1;
	}
	const [state, started, restarts] = printable(ps.stdout.trim()).split(' ');
	out(
		`${name}: ` +
			`${state}${state === 'running' && started ? ` since ${sinceWhen(started, now)}` : ''}` +
			`${restarts && restarts !== '0' ? `, restarted ${restarts} time(s)` : ''}\n`,
	);
	if (state !== 'running') return 1;
	out(bootSummary(await bootRecord(name, engine.ready)));
	const drift = stackDrift(ref.image, ref.dir);
	if (drift.length)
		out(
			`compose: docker-compose.yml does not follow .env:\n${drift.map(d => `  ! ${d}\n`).join('')}  to apply: ` +
				`${rewriteCommand(ref)} (rewrites it, with a diff, and restarts the container)\n`,
		);
	const ssh = await checkSsh(name, ref.values[KEY.listen] ?? '0.0.0.0', Number(ref.values[KEY.port]), engine.ready);
	if (!ssh.ok) {
		out(`ssh: ${ssh.reason}\n`);
		return 1;
	}
	const login = loginCommand(ref.values, ref.remote?.via.jump);
	// The Host block hatch wrote, when there is one: the short way in.
	const alias = hasHostBlock(name, home) ? `ssh ${name} (or: ${login})` : login;
	out(`ssh: ok on port ${ref.values[KEY.port]}, host key ${ssh.fingerprint}\nlogin: ${alias}\n`);
	return 0;
}

/** When a container started, for people: "2026-11-29 10:00 UTC (2 h 5 min ago)"; Docker's text if it is not a time. */
export function sinceWhen(iso: string, now: number): string {
	const t = Date.parse(iso);
	if (Number.isNaN(t)) return iso;
	const minutes = Math.max(0, Math.floor((now - t) / 60_000));
	const ago =
		minutes < 1
			? 'just now'
			: minutes < 60
				? `${minutes} min ago`
				: minutes < 48 * 60
					? `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''} ago`
					: `${Math.floor(minutes / 1440)} days ago`;
	return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC (${ago})`;
}

/** The command that writes a stack's files again from its .env (each change shown, with a backup) and restarts it. */
export function rewriteCommand(ref: StackRef): string {
	const host = ref.remote ? ` --host ${ref.remote.text}` : '';
	return `npx hatch-wizard --yes --no-build${host} --image ${ref.image} --out ${dirname(ref.dir)}`;
}

/** The boot's own record (see bootRecord), as `status` prints it. */
export function bootSummary(record: BootRecord | undefined): string {
	const none = 'boot: no record (an image older than this hatch-wizard?)\n';
	if (!record) return none;
	const {warnings} = record;
	const list = warnings.map(w => `  ! ${w}\n`).join('');
	const [word, arg] = record.state.split(' ');
	if (word === 'ready')
		return warnings.length ? `boot: ready, ${warnings.length} warning(s):\n${list}` : 'boot: ready, no warnings\n';
	if (word === 'booting')
		return (
			`boot: sshd is up; optional steps still ` +
			`running${warnings.length ? `, ${warnings.length} warning(s) so far:` : ''}\n${list}`
		);
	if (word === 'failed') return `boot: FAILED at ${arg ?? '?'} (hatch-wizard logs shows why)\n${list}`;
	return none;
}
