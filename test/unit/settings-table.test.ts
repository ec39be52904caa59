// The README's settings table (source/core/examples.ts settingsTable), row by row.
import {describe, expect, it} from 'vitest';
import {settingsTable, TABLE_END, TABLE_START} from '../../source/core/examples.js';
import {FIELDS} from '../../source/core/model.js';

describe('the settings table', () => {
	const table = settingsTable().split('\n');

	it('sits between its markers, under its header, with one row per setting in the model order', () => {
		expect(table.slice(0, 4)).toEqual([
			TABLE_START,
			'',
			'| key | default | what it does | a change applies with |',
			'| --- | --- | --- | --- |',
		]);
		expect(table.slice(-2)).toEqual(['', TABLE_END]);
		expect(table.slice(4, -2).map(row => /^\| `([A-Z0-9_]+)`/.exec(row)?.[1])).toEqual(FIELDS.map(f => f.key));
	});

	it('shows each stack its default, an empty default as empty, and how a change is applied', () => {
		const row = (key: string) => table.find(r => r.startsWith(`| \`${key}\``));
		expect(row('STEM_SSH_PORT')).toBe(
			'| `STEM_SSH_PORT` | `22222` / `22223` | Port you ssh to on the Docker host | `docker compose up -d` |',
		);
		expect(row('NEURON_GPUS')).toBe(
			'| `NEURON_GPUS` (neuron only) | `all` | GPUs given to the container: none, all, a count, or device ids ' +
				'(0,1) | **re-run hatch-wizard** |',
		);
		expect(row('NEURON_PROJECTS_PATH')).toBe(
			'| `NEURON_PROJECTS_PATH` (neuron only) | empty | Host projects folder, mounted at /workspace/projects | ' +
				'**re-run hatch-wizard** to add or remove it; a new path: `docker compose up -d` |',
		);
		expect(row('STEM_IMAGE')).toMatch(/ \| `docker compose up -d --build` \|$/);
	});
});
