import { z } from 'zod';
import { choiceGoldIssue } from '../../task/choice-gold.js';
import { InputError } from '../../task/errors.js';
import { ChoiceSchema, type QaAnswerType, QaAnswerTypeSchema, type QaItem, type QaTask, TASK_KINDS } from '../../task/schema.js';
import type { KindStarter } from '../starter.js';
import { choiceCountIssue } from './choice-count.js';

/** A QA row: the question, its choices (a JSON list in a table's cell) and one gold answer (a number in JSON Lines is its numeral). */
const QaRowSchema = z.object({
  id: z.string().min(1),
  question: z.string(),
  label: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string()).optional(),
  choices: z.array(ChoiceSchema).optional(),
});

const NUMBER = /^\s*-?[\d,]*\d(\.\d+)?\s*$/;

const INSTRUCTIONS: Record<QaAnswerType, string> = {
  'multiple-choice': 'Answer with the letter of the right choice.',
  numeric: 'Answer with a number.',
  'free-form': 'Answer the question in a few words.',
};

/**
 * QA from a table of questions: the gold column is each question's answer. The answer type is
 * `--answer-type`, or else what every row shows: choices on every question make it multiple-choice,
 * gold answers that are all numbers numeric, anything else free-form.
 */
export const qaStarter: KindStarter<QaTask> = {
  rowSchema: QaRowSchema as unknown as KindStarter['rowSchema'],
  options: ['answerType'],
  build(rows, options) {
    const items: QaItem[] = rows.map(({ value }) => {
      const row = value as z.infer<typeof QaRowSchema>;
      const gold = row.label?.trim();
      return { id: row.id, question: row.question, ...(gold ? { answers: [gold] } : {}), ...(row.choices ? { choices: row.choices } : {}) };
    });
    let answerType: QaAnswerType;
    if (options.answerType !== undefined) {
      const parsed = QaAnswerTypeSchema.safeParse(options.answerType);
      if (!parsed.success) throw new InputError([{ file: options.file, message: `--answer-type ${options.answerType}: must be one of ${QaAnswerTypeSchema.options.join(', ')}` }]);
      answerType = parsed.data;
    } else {
      const golds = items.flatMap((i) => i.answers ?? []);
      answerType = items.length > 0 && items.every((i) => i.choices) ? 'multiple-choice' : golds.length > 0 && golds.every((g) => NUMBER.test(g)) ? 'numeric' : 'free-form';
    }
    if (answerType === 'multiple-choice') {
      // As the folder init writes would be refused by every later command: at the row, before anything is written.
      const issues = rows.flatMap(({ line }, i) => {
        const item = items[i] as QaItem;
        const count = choiceCountIssue(item.choices);
        if (count !== undefined) return [{ file: options.file, line, field: 'choices', message: count }];
        const issue = choiceGoldIssue(item);
        return issue === undefined ? [] : [{ file: options.file, line, field: options.labelColumn, message: issue }];
      });
      if (issues.length > 0) throw new InputError(issues);
    }
    const task: QaTask = { name: options.name, kind: TASK_KINDS.qa, answerType, instructions: options.instructions ?? INSTRUCTIONS[answerType] };
    const gold = items.filter((i) => i.answers).length;
    return { task, items, labelled: gold, summary: `${answerType} answers${options.answerType === undefined ? ' (--answer-type sets it)' : ''}` };
  },
};
