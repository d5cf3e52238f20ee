import type { ChatMessage } from './chat-message.js';
import { InputError } from '../task/errors.js';
import { type ClassificationItem, type ClassificationTask, isClassificationTask, type QaItem, type QaTask, TASK_KINDS, type Task, type TaskItem } from '../task/schema.js';
import { type AnswerFormat, classificationAnswerFormat, qaAnswerFormat } from './answer-format.js';
import { neutralizeDelimiters } from './delimit.js';
import { loadTemplate, PLACEHOLDER_PATTERN, type Placeholder, type PromptTemplate, type TemplateLocation } from './template.js';

export interface RenderOptions extends TemplateLocation {
  /** A template already loaded; otherwise `task.prompt`, else the template named after the task kind. */
  template?: PromptTemplate;
  /** Ask for a bare answer (default) or a JSON object; pair 'json' with a GenerateRequest.jsonSchema. */
  format?: AnswerFormat;
}

type Vars = Partial<Record<Placeholder, string>>;

/** What each kind's template shows: its default instructions, the slot of the item and the placeholders only it fills. */
const KIND_PROMPTS: Record<Task['kind'], { instructions: string; dataSlot: Placeholder; own: readonly Placeholder[] }> = {
  [TASK_KINDS.classification]: { instructions: 'Classify the text into exactly one of the labels below.', dataSlot: 'text', own: ['labels', 'label_names', 'text'] },
  [TASK_KINDS.qa]: { instructions: 'Answer the question.', dataSlot: 'question', own: ['question', 'choices'] },
};

const ONLY_FOR: Partial<Record<Placeholder, Task['kind']>> = Object.fromEntries(
  Object.entries(KIND_PROMPTS).flatMap(([kind, p]) => p.own.map((placeholder) => [placeholder, kind])),
);

/** One pass, so a value that itself contains `{{...}}` (item text can) is never expanded. */
function fill(section: string, vars: Vars): string {
  return section.replace(PLACEHOLDER_PATTERN, (_m, name: string) => vars[name as Placeholder] ?? '').trim();
}

function toMessages(template: PromptTemplate, vars: Vars): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (template.system !== undefined) messages.push({ role: 'system', content: fill(template.system, vars) });
  messages.push({ role: 'user', content: fill(template.user, vars) });
  return messages;
}

function checkFits(template: PromptTemplate, kind: Task['kind']): void {
  const wrong = [...template.placeholders].filter((p) => ONLY_FOR[p] !== undefined && ONLY_FOR[p] !== kind);
  const { dataSlot } = KIND_PROMPTS[kind];
  const issues = wrong.map((p) => ({ file: template.file, field: p, message: `{{${p}}} cannot be used in a ${kind} template` }));
  if (!template.placeholders.has(dataSlot)) {
    issues.push({ file: template.file, field: dataSlot, message: `a ${kind} template must show the item with {{${dataSlot}}}` });
  }
  if (issues.length > 0) throw new InputError(issues);
}

function labelList(task: ClassificationTask): string {
  return task.labels
    .map((l) => (l.aliases.length > 0 ? `- ${l.name} (or: ${l.aliases.join(', ')})` : `- ${l.name}`))
    .join('\n');
}

export type ClassificationRenderer = (item: Pick<ClassificationItem, 'text'> & Partial<Pick<ClassificationItem, 'id'>>) => ChatMessage[];
export type QaRenderer = (item: Pick<QaItem, 'question'> & Partial<Pick<QaItem, 'id' | 'choices'>>) => ChatMessage[];

/**
 * Loads and checks the task's template once (a bad template fails here, before any paid call)
 * and returns a pure function from an item to chat messages. The task-level parts (label list,
 * instructions, answer format) are computed once too: `fusion run` renders one prompt per line.
 */
export function createPromptRenderer(task: ClassificationTask, options?: RenderOptions): ClassificationRenderer;
export function createPromptRenderer(task: QaTask, options?: RenderOptions): QaRenderer;
export function createPromptRenderer(task: Task, options?: RenderOptions): ClassificationRenderer | QaRenderer;
export function createPromptRenderer(task: Task, options: RenderOptions = {}): ClassificationRenderer | QaRenderer {
  const template = options.template ?? loadTemplate(task.prompt ?? task.kind, options);
  checkFits(template, task.kind);
  const format = options.format ?? 'text';
  const instructions = task.instructions.trim() || KIND_PROMPTS[task.kind].instructions;
  if (isClassificationTask(task)) {
    const fixed: Vars = {
      instructions,
      labels: labelList(task),
      label_names: task.labels.map((l) => l.name).join(', '),
      answer_format: classificationAnswerFormat(format),
      task_name: task.name,
    };
    const render: ClassificationRenderer = (item) => toMessages(template, { ...fixed, text: neutralizeDelimiters(item.text), id: item.id ?? '' });
    return render;
  }
  const fixed: Vars = { instructions, answer_format: qaAnswerFormat(task, format), task_name: task.name };
  const render: QaRenderer = (item) => {
    const choices =
      item.choices && item.choices.length > 0
        ? `<choices>\n${neutralizeDelimiters(item.choices.map((c) => `${c.label}. ${c.text}`).join('\n'))}\n</choices>`
        : '';
    return toMessages(template, { ...fixed, question: neutralizeDelimiters(item.question), choices, id: item.id ?? '' });
  };
  return render;
}

/** Renders one item; for many items build the renderer once with createPromptRenderer. */
export function renderPrompt(task: ClassificationTask, item: ClassificationItem, options?: RenderOptions): ChatMessage[];
export function renderPrompt(task: QaTask, item: QaItem, options?: RenderOptions): ChatMessage[];
export function renderPrompt(task: Task, item: TaskItem, options: RenderOptions = {}): ChatMessage[] {
  if (isClassificationTask(task)) {
    if (!('text' in item)) throw new InputError([{ file: task.name, field: 'text', message: 'a classification item needs a text' }]);
    return createPromptRenderer(task, options)(item);
  }
  if (!('question' in item)) throw new InputError([{ file: task.name, field: 'question', message: 'a QA item needs a question' }]);
  return createPromptRenderer(task, options)(item);
}
