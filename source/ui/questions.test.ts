import {describe, expect, it} from 'vitest';
import {FIELDS, defaults} from '../core/model.js';
import {fakeInspection} from '../../test/helpers/fake-host.js';
import {OTHER, questions} from './questions.js';

describe('questions', () => {
	it('reach every setting of the model, for stem and neuron', () => {
		const asked = new Set<string>();
		for (const stack of ['stem', 'neuron'] as const) {
			const values = {...defaults(stack), BINDU_REPO: 'https://example.invalid/b.git', STEM_PIXI_ENABLE: '1'};
			for (const q of questions(stack, values, fakeInspection({gpus: 2, agent: true}))) asked.add(q.key);
		}
		expect([...asked].sort()).toEqual(FIELDS.map(f => f.key).sort());
	});

	it('ask only what applies: no dotfile ref without a repository, no pixi details without pixi', () => {
		const keys = questions('stem', {...defaults('stem'), BINDU_REPO: '', STEM_PIXI_ENABLE: '0'}, fakeInspection()).map(q => q.key);
		expect(keys).not.toContain('BINDU_REF');
		expect(keys).not.toContain('STEM_PIXI_STOW');
		expect(keys).not.toContain('STEM_SSH_AUTH_SOCK_HOST');
		expect(keys).not.toContain('NEURON_GPUS');
	});

	it('offer the detected keys, another file, or none, and keep a current value that was not detected', () => {
		const q = questions('stem', {...defaults('stem'), STEM_AUTH_KEYS_PATH: '/srv/keys/team.pub'}, fakeInspection()).find(x => x.key === 'STEM_AUTH_KEYS_PATH')!;
		expect(q.options!.map(o => o.value)).toEqual(['/home/alice/.ssh/id_ed25519.pub', OTHER, '', '/srv/keys/team.pub']);
	});
});

describe('questions, run as root', () => {
	it('the UID and GID questions say why they default to 1000', () => {
		const asRoot = {...fakeInspection(), identity: {user: 'root', uid: 0, gid: 0, home: '/root', hostname: 'vortex'}};
		const qs = questions('stem', defaults('stem'), asRoot);
		for (const key of ['STEM_UID', 'STEM_GID']) {
			expect(qs.find(q => q.key === key)!.help).toContain('You run hatch-wizard as root, so this defaults to 1000');
		}
		expect(questions('stem', defaults('stem'), fakeInspection()).find(q => q.key === 'STEM_UID')!.help).not.toContain('as root');
	});
});
