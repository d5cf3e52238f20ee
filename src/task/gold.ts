import type { EvalFolder } from './load-folder.js';

/** Whether anything in a folder can score an answer: a gold label or answer, or a human judgement of a response. */
export function hasGold(folder: EvalFolder): boolean {
  if (folder.kind === 'classification') return folder.gold.some((g) => g >= 0);
  return folder.items.some((i) => (i.answers?.length ?? 0) > 0) || folder.responses.some((r) => r.correct !== undefined);
}
