import { InputError, type InputIssue } from '../../task/errors.js';
import { labelKey } from '../../task/labels.js';
import { isNumeral } from '../../task/numeral.js';
import { currentLimits, limitVariable } from '../../task/limits.js';
import { type ClassificationItem, ClassificationItemSchema, type ClassificationTask, TASK_KINDS } from '../../task/schema.js';
import type { KindStarter, StarterRow } from '../starter.js';

/**
 * Classification from a labelled table: the labels are the gold column's distinct values (first
 * spelling seen, compared by labelKey: case aside, numerals by value; in order of first appearance),
 * or `--labels` in the order given (every gold value must be one of them). Ordered labels must be listed low to high:
 * numbers are sorted as numbers; words have no order the table could tell, so they need --labels.
 */
export const classificationStarter: KindStarter<ClassificationTask> = {
  rowSchema: ClassificationItemSchema as unknown as KindStarter['rowSchema'],
  options: ['ordered', 'labels'],
  build(rows, options) {
    const { file, labelColumn } = options;
    const given = options.labels?.map((l) => l.trim()).filter((l) => l !== '');
    const byKey = new Map<string, string>((given ?? []).map((l) => [labelKey(l), l]));
    const seen: string[] = [...(given ?? [])];
    const issues: InputIssue[] = [];
    const items = rows.map(({ line, value }: { line: number; value: StarterRow }): ClassificationItem => {
      const item = { id: value.id, text: String(value.text) };
      const raw = typeof value.label === 'string' ? value.label.trim() : undefined;
      if (raw === undefined || raw === '') return item;
      const key = labelKey(raw);
      let name = byKey.get(key);
      if (name === undefined && given) {
        issues.push({ file, line, field: labelColumn, message: `"${raw}" is not among --labels (${given.join(', ')})` });
        return item;
      }
      if (name === undefined) {
        name = raw;
        byKey.set(key, name);
        seen.push(name);
      }
      return { ...item, label: name };
    });
    if (issues.length > 0) throw new InputError(issues);
    let labels = seen;
    if (options.ordered && !given) {
      if (!labels.every((l) => isNumeral(l))) {
        throw new InputError([{ file, field: labelColumn, message: `--ordered needs the labels' order, which words do not tell (${labels.join(', ')}): give --labels listing them from low to high` }]);
      }
      labels = [...labels].sort((a, b) => Number(a) - Number(b));
    }
    const { maxLabels } = currentLimits();
    if (labels.length < 2) {
      throw new InputError([{ file, field: labelColumn, message: `the label column holds ${labels.length === 0 ? 'no label' : `one label only ("${labels[0]}")`}; a classification task needs at least two (--label-column names the column)` }]);
    }
    if (labels.length > maxLabels) {
      throw new InputError([{ file, field: labelColumn, message: `${labels.length} distinct labels, more than ${maxLabels}: is "${labelColumn}" the label column? (raise ${limitVariable('maxLabels')} if it is meant to be)` }]);
    }
    const task: ClassificationTask = {
      name: options.name,
      kind: TASK_KINDS.classification,
      labels: labels.map((name) => ({ name, aliases: [] })),
      ...(options.ordered ? { ordered: true } : {}),
      instructions: options.instructions ?? `Classify the text as one of: ${labels.join(', ')}.`,
    };
    return { task, items, labelled: items.filter((i) => i.label !== undefined).length, summary: `${labels.length} ${options.ordered ? 'ordered ' : ''}labels: ${labels.join(', ')}` };
  },
};
