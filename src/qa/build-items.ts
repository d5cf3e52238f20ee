import { type AbstentionReason, CUT_READING } from '../normalize/types.js';
import { extractQaAnswer, type QaContext } from '../normalize/qa/extract.js';
import { answerTokens, contentTokens, STOPWORDS, tokenF1 } from '../normalize/qa/squad-normalize.js';
import { clusterAnswers } from './cluster.js';
import type { ItemAnswer, QaAnswer, QaItemAnswers } from './types.js';

/** One raw output of one model on the question. */
export interface RawQaOutput {
  /** Index into the model list. */
  model: number;
  sample?: number;
  output: string;
  /** The tool cut it at its length limit (CUT_READING). */
  cut?: boolean;
}

export interface QaAbstention {
  model: number;
  sample: number;
  reason: AbstentionReason;
  detail?: string;
}

export interface BuiltItem {
  item: QaItemAnswers;
  abstentions: QaAbstention[];
  /** For each raw output (in input order), its index in `item.answers`, or -1 when it abstained. */
  answerIndex: Int32Array;
}

/** The question's content words: left out when comparing sentence answers, which tend to restate it. */
export function questionTokenSet(question: string): Set<string> {
  return new Set(answerTokens(question).filter((t) => !STOPWORDS.has(t)));
}

/**
 * Reads, clusters and summarizes one question's outputs: the pure core shared by evaluation and by
 * `fusion run`. `modelCount` fixes the size of the per-model arrays.
 */
export function buildItemAnswers(
  itemId: string,
  question: string,
  ctx: QaContext,
  outputs: readonly RawQaOutput[],
  modelCount: number,
): BuiltItem {
  const answers: ItemAnswer[] = [];
  const abstentions: QaAbstention[] = [];
  const answerIndex = new Int32Array(outputs.length).fill(-1);
  outputs.forEach((o, k) => {
    const reading = o.cut ? CUT_READING : extractQaAnswer(o.output, ctx);
    const sample = o.sample ?? 0;
    if (reading.kind === 'abstain') {
      abstentions.push({ model: o.model, sample, reason: reading.reason, ...(reading.detail === undefined ? {} : { detail: reading.detail }) });
      return;
    }
    answerIndex[k] = answers.length;
    answers.push({ model: o.model, sample, reading, output: o.output });
  });

  const qTokens = ctx.answerType === 'free-form' ? questionTokenSet(question) : undefined;
  const readings: QaAnswer[] = answers.map((a) => a.reading);
  const clusterOf = clusterAnswers(readings, qTokens);
  const C = answers.length === 0 ? 0 : Math.max(...clusterOf) + 1;
  const clusters = Array.from({ length: C }, () => ({ members: [] as number[] }));
  clusterOf.forEach((c, a) => clusters[c]?.members.push(a));

  const M = modelCount;
  const share = new Float64Array(M * C);
  const perModel = new Float64Array(M);
  for (const a of answers) perModel[a.model] = (perModel[a.model] ?? 0) + 1;
  answers.forEach((a, k) => {
    const idx = a.model * C + (clusterOf[k] as number);
    share[idx] = (share[idx] ?? 0) + 1 / (perModel[a.model] as number);
  });
  const answered = new Uint8Array(M);
  for (let m = 0; m < M; m++) answered[m] = (perModel[m] ?? 0) > 0 ? 1 : 0;

  const A = answers.length;
  const sim = new Float64Array(A * A);
  // Across clusters, free-form answers keep a soft similarity (content-token F1); choices and numbers none.
  const content = ctx.answerType === 'free-form' ? readings.map((r) => contentTokens(r.text, qTokens)) : null;
  for (let a = 0; a < A; a++) {
    sim[a * A + a] = 1;
    for (let b = 0; b < a; b++) {
      const s = clusterOf[a] === clusterOf[b] ? 1 : content ? tokenF1(content[a] ?? [], content[b] ?? []) : 0;
      sim[a * A + b] = s;
      sim[b * A + a] = s;
    }
  }
  // Centrality: samples of one model are averaged first, so a model with 10 samples is one voice.
  const centrality = new Float64Array(A);
  const acc = new Float64Array(M);
  for (let a = 0; a < A; a++) {
    acc.fill(0);
    const self = (answers[a] as ItemAnswer).model;
    for (let b = 0; b < A; b++) {
      const mb = (answers[b] as ItemAnswer).model;
      if (mb !== self) acc[mb] = (acc[mb] ?? 0) + (sim[a * A + b] as number) / (perModel[mb] as number);
    }
    let total = 0;
    let voices = 0;
    for (let m = 0; m < M; m++) {
      if (m === self || !answered[m]) continue;
      total += acc[m] as number;
      voices++;
    }
    centrality[a] = voices === 0 ? 0 : total / voices;
  }

  const answerSpace = ctx.answerType === 'multiple-choice' ? (ctx.choices?.length ?? 0) : 0;
  return {
    item: { itemId, answers, clusters, clusterOf, share, answered, sim, centrality, answerSpace },
    abstentions,
    answerIndex,
  };
}

/**
 * The most central member of a cluster (ties to the first seen): the answer that stands for it.
 * With `asked`, only the answers of the calls it admits (model, sample) stand (all members when it
 * admits none): a policy cannot state an answer in the words of a call it never made.
 */
export function mostCentralMember(item: QaItemAnswers, cluster: number, modelWeight?: ArrayLike<number>, asked?: (model: number, sample: number) => boolean): number {
  const all = item.clusters[cluster]?.members ?? [];
  const admitted = asked ? all.filter((a) => asked((item.answers[a] as ItemAnswer).model, (item.answers[a] as ItemAnswer).sample)) : all;
  const members = admitted.length > 0 ? admitted : all;
  let best = members[0] ?? -1;
  let bestScore = -Infinity;
  for (const a of members) {
    const w = modelWeight ? (modelWeight[(item.answers[a] as ItemAnswer).model] ?? 0) : 0;
    // Centrality first; the model weight only breaks ties between equally central members.
    const score = (item.centrality[a] as number) + 1e-6 * w;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = a;
    }
  }
  return best;
}
