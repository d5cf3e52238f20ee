import type { Choice } from '../../task/schema.js';

/**
 * Why a multiple-choice question's choices cannot make a question, or undefined. With none, no
 * answer is readable; with one, every model that answers picks it, so every model is "right" by
 * construction and neither fusing nor scoring tells anything. Every path that takes a question (an
 * eval folder's items, `fusion init`'s rows, `fusion run`'s input, the library's fuse()) refuses it
 * with these words.
 */
export function choiceCountIssue(choices: readonly Choice[] | undefined): string | undefined {
  const first = choices?.[0];
  if (choices !== undefined && choices.length >= 2) return undefined;
  const got = first === undefined ? 'none' : `one (${JSON.stringify(first.label)}), which every answer would pick`;
  return `a multiple-choice question needs at least two choices, got ${got}`;
}
