import { type AnswerMatrix, emptyMatrix, sampleColumns, sampleIndices, setAnswer } from '../fuse/answer-matrix.js';
import type { AbstentionReason, ClassificationNormalizer } from '../normalize/types.js';
import type { EvalFolderBase } from '../task/eval-folder.js';
import type { ClassificationItem, ClassificationTask } from '../task/schema.js';
import { firstSeen } from '../util/first-seen.js';

export interface RejectedAnswer {
  item: string;
  output: string;
  reason: AbstentionReason;
  detail?: string;
}

export interface ModelAbstentions {
  model: string;
  /** Count per reason; `missing` = no recorded answer for the item. */
  counts: Partial<Record<AbstentionReason, number>>;
  rejected: RejectedAnswer[];
}

export interface BuiltMatrix {
  matrix: AnswerMatrix;
  abstentions: ModelAbstentions[];
}

/**
 * Reads every recorded answer through the normalizer into a dense AnswerMatrix. Models are in
 * order of first appearance in responses.jsonl. With several samples per (item, model), the
 * model's distribution is the mean of its readable samples (it votes once), and each sample is
 * also kept as a column of its own (`matrix.samples`) for the adaptive policy and call counts.
 */
export function buildAnswerMatrix(folder: EvalFolderBase<ClassificationTask, ClassificationItem>, normalize: ClassificationNormalizer): BuiltMatrix {
  const labels = folder.task.labels.map((l) => l.name);
  const K = labels.length;
  const { list: models, index: modelIndex } = firstSeen(folder.responses.map((r) => r.model));
  const itemIds = folder.items.map((it) => it.id);
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const matrix = { ...emptyMatrix(labels, models, itemIds), texts: folder.items.map((it) => it.text), ...(folder.task.ordered ? { ordered: true } : {}) };
  const M = models.length;
  const abstentions: ModelAbstentions[] = models.map((model) => ({ model, counts: {}, rejected: [] }));
  const sums = new Float64Array(itemIds.length * M * K);
  const readable = new Uint16Array(itemIds.length * M);
  const answered = new Uint8Array(itemIds.length * M);
  // Each readable sample's distribution, by "i,j,s".
  const bySample = new Map<string, Float64Array>();
  const withSamples = folder.responses.some((r) => (r.sample ?? 0) > 0);

  for (const r of folder.responses) {
    const i = itemIndex.get(r.item) as number;
    const j = modelIndex.get(r.model) as number;
    answered[i * M + j] = 1;
    const read = normalize({ output: r.output, ...(r.logprobs ? { logprobs: r.logprobs } : {}), ...(r.cut ? { cut: true } : {}) });
    if (read.kind === 'label') {
      if (withSamples) bySample.set(`${i},${j},${r.sample ?? 0}`, Float64Array.from(read.dist));
      const base = (i * M + j) * K;
      for (let k = 0; k < K; k++) sums[base + k] = (sums[base + k] as number) + (read.dist[k] as number);
      readable[i * M + j] = (readable[i * M + j] as number) + 1;
    } else {
      const a = abstentions[j] as ModelAbstentions;
      a.counts[read.reason] = (a.counts[read.reason] ?? 0) + 1;
      a.rejected.push({ item: r.item, output: r.output, reason: read.reason, ...(read.detail ? { detail: read.detail } : {}) });
    }
  }
  const dist = new Float64Array(K);
  for (let i = 0; i < itemIds.length; i++) {
    for (let j = 0; j < M; j++) {
      const c = readable[i * M + j] as number;
      if (c > 0) {
        const base = (i * M + j) * K;
        for (let k = 0; k < K; k++) dist[k] = (sums[base + k] as number) / c;
        setAnswer(matrix, i, j, dist);
      } else if (answered[i * M + j] === 0) {
        const a = abstentions[j] as ModelAbstentions;
        a.counts.missing = (a.counts.missing ?? 0) + 1;
      }
    }
  }
  const sampled = sampleIndices(M, folder.responses.map((r) => [modelIndex.get(r.model) as number, r.sample ?? 0] as const));
  const samples = sampleColumns(itemIds.length, K, sampled, (i, j, s) => bySample.get(`${i},${j},${s}`));
  return { matrix: samples ? { ...matrix, samples } : matrix, abstentions };
}
