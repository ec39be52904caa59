// `hatch-wizard publish`: build once, push NAME:X.Y.Z and NAME:latest.
import {checkImageRef, KEY} from '../core/model.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {composeEnv} from '../docker/proc.js';
import {CommandError, type StackRef} from './common.js';

/** `publish`: build once, tag NAME:VERSION and NAME:latest (OCI labels carry the version), push both. */
export async function publishCommand(
	ref: StackRef,
	repo: string,
	version: string,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	if (checkImageRef(repo) || (repo.includes(':') && !/:\d+\//.test(repo)))
		throw new CommandError(
			`--repo must be an image name without a tag, like you/stem or 127.0.0.1:5000/team/stem (got "${repo}")`,
		);
	if (!/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(version))
		throw new CommandError(`--version must look like 1.2.3 (got "${version}")`);
	const tag = `${repo}:${version.replace('+', '_')}`;
	out(`build: ${tag}\n`);
	const build = engine.proc.stream(
		'docker',
		['compose', '--progress', 'plain', 'build', '--build-arg', `HATCH_VERSION=${version}`],
		{
			cwd: ref.dir,
			env: composeEnv({[KEY.image]: tag}),
		},
	);
	const b = await build.done;
	if (b.canceled) {
		out('interrupted: nothing was pushed\n');
		return 130;
	}
	if (b.exitCode !== 0) {
		out(
			`build failed (exit ${b.exitCode}):\n${b.tail
				.slice(-20)
				.map(l => `  ${l}\n`)
				.join('')}`,
		);
		return 1;
	}
	const latest = `${repo}:latest`;
	const steps: [string, string[]][] = [
		['tag', ['tag', tag, latest]],
		['push', ['push', tag]],
		['push', ['push', latest]],
	];
	for (const [what, args] of steps) {
		const r = await engine.proc.run('docker', args);
		if (r.exitCode !== 0) {
			out(`${what} failed: ${r.stderr.trim().split('\n').pop()}\n`);
			return 1;
		}
		out(`${what}: ${args.slice(1).join(' → ')}\n`);
	}
	out(`published ${tag} and ${latest}\n`);
	return 0;
}
