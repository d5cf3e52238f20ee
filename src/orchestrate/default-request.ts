import { type AnswerFormat, classificationAnswerSchema, qaAnswerSchema, ratingAnswerSchema } from '../prompts/answer-format.js';
import { type ClassificationRenderer, type QaRenderer, type RenderOptions, createPromptRenderer } from '../prompts/render.js';
import type { ChatMessage, GenerateRequest } from '../providers/provider.js';
import { InputError } from '../task/errors.js';
import { isClassificationTask, isRatingTask, type Task } from '../task/schema.js';
import type { RequestBuilder } from './request-builder.js';

export interface RequestOptions extends Pick<RenderOptions, 'baseDir' | 'promptsDir'> {
  /** Bare answers (default) or JSON with a schema, for providers that support structured output. */
  format?: AnswerFormat;
  /** Default 0: the same prompt should give the same answer, which is also what makes caching sound. */
  temperature?: number;
  /** Default 64 for classification, 1024 for QA (reasoning before the final answer). */
  maxTokens?: number;
  /** Alternatives per token for models that give logprobs, on classification tasks. Default 5; 0 disables. */
  topLogprobs?: number;
}

/**
 * The requests every command sends: the task's prompt template (loaded and checked once, before
 * any call), temperature 0, a bounded output, logprobs where the model offers them (they turn a
 * label into a distribution at no extra cost), JSON schema when asked for JSON.
 */
export function createRequestBuilder(task: Task, options: RequestOptions = {}): RequestBuilder {
  const format = options.format ?? 'text';
  const location = {
    ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
    ...(options.promptsDir === undefined ? {} : { promptsDir: options.promptsDir }),
  };
  const render = createPromptRenderer(task, { ...location, format });
  const temperature = options.temperature ?? 0;
  const topLogprobs = options.topLogprobs ?? 5;
  const jsonSchema = format === 'json' ? (isClassificationTask(task) ? classificationAnswerSchema(task) : isRatingTask(task) ? ratingAnswerSchema(task) : qaAnswerSchema()) : undefined;
  const maxTokens = options.maxTokens ?? (isClassificationTask(task) ? 64 : 1024);
  // Every model is asked about an item back to back, and the prompt does not depend on the model:
  // render once per item.
  let lastItem: unknown;
  let lastMessages: ChatMessage[] = [];
  return (_task, item, model): GenerateRequest => {
    let messages: ChatMessage[];
    if (item === lastItem) messages = lastMessages;
    else if (isClassificationTask(task) || isRatingTask(task)) {
      // Classification and rating items show their text.
      if (!('text' in item)) throw new InputError([{ file: task.name, field: 'text', message: `item ${item.id} has no text` }]);
      messages = (render as ClassificationRenderer)(item);
    } else {
      if (!('question' in item)) throw new InputError([{ file: task.name, field: 'question', message: `item ${item.id} has no question` }]);
      messages = (render as QaRenderer)(item);
    }
    lastItem = item;
    lastMessages = messages;
    return {
      messages,
      temperature,
      maxTokens,
      ...(isClassificationTask(task) && topLogprobs > 0 && model.supportsLogprobs ? { topLogprobs } : {}),
      ...(jsonSchema ? { jsonSchema } : {}),
    };
  };
}
