import type { InputIssue } from './errors.js';
import type { RecordedResponse } from './schema.js';

/** A recorded answer that says which prompt it was asked with (its `promptKey`), and its line. */
export interface AskedPrompt {
  line: number;
  item: string;
  promptKey: string;
}

/**
 * What a folder's responses file may not hold beyond a line's own fields: an answer for an item
 * the folder does not have, or a second answer of one model (and sample) to one item. Checked by
 * the evaluation and, before any call is paid, by `fusion eval --models`. `seen` carries each
 * answer's first line from one call to the next.
 */
export function responseLineIssue(
  file: string,
  line: number,
  value: Pick<RecordedResponse, 'item' | 'model' | 'sample'>,
  knownItems: { has(id: string): boolean },
  seen: Map<string, number>,
): InputIssue | undefined {
  if (!knownItems.has(value.item)) return { file, line, field: 'item', message: `response for unknown item "${value.item}"` };
  const key = `${value.item}\u0000${value.model}\u0000${value.sample ?? 0}`;
  const first = seen.get(key);
  if (first !== undefined) {
    const sample = value.sample === undefined ? '' : ` sample ${value.sample}`;
    // Repeated samples of one model (self-consistency) written without their numbers: how to keep them.
    const way = value.sample === undefined ? '; several answers of one model to one item are told apart by a sample field (0, 1, 2...)' : '';
    return { file, line, message: `duplicate response of model "${value.model}" for item "${value.item}"${sample} (first on line ${first})${way}` };
  }
  seen.set(key, line);
  return undefined;
}
