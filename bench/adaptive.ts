/**
 * Adaptive querying measured on recorded answers: per labelled classification set in
 * ../shared/data, out-of-fold (5-fold stratified, every policy fitted on training folds only),
 * the calls per item and cost per item of `adaptive` (cascade with its default target: at most
 * half a point of macro-F1 below `auto` on the training folds) against `auto` (every model) and
 * the best single model, the loss in macro-F1, and the exact `settled` rule of a weighted vote.
 * `auto` fits are cached on disk (--cache) and shared with adaptive's last stage: the same fit.
 * Then the QA sets through the path `fusion eval` takes (candidate matrix, answer scorer): accuracy.
 *
 * Each run saves its rows under the cache (by code and seed); the BENCHMARKS.md section shows the
 * runs of the same code under every fold seed found there, set by set.
 *
 *   npx tsx bench/adaptive.ts [--data DIR] [--sets a,b] [--qa-sets a,b] [--folds 5] [--seed 1] [--cache DIR] [--rule R] [--caution X] [--no-write]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { crossValidateStrategy } from '../src/fuse/cross-validate.js';
import { modelPrediction } from '../src/eval/evaluate.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { type InnerOutOfFold, innerOutOfFoldOf } from '../src/fuse/inner-out-of-fold.js';
import { createAdaptive, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { outOfFoldCurve } from '../src/fuse/adaptive/out-of-fold-curve.js';
import type { StopRuleKind } from '../src/fuse/adaptive/stop-rule.js';
import { meanCallCost, meanCalls } from '../src/fuse/adaptive/usage.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';
import { weightedVoteStrategy } from '../src/fuse/weighted-vote.js';
import { scoreAnswers } from '../src/eval/answer-score.js';
import { fusedPrediction, strategyVoice } from '../src/eval/evaluate.js';
import { QA_METRIC } from '../src/kinds/qa/fit.js';
import { prepareQa } from '../src/qa/prepare.js';
import type { FittedStrategy, FusedPrediction } from '../src/fuse/strategy.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { DEFAULT_PRICES, priceOf } from '../src/task/prices.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';

const QA_SETS = ['mmlu-pro-dev', 'gsm8k-re2', 'evouna-nq'];
const SETS = ['emotion', 'fiqa-sentiment', 'flute', 'ibc', 'implicit-hate', 'policy-topic-en', 'policy-topic-en-all', 'raop', 'toxicity-en', 'toxicity-en-all', 'wiki-politeness'];

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/', import.meta.url).pathname },
    sets: { type: 'string' },
    'qa-sets': { type: 'string' },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    cache: { type: 'string', default: new URL('../.bench-cache/adaptive/', import.meta.url).pathname },
    'no-write': { type: 'boolean', default: false },
    /** Measure nothing: write the section from the rows saved by earlier runs of this code (every seed found). */
    report: { type: 'boolean', default: false },
    /** The stopping rule of `adaptive` (its default when absent). */
    rule: { type: 'string' },
    /** `adaptive`'s caution (standard errors of the loss; its default when absent): to measure the trade-off it sets. */
    caution: { type: 'string' },
  },
});
const folds = Number(values.folds);
const seed = Number(values.seed);
const sets = values.report ? [] : values.sets !== undefined ? values.sets.split(',').filter(Boolean) : SETS;
const qaSets = values.report ? [] : values['qa-sets'] !== undefined ? values['qa-sets'].split(',').filter(Boolean) : QA_SETS;
const cacheDir = values.cache as string;
const ruleOption = {
  ...(values.rule !== undefined ? { rule: values.rule as StopRuleKind } : {}),
  ...(values.caution !== undefined ? { caution: Number(values.caution) } : {}),
};
mkdirSync(cacheDir, { recursive: true });

/**
 * A hash of the code under `dirs` (every .ts file below them, `skip` left out): a cached result
 * made by other code is never reused, so the figures are always those of the code in the tree.
 */
function codeFingerprint(dirs: readonly string[], skip: readonly string[] = [], extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    const root = new URL(`../src/${dir}/`, import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !skip.some((s) => `${dir}/${f}`.startsWith(s)))
      .sort();
    for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  }
  for (const f of extra) hash.update(f).update(readFileSync(new URL(f, import.meta.url)));
  return hash.digest('hex').slice(0, 12);
}
/** What an `auto` fit depends on: src/fuse (but the adaptive policy, which auto never calls), src/validation, src/qa. */
const CODE = codeFingerprint(['fuse', 'validation', 'qa'], ['fuse/adaptive/']);
/** What this bench's rows depend on: the adaptive policy and the bench too. */
const RESULTS_CODE = codeFingerprint(['fuse', 'validation', 'qa', 'eval', 'normalize', 'task'], [], ['./adaptive.ts']);

/**
 * `auto` with its fits cached on disk by code, training items and seed (its fit is the slow part of
 * this bench), with the inner out-of-fold decisions it keeps for `adaptive`'s reference.
 */
function cachedAuto(set: string): FusionStrategy {
  return {
    ...autoStrategy,
    fit(train, gold, options) {
      const key = createHash('sha256').update(JSON.stringify([CODE, set, train.itemIds, train.models, Array.from(gold), options.seed])).digest('hex').slice(0, 24);
      const file = join(cacheDir, `${set}-auto-${key}.json`);
      if (existsSync(file)) {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as { state: unknown; inner: { rows: number[]; folds: number[][]; probs: number[]; decided: number[] } | null };
        const loaded = autoStrategy.load(saved.state, train.labels);
        const inner = saved.inner;
        if (!inner) return loaded;
        const kept: InnerOutOfFold = { rows: inner.rows, folds: inner.folds, prediction: { probs: Float64Array.from(inner.probs), decided: Uint8Array.from(inner.decided) } };
        return { ...loaded, innerOutOfFold: () => kept };
      }
      const fitted = autoStrategy.fit(train, gold, options);
      const inner = innerOutOfFoldOf(fitted);
      const saved = { state: fitted.state(), inner: inner && { rows: inner.rows, folds: inner.folds, probs: Array.from(inner.prediction.probs), decided: Array.from(inner.prediction.decided) } };
      writeFileSync(file, JSON.stringify(saved));
      return fitted;
    },
  };
}

/**
 * Expected USD per call of each model from the default price table (provider guessed from the
 * name): input tokens ~ (instructions + item text) / 4 characters, output tokens ~ the model's mean
 * recorded output / 4. Null when the table has no price for the model.
 */
function callPrices(models: readonly string[], promptChars: number, outputChars: Map<string, number>): (number | null)[] {
  return models.map((m) => {
    const price = priceOf(DEFAULT_PRICES, 'openai', m) ?? priceOf(DEFAULT_PRICES, 'anthropic', m);
    if (!price) return null;
    const out = outputChars.get(m) ?? 0;
    return ((promptChars / 4) * price.input + (out / 4) * price.output) / 1e6;
  });
}

const f3 = (x: number) => x.toFixed(3);
const money = (x: number | null) => (x === null ? 'n/a' : `$${(x * 1000).toFixed(3)}/1k`);
interface Row {
  set: string;
  items: number;
  models: number;
  best: { name: string; macroF1: number; cost: number | null };
  auto: { macroF1: number; calls: number; cost: number | null };
  adaptive: { macroF1: number; calls: number; cost: number | null; picks: string[] };
  settled: { macroF1: number; calls: number; wv: number; same: boolean };
  curve: { label: string; calls: number; macroF1: number }[];
  seconds: number;
}
/**
 * Each set's row, saved as soon as it is measured by code, folds, seed and set: runs of several
 * seeds (or of a few sets each) fill one table, and `--report` writes it from what was saved.
 */
const STANDARD = values.rule === undefined && values.caution === undefined;
const resultsFile = (s: number, set: string) => join(cacheDir, `results-${RESULTS_CODE}-folds${folds}-seed${s}-${set}.json`);
function saveRow(set: string, saved: { row: Row } | { qaRow: QaRow }): void {
  if (STANDARD) writeFileSync(resultsFile(seed, set), JSON.stringify(saved));
}
function savedRows(s: number): { rows: Row[]; qaRows: QaRow[] } {
  const read = (set: string) => (existsSync(resultsFile(s, set)) ? (JSON.parse(readFileSync(resultsFile(s, set), 'utf8')) as { row?: Row; qaRow?: QaRow }) : {});
  return { rows: SETS.flatMap((set) => read(set).row ?? []), qaRows: QA_SETS.flatMap((set) => read(set).qaRow ?? []) };
}
const rows: Row[] = [];
for (const set of sets) {
  const dir = join(values.data as string, set);
  if (!existsSync(dir)) {
    console.error(`skip ${set}: ${dir} not found`);
    continue;
  }
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'classification') continue;
  const t0 = performance.now();
  const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const { gold } = folder;
  const N = matrix.itemIds.length;
  const M = matrix.models.length;
  const promptChars = folder.task.instructions.length + folder.items.reduce((a, it) => a + it.text.length, 0) / Math.max(1, N);
  const outSum = new Map<string, { chars: number; n: number }>();
  for (const r of folder.responses) {
    const o = outSum.get(r.model) ?? { chars: 0, n: 0 };
    o.chars += r.output.length;
    o.n++;
    outSum.set(r.model, o);
  }
  const prices = callPrices(matrix.models, promptChars, new Map([...outSum].map(([m, o]) => [m, o.chars / o.n])));

  let best = { name: '', macroF1: -1, cost: null as number | null };
  matrix.models.forEach((name, j) => {
    const s = scoreClassification(gold, modelPrediction(matrix, j), matrix.labels);
    if (s.macroF1 > best.macroF1) best = { name, macroF1: s.macroF1, cost: prices[j] ?? null };
  });
  const auto = cachedAuto(set);
  const autoCv = crossValidateStrategy(auto, matrix, gold, { folds, seed });
  const autoF1 = scoreClassification(gold, autoCv.prediction, matrix.labels).macroF1;
  const autoCost = meanCallCost(Uint8Array.from(matrix.present), M, prices);

  const pricePerCall = Object.fromEntries(matrix.models.flatMap((m, j) => (prices[j] === null ? [] : [[m, prices[j] as number]])));
  const adaptive = createAdaptive({ final: auto, pricePerCall, ...ruleOption });
  const cv = crossValidateStrategy(adaptive, matrix, gold, { folds, seed });
  const asked = new Uint8Array(N * M);
  cv.folds.forEach((test, f) => {
    const r = (cv.fitted[f] as FittedAdaptive).replay(selectItems(matrix, test));
    test.forEach((i, row) => asked.set(r.asked.subarray(row * M, (row + 1) * M), i * M));
  });
  const adaptiveF1 = scoreClassification(gold, cv.prediction, matrix.labels).macroF1;

  // The cost/quality curve on the test folds: every setting of the rule, each fold's own fits; its Pareto frontier.
  const all = outOfFoldCurve(matrix, cv.folds, cv.fitted, (p) => scoreClassification(gold, p, matrix.labels).macroF1, prices) ?? [];
  const curve = all
    .filter((p) => !all.some((q) => q.callsPerItem <= p.callsPerItem && q.score >= p.score && (q.callsPerItem < p.callsPerItem || q.score > p.score)))
    .sort((x, y) => x.callsPerItem - y.callsPerItem)
    .map((p) => ({ label: p.setting, calls: p.callsPerItem, macroF1: p.score }));
  console.error(`${set} frontier: ${curve.map((c) => `${c.label}: ${c.calls.toFixed(2)} ${f3(c.macroF1)}`).join(', ')}`);

  // The exact settled rule of a weighted vote: same decisions as the weighted vote of every model.
  const settledCv = crossValidateStrategy(createAdaptive({ rule: { kind: "settled", slack: 1 } }), matrix, gold, { folds, seed });
  const wvCv = crossValidateStrategy(weightedVoteStrategy, matrix, gold, { folds, seed });
  let settledCalls = 0;
  cv.folds.forEach((test, f) => {
    const r = (settledCv.fitted[f] as FittedAdaptive).replay(selectItems(matrix, test));
    settledCalls += r.calls.reduce((a, b) => a + b, 0);
  });
  const K = matrix.labels.length;
  let same = true;
  for (let i = 0; i < N; i++) {
    let a = 0;
    let b = 0;
    for (let k = 1; k < K; k++) {
      if ((settledCv.prediction.probs[i * K + k] as number) > (settledCv.prediction.probs[i * K + a] as number)) a = k;
      if ((wvCv.prediction.probs[i * K + k] as number) > (wvCv.prediction.probs[i * K + b] as number)) b = k;
    }
    if (a !== b || settledCv.prediction.decided[i] !== wvCv.prediction.decided[i]) same = false;
  }
  const seconds = (performance.now() - t0) / 1000;
  const row: Row = {
    set,
    items: N,
    models: M,
    best,
    auto: { macroF1: autoF1, calls: meanCalls(matrix.present, N), cost: autoCost },
    adaptive: { macroF1: adaptiveF1, calls: meanCalls(asked, N), cost: meanCallCost(asked, M, prices), picks: cv.fitted.map((f) => (f.state() as { picked: string }).picked) },
    settled: {
      macroF1: scoreClassification(gold, settledCv.prediction, matrix.labels).macroF1,
      calls: settledCalls / N,
      wv: scoreClassification(gold, wvCv.prediction, matrix.labels).macroF1,
      same,
    },
    curve,
    seconds,
  };
  rows.push(row);
  saveRow(set, { row });
  console.error(
    `${set}: auto ${f3(autoF1)} adaptive ${f3(adaptiveF1)} calls ${row.adaptive.calls.toFixed(2)}/${M} (${f3(row.adaptive.calls / M)}) settled ${row.settled.calls.toFixed(2)} same=${same} picks ${row.adaptive.picks.join(' | ')} (${seconds.toFixed(0)} s)`,
  );
}

/** QA through the path `fusion eval` takes: the candidate matrix, out-of-fold, scored as answers. */
interface QaRow {
  set: string;
  items: number;
  models: number;
  best: { name: string; accuracy: number; cost: number | null };
  auto: { accuracy: number; calls: number; cost: number | null };
  adaptive: { accuracy: number; calls: number; cost: number | null; picks: string[] };
  seconds: number;
}
const qaRows: QaRow[] = [];
for (const set of qaSets) {
  const dir = join(values.data as string, set);
  if (!existsSync(dir)) {
    console.error(`skip ${set}: ${dir} not found`);
    continue;
  }
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'qa') continue;
  const t0 = performance.now();
  const p = prepareQa(folder);
  const { matrix } = p.candidates;
  const gold = p.goldColumn;
  const N = matrix.itemIds.length;
  const M = matrix.models.length;
  const promptChars = folder.task.instructions.length + folder.items.reduce((a, it) => a + it.question.length + (it.choices ?? []).reduce((b, c) => b + c.text.length + 4, 0), 0) / Math.max(1, N);
  const outSum = new Map<string, { chars: number; n: number }>();
  for (const r of folder.responses) {
    const o = outSum.get(r.model) ?? { chars: 0, n: 0 };
    o.chars += r.output.length;
    o.n++;
    outSum.set(r.model, o);
  }
  const prices = callPrices(matrix.models, promptChars, new Map([...outSum].map(([m, o]) => [m, o.chars / o.n])));
  let best = { name: '', accuracy: -1, cost: null as number | null };
  matrix.models.forEach((name, j) => {
    const s = scoreAnswers(p, modelPrediction(matrix, j), { speaker: j });
    if (s.accuracy > best.accuracy) best = { name, accuracy: s.accuracy, cost: prices[j] ?? null };
  });
  const scored = (s: FusionStrategy) => {
    const r = fusedPrediction(s, matrix, gold, { folds, seed, right: p.rightColumns, metric: QA_METRIC });
    const accuracy = scoreAnswers(p, r.prediction as FusedPrediction, strategyVoice(r.fitted, r.folds, matrix, p.models)).accuracy;
    return { ...r, accuracy };
  };
  const auto = cachedAuto(set);
  const autoR = scored(auto);
  const pricePerCall = Object.fromEntries(matrix.models.flatMap((m, j) => (prices[j] === null ? [] : [[m, prices[j] as number]])));
  const adaptiveR = scored(createAdaptive({ final: auto, pricePerCall, ...ruleOption }));
  const asked = new Uint8Array(N * M);
  adaptiveR.folds?.forEach((test, f) => {
    const r = (adaptiveR.fitted[f] as FittedAdaptive).replay(selectItems(matrix, test));
    test.forEach((i, row) => asked.set(r.asked.subarray(row * M, (row + 1) * M), i * M));
  });
  const row: QaRow = {
    set,
    items: N,
    models: M,
    best,
    auto: { accuracy: autoR.accuracy, calls: meanCalls(matrix.present, N), cost: meanCallCost(Uint8Array.from(matrix.present), M, prices) },
    adaptive: { accuracy: adaptiveR.accuracy, calls: meanCalls(asked, N), cost: meanCallCost(asked, M, prices), picks: adaptiveR.fitted.map((f) => (f.state() as { picked: string }).picked) },
    seconds: (performance.now() - t0) / 1000,
  };
  qaRows.push(row);
  saveRow(set, { qaRow: row });
  console.error(`${set}: auto ${f3(row.auto.accuracy)} adaptive ${f3(row.adaptive.accuracy)} calls ${row.adaptive.calls.toFixed(2)}/${f3(row.auto.calls)} picks ${row.adaptive.picks.join(' | ')} (${row.seconds.toFixed(0)} s)`);
}

if (values.report) {
  const saved = savedRows(seed);
  rows.push(...saved.rows);
  qaRows.push(...saved.qaRows);
}
const seeds = [...new Set(readdirSync(cacheDir).map((f) => new RegExp(`^results-${RESULTS_CODE}-folds${folds}-seed(\\d+)-`).exec(f)?.[1]))]
  .filter((x): x is string => x !== undefined)
  .map(Number)
  .sort((a, b) => a - b);
const bySeed = seeds.map((s) => ({ seed: s, ...savedRows(s) }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const lines: string[] = [];
const points = (x: number) => (100 * x).toFixed(2);
lines.push(
  `Command: \`nice -n 10 npx tsx bench/adaptive.ts --seed S\` for S = 1, 2, 3 (folds ${folds}; every policy fitted on the training folds only and replayed on the test fold's recorded answers: an answer counts only once the policy asks for it; \`--report\` rewrites this section from the saved runs of the same code). \`adaptive\` is the default policy: models asked in the order learned on the training folds (greedily, the model that most improves a weighted vote's agreement with \`auto\`'s inner out-of-fold decisions); a checkpoint after every model up to 16 models (after 1-8, 16, 32, 64 and all with more); at each checkpoint the fusion of the models asked so far (stacking on their answers with or without the item's text, whichever cross-validates better there) decides, and the \`agreement\` rule stops once a logistic model of the step (fused confidence, margin, entropy, share asked, answers siding with the leader, distance from settled, leader held since the last checkpoint), fitted against \`auto\`'s inner out-of-fold decisions, gives P(this decision is auto's with every model) >= tau. tau is chosen on the training folds: the fewest calls whose upper confidence bound on the loss against auto's inner out-of-fold decisions stays within 0.5 point of macro-F1 (accuracy where candidates differ per item); the bound is the loss (made non-increasing in calls by pooling adjacent violators) plus one standard error from a paired bootstrap over the training rows, and the loss is measured with the agreement model cross-fitted on the inner folds (no row's stop decided by a model that saw that row). No constant of it was fitted to these sets. \`auto\` decides when every model was asked; its inner out-of-fold decisions are the ones \`auto\` computed for its own mixture (no refit of \`auto\` on parts of the training fold). Cost: list prices of src/task/prices.ts with tokens estimated from the prompt and the model's recorded outputs (4 characters a token); n/a when a model asked has no price.`,
);
lines.push('');
if (bySeed.length > 0) {
  lines.push(`Loss against \`auto\` (points) @ calls / models, per set and fold seed (${bySeed.map((b) => `seed ${b.seed}`).join(', ')}): the goal is a mean loss of at most 0.5 point at at most 0.30 of the calls under each seed (QA: at most 0.5 point of accuracy at at most 0.40 of auto's calls).`);
  lines.push('');
  lines.push(`| set | ${bySeed.map((b) => `seed ${b.seed}`).join(' | ')} |`);
  lines.push(`|---|${bySeed.map(() => '---|').join('')}`);
  for (const set of SETS) {
    const cells = bySeed.map((b) => b.rows.find((r) => r.set === set)).map((r) => (r ? `${points(r.auto.macroF1 - r.adaptive.macroF1)} @ ${f3(r.adaptive.calls / r.models)}` : ''));
    lines.push(`| ${set} | ${cells.join(' | ')} |`);
  }
  const verdict = (loss: number, calls: number, maxCalls: number) => `${points(loss)} @ ${f3(calls)} (${loss <= 0.005 && calls <= maxCalls ? 'met' : 'NOT met'})`;
  lines.push(
    `| **mean, classification** | ${bySeed.map((b) => verdict(mean(b.rows.map((r) => r.auto.macroF1 - r.adaptive.macroF1)), mean(b.rows.map((r) => r.adaptive.calls / r.models)), 0.3)).join(' | ')} |`,
  );
  for (const set of QA_SETS) {
    const cells = bySeed.map((b) => b.qaRows.find((r) => r.set === set)).map((r) => (r ? `${points(r.auto.accuracy - r.adaptive.accuracy)} @ ${f3(r.adaptive.calls / r.auto.calls)}` : ''));
    lines.push(`| ${set} (QA) | ${cells.join(' | ')} |`);
  }
  lines.push(
    `| **mean, QA** | ${bySeed.map((b) => verdict(mean(b.qaRows.map((r) => r.auto.accuracy - r.adaptive.accuracy)), mean(b.qaRows.map((r) => r.adaptive.calls / r.auto.calls)), 0.4)).join(' | ')} |`,
  );
  lines.push(`| before (commit 54ef82b: half a standard error plus a disagreement cost of 0.025 point per point of decisions changed, chosen on these sets), classification | 0.47 @ 0.294 | 0.09 @ 0.308 | |`);
  lines.push(`| before (commit 54ef82b), QA | 0.27 @ 0.366 | 0.05 @ 0.369 | |`);
  lines.push('');
}
lines.push(`Seed ${seed} in detail:`);
lines.push('');
lines.push('| set | items | models | best single (hindsight): macro-F1, cost | auto: macro-F1, calls, cost | adaptive: macro-F1, calls, cost | loss vs auto (points) | calls / models | settled weighted vote: calls / models (same decisions) |');
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  lines.push(
    `| ${r.set} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.macroF1)}, ${money(r.best.cost)} | ${f3(r.auto.macroF1)}, ${r.auto.calls.toFixed(2)}, ${money(r.auto.cost)} | ${f3(r.adaptive.macroF1)}, ${r.adaptive.calls.toFixed(2)}, ${money(r.adaptive.cost)} | ${points(r.auto.macroF1 - r.adaptive.macroF1)} | ${f3(r.adaptive.calls / r.models)} | ${f3(r.settled.calls / r.models)} (${r.settled.same ? 'yes' : 'NO'}) |`,
  );
}
const meanAuto = mean(rows.map((r) => r.auto.macroF1));
const meanAdaptive = mean(rows.map((r) => r.adaptive.macroF1));
const meanRatio = mean(rows.map((r) => r.adaptive.calls / r.models));
lines.push(`| **mean** | | | ${f3(mean(rows.map((r) => r.best.macroF1)))} | ${f3(meanAuto)} | ${f3(meanAdaptive)} | ${points(meanAuto - meanAdaptive)} | ${f3(meanRatio)} | ${f3(mean(rows.map((r) => r.settled.calls / r.models)))} |`);
lines.push('');
lines.push('Cost/quality curve on the test folds: every setting of the rule replayed out-of-fold with each fold\'s own fits; shown is its Pareto frontier as `setting: calls per item -> macro-F1` (the setting `adaptive` uses is chosen per fold on the training folds, not from this curve):');
lines.push('');
for (const r of rows) lines.push(`- ${r.set}: ${r.curve.map((c) => `${c.label}: ${c.calls.toFixed(2)} -> ${f3(c.macroF1)}`).join('; ')}`);
lines.push('');
lines.push('Setting picked per outer fold:');
lines.push('');
for (const r of rows) lines.push(`- ${r.set}: ${r.adaptive.picks.join('; ')}`);
lines.push('');
lines.push(`Seconds per set: ${[...rows, ...qaRows].map((r) => `${r.set} ${r.seconds.toFixed(0)}`).join(', ')} (auto fits cached; machine shared with other jobs).`);
if (qaRows.length > 0) {
  lines.push('');
  lines.push('QA sets, through the path `fusion eval` takes (answers clustered per item into the candidate matrix, out-of-fold, the fused answer scored against the gold aliases or the human judgement, the answer of an adaptive policy in the words of a call it made): accuracy, calls per item against `auto` (every recorded answer), and the calls of `adaptive` over the calls of `auto` (its loss on the training folds is measured in accuracy where candidates differ per item, in macro-F1 over the option letters of multiple choice).');
  lines.push('');
  lines.push('| set | items | models | best single (hindsight): accuracy, cost | auto: accuracy, calls, cost | adaptive: accuracy, calls, cost | loss vs auto (points) | calls / auto calls |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of qaRows) {
    lines.push(
      `| ${r.set} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.accuracy)}, ${money(r.best.cost)} | ${f3(r.auto.accuracy)}, ${r.auto.calls.toFixed(2)}, ${money(r.auto.cost)} | ${f3(r.adaptive.accuracy)}, ${r.adaptive.calls.toFixed(2)}, ${money(r.adaptive.cost)} | ${points(r.auto.accuracy - r.adaptive.accuracy)} | ${f3(r.adaptive.calls / r.auto.calls)} |`,
    );
  }
  const qaAuto = mean(qaRows.map((r) => r.auto.accuracy));
  const qaAdaptive = mean(qaRows.map((r) => r.adaptive.accuracy));
  const qaRatio = mean(qaRows.map((r) => r.adaptive.calls / r.auto.calls));
  lines.push(`| **mean** | | | ${f3(mean(qaRows.map((r) => r.best.accuracy)))} | ${f3(qaAuto)} | ${f3(qaAdaptive)} | ${points(qaAuto - qaAdaptive)} | ${f3(qaRatio)} |`);
  lines.push('');
  lines.push(`Picks per outer fold: ${qaRows.map((r) => `${r.set}: ${r.adaptive.picks.join('; ')}`).join(' / ')}.`);
}
const table = lines.join('\n');
console.log(table);

if (!values['no-write']) {
  const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
  const start = '<!-- adaptive:start -->';
  const end = '<!-- adaptive:end -->';
  const section = `${start}\n## Adaptive querying: fewer calls per item\n\n${table}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  const next = a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + end.length) : `${old.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
