import type { TokenLogprob } from '../task/schema.js';
import type { LabelMatcher } from './label-matcher.js';

/** How many leading answer tokens are searched for the one that carries the label. */
const MAX_POSITION = 8;
/** Shortest token read as the start of a longer label name (`neg` for `negative`, `non` for `non-toxic`). */
const MIN_PREFIX = 2;

/** A token as the label matcher sees it: trimmed, lowercased, without Markdown or brackets. */
function tokenKey(token: string): string {
  return token
    .trim()
    .replace(/^[\s"'`*_([{:]+|[\s"'`*_)\]}.!:;,]+$/g, '')
    .toLowerCase();
}

/**
 * Per-task reader of token logprobs. A candidate token names a label when it spells a name or alias
 * exactly, or is a prefix (MIN_PREFIX+ characters) of exactly one label's name or word alias: the
 * first token of a multi-token label. Prefixes shared by two labels (`ne` of `negative`/`neutral`)
 * carry no evidence and are left out.
 */
export class LogprobReader {
  private readonly spellings: readonly { key: string; label: number }[];
  private readonly cache = new Map<string, number>();

  constructor(private readonly matcher: LabelMatcher) {
    this.spellings = matcher.spellings;
  }

  /** The label a token names, or -1 (none) / -2 (prefix of several labels). */
  labelOf(token: string): number {
    const key = tokenKey(token);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    let k = -1;
    if (key !== '') {
      const whole = this.matcher.lookupWhole(key);
      if (whole) k = whole.label;
      else if (key.length >= MIN_PREFIX && /\p{L}/u.test(key)) {
        const labels = new Set(this.spellings.filter((s) => s.key.startsWith(key)).map((s) => s.label));
        if (labels.size === 1) k = [...labels][0] as number;
        else if (labels.size > 1) k = -2;
      }
    }
    if (this.cache.size < 10_000) this.cache.set(key, k);
    return k;
  }

  /**
   * Whether the sampled token at `p` really starts the label: a whole spelling does; a prefix
   * (`so`, which starts `social welfare`) must be continued by the next token (`neg` + `ative`,
   * `non` + `-`), else it was an ordinary word (`So the answer is 13`).
   */
  private continuesLabel(logprobs: readonly TokenLogprob[], p: number, expected: number): boolean {
    const key = tokenKey((logprobs[p] as TokenLogprob).token);
    if (this.matcher.lookupWhole(key)) return true;
    const next = logprobs[p + 1]?.token;
    if (next === undefined || /^\s/.test(next)) return false;
    const joined = key + next.toLowerCase();
    return this.spellings.some((s) => s.label === expected && (s.key.startsWith(joined) || joined.startsWith(s.key)));
  }

  /**
   * The distribution over labels at the first answer token, from its top_logprobs: the probability
   * of every alternative token that names a label, summed per label and renormalized. The answer
   * token is the first of the leading tokens whose sampled token names `expected` (the label the
   * text path read), so the logprobs refine the text reading and never contradict it: `A positive
   * review` is not option A. Returns undefined when no such token carries top_logprobs.
   */
  distribution(logprobs: readonly TokenLogprob[], expected: number): Float64Array | undefined {
    const K = this.matcher.K;
    for (let p = 0; p < logprobs.length && p < MAX_POSITION; p++) {
      const lp = logprobs[p] as TokenLogprob;
      if (this.labelOf(lp.token) !== expected) continue;
      if (!this.continuesLabel(logprobs, p, expected)) continue;
      const alternatives = lp.top_logprobs;
      if (!alternatives || alternatives.length === 0) return undefined;
      const dist = new Float64Array(K);
      let total = 0;
      let sawSampled = false;
      for (const alt of alternatives) {
        if (alt.token === lp.token) sawSampled = true;
        const k = this.labelOf(alt.token);
        if (k < 0) continue;
        const prob = Math.exp(alt.logprob);
        if (!Number.isFinite(prob)) continue;
        dist[k] = (dist[k] as number) + prob;
        total += prob;
      }
      if (!sawSampled) {
        const prob = Math.exp(lp.logprob);
        if (Number.isFinite(prob)) {
          dist[expected] = (dist[expected] as number) + prob;
          total += prob;
        }
      }
      if (!(total > 0)) return undefined;
      for (let k = 0; k < K; k++) dist[k] = (dist[k] as number) / total;
      return dist;
    }
    return undefined;
  }
}
