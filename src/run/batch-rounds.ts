import type { AskingPolicy } from '../fuse/stream-fuser.js';
import type { ModelHandle } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { BatchCall } from '../orchestrate/batch/run-batches.js';
import type { Task, TaskItem } from '../task/schema.js';
import { AdaptiveItem } from './ask-adaptively.js';
import type { ReadOne } from '../kinds/task-kind.js';
import type { RawModelAnswer } from './ask-item.js';

export interface BatchRoundsOptions {
  task: Task;
  items: readonly (TaskItem)[];
  models: readonly ModelHandle[];
  buildRequest: RequestBuilder;
  policy: AskingPolicy;
  /** How an item's answers so far are read for the policy (the run kind's `read`), given the models' names. */
  readerOf: (item: TaskItem, models: readonly string[]) => ReadOne;
  /** Runs one round's calls through the batch APIs; false stops the rounds (interrupted, out of budget). */
  submit: (calls: BatchCall[], round: number) => Promise<boolean>;
  /** A call's answer now that its round is done (cache hit or final failure), or undefined when it has none yet. */
  answerOf: (handle: ModelHandle, request: BatchCall['request']) => Promise<RawModelAnswer | undefined>;
}

export interface BatchRoundsResult {
  rounds: number;
  /** Calls handed to `submit`, over all rounds (cached ones included). */
  calls: number;
  /** Items whose asking the live pass finishes (a wave answer missing after its round: a model without a batch API, a request left to live retries). */
  leftToLive: number;
}

/**
 * Offline mode under an adaptive policy: the batches go in rounds, round k holding the next wave of
 * every item the policy has not settled after round k-1. Answers are read back after each round,
 * so the live pass that follows asks the very same waves and finds every answer cached.
 */
export async function askInBatchRounds(options: BatchRoundsOptions): Promise<BatchRoundsResult> {
  const { task, models, buildRequest, policy } = options;
  const names = models.map((m) => m.name);
  let open = options.items.map((item) => ({ item, state: new AdaptiveItem(models, policy, options.readerOf(item, names)) }));
  let rounds = 0;
  let calls = 0;
  let leftToLive = 0;
  for (;;) {
    const waves = open.flatMap(({ item, state }) => {
      const wave = state.nextWave();
      if (!wave) return [];
      try {
        return [{ item, state, calls: wave.map((handle) => ({ handle, request: buildRequest(task, item, handle.model) })) }];
      } catch {
        return []; // a prompt that cannot be built is reported by the live pass
      }
    });
    if (waves.length === 0) break;
    rounds++;
    const batch = waves.flatMap((w) => w.calls);
    calls += batch.length;
    if (!(await options.submit(batch, rounds))) break;
    open = [];
    for (const w of waves) {
      const answers = await Promise.all(w.calls.map((c) => options.answerOf(c.handle, c.request)));
      if (answers.every((a) => a !== undefined)) {
        w.state.record(answers as RawModelAnswer[]);
        open.push(w);
      } else leftToLive++;
    }
  }
  return { rounds, calls, leftToLive };
}
