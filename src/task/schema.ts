import { z } from 'zod';
import { numeralValue } from './numeral.js';

/** One label of a classification task; aliases are other spellings the models were asked to use. */
export const LabelSchema = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
});

export const ClassificationTaskSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('classification'),
  labels: z.array(LabelSchema).min(2, 'a classification task needs at least two labels'),
  /** True when the labels are listed from low to high (1-5 stars): order-aware strategies and metrics apply. */
  ordered: z.boolean().optional(),
  instructions: z.string().default(''),
  /** Name of a prompt template in prompts/ (without extension) or a path to one. */
  prompt: z.string().optional(),
});

export const QaAnswerTypeSchema = z.enum(['free-form', 'multiple-choice', 'numeric']);

export const QaTaskSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('qa'),
  answerType: QaAnswerTypeSchema,
  instructions: z.string().default(''),
  prompt: z.string().optional(),
});

/** The range a rating task's scores lie in, both ends included: finite, min below max. */
export const ScaleSchema = z
  .object({ min: z.number().finite(), max: z.number().finite() })
  .refine((s) => s.min < s.max, { message: 'the scale needs min < max', path: ['max'] });

/** A rating task: judges score each item on a numeric scale (`"scale": {"min": 1, "max": 5}`). */
export const RatingTaskSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('rating'),
  scale: ScaleSchema,
  instructions: z.string().default(''),
  prompt: z.string().optional(),
});

export const TaskSchema = z.discriminatedUnion('kind', [ClassificationTaskSchema, QaTaskSchema, RatingTaskSchema]);

/**
 * What the models are asked about (a text to classify or rate, a question), on a line of `fusion
 * run` or an item of `fusion eval --models`: a blank cell, or one of white space only, would be paid
 * for by every model and answered with a guess.
 */
export const askedText = z.string().superRefine((s, ctx) => {
  if (s.trim() === '') ctx.addIssue({ code: 'custom', message: s === '' ? 'empty, but required' : 'white space only, but required' });
});

export const ClassificationItemSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  /** Gold label (a label name or alias); absent on unlabelled input. */
  label: z.string().optional(),
});

/** A number, or a CSV/TSV cell that spells one (cells are text; `4`, `-0.5`, `.5`, `+2`, `1e0`: isNumeral), as the number. */
const numberOrNumeral = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (typeof v === 'string' ? (numeralValue(v) ?? v) : v), schema);

export const RatingItemSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  /** Gold score (a mean of raters where there were several); absent on unlabelled input. */
  label: numberOrNumeral(z.number().finite()).optional(),
});

export const ChoiceSchema = z.object({ label: z.string().min(1), text: z.string() });

export const QaItemSchema = z.object({
  id: z.string().min(1),
  question: z.string(),
  /** Gold answer first, then aliases; absent on unlabelled input. */
  answers: z.array(z.string()).optional(),
  choices: z.array(ChoiceSchema).optional(),
});

/** Token logprob as OpenAI and Ollama report it. */
export const TokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

/** An id: a string, or a whole number as JSON written by pandas has it (`{"item": 1}` is item "1"), so every reader of a file agrees on its ids. */
const idOf = z.preprocess((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v), z.string().min(1));

export const ResponseSchema = z.object({
  item: idOf,
  model: z.string().min(1),
  /** Raw text the model returned. */
  output: z.string(),
  sample: z.number().int().nonnegative().optional(),
  correct: z.boolean().optional(),
  logprobs: z.array(TokenLogprobSchema).optional(),
  tokens: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
  cost: z.number().nonnegative().optional(),
  latencyMs: z.number().nonnegative().optional(),
  /** The tool cut the answer at its length limit (FUSION_MAX_ANSWER_CHARS): it did not end, so no reader takes an answer from it. */
  cut: z.literal(true).optional(),
  /**
   * The cache key of the request the answer was asked with (what `fusion eval --models` writes): a
   * later run whose task.json renders another request for the same (item, model, sample) refuses
   * rather than evaluate an answer to another prompt. Lines without it are taken as they are.
   */
  request: z.string().min(1).optional(),
  /**
   * The key of the prompt alone (messages and answer schema, no model or settings; what `fusion
   * eval --models` writes beside `request`): a plain evaluation, which knows the task but not the
   * settings, refuses an answer whose prompt task.json no longer renders. Lines without it are
   * taken as they are.
   */
  promptKey: z.string().regex(/^[0-9a-f]{64}$/, 'a prompt key is 64 hex digits (written by fusion eval --models)').optional(),
});

export type Label = z.infer<typeof LabelSchema>;
export type ClassificationTask = z.infer<typeof ClassificationTaskSchema>;
export type QaTask = z.infer<typeof QaTaskSchema>;
export type QaAnswerType = z.infer<typeof QaAnswerTypeSchema>;
export type Task = z.infer<typeof TaskSchema>;
export type ClassificationItem = z.infer<typeof ClassificationItemSchema>;
export type QaItem = z.infer<typeof QaItemSchema>;
export type RatingTask = z.infer<typeof RatingTaskSchema>;
export type RatingItem = z.infer<typeof RatingItemSchema>;
export type Choice = z.infer<typeof ChoiceSchema>;
export type TokenLogprob = z.infer<typeof TokenLogprobSchema>;
export type RecordedResponse = z.infer<typeof ResponseSchema>;
/** An item of any task kind (what a request is built from and a run reads). */
export type TaskItem = ClassificationItem | QaItem | RatingItem;

/**
 * The kinds' names, read from their schemas (the one place they are spelled): layers below
 * src/kinds/ (reading folders, building requests) that must tell a kind's data apart use these
 * guards; everything above asks the kind's plug-in (src/kinds/registry.ts).
 */
export const TASK_KINDS = { classification: ClassificationTaskSchema.shape.kind.value, qa: QaTaskSchema.shape.kind.value, rating: RatingTaskSchema.shape.kind.value } as const;

export function isRatingTask<T extends { kind: string }>(task: T): task is Extract<T, { kind: typeof TASK_KINDS.rating }> {
  return task.kind === TASK_KINDS.rating;
}

export function isClassificationTask<T extends { kind: string }>(task: T): task is Extract<T, { kind: typeof TASK_KINDS.classification }> {
  return task.kind === TASK_KINDS.classification;
}

export function isQaTask<T extends { kind: string }>(task: T): task is Extract<T, { kind: typeof TASK_KINDS.qa }> {
  return task.kind === TASK_KINDS.qa;
}
