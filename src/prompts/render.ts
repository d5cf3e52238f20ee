import type { ChatMessage } from './chat-message.js';
import { InputError } from '../task/errors.js';
import type { Task } from '../task/schema.js';
import { neutralizeDelimiters } from './delimit.js';
import { type AnswerFormat, type KindPrompt, type PromptItem, type PromptVars, SHARED_PLACEHOLDERS } from './kind-prompt.js';
import { loadTemplate, PLACEHOLDER_PATTERN, type PromptTemplate, type TemplateLocation } from './template.js';

export interface RenderOptions extends TemplateLocation {
  /** A template already loaded; otherwise `task.prompt`, else the kind's own template. */
  template?: PromptTemplate;
  /** Ask for a bare answer (default) or a JSON object; pair 'json' with a GenerateRequest.jsonSchema. */
  format?: AnswerFormat;
}

/** An item to chat messages, for one task and template. */
export type PromptRenderer = (item: PromptItem) => ChatMessage[];

/** One pass, so a value that itself contains `{{...}}` (item text can) is never expanded. */
function fill(section: string, vars: PromptVars): string {
  return section.replace(PLACEHOLDER_PATTERN, (_m, name: string) => vars[name as keyof PromptVars] ?? '').trim();
}

function toMessages(template: PromptTemplate, vars: PromptVars): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (template.system !== undefined) messages.push({ role: 'system', content: fill(template.system, vars) });
  messages.push({ role: 'user', content: fill(template.user, vars) });
  return messages;
}

/**
 * A template fits a kind when it shows the item in the kind's data slot and uses no placeholder
 * the kind does not fill (one of another kind's, which would render as nothing).
 */
function checkFits(template: PromptTemplate, kind: string, prompt: KindPrompt<never, never>): void {
  const fills = new Set([...SHARED_PLACEHOLDERS, prompt.dataSlot, ...prompt.placeholders]);
  const wrong = [...template.placeholders].filter((p) => !fills.has(p));
  const issues = wrong.map((p) => ({ file: template.file, field: p, message: `{{${p}}} cannot be used in a ${kind} template` }));
  if (!template.placeholders.has(prompt.dataSlot)) {
    issues.push({ file: template.file, field: prompt.dataSlot, message: `a ${kind} template must show the item with {{${prompt.dataSlot}}}` });
  }
  if (issues.length > 0) throw new InputError(issues);
}

/**
 * Loads and checks the task's template once (a bad template fails here, before any paid call)
 * and returns a pure function from an item to chat messages. What differs per kind comes from its
 * prompt part (`prompt`, src/kinds/<kind>/prompt.ts); the task-level values (label list,
 * instructions, answer format) are computed once too: `fusion run` renders one prompt per line.
 */
export function createPromptRenderer<T extends Task, I extends PromptItem>(task: T, prompt: KindPrompt<T, I>, options: RenderOptions = {}): PromptRenderer {
  const template = options.template ?? loadTemplate(task.prompt ?? prompt.template, options);
  checkFits(template, task.kind, prompt as KindPrompt<never, never>);
  const fixed: PromptVars = {
    instructions: task.instructions.trim() || prompt.defaultInstructions,
    ...prompt.taskVars(task, options.format ?? 'text'),
    task_name: task.name,
  };
  const slot = prompt.dataSlot;
  return (item) => {
    const data = item[slot];
    if (typeof data !== 'string') throw new InputError([{ file: task.name, field: slot, message: `${item.id === undefined ? 'an item' : `item ${item.id}`} has no ${slot}` }]);
    // The item is data inside its tags whatever the kind: its slot is neutralized here, not by each kind.
    return toMessages(template, { ...fixed, ...prompt.itemVars?.(item as I), [slot]: neutralizeDelimiters(data), id: item.id ?? '' });
  };
}

/** Renders one item; for many items build the renderer once with createPromptRenderer. */
export function renderPrompt<T extends Task, I extends PromptItem>(task: T, prompt: KindPrompt<T, I>, item: PromptItem, options: RenderOptions = {}): ChatMessage[] {
  return createPromptRenderer(task, prompt, options)(item);
}
