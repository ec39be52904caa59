// The example files shipped under images/, generated from the model's defaults (npm run examples).
// A test renders them again and fails when the committed copies drift.
import {renderCompose} from './compose.js';
import {renderEnv} from './env.js';
import {STACKS, defaults} from './model.js';

/** Path (relative to images/) → content. */
export function renderExamples(version?: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const stack of STACKS) {
		const values = defaults(stack);
		out[`${stack}/.env.example`] = renderEnv(stack, values);
		out[`${stack}/docker-compose.example.yml`] = renderCompose(stack, values, {context: '..', version});
	}
	return out;
}
