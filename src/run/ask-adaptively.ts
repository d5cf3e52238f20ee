import type { FittedAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import type { ClassificationNormalizer } from '../normalize/types.js';
import type { ModelHandle, Orchestrator } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { ClassificationItem, ClassificationTask } from '../task/schema.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import { readAnswers } from './fuse-items.js';

/**
 * Asks the models about one item as an adaptive policy says: in its order, one wave at a time
 * (the models up to its next checkpoint together), until its rule stops. Models never asked come
 * back `skipped`. Other items are asked meanwhile, so the concurrency limit stays full.
 */
export async function askAdaptively(
  orchestrator: Orchestrator,
  task: ClassificationTask,
  item: ClassificationItem,
  models: readonly ModelHandle[],
  buildRequest: RequestBuilder,
  policy: FittedAdaptive,
  normalize: ClassificationNormalizer,
): Promise<RawModelAnswer[]> {
  const names = models.map((h) => h.name);
  const order = policy.orderOf(names);
  const got = new Map<number, RawModelAnswer>();
  const current = (): RawModelAnswer[] =>
    models.map((h, j) => got.get(j) ?? { model: h.name, status: 'skipped', error: 'not asked: the adaptive policy stopped before it' });
  let asked = 0;
  for (;;) {
    const one = readAnswers(task, names, [{ id: item.id, text: item.text, answers: current() }], normalize).matrix;
    const { next } = policy.nextWave(one, asked);
    if (next === null || next <= asked) break;
    const wave = order.slice(asked, next);
    const answers = await askItem(orchestrator, task, item, wave.map((j) => models[j] as ModelHandle), buildRequest);
    wave.forEach((j, w) => got.set(j, answers[w] as RawModelAnswer));
    asked = next;
    // Interrupted or out of budget: what was asked is kept (cached), nothing more is.
    if (answers.some((a) => a.status === 'skipped')) break;
  }
  return current();
}
