// What the boot scripts themselves say about the home: the paths each user-side script declares
// ("# home-paths:"), the paths root repairs the owner of (00-user-bootstrap's list), and each step's kind.
// The hostile-home e2e test plants traps at exactly these paths, so a path added to a script is attacked too.
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

export const IMAGES = join(import.meta.dirname, '../../images');
const USER_DIR = join(IMAGES, 'stem', 'user');
const STEP_DIRS = [join(IMAGES, 'stem', 'my_init.d'), join(IMAGES, 'neuron', 'my_init.d')];

export const userScripts = () =>
	readdirSync(USER_DIR)
		.filter(f => f.endsWith('.sh'))
		.map(f => ({name: f, text: readFileSync(join(USER_DIR, f), 'utf8')}));
export const bootSteps = () =>
	STEP_DIRS.flatMap(dir =>
		readdirSync(dir)
			.filter(f => f.endsWith('.sh'))
			.map(f => ({name: f, text: readFileSync(join(dir, f), 'utf8')})),
	);

/** Paths a user-side script declares in its "# home-paths:" lines, relative to the home. */
export function declaredPaths(text: string): string[] {
	return [...text.matchAll(/^# home-paths:(.*)$/gm)].flatMap(m => m[1]!.trim().split(/\s+/)).filter(Boolean);
}

/** The literal `$HOME/...` paths a script uses (up to the first variable or quote), relative to the home. */
export function usedPaths(text: string): string[] {
	return [...new Set([...text.matchAll(/\$HOME\/([A-Za-z0-9._/-]+)/g)].map(m => m[1]!.replace(/\/+$/, '')))];
}

/** The curated list of home paths whose owner 00-user-bootstrap repairs as root. */
export function ownedPaths(): string[] {
	const text = readFileSync(join(IMAGES, 'stem', 'my_init.d', '00-user-bootstrap.sh'), 'utf8');
	const list = /^owned=\(([^)]*)\)/m.exec(text);
	if (!list) throw new Error('00-user-bootstrap.sh: the ownership list ("owned=(…)") was not found');
	return list[1]!.trim().split(/\s+/);
}

/** Every home path any boot step touches, sorted, each once. */
export function homePaths(): string[] {
	return [...new Set([...ownedPaths(), ...userScripts().flatMap(s => declaredPaths(s.text))])].sort();
}
