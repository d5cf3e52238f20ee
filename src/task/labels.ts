import { numeralValue } from './numeral.js';
import type { ClassificationTask } from './schema.js';

/**
 * Maps every label name and alias (case-insensitive, trimmed) to its label index.
 * Reports names or aliases shared by two labels, since an answer using one would be ambiguous.
 */
export function labelIndex(task: Pick<ClassificationTask, 'labels'>): { lookup: Map<string, number>; issues: string[] } {
  const lookup = new Map<string, number>();
  const issues: string[] = [];
  task.labels.forEach((label, k) => {
    for (const spelling of [label.name, ...label.aliases]) {
      const key = spelling.trim().toLowerCase();
      const prev = lookup.get(key);
      if (prev !== undefined && prev !== k) {
        issues.push(`"${spelling}" names both "${task.labels[prev]?.name}" and "${label.name}"`);
      } else lookup.set(key, k);
    }
  });
  return { lookup, issues };
}

/**
 * How a gold label written in a table is compared with the labels: case and surrounding spaces
 * aside, and a numeral by its value (isNumeral), so `1`, `1.0`, `+1` and ` 1` in a star column are one label (a
 * spreadsheet writes one star as `1.0` once a column holds a half star).
 */
export function labelKey(spelling: string): string {
  const t = spelling.trim();
  const value = numeralValue(t);
  return value === undefined ? t.toLowerCase() : String(value);
}

/** The label a gold spelling names: a name or alias (labelIndex), else the label whose numeral has its value (`1.0` for `1`). */
export function goldLabelOf(task: Pick<ClassificationTask, 'labels'>): (spelling: string) => number | undefined {
  const { lookup } = labelIndex(task);
  const byValue = new Map<string, number>();
  task.labels.forEach((label, k) => {
    const key = labelKey(label.name);
    if (!byValue.has(key)) byValue.set(key, k);
  });
  return (spelling) => lookup.get(spelling.trim().toLowerCase()) ?? byValue.get(labelKey(spelling));
}
