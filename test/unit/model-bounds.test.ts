// Every check of the settings model (source/core/model.ts) at its edges: the last value accepted and the
// first refused, and a value that would pass only if the check forgot an anchor.
import {describe, expect, it} from 'vitest';
import {validateValue} from '../../source/core/model.js';

const ok = (key: string, ...values: string[]) => {
	for (const v of values) expect(validateValue(key, v), `${key}=${v}`).toBeUndefined();
};
const bad = (key: string, message: string, ...values: string[]) => {
	for (const v of values) expect(validateValue(key, v), `${key}=${v}`).toBe(`${key} ${message}`);
};

describe('the edges of each check', () => {
	it('ids', () => {
		ok('STEM_UID', '1', '65533', '65535', '2147483646');
		bad('STEM_UID', 'must not be 65534: that is nobody/nogroup (use your host id, e.g. 1000)', '65534');
		bad('STEM_UID', 'must be at most 2147483646', '2147483647');
	});

	it('ports', () => {
		ok('STEM_SSH_PORT', '1', '65535');
		bad('STEM_SSH_PORT', 'must be a port number from 1 to 65535 (e.g. 22222)', '0', '65536', '1a', 'a1');
	});

	it('host paths', () => {
		ok('DROPBOX_PATH_ON_HOST', '/a b/c');
		bad('DROPBOX_PATH_ON_HOST', 'must not contain a comma', '/a,b');
		bad('DROPBOX_PATH_ON_HOST', 'must be an absolute path on the Docker host (starting with /); ~ and relative paths are not expanded', 'a/b', '~/x');
	});

	it('choices', () => {
		bad('STEM_NETWORK_MODE', 'must be one of: bridge, host', 'bridged', 'Host');
		bad('STEM_BUILD_NETWORK', 'must be one of: default, host', 'bridge');
	});

	it('IPv4 listen addresses', () => {
		ok('STEM_SSH_LISTEN', '1.22.3.4', '1.2.33.4', '1.2.3.44', '255.255.255.255', '0.0.0.0');
		bad('STEM_SSH_LISTEN', 'must be an IPv4 address: 0.0.0.0 (all interfaces) or 127.0.0.1 (this host only)', 'x1.2.3.4', '1.2.3.4x', '1.2.3.256', '1.2.3.04', '1.2.3');
	});

	it('host names', () => {
		ok('STEM_HOSTNAME', 'a', 'a-b', 'A9', 'a'.repeat(63));
		bad('STEM_HOSTNAME', 'must be a host name: letters, digits and "-", at most 63 characters, not starting or ending with "-"', 'a'.repeat(64), '-a', 'a-', 'a.b', '!a', 'a!');
	});

	it('container names', () => {
		ok('STEM_CONTAINER_NAME', 'a', 'a_b.c-d', '9', 'a'.repeat(128));
		bad('STEM_CONTAINER_NAME', 'must start with a letter or digit and use only letters, digits, "_", "." and "-" (e.g. stem)', 'a'.repeat(129), '_a', '!a', 'a!');
	});

	it('image references', () => {
		ok('STEM_IMAGE', 'a', 'a__b', 'a--b', 'a.b', 'a_b', 'reg/x', 'reg.example:5000/team/x:1.0', 'x@sha256:' + 'a'.repeat(64));
		bad('STEM_IMAGE', 'must be an image reference like ubuntu:24.04 or registry.example:5000/team/stem:1.0 (lower-case name)', 'A', 'a..b', 'a___b', 'a/', '/a', 'a:', 'x@sha256:abc', ' a', 'a b');
	});

	it('git refs', () => {
		ok('BINDU_REF', 'main', 'v1.2', 'feature/x', 'x-');
		bad('BINDU_REF', 'must be a branch or tag name like main or v1.2 (no spaces, "..", or leading "-")', '-x', '/x', 'x/', 'x.lock', 'a..b', 'a//b', 'a b');
	});

	it('repository URLs', () => {
		ok('BINDU_REPO', 'https://x/y-', 'http://x/y', 'ssh://git@x/y', 'git://x/y', 'git@github.com:you/bindu.git');
		bad('BINDU_REPO', 'must be a git URL without spaces (e.g. https://github.com/you/bindu.git)', 'https://x/a b', '-https://x');
		bad('BINDU_REPO', 'must be an https://, ssh://, git:// or git@host:path URL', 'foohttps://x', 'ftp://x/y', 'git@host');
	});

	it('installer URLs', () => {
		ok('STEM_PIXI_INSTALL_URL', 'http://x/i.sh', 'https://x/i.sh');
		bad('STEM_PIXI_INSTALL_URL', 'must be an http:// or https:// URL (e.g. https://pixi.sh/install.sh)', 'xhttp://x', "https://x/'a", 'https://x"', 'ftp://x');
	});

	it('GPU requests', () => {
		ok('NEURON_GPUS', 'none', 'all', '1', '64', '0,1', 'GPU-4f2c1a3b');
		bad('NEURON_GPUS', 'a GPU count must be from 1 to 64', '0', '65');
		bad('NEURON_GPUS', 'must be none, all, a count (e.g. 2), or device ids/UUIDs separated by commas (e.g. 0,1 or GPU-4f2c…)', 'x0', '0x', '0,x', 'GPU-1234');
	});
});
