import { existsSync } from 'node:fs';
import type { TaskKind } from '../kinds/task-kind.js';
import { folderTable, readTableFile } from '../task/read-table.js';

/**
 * Why a folder has nothing to score, with the column its gold is read from and the items' columns
 * that are not read: gold kept under another name (`gold`, `answer`, `stars`) reads as no gold at
 * all, and the rename is what the user needs to hear.
 */
export function noGoldMessage(dir: string, kind: Pick<TaskKind, 'folderItemSchema' | 'goldField'>): string {
  const file = folderTable(dir, 'items');
  const unread = existsSync(file) ? [...new Set(readTableFile(file, kind.folderItemSchema).passthrough.flatMap((p) => Object.keys(p)))] : [];
  const where = `no item of ${file} has a value in "${kind.goldField}"`;
  const columns = unread.length > 0 ? ` (${unread.map((c) => JSON.stringify(c)).join(', ')} ${unread.length > 1 ? 'are' : 'is'} not read: rename the gold column to "${kind.goldField}")` : '';
  return `${dir} has no gold: ${where}${columns}, so there is nothing to score; fusion fuse ${dir} writes the fused answers of the unsupervised strategies`;
}
