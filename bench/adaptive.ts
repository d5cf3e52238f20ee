/**
 * Adaptive querying measured on recorded answers: per labelled classification set in
 * ../shared/data, out-of-fold (5-fold stratified, every policy fitted on training folds only),
 * the calls per item and cost per item of `adaptive` (cascade with its default target: at most
 * half a point of macro-F1 below `auto` on the training folds) against `auto` (every model) and
 * the best single model, the loss in macro-F1, and the exact `settled` rule of a weighted vote.
 * `auto` fits are cached on disk (--cache) and shared with adaptive's last stage: the same fit.
 * Then the QA sets through the path `fusion eval` takes (candidate matrix, answer scorer): accuracy.
 *
 *   npx tsx bench/adaptive.ts [--data DIR] [--sets a,b] [--qa-sets a,b] [--folds 5] [--seed 1] [--cache DIR] [--rule R] [--disagreement-cost X] [--no-write]
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
import { createAdaptive, type FittedAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { outOfFoldCurve } from '../src/fuse/adaptive/out-of-fold-curve.js';
import type { StopRuleKind } from '../src/fuse/adaptive/stop-rule.js';
import { meanCallCost, meanCalls } from '../src/fuse/adaptive/usage.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';
import { weightedVoteStrategy } from '../src/fuse/weighted-vote.js';
import { scoreAnswers } from '../src/eval/answer-score.js';
import { fusedPrediction, strategyVoice } from '../src/eval/evaluate.js';
import { prepareQa } from '../src/qa/prepare.js';
import type { FittedStrategy, FusedPrediction } from '../src/fuse/strategy.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { DEFAULT_PRICES, priceOf } from '../src/task/prices.js';
import { loadEvalFolder } from '../src/task/load-folder.js';

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
    /** The stopping rule of `adaptive` (its default when absent). */
    rule: { type: 'string' },
    /** `adaptive`'s disagreementCost (its default when absent): to measure the trade-off it sets. */
    'disagreement-cost': { type: 'string' },
  },
});
const folds = Number(values.folds);
// The "before" rows were measured with the defaults: printed only next to figures measured the same way.
const DEFAULTS = values.folds === '5' && values.seed === '1' && values.rule === undefined && values['disagreement-cost'] === undefined;
const seed = Number(values.seed);
const sets = values.sets !== undefined ? values.sets.split(',').filter(Boolean) : SETS;
const qaSets = values['qa-sets'] !== undefined ? values['qa-sets'].split(',').filter(Boolean) : QA_SETS;
const cacheDir = values.cache as string;
const ruleOption = {
  ...(values.rule !== undefined ? { rule: values.rule as StopRuleKind } : {}),
  ...(values['disagreement-cost'] !== undefined ? { disagreementCost: Number(values['disagreement-cost']) } : {}),
};
mkdirSync(cacheDir, { recursive: true });

/**
 * The code an `auto` fit depends on (src/fuse, src/validation, src/qa), hashed: a cached fit made by
 * other code is never reused, so the figures are always those of the code in the tree.
 */
function codeFingerprint(): string {
  const hash = createHash('sha256');
  for (const dir of ['fuse', 'validation', 'qa']) {
    const root = new URL(`../src/${dir}/`, import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  }
  return hash.digest('hex').slice(0, 12);
}
const CODE = codeFingerprint();

/** `auto` with its fits cached on disk by code, training items and seed (its fit is the slow part of this bench). */
function cachedAuto(set: string): FusionStrategy {
  return {
    ...autoStrategy,
    fit(train, gold, options) {
      const key = createHash('sha256').update(JSON.stringify([CODE, set, train.itemIds, train.models, Array.from(gold), options.seed])).digest('hex').slice(0, 24);
      const file = join(cacheDir, `${set}-auto-${key}.json`);
      if (existsSync(file)) return autoStrategy.load(JSON.parse(readFileSync(file, 'utf8')), train.labels);
      const fitted = autoStrategy.fit(train, gold, options);
      writeFileSync(file, JSON.stringify(fitted.state()));
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
    const r = fusedPrediction(s, matrix, gold, { folds, seed, right: p.rightColumns });
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
  console.error(`${set}: auto ${f3(row.auto.accuracy)} adaptive ${f3(row.adaptive.accuracy)} calls ${row.adaptive.calls.toFixed(2)}/${f3(row.auto.calls)} picks ${row.adaptive.picks.join(' | ')} (${row.seconds.toFixed(0)} s)`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const lines: string[] = [];
lines.push(
  `Command: \`npx tsx bench/adaptive.ts\` (folds ${folds}, seed ${seed}; every policy fitted on the training folds only and replayed on the test fold's recorded answers: an answer counts only once the policy asks for it). \`adaptive\` is the default policy: models asked in the order learned on the training folds (greedily, the model that most improves a weighted vote's agreement with \`auto\`'s inner out-of-fold decisions); a checkpoint after every model up to 16 models (after 1-8, 16, 32, 64 and all with more); at each checkpoint the fusion of the models asked so far (stacking on their answers with or without the item's text, whichever cross-validates better there) decides, and the \`agreement\` rule stops once a logistic model of the step (fused confidence, margin, entropy, share asked, answers siding with the leader, distance from settled, leader held since the last checkpoint), fitted on the training folds against \`auto\`'s inner out-of-fold decisions, gives P(this decision is auto's with every model) >= tau; tau is chosen on the training folds as the fewest calls whose loss against auto's inner out-of-fold decisions (made non-increasing in calls by pooling adjacent violators) plus half a standard error plus 0.025 point per point of decisions changed stays within 0.5 point of macro-F1; \`auto\` decides when every model was asked. Cost: list prices of src/task/prices.ts with tokens estimated from the prompt and the model's recorded outputs (4 characters a token); n/a when a model asked has no price.`,
);
lines.push('');
lines.push('| set | items | models | best single (hindsight): macro-F1, cost | auto: macro-F1, calls, cost | adaptive: macro-F1, calls, cost | loss vs auto (points) | calls / models | settled weighted vote: calls / models (same decisions) |');
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  lines.push(
    `| ${r.set} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.macroF1)}, ${money(r.best.cost)} | ${f3(r.auto.macroF1)}, ${r.auto.calls.toFixed(2)}, ${money(r.auto.cost)} | ${f3(r.adaptive.macroF1)}, ${r.adaptive.calls.toFixed(2)}, ${money(r.adaptive.cost)} | ${(100 * (r.auto.macroF1 - r.adaptive.macroF1)).toFixed(2)} | ${f3(r.adaptive.calls / r.models)} | ${f3(r.settled.calls / r.models)} (${r.settled.same ? 'yes' : 'NO'}) |`,
  );
}
const meanAuto = mean(rows.map((r) => r.auto.macroF1));
const meanAdaptive = mean(rows.map((r) => r.adaptive.macroF1));
const meanRatio = mean(rows.map((r) => r.adaptive.calls / r.models));
lines.push(`| **mean** | | | ${f3(mean(rows.map((r) => r.best.macroF1)))} | ${f3(meanAuto)} | ${f3(meanAdaptive)} | ${(100 * (meanAuto - meanAdaptive)).toFixed(2)} | ${f3(meanRatio)} | ${f3(mean(rows.map((r) => r.settled.calls / r.models)))} |`);
if (rows.length === SETS.length && DEFAULTS) {
  lines.push(`| before: cascade rule, loss against the prefix stacking of every model, first-failure walk (same command, commit 0a8e7e2) | | | 0.687 | 0.768 | 0.762 | 0.58 | 0.359 | 0.642 |`);
  lines.push(`| before: agreement rule, order learned against the labels, checkpoints 1-8 then doubling, disagreement cost 0.05 (same command, commit 2bd028a) | | | 0.687 | 0.768 | 0.763 | 0.48 | 0.318 | 0.642 |`);
}
lines.push('');
if (rows.length === SETS.length) {
  const met = meanAuto - meanAdaptive <= 0.005 && meanRatio <= 0.3;
  lines.push(`Goal (mean macro-F1 of adaptive within 0.5 point of auto, mean calls / models <= 0.30): loss ${(100 * (meanAuto - meanAdaptive)).toFixed(2)} points, calls ${f3(meanRatio)}: ${met ? 'met' : 'NOT met'}.`);
  lines.push('');
}
if (rows.length === SETS.length && DEFAULTS) {
  lines.push(
    'The disagreement cost (points of loss assumed per point of decisions changed, added to the training-fold loss before it is held to the target) is one constant for every set, chosen on these dev sets as the smallest of 0, 0.025 and 0.05 whose mean loss over the 11 classification sets stays within the default target of 0.5 point (`--disagreement-cost X`, commit of this table; these are the sets it is reported on, so for this one constant the figures above are not held out): mean loss / calls per models, classification and QA:',
  );
  lines.push('');
  lines.push('| disagreement cost | classification: loss (points) | classification: calls / models | QA: loss (points) | QA: calls / auto calls |');
  lines.push('|---|---|---|---|---|');
  lines.push('| 0 | 0.61 | 0.282 | 0.39 | 0.353 |');
  lines.push('| **0.025** (default) | 0.47 | 0.294 | 0.27 | 0.366 |');
  lines.push('| 0.05 | 0.43 | 0.310 | 0.10 | 0.380 |');
  lines.push('| 0.05, before (order learned against the labels, commit 2bd028a) | 0.48 | 0.318 | 0.39 | 0.385 |');
  lines.push('| 0, before (commit 2bd028a) | 0.58 | 0.300 | | |');
  lines.push('');
  lines.push(
    'The same command under another fold draw (`--seed 2`, same commit): classification mean loss 0.09 points at 0.308 calls / models (per set loss@calls: emotion 2.08@0.275, fiqa-sentiment -4.18@0.207, flute 0.76@0.248, ibc -0.42@0.376, implicit-hate 0.94@0.606, policy-topic-en 0.78@0.269, policy-topic-en-all 0.09@0.207, raop 0.53@0.490, toxicity-en 0.00@0.127, toxicity-en-all 0.80@0.011, wiki-politeness -0.38@0.576); QA mean loss 0.05 points at 0.369 of the calls. The fold draw moves the operating point along the same trade-off by more than the goal\'s margin: the goal holds on the mean of the two draws for the loss (0.28) and sits at its edge for the calls (0.301).',
  );
  lines.push('');
}
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
      `| ${r.set} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.accuracy)}, ${money(r.best.cost)} | ${f3(r.auto.accuracy)}, ${r.auto.calls.toFixed(2)}, ${money(r.auto.cost)} | ${f3(r.adaptive.accuracy)}, ${r.adaptive.calls.toFixed(2)}, ${money(r.adaptive.cost)} | ${(100 * (r.auto.accuracy - r.adaptive.accuracy)).toFixed(2)} | ${f3(r.adaptive.calls / r.auto.calls)} |`,
    );
  }
  const qaAuto = mean(qaRows.map((r) => r.auto.accuracy));
  const qaAdaptive = mean(qaRows.map((r) => r.adaptive.accuracy));
  const qaRatio = mean(qaRows.map((r) => r.adaptive.calls / r.auto.calls));
  lines.push(`| **mean** | | | ${f3(mean(qaRows.map((r) => r.best.accuracy)))} | ${f3(qaAuto)} | ${f3(qaAdaptive)} | ${(100 * (qaAuto - qaAdaptive)).toFixed(2)} | ${f3(qaRatio)} |`);
  if (qaRows.length === QA_SETS.length && DEFAULTS) {
    lines.push(`| before: cascade rule (commit 0a8e7e2; auto has since moved on mmlu-pro-dev: re-run there, mmlu-pro-dev 0.795 / 0.782 / 1.25 points @ 0.206, mean 0.78 points @ 0.349) | | | 0.839 | 0.849 | 0.845 | 0.43 | 0.352 |`);
    lines.push(`| before: order learned against the labels, disagreement cost 0.05, a free-form answer stated in the words of the winning cluster's first member, asked or not (commit 2bd028a; evouna-nq 0.804 @ 0.644) | | | 0.839 | 0.853 | 0.849 | 0.39 | 0.385 |`);
  }
  lines.push('');
  const perSet = qaRows.every((r) => r.auto.accuracy - r.adaptive.accuracy <= 0.005 && r.adaptive.calls / r.auto.calls <= 0.4);
  lines.push(`Goal (QA accuracy within 0.5 point of auto at <= 0.40 of the calls): mean loss ${(100 * (qaAuto - qaAdaptive)).toFixed(2)} points at ${f3(qaRatio)} of the calls (${perSet ? 'met on every set' : 'not met on every set'}). Picks per outer fold: ${qaRows.map((r) => `${r.set}: ${r.adaptive.picks.join('; ')}`).join(' / ')}.`);
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
