import type { AnswerFormat, KindPrompt } from '../prompts/kind-prompt.js';
import { createPromptRenderer, type RenderOptions } from '../prompts/render.js';
import type { GenerateRequest } from '../providers/provider.js';
import type { Task, TaskItem } from '../task/schema.js';
import type { RequestBuilder } from './request-builder.js';

export interface RequestOptions extends Pick<RenderOptions, 'baseDir' | 'promptsDir'> {
  /** Bare answers (default) or JSON with a schema, for providers that support structured output. */
  format?: AnswerFormat;
  /** Default 0: the same prompt should give the same answer, which is also what makes caching sound. */
  temperature?: number;
  /** Default: the kind's (room for a label, or for reasoning before a final answer or score). */
  maxTokens?: number;
  /** Alternatives per token for models that give logprobs, on kinds that read them (a label). Default 5; 0 disables. */
  topLogprobs?: number;
}

/** What a request asks, apart from who is asked and how: the messages and, in JSON mode, the answer schema. */
export type PromptPart = Pick<GenerateRequest, 'messages' | 'jsonSchema'>;

/**
 * The prompt part of every request of a task (template loaded and checked once, here): one path
 * for what is sent and for what a later check compares recorded answers against (prompt-keys.ts).
 */
export function createPromptPart<T extends Task>(task: T, prompt: KindPrompt<T, never>, options: Pick<RequestOptions, 'baseDir' | 'promptsDir' | 'format'> = {}): (item: TaskItem) => PromptPart {
  const format = options.format ?? 'text';
  const location = {
    ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
    ...(options.promptsDir === undefined ? {} : { promptsDir: options.promptsDir }),
  };
  const render = createPromptRenderer(task, prompt, { ...location, format });
  const jsonSchema = format === 'json' ? prompt.answerSchema(task) : undefined;
  return (item) => ({ messages: render(item), ...(jsonSchema ? { jsonSchema } : {}) });
}

/**
 * The requests every command sends: the task's prompt template (loaded and checked once, before
 * any call), temperature 0, a bounded output, logprobs where the model offers them and the kind
 * reads them (they turn a label into a distribution at no extra cost), JSON schema when asked for
 * JSON. `prompt` is the task's kind's prompt part (`kindOf(task).prompt`, passed down because this
 * layer sits below src/kinds/).
 */
export function createRequestBuilder<T extends Task>(task: T, prompt: KindPrompt<T, never>, options: RequestOptions = {}): RequestBuilder {
  const part = createPromptPart(task, prompt, options);
  const temperature = options.temperature ?? 0;
  const topLogprobs = prompt.logprobs ? (options.topLogprobs ?? 5) : 0;
  const maxTokens = options.maxTokens ?? prompt.maxTokens;
  // Every model is asked about an item back to back, and the prompt does not depend on the model:
  // render once per item.
  let lastItem: unknown;
  let lastPart: PromptPart = { messages: [] };
  return (_task, item, model): GenerateRequest => {
    const asked = item === lastItem ? lastPart : part(item);
    lastItem = item;
    lastPart = asked;
    return {
      messages: asked.messages,
      temperature,
      maxTokens,
      ...(topLogprobs > 0 && model.supportsLogprobs ? { topLogprobs } : {}),
      ...(asked.jsonSchema ? { jsonSchema: asked.jsonSchema } : {}),
    };
  };
}
