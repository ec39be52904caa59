import {mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaults} from '../../source/core/model.js';
import {apply, backupPath, compare, planStack} from '../../source/stack.js';

function fakeImages(): string {
	const dir = mkdtempSync(join(tmpdir(), 'hatch-images-'));
	mkdirSync(join(dir, 'stem', 'my_init.d'), {recursive: true});
	writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
	writeFileSync(join(dir, 'stem', 'my_init.d', '00-x.sh'), '#!/bin/sh\n', {mode: 0o755});
	writeFileSync(join(dir, 'stem', '.env.example'), 'X=1\n');
	return dir;
}

describe('writing a stack', () => {
	it('creates, then leaves unchanged files alone, then backs up and diffs a changed one', async () => {
		const out = mkdtempSync(join(tmpdir(), 'hatch-out-'));
		const images = fakeImages();
		const values = {...defaults('stem'), STEM_USER: 'alice'};

		const first = await compare(planStack('stem', values, out, {images}));
		expect(first.map(c => c.state)).toEqual(['new', 'new', 'new', 'new']);
		await apply(first, '20260101-000000');
		const dir = join(out, 'stem');
		expect(readdirSync(dir).sort()).toEqual(['.env', 'docker-compose.yml', 'image']);
		expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
		expect(statSync(join(dir, 'image/stem/my_init.d/00-x.sh')).mode & 0o777).toBe(0o755);
		expect(readdirSync(join(dir, 'image', 'stem'))).not.toContain('.env.example');
		const mtime = statSync(join(dir, '.env')).mtimeMs;

		const second = await compare(planStack('stem', values, out, {images}));
		expect(second.every(c => c.state === 'unchanged')).toBe(true);
		await apply(second, '20260101-000001');
		expect(statSync(join(dir, '.env')).mtimeMs).toBe(mtime);

		const before = readFileSync(join(dir, '.env'), 'utf8');
		const third = await compare(planStack('stem', {...values, STEM_UID: '1234'}, out, {images}));
		const env = third.find(c => c.path.endsWith('.env'))!;
		expect(env.state).toBe('changed');
		expect(env.diff).toContain('-STEM_UID=1000');
		expect(env.diff).toContain('+STEM_UID=1234');
		const done = await apply(third, '20260101-000002');
		const backup = done.find(c => c.path.endsWith('.env'))!.backup!;
		expect(backup).toBe(join(dir, '.env.bak-20260101-000002'));
		expect(readFileSync(backup, 'utf8')).toBe(before);
		expect(statSync(backup).mode & 0o777).toBe(0o600);
		expect(readFileSync(join(dir, '.env'), 'utf8')).toContain('STEM_UID=1234');
		expect(readdirSync(dir).filter(n => n.includes('hatch-tmp'))).toEqual([]);
		expect(done.filter(c => c.backup).map(c => c.path)).toEqual([join(dir, '.env')]);
	});

	it('never reuses a backup name', () => {
		const dir = mkdtempSync(join(tmpdir(), 'hatch-bak-'));
		const p = join(dir, '.env');
		writeFileSync(`${p}.bak-X`, 'old');
		expect(backupPath(p, 'X')).toBe(`${p}.bak-X-2`);
	});
});
