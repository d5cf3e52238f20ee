import { InputError, type InputIssue } from '../../task/errors.js';
import { type RatingItem, RatingItemSchema, type RatingTask, TASK_KINDS } from '../../task/schema.js';
import type { KindStarter } from '../starter.js';

/**
 * Rating from a table of scored texts: the scale is `--scale`, or else the gold scores' range (said
 * in the summary, since a table may not reach the ends of the scale it was scored on); a gold score
 * outside a given scale is an error on its row.
 */
export const ratingStarter: KindStarter<RatingTask> = {
  rowSchema: RatingItemSchema as unknown as KindStarter['rowSchema'],
  options: ['scale'],
  build(rows, options) {
    const { file, labelColumn } = options;
    const items: RatingItem[] = rows.map(({ value }) => ({ id: value.id, text: String(value.text), ...(typeof value.label === 'number' ? { label: value.label } : {}) }));
    const scores = items.flatMap((i) => (i.label === undefined ? [] : [i.label]));
    let scale = options.scale;
    if (scale) {
      const { min, max } = scale;
      const issues: InputIssue[] = rows.flatMap(({ line, value }) => (typeof value.label === 'number' && (value.label < min || value.label > max) ? [{ file, line, field: labelColumn, message: `${value.label} is outside --scale ${min}-${max}` }] : []));
      if (issues.length > 0) throw new InputError(issues);
    } else {
      const min = Math.min(...scores);
      const max = Math.max(...scores);
      if (!(min < max)) throw new InputError([{ file, field: labelColumn, message: `${scores.length === 0 ? 'no gold score' : `every gold score is ${min}`}, so the scale cannot be read from it: give --scale MIN-MAX` }]);
      scale = { min, max };
    }
    const task: RatingTask = {
      name: options.name,
      kind: TASK_KINDS.rating,
      scale,
      instructions: options.instructions ?? `Rate the text on a scale from ${scale.min} to ${scale.max}.`,
    };
    return { task, items, labelled: scores.length, summary: `scale ${scale.min}-${scale.max}${options.scale ? '' : " (the gold scores' range; --scale MIN-MAX sets it)"}` };
  },
};
