import type { ChatMessage } from './chat-message.js';
import { InputError } from '../task/errors.js';
import { type ClassificationItem, type ClassificationTask, isClassificationTask, isRatingTask, type QaItem, type QaTask, type RatingItem, type RatingTask, TASK_KINDS, type Task } from '../task/schema.js';
import { type AnswerFormat, classificationAnswerFormat, qaAnswerFormat, ratingAnswerFormat } from './answer-format.js';
import { neutralizeDelimiters } from './delimit.js';
import { loadTemplate, PLACEHOLDER_PATTERN, type Placeholder, type PromptTemplate, type TemplateLocation } from './template.js';

export interface RenderOptions extends TemplateLocation {
  /** A template already loaded; otherwise `task.prompt`, else the template named after the task kind. */
  template?: PromptTemplate;
  /** Ask for a bare answer (default) or a JSON object; pair 'json' with a GenerateRequest.jsonSchema. */
  format?: AnswerFormat;
}

type Vars = Partial<Record<Placeholder, string>>;
/** Every task a prompt can be rendered for (rating tasks before the task loader accepts them). */
type PromptTask = Task | RatingTask;
type Kind = PromptTask['kind'];

const { classification: CLASSIFICATION, qa: QA, rating: RATING } = TASK_KINDS;

const DEFAULT_INSTRUCTIONS: Record<Kind, string> = {
  [CLASSIFICATION]: 'Classify the text into exactly one of the labels below.',
  [QA]: 'Answer the question.',
  [RATING]: 'Rate the text on the scale given.',
};

/** The kinds whose templates may use a placeholder; the others may use it anywhere. */
const ONLY_FOR: Partial<Record<Placeholder, readonly Kind[]>> = {
  labels: [CLASSIFICATION],
  label_names: [CLASSIFICATION],
  text: [CLASSIFICATION, RATING],
  question: [QA],
  choices: [QA],
  min: [RATING],
  max: [RATING],
};

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

function checkFits(template: PromptTemplate, kind: Kind): void {
  const wrong = [...template.placeholders].filter((p) => ONLY_FOR[p] !== undefined && !ONLY_FOR[p]?.includes(kind));
  const dataSlot = ONLY_FOR.question?.includes(kind) ? 'question' : 'text';
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
export type RatingRenderer = (item: Pick<RatingItem, 'text'> & Partial<Pick<RatingItem, 'id'>>) => ChatMessage[];

/**
 * Loads and checks the task's template once (a bad template fails here, before any paid call)
 * and returns a pure function from an item to chat messages. The task-level parts (label list,
 * instructions, answer format) are computed once too: `fusion run` renders one prompt per line.
 */
export function createPromptRenderer(task: ClassificationTask, options?: RenderOptions): ClassificationRenderer;
export function createPromptRenderer(task: QaTask, options?: RenderOptions): QaRenderer;
export function createPromptRenderer(task: RatingTask, options?: RenderOptions): RatingRenderer;
export function createPromptRenderer(task: Task, options?: RenderOptions): ClassificationRenderer | QaRenderer;
export function createPromptRenderer(task: PromptTask, options: RenderOptions = {}): ClassificationRenderer | QaRenderer | RatingRenderer {
  const template = options.template ?? loadTemplate(task.prompt ?? task.kind, options);
  checkFits(template, task.kind);
  const format = options.format ?? 'text';
  const instructions = task.instructions.trim() || DEFAULT_INSTRUCTIONS[task.kind];
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
  if (isRatingTask(task)) {
    // The scale as numbers the judge reads (`1`, `100`, `0.5`), the same ones the score reader checks against.
    const fixed: Vars = { instructions, min: String(task.scale.min), max: String(task.scale.max), answer_format: ratingAnswerFormat(task, format), task_name: task.name };
    const render: RatingRenderer = (item) => toMessages(template, { ...fixed, text: neutralizeDelimiters(item.text), id: item.id ?? '' });
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
export function renderPrompt(task: RatingTask, item: RatingItem, options?: RenderOptions): ChatMessage[];
export function renderPrompt(task: PromptTask, item: ClassificationItem | QaItem | RatingItem, options: RenderOptions = {}): ChatMessage[] {
  if (isClassificationTask(task) || isRatingTask(task)) {
    if (!('text' in item)) throw new InputError([{ file: task.name, field: 'text', message: `a ${task.kind} item needs a text` }]);
    return isRatingTask(task) ? createPromptRenderer(task, options)(item) : createPromptRenderer(task, options)(item);
  }
  if (!('question' in item)) throw new InputError([{ file: task.name, field: 'question', message: 'a QA item needs a question' }]);
  return createPromptRenderer(task, options)(item);
}
