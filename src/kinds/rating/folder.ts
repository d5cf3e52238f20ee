import type { InputIssue } from '../../task/errors.js';
import type { EvalFolderBase, FolderKind } from '../../task/eval-folder.js';
import { type RatingItem, RatingItemSchema, type RatingTask } from '../../task/schema.js';

export interface RatingFolder extends EvalFolderBase<RatingTask, RatingItem> {
  /** Gold score per item, NaN where the item has none. */
  gold: Float64Array;
}

/** A rating folder's reading: each gold score on the task's scale. */
export const ratingFolder: FolderKind<RatingTask, RatingFolder> = {
  folderItemSchema: RatingItemSchema,

  // The scale's own consistency (min < max) is the schema's.
  taskIssues: () => [],

  bareItem: (id) => ({ id, text: '' }),

  folderParts(task, records, files) {
    // A gold score off the scale is a typo or another scale, as a gold label outside the labels is:
    // scored as it is, it would count every judge wrong by the distance (fusion init --scale refuses it too).
    const { min, max } = task.scale;
    const issues: InputIssue[] = [];
    for (const { line, value } of records) {
      if (value.label !== undefined && (value.label < min || value.label > max)) {
        issues.push({ file: files.items, line, field: 'label', message: `gold score ${value.label} is outside the task's scale ${min}-${max} (${files.task})` });
      }
    }
    return { issues, parts: { gold: Float64Array.from(records, ({ value }) => value.label ?? Number.NaN) } };
  },
};
