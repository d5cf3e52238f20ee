import { stem } from '../normalize/stemming.js';
import type { SparseRows } from './logistic-regression.js';

/**
 * Hashed bag of word unigrams and bigrams of an item's text, so that a meta-model can learn
 * which kind of item favours which answer. Hashing keeps the feature space fixed whatever the
 * vocabulary: nothing is learned from the texts to build it, so test items cannot leak into it.
 */
export interface TextHashing {
  /** 2^bits hash buckets. */
  bits: number;
  /** Each item's text features have this Euclidean norm, which sets their L2 penalty relative to the answer features. */
  scale: number;
}

/**
 * Fixed defaults, not tuned per set: 1024 buckets (collisions are frequent, but every bucket is a
 * coefficient per label in the stacker's fit, so a wider table fits slower; no comparison of widths
 * is recorded in BENCHMARKS.md yet), and a norm of 10 so that, under one L2 strength, words are
 * penalized less than the answers' one-hot features: a word is rare, an answer is on every row.
 */
export const DEFAULT_TEXT_HASHING: TextHashing = { bits: 10, scale: 10 };

const WORD = /[\p{L}\p{N}]+/gu;

/** 32-bit FNV-1a: stable across runs and platforms, so saved models keep their buckets. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The distinct buckets of `text`'s stemmed, lowercased words and word pairs, ascending. */
export function hashText(text: string, bits: number): Int32Array {
  const words = (text.toLowerCase().match(WORD) ?? []).map((w) => (w.length > 40 ? w : stem(w)));
  const mask = 2 ** bits - 1;
  const buckets = new Set<number>();
  words.forEach((w, i) => {
    buckets.add(fnv1a(`u:${w}`) & mask);
    const next = words[i + 1];
    if (next !== undefined) buckets.add(fnv1a(`b:${w} ${next}`) & mask);
  });
  return Int32Array.from(buckets).sort();
}

/**
 * hashText remembered per (bits, text): the same item texts are hashed again for every fold and
 * every fit that sees them. Bounded: cleared when it holds MEMO_LIMIT texts.
 */
const MEMO_LIMIT = 200_000;
const memo = new Map<number, Map<string, Int32Array>>();
function hashTextOnce(text: string, bits: number): Int32Array {
  // Keyed by the text itself (the item's own string, not a copy) within its bucket count.
  let byText = memo.get(bits);
  if (!byText) memo.set(bits, (byText = new Map()));
  const known = byText.get(text);
  if (known) return known;
  if (byText.size >= MEMO_LIMIT) byText.clear();
  const h = hashText(text, bits);
  byText.set(text, h);
  return h;
}

/** X with each row's hashed text appended as binary features after X's own columns, scaled to norm `scale`. */
export function appendText(X: SparseRows, texts: readonly string[], hashing: TextHashing): SparseRows {
  if (texts.length !== X.rows) throw new RangeError(`expected ${X.rows} texts, got ${texts.length}`);
  const hashed = texts.map((t) => hashTextOnce(t, hashing.bits));
  let nnz = X.index.length;
  for (const h of hashed) nnz += h.length;
  const start = new Int32Array(X.rows + 1);
  const index = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  let p = 0;
  for (let r = 0; r < X.rows; r++) {
    const a = X.start[r] as number;
    const b = X.start[r + 1] as number;
    index.set(X.index.subarray(a, b), p);
    value.set(X.value.subarray(a, b), p);
    p += b - a;
    const h = hashed[r] as Int32Array;
    const v = h.length > 0 ? hashing.scale / Math.sqrt(h.length) : 0;
    for (const bucket of h) {
      index[p] = X.dim + bucket;
      value[p++] = v;
    }
    start[r + 1] = p;
  }
  return { ...X, dim: X.dim + 2 ** hashing.bits, start, index, value };
}
