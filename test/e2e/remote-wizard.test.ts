// The wizard in a real terminal (tmux) making a stack on a remote Docker host: the welcome screen offers the
// hosts of the user's ssh config; choosing one starts again there (its user, its engine, its fake GPU that no
// container can use); the stack is written, built and started there, and the ~/.ssh offer writes a Host block
// that logs in through the host. A host that cannot be reached is said on the screen, and the wizard stays here.
import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {killSessions, start} from '../helpers/tmux.js';
import {BASE} from './helpers.js';
import {loginThrough, type Rig, rigDown, rigUp, rigUser, sshToRig} from './remote-rig.js';

let r: Rig;
let home: string;
let env: Record<string, string>;
const name = `hatch-e2e-rwiz-${process.pid}`;
const PORT = 22250;

beforeAll(() => {
	r = rigUp();
	// A user of this side with the rig in their ssh config, and a host there that nothing answers for.
	({home, env} = rigUser(r, ['Host deadbox', '  HostName 127.0.0.1', '  Port 1']));
	// The wizard writes to ~/hatch there: the rig's home is the tests' own.
	sshToRig('rm -rf ~/hatch', [], r);
});
afterEach(killSessions);
afterAll(() => {
	sshToRig(
		`docker rm -f ${name}; docker volume rm ${name}-home ${name}-sshkeys ${name}-sshstate; rm -rf ~/hatch`,
		[],
		r,
	);
	sshToRig(`docker rmi -f hatch-e2e/${name}:test`, [], r);
	if (home) rmSync(home, {recursive: true, force: true});
	rigDown();
});

const sets = [
	`STEM_CONTAINER_NAME=${name}`,
	'STEM_NETWORK_MODE=host',
	'STEM_SSH_LISTEN=127.0.0.1',
	`STEM_SSH_PORT=${PORT}`,
	`STEM_BASE_IMAGE=${BASE}`,
	'STEM_BUILD_NETWORK=host',
	`STEM_IMAGE=hatch-e2e/${name}:test`,
	'STEM_PIXI_ENABLE=0',
].flatMap(s => ['--set', s]);

/** Moves the welcome list's ❯ to the entry that contains `text`, and chooses it. */
async function choose(t: ReturnType<typeof start>, text: string) {
	const screen = await t.waitFor(text);
	const lines = screen.split('\n');
	const from = lines.findIndex(l => l.startsWith('❯'));
	const to = lines.findIndex(l => l.includes(text));
	// One Down per entry between them (an entry may wrap onto a second line: those lines start with no blank).
	const entries = lines.slice(from + 1, to + 1).filter(l => /^ {2}\S/.test(l)).length;
	for (let k = 0; k < entries; k++) t.keys('Down');
	await t.waitFor(`❯ ${text}`);
	t.keys('Enter');
}

describe('the wizard on a remote Docker host', () => {
	it('offers the hosts of ~/.ssh/config; one out of reach is said on screen, and the wizard stays here', async () => {
		const t = start(env, []);
		await t.waitFor('on another Docker host: rigbox (ssh config)');
		await choose(t, 'on another Docker host: deadbox (ssh config)');
		const screen = await t.waitFor('could not use deadbox', 20_000);
		expect(screen).toMatch(
			/! could not use deadbox: --host deadbox: cannot reach it \(ssh: connect to host 127\.0\.0\.1 port 1/,
		);
		// Back on this machine's welcome, with the hosts still offered.
		expect(screen).toContain('This host');
		expect(screen).toContain('on another Docker host: rigbox (ssh config)');
		t.keys('C-c');
		await t.waitFor('EXIT=130');
	});

	it('writes, builds and starts it there, and the Host block it offers logs in through the host', async () => {
		const t = start(env, sets);
		await choose(t, 'on another Docker host: rigbox (ssh config)');
		const welcome = await t.waitFor(`✔ you       ${r.user} (${r.uid}:${r.gid})`, 30_000);
		expect(welcome).toContain('SSH-able dev containers for the Docker host rigbox, over SSH');
		expect(welcome).toContain('Docker host rigbox');
		await t.waitFor('a container cannot use them', 30_000);
		expect(t.screen()).toContain('on this machine instead');
		await t.enterUntil(`Review: stem → rigbox:/home/${r.user}/hatch/stem`);
		// The public key of this side travels with the stack, listed with its files.
		expect(t.screen()).toContain('create    host-files/stem_auth_keys_path');
		expect(t.screen()).toContain('create    image/ (build context, 24 files)');
		await t.enterUntil('Build and start it now?');
		expect(t.screen()).toContain(`✔ Wrote`);
		expect(t.screen()).toContain(`to /home/${r.user}/hatch/stem on rigbox`);
		t.keys('Enter');
		const ready = await t.waitFor('✔ ready in', 180_000);
		expect(ready).toContain(`ssh -J rigbox -p ${PORT} ${r.user}@127.0.0.1`);
		await t.waitFor('to ~/.ssh/config');
		expect(t.screen()).toContain('+  ProxyJump rigbox');
		t.keys('Enter');
		await t.waitFor('EXIT=0');

		// On the second engine, with the remote user's ids; the Host block logs in there with the pinned key.
		expect(sshToRig(`docker exec ${name} id -u ${r.user}`, [], r).stdout.trim()).toBe(String(r.uid));
		const who = loginThrough(home, name, 'id -un');
		expect(who.stderr).toBe('');
		expect(who.stdout.trim()).toBe(r.user);
		expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toMatch(
			new RegExp(`^hatch-${name} ssh-ed25519 `, 'm'),
		);
	});
});
