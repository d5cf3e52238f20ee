import type { InputIssue } from '../../task/errors.js';
import { choiceGoldIssue } from '../../task/choice-gold.js';
import type { EvalFolderBase, FolderKind } from '../../task/eval-folder.js';
import { type QaItem, QaItemSchema, type QaTask } from '../../task/schema.js';

/** A QA folder adds nothing to the base: its gold (answers, aliases) stays on its items, scored by matching. */
export type QaFolder = EvalFolderBase<QaTask, QaItem>;

/** A QA folder's reading: a multiple-choice item has choices, and its gold names one. */
export const qaFolder: FolderKind<QaTask, QaFolder> = {
  folderItemSchema: QaItemSchema,

  taskIssues: () => [],

  bareItem: (id) => ({ id, question: '' }),

  folderParts(task, records, files) {
    const issues: InputIssue[] = [];
    if (task.answerType !== 'multiple-choice') return { issues, parts: {} };
    for (const { line, value } of records) {
      if (!value.choices || value.choices.length === 0) {
        issues.push({ file: files.items, line, field: 'choices', message: 'a multiple-choice item needs choices' });
      } else {
        // As a gold label outside a classification task's labels is refused.
        const issue = choiceGoldIssue(value);
        if (issue !== undefined) issues.push({ file: files.items, line, field: 'answers', message: issue });
      }
    }
    return { issues, parts: {} };
  },
};
