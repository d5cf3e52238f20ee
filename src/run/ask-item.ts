import type { RawModelAnswer } from '../kinds/raw-answer.js';
import type { ModelHandle, Orchestrator } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { Task, TaskItem } from '../task/schema.js';

export { type AskStopReason, type RawModelAnswer, type SkipReason, askedOf, cutShort } from '../kinds/raw-answer.js';

const SKIP_MESSAGE = {
  budget: 'not asked: the --max-cost budget was reached',
  interrupted: 'not asked: the run was interrupted',
  cancelled: 'not asked: its batch request was cancelled',
} as const;

/** Asks every model for one item through the orchestrator (cache, limits, retries); never throws per model. */
export async function askItem(
  orchestrator: Orchestrator,
  task: Task,
  item: TaskItem,
  models: readonly ModelHandle[],
  buildRequest: RequestBuilder,
): Promise<RawModelAnswer[]> {
  return Promise.all(
    models.map(async (handle): Promise<RawModelAnswer> => {
      const answer = await askModel(orchestrator, task, item, handle, buildRequest);
      return handle.sample === undefined ? answer : { ...answer, sample: handle.sample };
    }),
  );
}

async function askModel(orchestrator: Orchestrator, task: Task, item: TaskItem, handle: ModelHandle, buildRequest: RequestBuilder): Promise<RawModelAnswer> {
  let request;
  try {
    request = buildRequest(task, item, handle.model);
  } catch (e) {
    return { model: handle.name, status: 'failed', error: `cannot build the prompt: ${e instanceof Error ? e.message : String(e)}` };
  }
  const outcome = await orchestrator.call(handle, request);
  if (outcome.status === 'ok') {
    const r = outcome.response;
    return {
      model: handle.name,
      status: 'ok',
      output: r.text,
      ...(r.logprobs ? { logprobs: r.logprobs } : {}),
      ...(r.cost === undefined ? {} : { cost: r.cost }),
      ...(r.finishReason === 'cut' ? { cut: true as const } : {}),
      cached: outcome.cached,
    };
  }
  if (outcome.status === 'failed') return { model: handle.name, status: 'failed', error: outcome.error.message };
  return { model: handle.name, status: 'skipped', error: SKIP_MESSAGE[outcome.reason], reason: outcome.reason };
}
