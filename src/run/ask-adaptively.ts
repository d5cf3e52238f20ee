import type { AskingPolicy } from '../fuse/stream-fuser.js';
import type { ModelHandle, Orchestrator } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { Task, TaskItem } from '../task/schema.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import type { ReadOne } from '../kinds/task-kind.js';

/**
 * One item under an adaptive policy: its answers so far, and which models it needs next. The one
 * place the "which wave next" step lives, for live runs (wave by wave per item) and batch runs
 * (every unsettled item's next wave in one round), so both ask exactly the same calls.
 */
export class AdaptiveItem {
  private readonly names: string[];
  private readonly order: number[];
  private readonly got = new Map<number, RawModelAnswer>();
  private asked = 0;
  /** Columns of the wave last returned by `nextWave`, until `record` takes its answers. */
  private pending: number[] = [];

  constructor(
    private readonly models: readonly ModelHandle[],
    private readonly policy: AskingPolicy,
    private readonly read: ReadOne,
  ) {
    this.names = models.map((h) => h.name);
    this.order = policy.orderOf(this.names);
  }

  /** The models of the next wave, given the answers so far; null when the policy stops. */
  nextWave(): ModelHandle[] | null {
    const { next } = this.policy.nextWave(this.read(this.answers()), this.asked);
    this.pending = next === null || next <= this.asked ? [] : this.order.slice(this.asked, next);
    return this.pending.length === 0 ? null : this.pending.map((j) => this.models[j] as ModelHandle);
  }

  /** Records the answers to the wave `nextWave` returned (same order). */
  record(answers: readonly RawModelAnswer[]): void {
    this.pending.forEach((j, w) => {
      const a = answers[w] as RawModelAnswer;
      const sample = this.models[j]?.sample;
      // Whichever way it was asked (live or from a batch), an answer is its handle's sample.
      this.got.set(j, sample === undefined ? a : { ...a, sample });
    });
    this.asked += this.pending.length;
    this.pending = [];
  }

  /** Every model's answer so far, in `models` order; models never asked come back `skipped`. */
  answers(): RawModelAnswer[] {
    return this.models.map(
      (h, j) => this.got.get(j) ?? { model: h.name, ...(h.sample === undefined ? {} : { sample: h.sample }), status: 'skipped', error: 'not asked: the adaptive policy stopped before it', reason: 'not-needed' },
    );
  }
}

/**
 * Asks the models about one item as an adaptive policy says: in its order, one wave at a time
 * (the models up to its next checkpoint together), until its rule stops. Models never asked come
 * back `skipped`. Other items are asked meanwhile, so the concurrency limit stays full.
 */
export async function askAdaptively(
  orchestrator: Orchestrator,
  task: Task,
  item: TaskItem,
  models: readonly ModelHandle[],
  buildRequest: RequestBuilder,
  policy: AskingPolicy,
  read: ReadOne,
): Promise<RawModelAnswer[]> {
  const state = new AdaptiveItem(models, policy, read);
  for (let wave = state.nextWave(); wave; wave = state.nextWave()) {
    const answers = await askItem(orchestrator, task, item, wave, buildRequest);
    state.record(answers);
    // Interrupted or out of budget: what was asked is kept (cached), nothing more is.
    if (answers.some((a) => a.status === 'skipped')) break;
  }
  return state.answers();
}
