/**
 * `fusion run` on QA tasks, replaying the recorded answers of the real QA dev sets through the
 * streaming pipeline (orchestrator, windowing, ordering; models are in-process replays, so the time
 * is the pipeline's own cost, not the network's). Per set: the default strategy, Dawid-Skene
 * refitted per batch, and a strategy fitted with `auto` on the even-numbered questions (what
 * `fusion fit` saves) run on the odd-numbered ones against the default on the same half.
 * Writes the table into BENCHMARKS.md between the qa-run markers.
 *
 *   npx tsx bench/qa-run.ts [--no-write] [--data ../shared/data]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { extractQaAnswer } from '../src/normalize/qa/extract.js';
import { Orchestrator } from '../src/orchestrate/orchestrator.js';
import type { RequestBuilder } from '../src/orchestrate/request-builder.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../src/providers/provider.js';
import { ProviderError } from '../src/providers/provider.js';
import { fitQaStrategy } from '../src/kinds/qa/fit.js';
import { goldCorrect } from '../src/qa/scoring.js';
import type { QaFusedLine } from '../src/kinds/qa/rows.js';
import { runPipeline } from '../src/run/pipeline.js';
import { type StreamFuser, chooseStrategy, savedFuser } from '../src/run/strategy-choice.js';
import { type QaFolder, loadEvalFolder } from '../src/kinds/load-folder.js';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean' }, data: { type: 'string' } } });
const dataDir = values.data ?? new URL('../../shared/data/', import.meta.url).pathname;
const SETS = ['mmlu-pro-dev', 'gsm8k-re2', 'evouna-nq'];
const BATCH = 256;
const CONCURRENCY = 64;

/** A model that answers each item (the prompt is its id) with its recorded output. */
class ReplayModel implements LanguageModel {
  readonly provider = 'replay';
  readonly supportsLogprobs = false;
  constructor(
    readonly modelId: string,
    private readonly outputs: Map<string, string>,
  ) {}
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const text = this.outputs.get(request.messages[0]?.content ?? '');
    if (text === undefined) throw new ProviderError('bad-request', 'no recorded answer');
    return { text, usage: { input: 0, output: 0 }, finishReason: 'stop' };
  }
}

const idBuilder: RequestBuilder = (_task, item) => ({ messages: [{ role: 'user', content: item.id }], temperature: 0 });

function subset(folder: QaFolder, keep: (i: number) => boolean): QaFolder {
  const items = folder.items.filter((_, i) => keep(i));
  const ids = new Set(items.map((i) => i.id));
  return { ...folder, items, responses: folder.responses.filter((r) => ids.has(r.item)) };
}

async function run(folder: QaFolder, fuser: StreamFuser): Promise<{ accuracy: number; seconds: number }> {
  const byModel = new Map<string, Map<string, string>>();
  for (const r of folder.responses) {
    if ((r.sample ?? 0) !== 0) continue;
    if (!byModel.has(r.model)) byModel.set(r.model, new Map());
    byModel.get(r.model)?.set(r.item, r.output);
  }
  const models = [...byModel].map(([name, outputs]) => ({ name, model: new ReplayModel(name, outputs) }));
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString()));
  const t0 = performance.now();
  await runPipeline({
    task: folder.task,
    models,
    orchestrator: new Orchestrator({ concurrency: CONCURRENCY }),
    buildRequest: idBuilder,
    fuser,
    input: Readable.from(folder.items.map((i) => `${JSON.stringify(i)}\n`)),
    output,
    errors: new PassThrough(),
  });
  const seconds = (performance.now() - t0) / 1000;
  const lines = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as QaFusedLine);
  const judged = folder.responses.some((r) => r.correct !== undefined);
  const judgement = new Map(folder.responses.map((r) => [`${r.item}\u0000${r.model}`, r.correct]));
  let right = 0;
  lines.forEach((line, i) => {
    const item = folder.items[i] as (typeof folder.items)[number];
    const rep = line.cluster?.representative;
    if (rep === undefined) return;
    if (judged) {
      if (judgement.get(`${item.id}\u0000${rep}`) === true) right++;
      return;
    }
    const out = line.answers.find((a) => a.model === rep)?.output ?? '';
    const reading = extractQaAnswer(out, { answerType: folder.task.answerType, ...(item.choices ? { choices: item.choices } : {}) });
    if (reading.kind === 'answer' && goldCorrect(reading, item.answers ?? [])) right++;
  });
  return { accuracy: right / lines.length, seconds };
}

const f3 = (x: number): string => x.toFixed(3);
const rows: string[] = [];
const halves: string[] = [];
for (const set of SETS) {
  const dir = join(dataDir, set);
  if (!existsSync(join(dir, 'responses.jsonl'))) {
    console.error(`skipping ${set}: not found in ${dataDir}`);
    continue;
  }
  const folder = loadEvalFolder(dir, { requireResponses: true });
  if (folder.kind !== 'qa') throw new Error(`${set} is not a QA set`);
  const calls = folder.responses.length;
  const def = chooseStrategy(undefined, folder.task);
  const a = await run(folder, def);
  const ds = await run(folder, chooseStrategy('dawid-skene-one-coin', folder.task, BATCH));
  rows.push(
    `| ${set} | ${folder.items.length} | ${calls} | ${def.name}: ${f3(a.accuracy)} | ${f3(ds.accuracy)} | ${a.seconds.toFixed(2)} | ${Math.round(folder.items.length / a.seconds)} |`,
  );
  const even = subset(folder, (i) => i % 2 === 0);
  const odd = subset(folder, (i) => i % 2 === 1);
  const { saved, fitted } = fitQaStrategy(even, 'auto', 1);
  const chosen = (fitted.state() as { picked?: string }).picked ?? '?';
  const fittedRun = await run(odd, savedFuser(JSON.parse(JSON.stringify(saved))));
  const defOdd = await run(odd, def);
  halves.push(`| ${set} | ${even.items.length} / ${odd.items.length} | ${chosen} | ${f3(defOdd.accuracy)} | ${f3(fittedRun.accuracy)} |`);
  console.error(`${set}: done`);
}

const table = [
  'Command: `npx tsx bench/qa-run.ts` (the recorded answers of each set replayed by in-process models through `runPipeline`: orchestrator, window, ordering; concurrency 64, no cache).',
  '',
  `Accuracy is scored as in qa-quality (gold match, or the human judgement of the representative answer). Time covers the whole stream: reading, ${'calls'}, extraction, clustering, fusion, writing.`,
  '',
  `| set | questions | calls | default strategy | dawid-skene per batch of ${BATCH} | seconds | questions/s |`,
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
  '`auto` fitted on the even-numbered questions (as `fusion fit --strategy auto` saves it), then `fusion run --strategy file` on the odd-numbered ones:',
  '',
  '| set | fit / run questions | auto chose | default on the run half | fitted auto on the run half |',
  '|---|---|---|---|---|',
  ...halves,
].join('\n');
console.log(table);

if (!values['no-write']) {
  const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
  const start = '<!-- qa-run:start -->';
  const end = '<!-- qa-run:end -->';
  const section = `${start}\n## fusion run on QA tasks\n\n${table}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  const next = a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + end.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
