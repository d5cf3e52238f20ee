import type { ClassificationTask } from '../task/schema.js';
import { createClassificationNormalizer } from './classification.js';
import { ABSTENTION_REASONS, type AbstentionReason, type NormalizedLabel, type RawAnswer, type ReadMethod } from './types.js';

/** Count of abstentions per reason, every reason present (zero when unseen). */
export function summarizeAbstentions(normalized: readonly NormalizedLabel[]): Record<AbstentionReason, number> {
  const counts = Object.fromEntries(ABSTENTION_REASONS.map((r) => [r, 0])) as Record<AbstentionReason, number>;
  for (const n of normalized) if (n.kind === 'abstain') counts[n.reason]++;
  return counts;
}

export interface RejectedOutput {
  output: string;
  reason: AbstentionReason;
  detail?: string;
}

export interface NormalizerAudit {
  total: number;
  /** Answers read as a label. */
  parsed: number;
  /** How the parsed answers were read. */
  byMethod: Partial<Record<ReadMethod, number>>;
  abstentions: Record<AbstentionReason, number>;
  /** Every answer that was not read, in input order, with its reason. */
  rejected: RejectedOutput[];
}

/** Reads every output with the task's normalizer and reports what was read how, and what was not and why. */
export function auditNormalizer(
  task: Pick<ClassificationTask, 'labels'> & { instructions?: string },
  outputs: readonly (string | RawAnswer)[],
): NormalizerAudit {
  const normalize = createClassificationNormalizer(task);
  const all: NormalizedLabel[] = [];
  const byMethod: Partial<Record<ReadMethod, number>> = {};
  const rejected: RejectedOutput[] = [];
  for (const o of outputs) {
    const answer = typeof o === 'string' ? { output: o } : o;
    const n = normalize(answer);
    all.push(n);
    if (n.kind === 'label') byMethod[n.method] = (byMethod[n.method] ?? 0) + 1;
    else rejected.push(n.detail === undefined ? { output: answer.output, reason: n.reason } : { output: answer.output, reason: n.reason, detail: n.detail });
  }
  return { total: outputs.length, parsed: outputs.length - rejected.length, byMethod, abstentions: summarizeAbstentions(all), rejected };
}

/** Rejected outputs grouped by reason, each distinct output once with its count, most frequent first. */
export function groupRejected(rejected: readonly RejectedOutput[]): Map<AbstentionReason, { output: string; count: number; detail?: string }[]> {
  const groups = new Map<AbstentionReason, Map<string, { output: string; count: number; detail?: string }>>();
  for (const r of rejected) {
    let g = groups.get(r.reason);
    if (!g) groups.set(r.reason, (g = new Map()));
    const e = g.get(r.output);
    if (e) e.count++;
    else g.set(r.output, r.detail === undefined ? { output: r.output, count: 1 } : { output: r.output, count: 1, detail: r.detail });
  }
  return new Map([...groups].map(([reason, g]) => [reason, [...g.values()].sort((a, b) => b.count - a.count)]));
}
