import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const CSV = 'id,text,label\n1,good,positive\n2,bad,negative\n';

describe('fusion init --out DIR writes both files or neither', () => {
  it('a folder that already keeps its items as items.csv is refused before anything is written: init would leave two items files', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'in.csv'), CSV);
    const dir = join(t.dir, 'set');
    mkdirSync(dir);
    writeFileSync(join(dir, 'items.csv'), 'id,text\n9,mine\n');
    const r = await runCli(['init', join(t.dir, 'in.csv'), '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(dir, 'items.csv'));
    expect(readdirSync(dir)).toEqual(['items.csv']);
  });

  it('when items.jsonl cannot be created (a dangling symlink there), task.json is not left behind alone', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'in.csv'), CSV);
    const dir = join(t.dir, 'set');
    mkdirSync(dir);
    symlinkSync(join(t.dir, 'nowhere'), join(dir, 'items.jsonl'));
    const r = await runCli(['init', join(t.dir, 'in.csv'), '--out', dir]);
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'task.json'))).toBe(false);
    expect(lstatSync(join(dir, 'items.jsonl')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(t.dir, 'nowhere'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['items.jsonl']);
  });

  it('writes both, whole', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'in.csv'), CSV);
    const dir = join(t.dir, 'set');
    const r = await runCli(['init', join(t.dir, 'in.csv'), '--out', dir]);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['items.jsonl', 'task.json']);
    expect(readFileSync(join(dir, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('createFilesWhole', () => {
  it('one name taken: none of the files is left, the taken one untouched, no temporary file remains', async () => {
    const { createFilesWhole } = await import('../../src/task/safe-write.js');
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'b.txt'), 'mine');
    expect(() => createFilesWhole([{ path: join(t.dir, 'a.txt'), text: 'A' }, { path: join(t.dir, 'b.txt'), text: 'B' }])).toThrow(/b\.txt.*exists/s);
    expect(readdirSync(t.dir)).toEqual(['b.txt']);
    expect(readFileSync(join(t.dir, 'b.txt'), 'utf8')).toBe('mine');
    createFilesWhole([{ path: join(t.dir, 'a.txt'), text: 'A' }, { path: join(t.dir, 'c.txt'), text: 'C' }]);
    expect(readdirSync(t.dir).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });
});
