import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { defaultWindow, type RecordOptions, type RecordResult, recordResponses } from '../../src/orchestrate/record.js';
import { journalPath } from '../../src/orchestrate/responses-file.js';
import { ProviderError } from '../../src/providers/provider.js';
import { ResponseSchema } from '../../src/task/schema.js';
import { FakeModel } from './fake-model.js';
import { plainBuilder, sentimentTask } from './helpers.js';
import { kindOf } from '../../src/kinds/registry.js';

const items = Array.from({ length: 12 }, (_, i) => ({ id: `i${i}`, text: `text number ${i}` }));
const tempDir = tempDirsEach();

function readResponses(path: string) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ResponseSchema.parse(JSON.parse(l)));
}

/** recordResponses on the sentiment task, asked with the plain prompt by a fresh orchestrator unless the test gives its own. */
function recordSentiment(options: Omit<RecordOptions, 'task' | 'buildRequest' | 'orchestrator'> & Partial<Pick<RecordOptions, 'buildRequest' | 'orchestrator'>>): Promise<RecordResult> {
  const { orchestrator = new Orchestrator(), buildRequest = plainBuilder, ...rest } = options;
  return recordResponses({ task: sentimentTask, ...rest, orchestrator, buildRequest });
}

describe('recordResponses', () => {
  it('asks each model once per missing item and writes the interchange format', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    // i0 is already recorded for model a: it must not be asked again.
    writeFileSync(path, `${JSON.stringify({ item: 'i0', model: 'openai:a', output: 'positive' })}\n`);
    const a = new FakeModel('openai', 'a', () => ({ text: 'positive' }));
    const b = new FakeModel('ollama', 'b', () => ({ text: 'negative', usage: { input: 7, output: 1 } }));
    const models = [
      { name: 'openai:a', model: a },
      { name: 'ollama:b', model: b },
    ];
    const result = await recordSentiment({ items, models, responsesPath: path });
    expect(result).toMatchObject({ alreadyRecorded: 1, recorded: 23, fromCache: 0, failed: [], skipped: 0 });
    expect(a.requests).toHaveLength(11);
    expect(b.requests).toHaveLength(12);
    const lines = readResponses(path);
    expect(lines).toHaveLength(24);
    const bLine = lines.find((l) => l.model === 'ollama:b' && l.item === 'i3');
    expect(bLine).toMatchObject({ output: 'negative', tokens: { input: 7, output: 1 }, cost: 0 });
    expect(bLine?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('resumes after failures and a truncated last line: only missing answers are asked, cached ones are not paid again', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const cachePath = join(t.dir, 'cache.sqlite');
    let broken = true;
    const a = new FakeModel('openai', 'a', (r) =>
      broken && r.messages[1]?.content.endsWith('7') ? { error: new ProviderError('bad-request', 'refused input', { status: 400 }) } : { text: 'pos' },
    );
    const models = [{ name: 'openai:a', model: a }];
    const cache1 = new SqliteStore(cachePath);
    const r1 = await recordSentiment({ items, models, responsesPath: path, orchestrator: new Orchestrator({ cache: cache1 }) });
    await cache1.close();
    expect(r1.recorded).toBe(11);
    expect(r1.failed).toEqual([{ item: 'i7', model: 'openai:a', kind: 'bad-request', message: 'refused input' }]);
    expect(a.requests).toHaveLength(12);

    // Simulate a kill while writing: the last write (its text is journalled) lost its end; the answers stay in the cache.
    const journal = JSON.parse(readFileSync(journalPath(path), 'utf8')) as { offset: number; text: string };
    truncateSync(path, journal.offset + 10);
    const kept = readFileSync(path, 'utf8').split('\n').length - 1;
    broken = false;
    const cache2 = new SqliteStore(cachePath);
    const notes: string[] = [];
    const r2 = await recordSentiment({ items, models, responsesPath: path, orchestrator: new Orchestrator({ cache: cache2 }), notify: (m) => notes.push(m) });
    await cache2.close();
    expect(notes.join('\n')).toMatch(/incomplete line left by a killed fusion run; set aside in .*responses\.jsonl\.partial-/);
    expect(r2.alreadyRecorded).toBe(kept);
    expect(r2.recorded).toBe(12 - kept);
    expect(r2.fromCache).toBe(11 - kept);
    expect(a.requests).toHaveLength(13); // only i7 was asked again
    const final = readResponses(path);
    expect(final).toHaveLength(12);
    expect(new Set(final.map((l) => l.item)).size).toBe(12);
  });

  it('stops at the budget and says why', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const a = new FakeModel('openai', 'p', () => ({ text: 'pos', usage: { input: 10, output: 1 } }));
    // Each call is reserved at its bound (a token per byte of the prompt plus the framing, about 0.1 USD here) and costs 0.011.
    const orchestrator = new Orchestrator({ concurrency: 2, maxCostUsd: 0.2, prices: { 'openai:p': { input: 1000, output: 1000 } }, assumedOutputTokens: 1 });
    const r = await recordSentiment({ items, models: [{ name: 'openai:p', model: a }], responsesPath: path, orchestrator });
    expect(r.stopReason).toBe('budget');
    expect(r.recorded).toBeGreaterThan(0);
    expect(r.recorded + r.skipped).toBe(12);
    expect(orchestrator.spentUsd).toBeLessThanOrEqual(0.2);
    expect(readResponses(path)).toHaveLength(r.recorded);
  });

  it('records QA items with the QA prompt template', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    const qaTask = { name: 'arith', kind: 'qa' as const, answerType: 'numeric' as const, instructions: '' };
    const m = new FakeModel('openai', 'a', () => ({ text: 'The answer is 4.' }));
    const r = await recordResponses({
      task: qaTask,
      items: [{ id: 'q1', question: 'What is 2 + 2?' }],
      models: [{ name: 'openai:a', model: m }],
      responsesPath: path,
      orchestrator: new Orchestrator(),
      buildRequest: createRequestBuilder(qaTask, kindOf(qaTask).prompt),
    });
    expect(r.recorded).toBe(1);
    expect(m.requests[0]?.messages.map((x) => x.content).join('\n')).toContain('What is 2 + 2?');
    expect(m.requests[0]?.topLogprobs).toBeUndefined();
    expect(readResponses(path)[0]).toMatchObject({ item: 'q1', model: 'openai:a', output: 'The answer is 4.' });
    await expect(
      recordResponses({ task: qaTask, items: [{ id: 'q1', question: 'a' }, { id: 'q1', question: 'b' }], models: [{ name: 'openai:a', model: m }], responsesPath: path, orchestrator: new Orchestrator(), buildRequest: createRequestBuilder(qaTask, kindOf(qaTask).prompt) }),
    ).rejects.toThrow(/duplicate item id "q1"/);
  });

  it('refuses a corrupt responses file naming the line', async () => {
    const t = tempDir();
    const path = join(t.dir, 'responses.jsonl');
    writeFileSync(path, '{"item": "i0", "model": "openai:a", "output": "pos"}\nnot json\n');
    appendFileSync(path, '{"item": "i1", "model": "openai:a", "output": "pos"}\n');
    const a = new FakeModel('openai', 'a');
    await expect(
      recordSentiment({ items, models: [{ name: 'openai:a', model: a }], responsesPath: path }),
    ).rejects.toThrow(/responses\.jsonl:2/);
    expect(a.requests).toHaveLength(0);
  });

  it('asks about four calls per slot ahead by default, counted in calls rather than items', async () => {
    const t = tempDir();
    const models = ['a', 'b', 'c'].map((id) => ({ name: `openai:${id}`, model: new FakeModel('openai', id, () => ({ text: 'positive', delayMs: 5 })) }));
    const many = Array.from({ length: 200 }, (_, i) => ({ id: `m${i}`, text: `text number ${i}` }));
    const asked = new Set<string>();
    let done = 0;
    let ahead = 0;
    const buildRequest: typeof plainBuilder = (task, item, model) => {
      asked.add(item.id);
      ahead = Math.max(ahead, asked.size - done);
      return plainBuilder(task, item, model);
    };
    const result = await recordSentiment({
      items: many,
      models,
      responsesPath: join(t.dir, 'responses.jsonl'),
      orchestrator: new Orchestrator({ concurrency: 4 }),
      buildRequest,
      onItemDone: () => done++,
    });
    expect(result.recorded).toBe(600);
    // 64 calls (at least four per slot) in items of three calls: 22 items, where the window used to be 64 items (192 calls).
    expect(defaultWindow(4, 3)).toBe(22);
    expect(ahead).toBe(22);
  });

  it('keeps every slot busy by default even when each item waits for its last call', async () => {
    const t = tempDir();
    // Nine models answer at once and one is slow: the items in progress wait for the slow one, so
    // fewer items than slots would leave slots idle.
    const slow = new FakeModel('ollama', 'slow', () => ({ text: 'positive', delayMs: 40 }));
    const models = [
      ...Array.from({ length: 9 }, (_, i) => ({ name: `openai:f${i}`, model: new FakeModel('openai', `f${i}`, () => ({ text: 'positive' })) })),
      { name: 'ollama:slow', model: slow },
    ];
    const many = Array.from({ length: 120 }, (_, i) => ({ id: `s${i}`, text: `text number ${i}` }));
    const result = await recordSentiment({
      items: many,
      models,
      responsesPath: join(t.dir, 'responses.jsonl'),
      orchestrator: new Orchestrator({ concurrency: 40 }),
    });
    expect(result.recorded).toBe(1200);
    expect(defaultWindow(40, 10)).toBe(40);
    expect(slow.maxInFlight).toBe(40);
  });
});
