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
