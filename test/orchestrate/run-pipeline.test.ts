import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { chooseStrategy } from '../../src/run/strategy-choice.js';
import { InputError } from '../../src/task/errors.js';
import { FakeModel } from './fake-model.js';
import { plainBuilder, sentimentTask } from './helpers.js';

function collect(stream: PassThrough): () => string[] {
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return () => chunks.join('').split('\n').filter(Boolean);
}

/** Answers by the item's number: even texts positive, odd negative; model c always says "maybe". */
function models(delay: (n: number) => number) {
  const answer = (text: string) => (Number(text.split(' ').pop()) % 2 === 0 ? 'positive' : 'neg');
  const mk = (provider: string, id: string, f: (t: string) => string) =>
    new FakeModel(provider, id, (r) => ({ text: f(r.messages[1]?.content ?? ''), delayMs: delay(Number((r.messages[1]?.content ?? '').split(' ').pop())) }));
  const a = mk('openai', 'a', answer);
  const b = mk('anthropic', 'b', answer);
  const c = mk('ollama', 'c', () => 'maybe');
  return [
    { name: 'openai:a', model: a },
    { name: 'anthropic:b', model: b },
    { name: 'ollama:c', model: c },
  ];
}

const tempDir = tempDirsEach();

describe('runPipeline', () => {
  it('writes one line per input line, in input order, with a bad line reported and kept in place', async () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `x${i}`, text: `item ${i}` })),
    ];
    lines.splice(5, 0, '{"id": "broken", "txt": 1}');
    lines.splice(9, 0, 'not json at all', '');
    const output = new PassThrough();
    const errors = new PassThrough();
    const out = collect(output);
    const err = collect(errors);
    const result = await runPipeline({
      task: sentimentTask,
      models: models((n) => (n * 7) % 11),
      orchestrator: new Orchestrator({ concurrency: 16 }),
      buildRequest: plainBuilder,
      fuser: chooseStrategy(undefined, sentimentTask),
      input: Readable.from(lines.map((l) => `${l}\n`)),
      output,
      errors,
      window: 8,
    });
    expect(result).toMatchObject({ lines: 32, badLines: 2, undecided: 0, interrupted: false });
    const parsed = out().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(32);
    expect(parsed[5]).toMatchObject({ id: 'broken', line: 6 });
    expect(parsed[9]).toMatchObject({ line: 10 });
    expect(String(parsed[9]?.error)).toMatch(/^stdin:10: invalid JSON/);
    expect(err()).toEqual([expect.stringMatching(/^stdin:6: text: /), expect.stringMatching(/^stdin:10: invalid JSON/)]);
    const items = parsed.filter((p) => !('error' in p));
    expect(items.map((p) => p.id)).toEqual(Array.from({ length: 30 }, (_, i) => `x${i}`));
    expect(items[3]).toMatchObject({
      label: 'negative',
      distribution: { negative: 1 },
      answers: [
        { model: 'openai:a', output: 'neg', label: 'negative' },
        { model: 'anthropic:b', output: 'neg', label: 'negative' },
        { model: 'ollama:c', output: 'maybe', label: null, abstain: expect.any(String) },
      ],
    });
    expect(items[4]).toMatchObject({ label: 'positive' });
  });

  it('holds at most `window` items: calls in flight stay bounded on a long stream', async () => {
    const ms = models(() => 1);
    const orchestrator = new Orchestrator({ concurrency: 1000 });
    const output = new PassThrough();
    collect(output);
    await runPipeline({
      task: sentimentTask,
      models: ms,
      orchestrator,
      buildRequest: plainBuilder,
      fuser: chooseStrategy('majority-vote', sentimentTask),
      input: Readable.from(Array.from({ length: 300 }, (_, i) => `${JSON.stringify({ id: `x${i}`, text: `item ${i}` })}\n`)),
      output,
      errors: new PassThrough(),
      window: 10,
    });
    expect(orchestrator.stats().maxInFlight).toBeLessThanOrEqual(10 * 3);
    expect(orchestrator.stats().total.successes).toBe(900);
  });

  it('fuses batch strategies (Dawid-Skene) per batch and keeps the order', async () => {
    const output = new PassThrough();
    const out = collect(output);
    await runPipeline({
      task: sentimentTask,
      models: models(() => 0),
      orchestrator: new Orchestrator(),
      buildRequest: plainBuilder,
      fuser: chooseStrategy('dawid-skene', sentimentTask, 16),
      input: Readable.from(Array.from({ length: 40 }, (_, i) => `${JSON.stringify({ id: `x${i}`, text: `item ${i}` })}\n`)),
      output,
      errors: new PassThrough(),
    });
    const parsed = out().map((l) => JSON.parse(l) as { id: string; label: string });
    expect(parsed.map((p) => p.id)).toEqual(Array.from({ length: 40 }, (_, i) => `x${i}`));
    expect(parsed.every((p, i) => p.label === (i % 2 === 0 ? 'positive' : 'negative'))).toBe(true);
  });

  it('after the budget stops calls, still writes a line per input line, marking unasked models as missing', async () => {
    const prices = { 'openai:a': { input: 1000, output: 1000 }, 'anthropic:b': { input: 1000, output: 1000 }, 'ollama:c': { input: 0, output: 0 } };
    const orchestrator = new Orchestrator({ concurrency: 2, maxCostUsd: 1, prices, assumedOutputTokens: 10 });
    const output = new PassThrough();
    const out = collect(output);
    const result = await runPipeline({
      task: sentimentTask,
      models: models(() => 1),
      orchestrator,
      buildRequest: plainBuilder,
      fuser: chooseStrategy(undefined, sentimentTask),
      input: Readable.from(Array.from({ length: 40 }, (_, i) => `${JSON.stringify({ id: `x${i}`, text: `item ${i}` })}\n`)),
      output,
      errors: new PassThrough(),
    });
    expect(orchestrator.stopReason).toBe('budget');
    expect(orchestrator.spentUsd).toBeLessThanOrEqual(1);
    expect(result.lines).toBe(40);
    const last = JSON.parse(out()[39] as string) as { answers: { model: string; abstain?: string; error?: string }[] };
    expect(last.answers[0]).toMatchObject({ model: 'openai:a', abstain: 'missing', error: 'not asked: the --max-cost budget was reached' });
  });

  it('stops calling and returns quietly when the reader goes away (EPIPE)', async () => {
    let written = 0;
    const output = new Writable({
      write(_chunk, _enc, cb) {
        written++;
        if (written === 3) cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        else cb();
      },
    });
    const ms = models(() => 2);
    const orchestrator = new Orchestrator({ concurrency: 4 });
    const result = await runPipeline({
      task: sentimentTask,
      models: ms,
      orchestrator,
      buildRequest: plainBuilder,
      fuser: chooseStrategy(undefined, sentimentTask),
      input: Readable.from(Array.from({ length: 500 }, (_, i) => `${JSON.stringify({ id: `x${i}`, text: `item ${i}` })}\n`)),
      output,
      errors: new PassThrough(),
      window: 8,
    });
    expect(result.outputClosed).toBe(true);
    expect(result.lines).toBeLessThan(10);
    expect(orchestrator.stats().total.successes).toBeLessThan(100);
  });

  it('loads a saved strategy and refuses one fitted on other labels', () => {
    const t = tempDir();
    const saved = {
      format: 'llm-fusion/strategy',
      version: 1,
      strategy: 'majority-vote',
      task: 'sentiment',
      labels: ['positive', 'negative'],
      models: ['openai:a', 'anthropic:b'],
      createdAt: '2026-01-01T00:00:00Z',
      state: {},
    };
    const good = join(t.dir, 'good.json');
    writeFileSync(good, JSON.stringify(saved));
    expect(chooseStrategy(good, sentimentTask)).toMatchObject({ name: 'majority-vote', batchSize: 1, models: ['openai:a', 'anthropic:b'] });
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...saved, labels: ['yes', 'no'] }));
    expect(() => chooseStrategy(bad, sentimentTask)).toThrow(InputError);
    expect(() => chooseStrategy('stacking', sentimentTask)).toThrow(/fit it on a labelled folder first/);
    expect(() => chooseStrategy('nonsense', sentimentTask)).toThrow(/unknown strategy/);
  });
});
