import { z } from 'zod';
import { ChoiceSchema, type QaTask } from '../task/schema.js';

/**
 * One question on `fusion run`'s input: the QA item shape of the interchange format. Gold
 * `answers` may be present (an items.jsonl piped as is) and are dropped unread: a run never sees gold.
 */
export const QaQuestionSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1, 'the question is empty'),
  choices: z
    .array(ChoiceSchema)
    .refine((cs) => new Set(cs.map((c) => c.label.trim().toUpperCase())).size === cs.length, 'choice labels must be distinct')
    .optional(),
});

export type QaQuestion = z.infer<typeof QaQuestionSchema>;

/** The input schema for a task: a multiple-choice task needs choices on every question (without them no answer is readable). */
export function qaQuestionSchema(task: Pick<QaTask, 'answerType'>): z.ZodType<QaQuestion> {
  if (task.answerType !== 'multiple-choice') return QaQuestionSchema;
  return QaQuestionSchema.refine((q) => (q.choices?.length ?? 0) >= 2, {
    message: 'a multiple-choice question needs at least two choices',
    path: ['choices'],
  });
}
