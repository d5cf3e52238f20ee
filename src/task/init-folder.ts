import { basename } from 'node:path';
import type { ColumnChoice } from './columns.js';
import { InputError } from './errors.js';
import { currentLimits, limitVariable } from './limits.js';
import { readTableFile } from './read-table.js';
import { type ClassificationItem, ClassificationItemSchema, type ClassificationTask, TASK_KINDS } from './schema.js';
import type { TableFormat } from './table-format.js';

export interface InitOptions {
  columns?: ColumnChoice;
  format?: TableFormat;
  /** The task's name; default: the folder's name. */
  name?: string;
  instructions?: string;
}

/**
 * An eval folder's task and items made from a labelled table: the labels are the label column's
 * distinct values (first spelling seen, compared case-insensitively, in order of first appearance),
 * the items its rows (id, text, label; rows without a label stay unlabelled). Every problem is an
 * InputError naming the row.
 */
export function folderFromTable(file: string, dir: string, options: InitOptions = {}): { task: ClassificationTask; items: ClassificationItem[] } {
  const parsed = readTableFile(file, ClassificationItemSchema, { ...(options.format ? { format: options.format } : {}), ...(options.columns ? { columns: options.columns } : {}) });
  if (parsed.issues.length > 0) throw new InputError(parsed.issues);
  const labelColumn = options.columns?.label ?? 'label';
  const labels: string[] = [];
  const byKey = new Map<string, string>();
  const items = parsed.records.map(({ value }) => {
    const raw = value.label?.trim();
    if (raw === undefined || raw === '') return { id: value.id, text: value.text };
    const key = raw.toLowerCase();
    let name = byKey.get(key);
    if (name === undefined) {
      name = raw;
      byKey.set(key, name);
      labels.push(name);
    }
    return { id: value.id, text: value.text, label: name };
  });
  const { maxLabels } = currentLimits();
  if (labels.length < 2) {
    throw new InputError([{ file, field: labelColumn, message: `the label column holds ${labels.length === 0 ? 'no label' : `one label only ("${labels[0]}")`}; a classification task needs at least two (--label-column names the column)` }]);
  }
  if (labels.length > maxLabels) {
    throw new InputError([{ file, field: labelColumn, message: `${labels.length} distinct labels, more than ${maxLabels}: is "${labelColumn}" the label column? (raise ${limitVariable('maxLabels')} if it is meant to be)` }]);
  }
  const seen = new Map<string, number>();
  const issues = parsed.records.flatMap(({ line, value }) => {
    const first = seen.get(value.id);
    if (first === undefined) {
      seen.set(value.id, line);
      return [];
    }
    return [{ file, line, field: 'id', message: `duplicate item id "${value.id}" (first on line ${first})` }];
  });
  if (issues.length > 0) throw new InputError(issues);
  const task: ClassificationTask = {
    name: options.name ?? basename(dir),
    kind: TASK_KINDS.classification,
    labels: labels.map((name) => ({ name, aliases: [] })),
    instructions: options.instructions ?? `Classify the text as one of: ${labels.join(', ')}.`,
  };
  return { task, items };
}
