import type { RecordedResponse, Task, TaskItem } from '../task/schema.js';
import type { RawModelAnswer } from './ask-item.js';
import { kindOf } from '../kinds/registry.js';
import type { FusedLineBase } from '../kinds/row-parts.js';
import type { StreamFuser } from './strategy-choice.js';

/**
 * The models of recorded answers as a run lists them: each model in order of first appearance, once
 * per sample it has (a run lists a model n times to ask it n samples).
 */
export function recordedModels(responses: readonly RecordedResponse[]): string[] {
  const samples = new Map<string, number>();
  for (const r of responses) samples.set(r.model, Math.max(samples.get(r.model) ?? 0, (r.sample ?? 0) + 1));
  return [...samples.entries()].flatMap(([m, n]) => Array.from({ length: n }, () => m));
}

/**
 * Answers already recorded (a folder's responses, an answers file) fused item by item into the
 * lines `fusion run` writes, without a call: each item's answers read as a run reads live ones (a
 * model with no recorded answer counts as missing), fused together by `fuser` (one batch: an
 * unsupervised strategy that learns from the answers, Dawid-Skene, sees them all). Pure.
 */
export function fuseRecorded(task: Task, items: readonly (TaskItem)[], responses: readonly RecordedResponse[], fuser: StreamFuser): FusedLineBase[] {
  const models = recordedModels(responses);
  const byItem = new Map<string, Map<string, RecordedResponse>>();
  for (const r of responses) {
    let m = byItem.get(r.item);
    if (!m) byItem.set(r.item, (m = new Map()));
    m.set(`${r.model}\u0000${r.sample ?? 0}`, r);
  }
  const sampleOf = models.map((m, j) => models.slice(0, j).filter((x) => x === m).length);
  const answered = items.map((item) => {
    const recorded = byItem.get(item.id);
    const answers = models.map((model, j): RawModelAnswer => {
      const sample = sampleOf[j] as number;
      const s = sample > 0 ? { sample } : {};
      const r = recorded?.get(`${model}\u0000${sample}`);
      if (!r) return { model, ...s, status: 'skipped', error: 'no recorded answer' };
      return { model, ...s, status: 'ok', output: r.output, ...(r.logprobs ? { logprobs: r.logprobs } : {}), cached: true };
    });
    return { item, answers };
  });
  const kind = kindOf(task).run(task);
  return kind.fuse(answered, models, fuser);
}
