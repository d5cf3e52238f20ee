import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { recordResponses } from '../../src/orchestrate/record.js';
import { ResponsesWriter, type WriteBytes, journalPath, readRecordedKeys } from '../../src/orchestrate/responses-file.js';
import { ResponseSchema } from '../../src/task/schema.js';
import { FakeModel } from '../orchestrate/fake-model.js';
import { plainBuilder, sentimentTask } from '../orchestrate/helpers.js';

const tempDir = tempDirsEach();

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });

/**
 * A disk that fills after `room` bytes of answers (the journal, which begins `{"offset"`, is written
 * freely): the write that reaches the limit puts in what fits and returns short, as write(2) does,
 * and the next one fails with ENOSPC.
 */
function fillingDisk(room: number): WriteBytes {
  let used = 0;
  return (fd, data, offset, length, position) => {
    if (data.subarray(0, 10).toString() === '{"offset":') return writeSync(fd, data, offset, length, position);
    if (used >= room) throw enospc();
    const n = Math.min(length, room - used);
    used += n;
    return writeSync(fd, data, offset, n, position);
  };
}

const line = (i: number): { item: string; model: string; output: string } => ({ item: `i${i}`, model: 'openai:a', output: 'positive' });

describe('issue 22 case 15: the answers file on a full disk', () => {
  it('a short write then ENOSPC: no throw, only whole lines in the file, every line not written counted', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const oneLine = `${JSON.stringify(line(0))}\n`.length;
    const w = new ResponsesWriter(path, fillingDisk(oneLine + 7));
    w.append(line(0));
    w.flush();
    expect(w.unwritten).toBeUndefined();
    w.append(line(1));
    w.append(line(2));
    expect(() => w.flush()).not.toThrow();
    expect(w.unwritten).toMatchObject({ count: 2, path, reason: expect.stringMatching(/ENOSPC/) });
    w.append(line(3));
    expect(() => w.close()).not.toThrow();
    expect(w.unwritten?.count).toBe(3);
    // The 7 bytes of line 1 that fitted were cut off: the file is whole lines, all readable.
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(line(0))}\n`);
    expect([...readRecordedKeys(path)]).toHaveLength(1);
  });

  it('recordResponses stops asking, keeps every paid answer in the cache, and a re-run writes them without a call', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const cachePath = join(t.dir, 'cache.sqlite');
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, text: `text ${i}` }));
    const a = new FakeModel('openai', 'a', () => ({ text: 'positive', delayMs: 5 }));
    const models = [{ name: 'openai:a', model: a }];
    let failing = true;
    const write: WriteBytes = (fd, data, offset, length, position) => {
      // Every write fails, journal included: the disk is full from the first answer on.
      if (failing) throw enospc();
      return writeSync(fd, data, offset, length, position);
    };
    const cache1 = new SqliteStore(cachePath);
    const o1 = new Orchestrator({ cache: cache1, concurrency: 2 });
    const r1 = await recordResponses({ task: sentimentTask, items, models, responsesPath: path, orchestrator: o1, buildRequest: plainBuilder, window: 4, writeBytes: write });
    await cache1.close();
    const paid = a.requests.length;
    expect(r1.unwritten).toMatchObject({ count: r1.recorded, path, reason: expect.stringMatching(/ENOSPC/) });
    expect(r1.recorded).toBe(paid);
    // It stopped feeding items once the file could not be written: far fewer than 40 were asked.
    expect(paid).toBeLessThan(items.length / 2);
    expect(r1.skipped).toBe(items.length - paid);
    expect(readFileSync(path, 'utf8')).toBe('');

    failing = false;
    const cache2 = new SqliteStore(cachePath);
    expect(await cache2.size()).toBe(paid);
    const r2 = await recordResponses({ task: sentimentTask, items, models, responsesPath: path, orchestrator: new Orchestrator({ cache: cache2 }), buildRequest: plainBuilder });
    await cache2.close();
    expect(r2.unwritten).toBeUndefined();
    expect(r2.fromCache).toBe(paid);
    expect(a.requests.length).toBe(items.length); // only the items never asked are paid now
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => ResponseSchema.parse(JSON.parse(l)));
    expect(new Set(lines.map((l) => l.item)).size).toBe(items.length);
  });

  it('the journal, kept open, holds exactly the last append after longer ones (padded, or cut when much shorter)', () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const w = new ResponsesWriter(path);
    const journal = (): unknown => JSON.parse(readFileSync(journalPath(path), 'utf8'));
    for (let i = 0; i < 200; i++) w.append(line(i));
    w.flush();
    const long = readFileSync(journalPath(path)).length;
    w.append(line(1000));
    w.flush();
    // Far shorter than the one before: cut to its length.
    expect(readFileSync(journalPath(path)).length).toBeLessThan(long);
    const offset = readFileSync(path).length - `${JSON.stringify(line(1000))}\n`.length;
    expect(journal()).toEqual({ offset, text: `${JSON.stringify(line(1000))}\n` });
    w.append(line(7));
    w.flush();
    // A little shorter: padded with spaces, still exactly that entry.
    expect(journal()).toEqual({ offset: offset + `${JSON.stringify(line(1000))}\n`.length, text: `${JSON.stringify(line(7))}\n` });
    w.close();
  });
});
