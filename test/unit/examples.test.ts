import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import pkg from '../../package.json' with {type: 'json'};
import {renderExamples} from '../../source/core/examples.js';

describe('shipped examples', () => {
	it('are exactly what the model renders (run `npm run examples` after changing source/core)', () => {
		const examples = renderExamples(pkg.version);
		expect(Object.keys(examples).sort()).toEqual([
			'neuron/.env.example',
			'neuron/docker-compose.example.yml',
			'stem/.env.example',
			'stem/docker-compose.example.yml',
		]);
		for (const [path, content] of Object.entries(examples)) {
			expect(readFileSync(join(import.meta.dirname, '../../images', path), 'utf8'), `images/${path} is stale`).toBe(
				content,
			);
		}
	});
});
