import { describe, expect, it } from 'vitest';
import { createPromptRenderer } from '../../src/prompts/render.js';
import { ProviderError } from '../../src/providers/provider.js';
import { promptResolver, ReplayModel } from '../../src/providers/replay/replay-model.js';
import { createReplayModels } from '../../src/run/replay.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import type { ClassificationTask, RecordedResponse } from '../../src/task/schema.js';
import { sharedData } from '../support/shared-data.js';
import { kindOf } from '../../src/kinds/registry.js';

const task: ClassificationTask = {
  name: 'sentiment',
  kind: 'classification',
  labels: [
    { name: 'positive', aliases: [] },
    { name: 'negative', aliases: [] },
  ],
  instructions: 'What is the sentiment?',
};
const items = [
  { id: 'a', text: 'I love it' },
  { id: 'b', text: 'I hate it' },
  { id: 'c', text: 'no answers recorded' },
];
const responses: RecordedResponse[] = [
  { item: 'a', model: 'm1', output: 'positive', tokens: { input: 10, output: 1 }, logprobs: [{ token: 'positive', logprob: -0.05 }] },
  { item: 'b', model: 'm1', output: 'negative', sample: 1 },
  { item: 'b', model: 'm1', output: 'positive', sample: 0 },
  { item: 'a', model: 'm2', output: 'negative' },
];
const render = createPromptRenderer(task, kindOf(task).prompt);

function replay(recordedName: string) {
  return new ReplayModel({ recordedName, responses, itemFor: promptResolver(task, kindOf(task).prompt, items) });
}

describe('ReplayModel', () => {
  it("answers a rendered prompt with that model's recorded output, tokens and logprobs", async () => {
    const m1 = replay('m1');
    expect([m1.provider, m1.modelId, m1.supportsLogprobs]).toEqual(['replay', 'm1', true]);
    expect(await m1.generate({ messages: render(items[0]!) })).toEqual({
      text: 'positive',
      logprobs: [{ token: 'positive', logprob: -0.05 }],
      usage: { input: 10, output: 1 },
      finishReason: 'replay',
    });
    expect((await replay('m2').generate({ messages: render(items[0]!) })).text).toBe('negative');
    expect(replay('m2').supportsLogprobs).toBe(false);
  });

  it('presents a recorded provider:model name as that provider and model', async () => {
    const recorded: RecordedResponse[] = [{ item: 'a', model: 'openai:gpt-4o-mini', output: 'positive' }];
    const m = new ReplayModel({ recordedName: 'openai:gpt-4o-mini', responses: recorded, itemFor: promptResolver(task, kindOf(task).prompt, items) });
    expect([m.provider, m.modelId]).toEqual(['openai', 'gpt-4o-mini']);
    expect((await m.generate({ messages: render(items[0]!) })).text).toBe('positive');
    expect(replay('m1').provider).toBe('replay');
  });

  it('walks through samples in order on repeated calls', async () => {
    const m1 = replay('m1');
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push((await m1.generate({ messages: render(items[1]!) })).text);
    expect(texts).toEqual(['positive', 'negative', 'positive']);
  });

  it('fails clearly for unknown prompts, items without answers and aborted calls', async () => {
    const m1 = replay('m1');
    await expect(m1.generate({ messages: [{ role: 'user', content: 'other' }] })).rejects.toMatchObject({ kind: 'bad-request' });
    await expect(m1.generate({ messages: render(items[2]!) })).rejects.toMatchObject({ kind: 'not-found' });
    const err = await m1.generate({ messages: render(items[0]!), signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('aborted');
  });
});

describe('createReplayModels on a recorded set', () => {
  const dir = sharedData('toxicity-en') ?? '';
  it.skipIf(dir === '')('replays every recorded answer of every model exactly', async () => {
    const folder = loadEvalFolder(dir);
    if (folder.kind !== 'classification') throw new Error('expected a classification set');
    const models = createReplayModels(folder);
    expect(models.length).toBe(new Set(folder.responses.map((r) => r.model)).size);
    const renderSet = createPromptRenderer(folder.task, kindOf(folder.task).prompt);
    const byItem = new Map(folder.items.map((i) => [i.id, i]));
    let checked = 0;
    for (const model of models) {
      const expected = folder.responses.filter((r) => r.model === model.recordedName).slice(0, 50);
      for (const r of expected) {
        const got = await model.generate({ messages: renderSet(byItem.get(r.item)!) });
        expect(got.text).toBe(r.output);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
