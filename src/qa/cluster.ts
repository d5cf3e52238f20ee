import { SHORT_FUZZY_MIN_F1, LONG_FUZZY_MIN_F1, sameSentenceAnswer, sameShortAnswer, sentenceStates } from '../normalize/qa/equivalence.js';
import { SHORT_ANSWER_MAX_TOKENS } from '../normalize/qa/extract.js';
import { numbersEqual } from '../normalize/qa/numbers.js';
import { contentTokens, answerTokens, keyTokens } from '../normalize/qa/squad-normalize.js';
import type { QaAnswer } from './types.js';

export { SHORT_FUZZY_MIN_F1, LONG_FUZZY_MIN_F1 };

/**
 * Groups equivalent answers of one question. Returns the cluster index of each answer; clusters
 * are numbered in order of first appearance, so the result is deterministic.
 *
 * 1. Same canonical key (choice label, number value, SQuAD-normalized text).
 * 2. Numbers with equal value (units and currencies decide only when both name one).
 * 3. Free-form: short answers (<= SHORT_ANSWER_MAX_TOKENS tokens) merge when one only adds words to
 *    the other (`May 1, 2021` is not `April 1, 2021`) and either their token F1 is at least
 *    SHORT_FUZZY_MIN_F1 or the added words are stopwords and question words (`The city is Paris.`);
 *    an answer read as a number joins no sentence (its value decided in step 2); a sentence that contains every content token of a short answer
 *    joins that short answer's cluster unless a negator stands right before it (`not toxic` for `toxic`) (the most specific one when it contains several; a short
 *    answer made only of the question's own words attracts no sentence); remaining
 *    sentences join the first sentence cluster whose leader overlaps them by at least
 *    LONG_FUZZY_MIN_F1 in content tokens, the question's own words left out, and negates the same
 *    words (`Paris, not Lyon` is not `Lyon, not Paris`).
 */
export function clusterAnswers(readings: readonly QaAnswer[], questionTokens?: ReadonlySet<string>): Int32Array {
  const n = readings.length;
  const clusterOf = new Int32Array(n).fill(-1);
  // Step 1: exact keys.
  const groups: number[][] = [];
  const byKey = new Map<string, number>();
  readings.forEach((r, a) => {
    let g = byKey.get(r.key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(r.key, g);
      groups.push([]);
    }
    groups[g]?.push(a);
  });
  const head = (g: number): QaAnswer => readings[groups[g]?.[0] ?? 0] as QaAnswer;

  // Union of groups into clusters (parent pointers over groups).
  const parent = groups.map((_, g) => g);
  const find = (g: number): number => {
    while (parent[g] !== g) g = parent[g] as number;
    return g;
  };
  const union = (into: number, from: number): void => {
    const a = find(into);
    const b = find(from);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };

  const isChoice = readings.some((r) => r.choice !== undefined);
  if (!isChoice) {
    const tokens = groups.map((_, g) => answerTokens(head(g).text));
    const isShort = tokens.map((t) => t.length <= SHORT_ANSWER_MAX_TOKENS);
    // Step 2 and short-short fuzzy.
    for (let g = 0; g < groups.length; g++) {
      for (let h = 0; h < g; h++) {
        const a = head(g);
        const b = head(h);
        if (a.number && b.number) {
          if (numbersEqual(a.number, b.number)) union(h, g);
        } else if (isShort[g] && isShort[h] && !(a.number || b.number) && sameShortAnswer(tokens[g] ?? [], tokens[h] ?? [], questionTokens)) union(h, g);
      }
    }
    // Sentences containing a short answer join it.
    const content = groups.map((_, g) => keyTokens(head(g).text));
    const longContent = groups.map((_, g) => contentTokens(head(g).text, questionTokens));
    // A short answer made only of the question's words ("Reading" for "who owns Reading FC") would
    // swallow every sentence that restates the question: it attracts none.
    const shortGroups = groups
      .map((_, g) => g)
      .filter((g) => isShort[g] && (content[g] ?? []).some((t) => !(questionTokens?.has(t) ?? false)));
    const pendingLong: number[] = [];
    for (let g = 0; g < groups.length; g++) {
      // An answer read as a number already has its value: it joins only answers of equal value.
      if (isShort[g] || head(g).number) continue;
      const hay = tokens[g] ?? [];
      let best = -1;
      let bestLen = 0;
      for (const s of shortGroups) {
        const needle = content[s] ?? [];
        const hit = head(s).number ? hayHasNumber(head(g), head(s)) : sentenceStates(hay, needle, tokens[s] ?? []);
        if (hit && needle.length > bestLen) {
          best = s;
          bestLen = needle.length;
        }
      }
      if (best >= 0) union(best, g);
      else pendingLong.push(g);
    }
    // Leader clustering of the remaining sentences.
    const leaders: number[] = [];
    for (const g of pendingLong) {
      const leader = leaders.find((l) => sameSentenceAnswer(longContent[l] ?? [], longContent[g] ?? [], tokens[l] ?? [], tokens[g] ?? []));
      if (leader === undefined) leaders.push(g);
      else union(leader, g);
    }
  }

  const clusterIndex = new Map<number, number>();
  for (let a = 0; a < n; a++) {
    const root = find(byKey.get((readings[a] as QaAnswer).key) as number);
    let c = clusterIndex.get(root);
    if (c === undefined) {
      c = clusterIndex.size;
      clusterIndex.set(root, c);
    }
    clusterOf[a] = c;
  }
  return clusterOf;
}

/** Does a sentence state the short numeric answer's value (e.g. "There are 291 episodes." for "291")? */
function hayHasNumber(sentence: QaAnswer, short: QaAnswer): boolean {
  const target = short.number;
  if (!target) return false;
  const digits = sentence.text.match(/\d[\d,]*(?:\.\d+)?/g) ?? [];
  return digits.some((d) => numbersEqual({ value: Number(d.replace(/,/g, '')) }, target));
}
