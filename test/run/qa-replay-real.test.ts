import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import type { RequestBuilder } from '../../src/orchestrate/request-builder.js';
import { ProviderError } from '../../src/providers/provider.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { goldCorrect } from '../../src/qa/scoring.js';
import type { QaFusedLine } from '../../src/kinds/qa/rows.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { chooseStrategy, savedFuser } from '../../src/run/strategy-choice.js';
import { fitQaStrategy } from '../../src/kinds/qa/fit.js';
import { type QaFolder, loadEvalFolder } from '../../src/kinds/load-folder.js';
import { FakeModel } from '../orchestrate/fake-model.js';
import { SHARED_DATA as DATA, sharedData } from '../support/shared-data.js';

const SETS = ['mmlu-pro-dev', 'gsm8k-re2', 'evouna-nq'];
const ITEMS = 200;

/** The first ITEMS questions of a recorded QA set, or null when the shared data is not beside the repo. */
function subset(name: string): QaFolder | null {
  if (sharedData(name) === null) return null;
  const folder = loadEvalFolder(`${DATA}${name}`, { requireResponses: true });
  if (folder.kind !== 'qa') throw new Error(`${name} is not a QA set`);
  const items = folder.items.slice(0, ITEMS);
  const ids = new Set(items.map((i) => i.id));
  return { ...folder, items, responses: folder.responses.filter((r) => ids.has(r.item)) };
}

/** The prompt carries only the item id: each replaying model looks its recorded output up by it. */
const idBuilder: RequestBuilder = (_task, item) => ({ messages: [{ role: 'user', content: item.id }], temperature: 0 });

function replayModels(folder: QaFolder) {
  const byModel = new Map<string, Map<string, string>>();
  for (const r of folder.responses) {
    if ((r.sample ?? 0) !== 0) continue;
    if (!byModel.has(r.model)) byModel.set(r.model, new Map());
    byModel.get(r.model)?.set(r.item, r.output);
  }
  return [...byModel].map(([name, outputs]) => ({
    name,
    model: new FakeModel('replay', name, (req) => {
      const output = outputs.get(req.messages[0]?.content ?? '');
      return output === undefined ? { error: new ProviderError('bad-request', 'no recorded answer') } : { text: output };
    }),
  }));
}

describe.each(SETS)('fusion run replaying the recorded answers of %s', (name) => {
  const folder = subset(name);
  // The default vote breaks ties by the voters' agreement with each other, which `fusion fit` records
  // without labels (as fusion eval fits it on all items); one question alone carries no such record.
  it.skipIf(folder === null)('fuses each question as fusion eval scores it: same accuracy for the unsupervised default fitted without labels', async () => {
    const f = folder as QaFolder;
    const fitted = savedFuser(fitQaStrategy(f, chooseStrategy(undefined, f.task).name, 1).saved);
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (c: Buffer) => chunks.push(c.toString()));
    const result = await runPipeline({
      task: f.task,
      models: replayModels(f),
      orchestrator: new Orchestrator({ concurrency: 64 }),
      buildRequest: idBuilder,
      fuser: fitted,
      input: Readable.from(f.items.map((i) => `${JSON.stringify(i)}\n`)),
      output,
      errors: new PassThrough(),
    });
    expect(result.lines).toBe(f.items.length);
    const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as QaFusedLine);
    expect(lines.map((l) => l.id)).toEqual(f.items.map((i) => i.id));

    // Scored like fusion eval: the representative's human judgement where recorded, else its answer against the gold aliases.
    const judged = f.responses.some((r) => r.correct !== undefined);
    const judgement = new Map(f.responses.map((r) => [`${r.item}\u0000${r.model}`, r.correct]));
    let right = 0;
    lines.forEach((line, i) => {
      const item = f.items[i] as (typeof f.items)[number];
      const rep = line.cluster?.representative;
      if (rep === undefined) return;
      if (judged) {
        if (judgement.get(`${item.id}\u0000${rep}`) === true) right++;
        return;
      }
      const output = line.answers.find((a) => a.model === rep)?.output ?? '';
      const reading = extractQaAnswer(output, { answerType: f.task.answerType, ...(item.choices ? { choices: item.choices } : {}) });
      if (reading.kind === 'answer' && goldCorrect(reading, item.answers ?? [])) right++;
    });
    const strategy = chooseStrategy(undefined, f.task).name;
    const evaluated = await evaluateQaFolder(f, { folds: 2, seed: 1, strategies: [strategy] });
    expect(evaluated.extras.scoredItems).toBe(f.items.length);
    expect(right / f.items.length).toBeCloseTo(evaluated.strategies[0]?.accuracy ?? -1, 9);
    expect(right / f.items.length).toBeGreaterThan(0.6);
  });
});
