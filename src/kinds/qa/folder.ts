import type { InputIssue } from '../../task/errors.js';
import { choiceGoldIssue, sameLabelIssue } from '../../task/choice-gold.js';
import type { EvalFolderBase, FolderKind } from '../../task/eval-folder.js';
import { choiceCountIssue } from './choice-count.js';
import { type QaItem, QaItemSchema, type QaTask } from '../../task/schema.js';

/** A QA folder adds nothing to the base: its gold (answers, aliases) stays on its items, scored by matching. */
export type QaFolder = EvalFolderBase<QaTask, QaItem>;

/** A QA folder's reading: choices an answer can tell apart by their labels; a multiple-choice item has two choices or more, and its gold names one. */
export const qaFolder: FolderKind<QaTask, QaFolder> = {
  folderItemSchema: QaItemSchema,

  taskIssues: () => [],

  bareItem: (id) => ({ id, question: '' }),

  folderParts(task, records, files) {
    const issues: InputIssue[] = [];
    for (const { line, value } of records) {
      // Labels an answer cannot tell apart, on any item with choices (the prompt shows them), as fusion run refuses the question.
      const same = sameLabelIssue(value.choices ?? []);
      if (same !== undefined) issues.push({ file: files.items, line, field: 'choices', message: same });
      if (task.answerType !== 'multiple-choice') continue;
      const count = choiceCountIssue(value.choices);
      if (count !== undefined) {
        issues.push({ file: files.items, line, field: 'choices', message: count });
      } else {
        // As a gold label outside a classification task's labels is refused.
        const issue = choiceGoldIssue(value);
        if (issue !== undefined) issues.push({ file: files.items, line, field: 'answers', message: issue });
      }
    }
    return { issues, parts: {} };
  },
};
