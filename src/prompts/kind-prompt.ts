import type { Task } from '../task/schema.js';
import type { Placeholder } from './template.js';

/** Ask for a bare answer (default) or a JSON object; pair 'json' with a GenerateRequest.jsonSchema. */
export type AnswerFormat = 'text' | 'json';

/** Every answer format a caller may ask for (a recorded answer may have been asked in any of them). */
export const ANSWER_FORMATS: readonly AnswerFormat[] = ['text', 'json'];

/** Values of a template's placeholders; one without a value renders as nothing. */
export type PromptVars = Partial<Record<Placeholder, string>>;

/** A JSON schema for a structured answer, as GenerateRequest.jsonSchema takes it. */
export interface AnswerSchema {
  name: string;
  schema: Record<string, unknown>;
}

/** An item as the renderer reads it: its id, and the kind's fields (read by the kind's prompt part). */
export type PromptItem = { readonly id?: string } & Readonly<Record<string, unknown>>;

/**
 * How a kind's items are shown to a model and what the model is asked to reply: everything the
 * renderer (prompts/render.ts) and the request builder (orchestrate/default-request.ts) need of a
 * kind. Each kind's folder supplies one (src/kinds/<kind>/prompt.ts) and the layers above src/kinds/
 * pass it down, so the renderer never names a kind and a new kind needs no change here.
 * `T` is the kind's task; `I` the item fields its `itemVars` reads.
 */
export interface KindPrompt<T extends Task = Task, I extends PromptItem = PromptItem> {
  /** The template in prompts/ used when the task names none. */
  readonly template: string;
  /**
   * The placeholder that shows the item, filled from the item's field of the same name with any
   * tag inside it neutralized (prompts/delimit.ts): every template of the kind must use it, and an
   * item without that field is refused.
   */
  readonly dataSlot: Placeholder;
  /**
   * The placeholders this kind fills beside its data slot and the ones every kind fills
   * (SHARED_PLACEHOLDERS); any other is refused in its templates, as it belongs to another kind.
   */
  readonly placeholders: readonly Placeholder[];
  /** `{{instructions}}` when the task gives none. */
  readonly defaultInstructions: string;
  /** The kind's task-level values (the label list, the scale, `answer_format`), computed once per task. */
  taskVars(task: T, format: AnswerFormat): PromptVars;
  /** The kind's item-level values beside the data slot (QA's choices block), each neutralized by the kind. */
  itemVars?(item: I): PromptVars;
  /** The JSON schema a structured answer follows (`format: 'json'`). */
  answerSchema(task: T): AnswerSchema;
  /** Output tokens a request allows when the caller sets none: room for what the answer format asks for. */
  readonly maxTokens: number;
  /** True when the answer is read from the first token's alternatives where a model offers them (a label's logprobs). */
  readonly logprobs: boolean;
}

/** Placeholders every kind fills: the task's instructions and name, the answer format, the item's id. */
export const SHARED_PLACEHOLDERS: readonly Placeholder[] = ['instructions', 'answer_format', 'id', 'task_name'];
