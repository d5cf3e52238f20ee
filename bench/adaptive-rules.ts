/**
 * How `adaptive`'s operating point would land under other ways of bounding the training-fold loss,
 * from one out-of-fold fit per set and seed: each fold's policy keeps its training-fold curve
 * (every setting's loss against the labels and against `auto`'s out-of-fold probabilities, with
 * their standard errors), so each variant re-chooses the setting from that curve alone and replays
 * the fold's test items with it. Prints one JSON line per set: per variant, the test-fold macro-F1,
 * loss against `auto` and share of calls.
 *
 *   npx tsx bench/adaptive-rules.ts [--sets a,b] [--folds 5] [--seed 1] [--out FILE] [--agreement-model pooled|per-checkpoint|staged] [--prefix-target labels|final] [--refine-grid false] [--checkpoint-growth 1.414] [--text-checkpoint true] [--unseen none|pseudo]
 *
 * With `--text-checkpoint true` the policies are fitted with a checkpoint 0 (the item's text alone,
 * before any call): every variant above is measured without it (`withoutText`, the same fit), and
 * one more, `labels+1se text0`, is the fitted policy as it stands (the default setting and its
 * checkpoint 0), so the pair default / text0 is exact. `--unseen` is the bound the policies are
 * fitted with (adaptive's default when absent, the pseudo-disagreement): with `pseudo` the exact
 * pair is `labels+1se pseudo` / text0. Variants that name no `unseen` take adaptive's default;
 * `labels+1se` is the plain bound.
 *   npx tsx bench/adaptive-rules.ts --summary FILE,FILE...   (a markdown table of saved lines: loss @ share of calls per set and seed)
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { crossValidateStrategy } from '../src/fuse/cross-validate.js';
import { autoStrategy } from '../src/fuse/auto.js';
import { memoizeFits } from '../src/fuse/memo-fits.js';
import { createAdaptive, type FittedAdaptive, type PrefixTarget, type StopTarget } from '../src/fuse/adaptive/adaptive-strategy.js';
import type { AgreementModelKind } from '../src/fuse/adaptive/agreement.js';
import { chooseOperatingPoint, type CurvePoint, type LossEstimate, lossBoundOf, type Target, type UnseenDisagreement } from '../src/fuse/adaptive/operating-point.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { onFixedGrid } from '../test/support/adaptive-worlds.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { scoreClassification } from '../src/validation/metrics.js';

const { values } = parseArgs({
  options: {
    ...setArgs('sets', 'fiqa-sentiment,toxicity-en,emotion,flute,ibc,wiki-politeness,raop,implicit-hate,policy-topic-en'),
    out: { type: 'string' },
    summary: { type: 'string' },
    /** What the agreement model foretells (adaptive's default when absent). */
    'stop-target': { type: 'string' },
    /** How the agreement model reads a step (adaptive's default when absent): pooled | per-checkpoint. */
    'agreement-model': { type: 'string' },
    /** What the prefix fusions are fitted to (adaptive's default when absent): labels | final. */
    'prefix-target': { type: 'string' },
    /** `false`: the fixed grid of settings only (adaptive's default refines it). */
    'refine-grid': { type: 'string' },
    /** Factor between checkpoints past the first 8 (adaptive's default 2). */
    'checkpoint-growth': { type: 'string' },
    /** `true`: fit a checkpoint 0 (the text alone) and add the `labels+1se text0` variant. */
    'text-checkpoint': { type: 'string' },
    /** The bound the policies (and their checkpoint 0) are fitted with (adaptive's default when absent): none | pseudo. */
    unseen: { type: 'string' },
  },
});
const folds = Number(values.folds);
const textCheckpoint = values['text-checkpoint'] === 'true';
const seed = Number(values.seed);

/** The ways of bounding the loss compared: what it is scored against, and how many standard errors are added. */
const VARIANTS: { name: string; estimate: LossEstimate; caution: number; unseen?: UnseenDisagreement; fixedGrid?: boolean }[] = [
  { name: 'labels+1se', estimate: 'labels', caution: 1, unseen: 'none' },
  { name: 'labels+1se pseudo', estimate: 'labels', caution: 1, unseen: 'pseudo' },
  { name: 'labels+1se fixed grid', estimate: 'labels', caution: 1, fixedGrid: true },
  { name: 'labels+0.5se', estimate: 'labels', caution: 0.5 },
  { name: 'labels', estimate: 'labels', caution: 0 },
  { name: 'expected+1se', estimate: 'expected', caution: 1 },
  { name: 'expected', estimate: 'expected', caution: 0 },
];

interface Line {
  set: string;
  seed: number;
  variants: { name: string; loss: number; callShare: number }[];
}

/** Per set, per seed and variant `loss @ calls`, then the mean over the sets that every seed measured. */
function summary(files: readonly string[]): string {
  const lines = files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line),
  );
  const seeds = [...new Set(lines.map((l) => l.seed))].sort();
  const names = [...new Set(lines.flatMap((l) => l.variants.map((v) => v.name)))];
  const sets = [...new Set(lines.map((l) => l.set))].filter((s) => seeds.every((seed) => lines.some((l) => l.set === s && l.seed === seed)));
  const cell = (set: string, seed: number, name: string) => lines.find((l) => l.set === set && l.seed === seed)?.variants.find((v) => v.name === name);
  const head = `| set | ${seeds.flatMap((seed) => names.map((n) => `seed ${seed}: ${n}`)).join(' | ')} |`;
  const rule = `|---|${seeds.flatMap(() => names.map(() => '---')).join('|')}|`;
  const rows = sets.map((set) => `| ${set} | ${seeds.flatMap((seed) => names.map((n) => { const v = cell(set, seed, n); return v ? `${v.loss.toFixed(2)} @ ${v.callShare.toFixed(3)}` : ''; })).join(' | ')} |`);
  const mean = (seed: number, n: string, key: 'loss' | 'callShare') => sets.reduce((a, s) => a + ((cell(s, seed, n) as Record<typeof key, number>)[key]), 0) / Math.max(1, sets.length);
  const means = `| **mean (${sets.length} sets)** | ${seeds.flatMap((seed) => names.map((n) => `${mean(seed, n, 'loss').toFixed(2)} @ ${mean(seed, n, 'callShare').toFixed(3)}`)).join(' | ')} |`;
  return [head, rule, ...rows, means].join('\n');
}

if (values.summary) console.log(summary(values.summary.split(',')));
for (const set of values.summary ? [] : (values.sets as string).split(',').filter(Boolean)) {
  const started = Date.now();
  const folder = loadEvalFolder(join(values.data as string, set));
  if (folder.kind !== 'classification') throw new Error(`${set}: not a classification folder`);
  const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const { gold } = folder;
  const auto = memoizeFits(autoStrategy);
  const autoCv = crossValidateStrategy(auto, matrix, gold, { folds, seed });
  const cv = crossValidateStrategy(createAdaptive({ final: auto, ...(values['stop-target'] ? { stopTarget: values['stop-target'] as StopTarget } : {}), ...(values['agreement-model'] ? { agreementModel: values['agreement-model'] as AgreementModelKind } : {}), ...(values['prefix-target'] ? { prefixTarget: values['prefix-target'] as PrefixTarget } : {}), ...(values['refine-grid'] === 'false' ? { refineGrid: false } : {}), ...(values['checkpoint-growth'] ? { checkpointGrowth: Number(values['checkpoint-growth']) } : {}), ...(textCheckpoint ? { textCheckpoint } : {}), ...(values.unseen ? { unseen: values.unseen as UnseenDisagreement } : {}) }), matrix, gold, { folds, seed });
  const N = matrix.itemIds.length;
  const M = matrix.models.length;
  const K = matrix.labels.length;
  const f1 = (p: { probs: Float64Array; decided: Uint8Array }) => scoreClassification(gold, p, matrix.labels).macroF1;
  const autoF1 = f1(autoCv.prediction);
  /** Test-fold macro-F1, loss and share of calls of each fold's policy with the rule `ruleOf` picks, and the items it decided without a call. */
  const measure = (name: string, policyOf: (policy: FittedAdaptive, f: number) => FittedAdaptive, picked: string[]) => {
    const probs = new Float64Array(N * K);
    const decided = new Uint8Array(N);
    let calls = 0;
    let fromText = 0;
    cv.folds.forEach((test, f) => {
      const r = policyOf(cv.fitted[f] as FittedAdaptive, f).replay(selectItems(matrix, test));
      test.forEach((i, row) => {
        probs.set(r.prediction.probs.subarray(row * K, (row + 1) * K), i * K);
        decided[i] = r.prediction.decided[row] as number;
        calls += r.calls[row] as number;
        if (r.calls[row] === 0) fromText++;
      });
    });
    const macroF1 = f1({ probs, decided });
    return { name, macroF1: +macroF1.toFixed(4), loss: +(100 * (autoF1 - macroF1)).toFixed(2), callShare: +(calls / N / M).toFixed(3), fromText: +(fromText / N).toFixed(3), picks: picked };
  };
  const text0 = textCheckpoint
    ? [measure('labels+1se text0', (p) => p, cv.fitted.map((p) => { const t = (p.state() as { text?: { tau: number } }).text; return t ? `text tau=${t.tau}` : 'no text stage'; }))]
    : [];
  const variants = VARIANTS.map((v) => {
    const probs = new Float64Array(N * K);
    const decided = new Uint8Array(N);
    let calls = 0;
    const picks: string[] = [];
    cv.folds.forEach((test, f) => {
      const policy = cv.fitted[f] as FittedAdaptive;
      const st = policy.state() as { curve: CurvePoint[]; target: Target };
      const curve = v.fixedGrid ? onFixedGrid(st.curve) : st.curve;
      const bounds = lossBoundOf(curve, v);
      const point = chooseOperatingPoint(
        curve.map((p, i) => ({ ...p, lossBound: bounds[i] as number })),
        st.target,
      );
      picks.push(JSON.stringify(point.rule));
      const r = policy.withoutText().withRule(point.rule).replay(selectItems(matrix, test));
      test.forEach((i, row) => {
        probs.set(r.prediction.probs.subarray(row * K, (row + 1) * K), i * K);
        decided[i] = r.prediction.decided[row] as number;
        calls += r.calls[row] as number;
      });
    });
    const macroF1 = f1({ probs, decided });
    return { name: v.name, macroF1: +macroF1.toFixed(4), loss: +(100 * (autoF1 - macroF1)).toFixed(2), callShare: +(calls / N / M).toFixed(3), picks };
  }).concat(text0);
  const line = JSON.stringify({ set, folds, seed, stopTarget: values['stop-target'] ?? 'default', agreementModel: values['agreement-model'] ?? 'default', prefixTarget: values['prefix-target'] ?? 'default', refineGrid: values['refine-grid'] ?? 'default', checkpointGrowth: values['checkpoint-growth'] ?? 'default', textCheckpoint, unseen: values.unseen ?? 'default', items: N, models: M, autoMacroF1: +autoF1.toFixed(4), seconds: Math.round((Date.now() - started) / 1000), variants });
  console.log(line);
  if (values.out) appendFileSync(values.out, `${line}\n`);
}
