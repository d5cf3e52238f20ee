import { type AnswerMatrix, candidateCount, collapseSamples, selectModels } from '../answer-matrix.js';
import type { FusedPrediction } from '../strategy.js';

/** What a policy may look at after asking some models, and how its columns map back to the full matrix's. */
export interface AskedView {
  answers: AnswerMatrix;
  /** Per item, the full matrix's column of each view column (null: the same columns, a fixed label set). */
  columns: Int32Array[] | null;
  /** Columns of the full matrix. */
  K: number;
}

/**
 * The answers of the models `cols` only, as a decision taken before asking the others may see them:
 * with a model's samples asked so far averaged into one column, without the per-item centrality (computed from every model's answer), and, where candidates differ
 * per item (QA answer clusters), with only the candidates the asked models gave plus one empty
 * candidate standing for "an answer not given yet". A candidate only a model not yet asked gave, and
 * how many candidates an item has, would tell how much the models still to ask disagree.
 */
export function askedView(answers: AnswerMatrix, cols: readonly number[]): AskedView {
  // Samples asked of one model (columns sharing its name) are seen as its mean answer: it votes once.
  const { centrality: _all, ...sel } = collapseSamples(selectModels(answers, cols));
  const K = answers.labels.length;
  if (!answers.candidates) return { answers: sel, columns: null, K };
  const M2 = sel.models.length;
  const N = answers.itemIds.length;
  const columns: Int32Array[] = [];
  for (let i = 0; i < N; i++) {
    const given: number[] = [];
    for (let k = 0; k < candidateCount(answers, i); k++) {
      let any = false;
      for (let j = 0; j < M2 && !any; j++) any = sel.present[i * M2 + j] === 1 && (sel.probs[(i * M2 + j) * K + k] as number) > 0;
      if (any) given.push(k);
    }
    columns.push(Int32Array.from(given));
  }
  const K2 = 1 + Math.max(0, ...columns.map((c) => c.length));
  const probs = new Float64Array(N * M2 * K2);
  const candidates = columns.map((c, i) => [...Array.from(c, (k) => answers.candidates?.[i]?.[k] ?? ''), '']);
  for (let i = 0; i < N; i++) {
    const c = columns[i] as Int32Array;
    for (let j = 0; j < M2; j++) for (let n = 0; n < c.length; n++) probs[(i * M2 + j) * K2 + n] = sel.probs[(i * M2 + j) * K + (c[n] as number)] as number;
  }
  const view: AnswerMatrix = { ...sel, labels: Array.from({ length: K2 }, (_, k) => `candidate-${k + 1}`), probs, candidates };
  return { answers: view, columns, K };
}

/** Gold in the view's columns: a right answer no asked model gave is the empty candidate. */
export function viewGold(v: AskedView, gold: Int32Array): Int32Array {
  if (!v.columns) return gold;
  return Int32Array.from(gold, (g, i) => {
    if (g < 0) return g;
    const c = v.columns?.[i] as Int32Array;
    const n = c.indexOf(g);
    return n >= 0 ? n : c.length;
  });
}

/**
 * A prediction on the view in the full matrix's columns. The empty candidate's probability is
 * left out, not spread: the top answer's probability stays what it was, the chance that it is
 * right with an answer not given yet still possible, which is what a stopping threshold compares.
 */
export function fromView(v: AskedView, prediction: FusedPrediction): FusedPrediction {
  if (!v.columns) return prediction;
  const K = v.K;
  const K2 = v.answers.labels.length;
  const N = v.columns.length;
  const probs = new Float64Array(N * K);
  v.columns.forEach((c, i) => c.forEach((k, n) => (probs[i * K + k] = prediction.probs[i * K2 + n] as number)));
  const decided = Uint8Array.from(prediction.decided, (d, i) => (d === 1 && (v.columns?.[i]?.length ?? 0) > 0 ? 1 : 0));
  return { probs, decided };
}
