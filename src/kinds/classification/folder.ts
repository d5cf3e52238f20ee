import type { InputIssue } from '../../task/errors.js';
import type { EvalFolderBase, FolderKind } from '../../task/eval-folder.js';
import { goldLabelOf, labelIndex } from '../../task/labels.js';
import { currentLimits, limitVariable } from '../../task/limits.js';
import { type ClassificationItem, ClassificationItemSchema, type ClassificationTask } from '../../task/schema.js';

export interface ClassificationFolder extends EvalFolderBase<ClassificationTask, ClassificationItem> {
  /** Gold label index per item, -1 where the item has no label. */
  gold: Int32Array;
}

/** A classification folder's reading: a label set the answers can be read into, and each gold one of its labels. */
export const classificationFolder: FolderKind<ClassificationTask, ClassificationFolder> = {
  folderItemSchema: ClassificationItemSchema,

  taskIssues(task, file) {
    const { maxLabels } = currentLimits();
    if (task.labels.length > maxLabels) {
      return [{ file, field: 'labels', message: `${task.labels.length} labels, more than ${maxLabels} (raise ${limitVariable('maxLabels')} if it is meant to be)` }];
    }
    return labelIndex(task).issues.map((message) => ({ file, field: 'labels', message }));
  },

  bareItem: (id) => ({ id, text: '' }),

  folderParts(task, records, files) {
    const goldOf = goldLabelOf(task);
    const issues: InputIssue[] = [];
    const gold = new Int32Array(records.length).fill(-1);
    records.forEach(({ line, value }, i) => {
      if (value.label === undefined) return;
      const k = goldOf(value.label);
      if (k === undefined) {
        issues.push({ file: files.items, line, field: 'label', message: `unknown gold label "${value.label}" (labels: ${task.labels.map((l) => l.name).join(', ')})` });
      } else gold[i] = k;
    });
    return { issues, parts: { gold } };
  },
};
