import { type AnswerMatrix, sampleColumns, sampleIndices } from '../fuse/answer-matrix.js';
import type { QaAnswerType } from '../task/schema.js';
import { mostCentralMember } from './build-items.js';
import type { QaItemAnswers } from './types.js';

/**
 * The QA items as one answer matrix, so that every fusion strategy reads QA as classification:
 * - multiple choice: the columns are the option letters, shared by all items (every classification
 *   strategy works unchanged); model j's row is the share of its samples on each letter;
 * - free-form and numeric: item i's columns are its answer clusters (`candidates[i]`, named by their
 *   representative answer), K is the largest cluster count; strategies that need a fixed label set
 *   refuse such a matrix.
 * `columnCluster[i][k]` maps a column back to the item's cluster (-1 for a letter nobody chose).
 */
export interface CandidateMatrix {
  matrix: AnswerMatrix;
  columnCluster: Int32Array[];
}

/** Option letters in alphabetical order: A..J for the usual multiple-choice sets. */
function letters(items: readonly QaItemAnswers[], choiceLabels: readonly (readonly string[])[]): string[] {
  const set = new Set<string>();
  for (const labels of choiceLabels) for (const l of labels) set.add(l.toUpperCase());
  for (const item of items) for (const a of item.answers) if (a.reading.choice !== undefined) set.add(a.reading.choice.toUpperCase());
  return [...set].sort();
}

/**
 * Builds the matrix from the clustered items. `choiceLabels[i]` lists item i's option letters
 * (multiple choice only). Items keep their order; `texts` are the questions when given. When a
 * model answered an item several times, each sample is also a column of its own (one-hot on its
 * cluster's column; `sampled[j]` lists model j's sample indices, including samples that never read
 * as an answer, else they are taken from the answers).
 */
export function buildCandidateMatrix(
  items: readonly QaItemAnswers[],
  models: readonly string[],
  answerType: QaAnswerType,
  options: { choiceLabels?: readonly (readonly string[])[]; texts?: readonly string[]; sampled?: readonly (readonly number[])[] } = {},
): CandidateMatrix {
  const N = items.length;
  const M = models.length;
  const shared = answerType === 'multiple-choice';
  const labels = shared ? letters(items, options.choiceLabels ?? []) : [];
  const columnCluster: Int32Array[] = [];
  const candidates: string[][] = [];
  for (const item of items) {
    const C = item.clusters.length;
    if (shared) {
      const map = new Int32Array(labels.length).fill(-1);
      for (let c = 0; c < C; c++) {
        const first = item.answers[item.clusters[c]?.members[0] ?? -1];
        const letter = first?.reading.choice?.toUpperCase();
        const k = letter === undefined ? -1 : labels.indexOf(letter);
        if (k >= 0) map[k] = c;
      }
      columnCluster.push(map);
    } else {
      columnCluster.push(Int32Array.from({ length: C }, (_, c) => c));
      candidates.push(item.clusters.map((_, c) => item.answers[mostCentralMember(item, c)]?.reading.text ?? ''));
    }
  }
  const K = shared ? labels.length : Math.max(1, ...items.map((it) => it.clusters.length));
  const names = shared ? labels : Array.from({ length: K }, (_, k) => `candidate-${k + 1}`);
  const probs = new Float64Array(N * M * K);
  const present = new Uint8Array(N * M);
  const centrality = new Float64Array(N * K);
  items.forEach((item, i) => {
    const C = item.clusters.length;
    const map = columnCluster[i] as Int32Array;
    for (let k = 0; k < map.length; k++) {
      const c = map[k] as number;
      if (c < 0) continue;
      let best = 0;
      for (const a of item.clusters[c]?.members ?? []) best = Math.max(best, item.centrality[a] as number);
      centrality[i * K + k] = best;
    }
    for (let j = 0; j < M; j++) {
      if (!item.answered[j]) continue;
      present[i * M + j] = 1;
      for (let k = 0; k < map.length; k++) {
        const c = map[k] as number;
        if (c >= 0) probs[(i * M + j) * K + k] = item.share[j * C + c] as number;
      }
    }
  });
  const matrix: AnswerMatrix = {
    labels: names,
    models,
    itemIds: items.map((it) => it.itemId),
    probs,
    present,
    centrality,
    ...(shared ? {} : { candidates }),
    ...(options.texts ? { texts: options.texts } : {}),
  };
  const samples = sampleColumns(N, K, options.sampled ?? sampleIndices(M, items.flatMap((item) => item.answers.map((a) => [a.model, a.sample] as const))), (i, j, s) => {
    const item = items[i] as QaItemAnswers;
    const a = item.answers.findIndex((x) => x.model === j && x.sample === s);
    const k = a < 0 ? -1 : (columnCluster[i] as Int32Array).indexOf(item.clusterOf[a] as number);
    if (k < 0) return undefined;
    const dist = new Float64Array(K);
    dist[k] = 1;
    return dist;
  });
  return { matrix: samples ? { ...matrix, samples } : matrix, columnCluster };
}

/**
 * Whether the answer that stands for cluster c of item i is right: its representative, the member
 * the scorer names when a strategy picks the cluster (`mostCentralMember`; a strategy's trust in the
 * models only breaks exact ties of centrality there). The one definition of a right candidate: the
 * training targets below are built from it, so a strategy learns from what is scored. A cluster
 * that merely holds a right member (junk answers that agree with each other, one of which happens
 * to contain the gold) is not a right answer when its representative is wrong.
 */
export function clusterRight(item: QaItemAnswers, cluster: number, correct: readonly (boolean | null)[] | undefined): boolean {
  const a = mostCentralMember(item, cluster);
  return a >= 0 && correct?.[a] === true;
}

/**
 * Gold column of each item from the correctness of the answers (true/false/null per answer): the
 * column whose cluster is right (`clusterRight`), the most voted one when several are (an answer
 * split over two clusters), -1 when none is or nothing is known. `goldLetter[i]`, for multiple
 * choice, names the right option even when no model chose it.
 */
export function candidateGold(
  built: CandidateMatrix,
  items: readonly QaItemAnswers[],
  correct: readonly (readonly (boolean | null)[])[],
  goldLetter?: readonly (string | null)[],
): Int32Array {
  const { matrix, columnCluster } = built;
  const K = matrix.labels.length;
  const M = matrix.models.length;
  const gold = new Int32Array(items.length).fill(-1);
  items.forEach((item, i) => {
    const letter = goldLetter?.[i];
    if (letter) {
      gold[i] = matrix.labels.indexOf(letter.toUpperCase());
      if (gold[i] >= 0) return;
    }
    const map = columnCluster[i] as Int32Array;
    let bestVotes = -1;
    for (let k = 0; k < map.length; k++) {
      const c = map[k] as number;
      if (c < 0 || !clusterRight(item, c, correct[i])) continue;
      let votes = 0;
      for (let j = 0; j < M; j++) votes += matrix.probs[(i * M + j) * K + k] as number;
      if (votes > bestVotes) {
        bestVotes = votes;
        gold[i] = k;
      }
    }
  });
  return gold;
}

/**
 * right[i*K + k] = 1 where column k of item i is right (`clusterRight`, or the gold option letter):
 * the set of which `candidateGold` names one, for FitOptions.right.
 */
export function candidateRight(
  built: CandidateMatrix,
  items: readonly QaItemAnswers[],
  correct: readonly (readonly (boolean | null)[])[],
  gold: Int32Array,
): Uint8Array {
  const { matrix, columnCluster } = built;
  const K = matrix.labels.length;
  const right = new Uint8Array(items.length * K);
  items.forEach((item, i) => {
    if ((gold[i] as number) >= 0) right[i * K + (gold[i] as number)] = 1;
    // With shared labels the gold letter is the one right column.
    if (!matrix.candidates) return;
    const map = columnCluster[i] as Int32Array;
    for (let k = 0; k < map.length; k++) {
      const c = map[k] as number;
      if (c >= 0 && clusterRight(item, c, correct[i])) right[i * K + k] = 1;
    }
  });
  return right;
}
