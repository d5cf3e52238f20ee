import { z } from 'zod';
import { median } from '../util/median.js';
import type { AnswerMatrix } from './answer-matrix.js';
import type { FittedStrategy, FusionStrategy } from './strategy.js';
import { parseState, requireLength } from './strategy-state.js';
import { requireSharedLabels, requireLabelledRows } from './strategy.js';

/**
 * Probability floor before taking logs: a one-hot answer becomes a finite logit vector, so its
 * temperature can express how often that model is right (one-hot answers have no other scale).
 */
export const CALIBRATION_FLOOR = 1e-4;
const LOG_T_MIN = Math.log(0.05);
const LOG_T_MAX = Math.log(100);

/** Model j's distribution on item i tempered by T: softmax(log(max(p, floor)) / T). */
function temper(probs: Float64Array, base: number, K: number, T: number, out: Float64Array, outBase: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    const z = Math.log(Math.max(probs[base + k] as number, CALIBRATION_FLOOR)) / T;
    out[outBase + k] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp((out[outBase + k] as number) - max);
    out[outBase + k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) out[outBase + k] = (out[outBase + k] as number) / sum;
}

/**
 * Temperature of each model minimizing its log-loss on the labelled items it answered, by
 * golden-section search over log T in [0.05, 100] (the loss is unimodal in T). A model with no
 * labelled answer keeps T = 1.
 */
export function fitTemperatures(train: AnswerMatrix, gold: Int32Array): number[] {
  const K = train.labels.length;
  const M = train.models.length;
  const N = train.itemIds.length;
  const tmp = new Float64Array(K);
  return train.models.map((_, j) => {
    const cells: number[] = [];
    for (let i = 0; i < N; i++) if ((gold[i] as number) >= 0 && train.present[i * M + j] === 1) cells.push(i);
    if (cells.length === 0) return 1;
    const loss = (logT: number): number => {
      const T = Math.exp(logT);
      let s = 0;
      for (const i of cells) {
        temper(train.probs, (i * M + j) * K, K, T, tmp, 0);
        s -= Math.log(Math.max(tmp[gold[i] as number] as number, 1e-300));
      }
      return s;
    };
    const phi = (Math.sqrt(5) - 1) / 2;
    let a = LOG_T_MIN;
    let b = LOG_T_MAX;
    let c = b - phi * (b - a);
    let d = a + phi * (b - a);
    let fc = loss(c);
    let fd = loss(d);
    for (let it = 0; it < 40; it++) {
      if (fc <= fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - phi * (b - a);
        fc = loss(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + phi * (b - a);
        fd = loss(d);
      }
    }
    return Math.exp((a + b) / 2);
  });
}

/** The answers with each model's distributions tempered; `temperatureOf(name)` gives each model's T. */
export function applyTemperatures(answers: AnswerMatrix, temperatureOf: (model: string) => number): AnswerMatrix {
  const K = answers.labels.length;
  const M = answers.models.length;
  const probs = new Float64Array(answers.probs.length);
  const T = answers.models.map(temperatureOf);
  for (let c = 0; c < answers.present.length; c++) {
    if (answers.present[c] === 0) continue;
    temper(answers.probs, c * K, K, T[c % M] as number, probs, c * K);
  }
  return { ...answers, probs };
}

const StateSchema = z.object({
  models: z.array(z.string()),
  temperatures: z.array(z.number().positive()),
  /** Used for a model the fit never saw: the median fitted temperature. */
  defaultTemperature: z.number().positive(),
  inner: z.unknown(),
});
type CalibratedState = z.infer<typeof StateSchema>;

/**
 * Per-model temperature scaling fitted on the training items, then `inner` fitted and applied on
 * the tempered answers. Temperatures are fitted on the same training rows the inner strategy sees,
 * never on test rows.
 */
export function calibrated(inner: FusionStrategy): FusionStrategy {
  const name = `calibrated-${inner.name}`;
  const wrap = (state: CalibratedState, innerFitted: FittedStrategy): FittedStrategy => {
    const byName = new Map(state.models.map((m, f) => [m, state.temperatures[f] as number]));
    const temperatureOf = (m: string) => byName.get(m) ?? state.defaultTemperature;
    return {
      name,
      predict: (answers) => innerFitted.predict(applyTemperatures(answers, temperatureOf)),
      state: () => ({ ...state, inner: innerFitted.state() }),
      ...(innerFitted.modelTrust ? { modelTrust: innerFitted.modelTrust } : {}),
      ...(innerFitted.explain
        ? { explain: (answers: AnswerMatrix, i: number) => (innerFitted.explain as NonNullable<FittedStrategy['explain']>)(applyTemperatures(answers, temperatureOf), i) }
        : {}),
    };
  };
  return {
    name,
    supervised: true,
    // Tempering spreads a floor of probability over every column: only meaningful on a fixed label set.
    needsSharedLabels: true,
    fit(train, gold, options) {
      requireSharedLabels(name, train);
      requireLabelledRows(name, gold);
      const temperatures = fitTemperatures(train, gold);
      const state: CalibratedState = { models: [...train.models], temperatures, defaultTemperature: temperatures.length === 0 ? 1 : median(temperatures), inner: null };
      const byName = new Map(train.models.map((m, j) => [m, temperatures[j] as number]));
      const innerFitted = inner.fit(applyTemperatures(train, (m) => byName.get(m) ?? 1), gold, options);
      return wrap(state, innerFitted);
    },
    load(raw, labels) {
      const s = parseState(name, StateSchema, raw);
      requireLength(name, 'temperatures', s.temperatures.length, s.models.length);
      return wrap(s, inner.load(s.inner, labels));
    },
  };
}
