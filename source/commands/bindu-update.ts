// `hatch-wizard bindu-update`: pull the dotfiles again into ~/.config, inside the container, as the user.
import {join} from 'node:path';
import {checkGitRef, KEY} from '../core/model.js';
import {printable} from '../docker/buildkit.js';
import {type Engine, realEngine} from '../docker/deploy.js';
import {timestamp} from '../stack.js';
import {CommandError, type StackRef} from './common.js';

// Runs inside the container as the user: clone the dotfiles' REF into a temp dir and rsync it (only the subtree, if
// given) into ~/.config. Values arrive as environment variables, never spliced into the script.
// MODE=plan only lists what would change (rsync --dry-run); MODE=apply changes it, and with DELETE=1 first
// copies the folder to <folder>.bak-STAMP. Secrets files are excluded, so they are never replaced or deleted.
const BINDU_UPDATE = `set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git clone -q --depth 1 --branch "$REF" -- "$REPO" "$tmp/repo" 2>"$tmp/err"; then
  grep -m 1 -E '^(fatal|error):' "$tmp/err" >&2 || tail -n 3 "$tmp/err" >&2
  exit 4
fi
commit=$(git -C "$tmp/repo" rev-parse HEAD)
src="$tmp/repo" dst="$HOME/.config"
if [ -n "$SUBTREE" ]; then
  [ -d "$src/$SUBTREE" ] || { echo "the repository has no $SUBTREE/ at $REF" >&2; exit 3; }
  src="$src/$SUBTREE" dst="$dst/$SUBTREE"
fi
# --checksum: a fresh clone gives every file a new time; only a change of content (or mode) is a change.
opts=(-a --checksum --itemize-changes --exclude=.git --exclude='secrets.env*')
if [ "$DELETE" = 1 ]; then opts+=(--delete); fi
echo "at $commit"
if [ "$MODE" = plan ]; then
  if [ -d "$dst" ]; then rsync "\${opts[@]}" --dry-run "$src/" "$dst/"; fi
  exit 0
fi
if [ -n "$EXPECT" ] && [ "$EXPECT" != "$commit" ]; then
  echo "the repository changed since the list was made (now \${commit:0:12}); run bindu-update again" >&2
  exit 5
fi
mkdir -p "$dst"
if [ "$DELETE" = 1 ] && [ -n "$(ls -A "$dst")" ]; then
  cp -a "$dst" "$dst.bak-$STAMP"
  echo "backup $dst.bak-$STAMP"
fi
rsync "\${opts[@]}" "$src/" "$dst/"`;

export interface BinduUpdateOptions {
	subtree?: string;
	/** Also delete files that the repository no longer has (never secrets files). */
	delete?: boolean;
	/** Delete without asking. */
	yes?: boolean;
	/** Asks the person at the terminal; absent when there is none. */
	ask?: (question: string) => Promise<boolean>;
}

export async function binduUpdateCommand(
	ref: StackRef,
	o: BinduUpdateOptions,
	out: (s: string) => void,
	engine: Engine = realEngine,
): Promise<number> {
	const v = ref.values;
	const subtree = o.subtree;
	if (!v[KEY.binduRepo])
		throw new CommandError(
			`${KEY.binduRepo} is empty in ${join(ref.dir, '.env')}; set it first (hatch-wizard --set ${KEY.binduRepo}=…)`,
		);
	// checkGitRef refuses an empty name and any `..`, so the subtree stays inside the repository.
	if (subtree !== undefined && checkGitRef(subtree)) {
		throw new CommandError(`--subtree must be a folder of the repository, like apogee (got "${subtree}")`);
	}
	const where = `~/.config${subtree ? `/${subtree}` : ''}`;
	const stamp = timestamp();
	const exec = (mode: 'plan' | 'apply', expect = '') =>
		engine.proc.run('docker', [
			'exec',
			'-u',
			`${v[KEY.uid]}:${v[KEY.gid]}`,
			'-e',
			`HOME=/home/${v[KEY.user]}`,
			'-e',
			`REPO=${v[KEY.binduRepo]}`,
			'-e',
			`REF=${v[KEY.binduRef] || 'main'}`,
			'-e',
			`SUBTREE=${subtree ?? ''}`,
			'-e',
			`MODE=${mode}`,
			'-e',
			`DELETE=${o.delete ? 1 : 0}`,
			'-e',
			`STAMP=${stamp}`,
			'-e',
			`EXPECT=${expect}`,
			'-e',
			'GIT_TERMINAL_PROMPT=0',
			v[KEY.name]!,
			'bash',
			'-c',
			BINDU_UPDATE,
		]);
	const failed = (r: {exitCode: number; stderr: string}) => {
		out(`bindu-update failed (exit ${r.exitCode}): ${printable(r.stderr).trim().split('\n').slice(-3).join(' / ')}\n`);
		return 1;
	};
	let expect = '';
	if (o.delete) {
		const plan = await exec('plan');
		if (plan.exitCode !== 0) return failed(plan);
		expect = /^at (\w+)/m.exec(plan.stdout)?.[1] ?? '';
		const gone = printable(plan.stdout)
			.split('\n')
			.filter(l => l.startsWith('*deleting'))
			.map(l => l.replace(/^\*deleting\s+/, ''));
		gone.sort();
		if (gone.length) {
			out(
				`--delete removes ${gone.length} file(s) from ${where} that the repository no longer has (a copy of the ` +
					`folder is kept as ` +
					`${where}.bak-${stamp}):\n${gone.map(f => `  - ${f}\n`).join('')}`,
			);
			const agreed = o.yes || (o.ask ? await o.ask('Delete them?') : false);
			if (!agreed) {
				out(o.yes || o.ask ? 'nothing changed\n' : 'nothing changed: pass --yes to delete them without a question\n');
				return o.ask ? 1 : 2;
			}
		}
	}
	const r = await exec('apply', expect);
	if (r.exitCode !== 0) return failed(r);
	const lines = printable(r.stdout).split('\n');
	// rsync's itemized lines, less a file or folder whose time alone changed (`.f..t......`): not a change to the user.
	const changed = lines.filter(l => /^([<>ch.][fdLDS]|\*deleting)/.test(l) && !/^\.[fd][^a-z]*t[^a-z]* /.test(l));
	const at = /^at (\w{12})/m.exec(r.stdout)?.[1];
	const backup = /^backup (.*)$/m.exec(r.stdout)?.[1];
	out(
		`${where} updated from ${v[KEY.binduRepo]} ${v[KEY.binduRef] || 'main'} (${at}): ${changed.length} ` +
			`change(s)\n${changed.map(l => `  ${l}\n`).join('')}`,
	);
	if (backup) out(`the folder as it was is kept as ${backup.replace(`/home/${v[KEY.user]}`, '~')}\n`);
	return 0;
}
