/**
 * `adaptive`'s calls as a share of all the calls it could make, for the quality table. Its replay
 * counts a call for every (model, sample) it asks, whether the answer was readable or not (a call
 * that returns an unreadable answer is paid all the same); `auto`'s calls per item count only the
 * readable answers it fused. Where models abstain often (mot-gsm8k's program-of-thought answers
 * are unexecuted code) or answer with several samples, a share of `auto`'s figure divides calls by
 * readable answers and can exceed what the policy saves by far. The top of the policy's own
 * out-of-fold curve (the setting that asks every model and sample) is every call in the policy's
 * own unit; `auto`'s figure is the fallback where a kind reports no curve.
 */
export interface CallCounts {
  /** Calls (or answers) per item the strategy used. */
  callsPerItem?: number;
  /** Calls per item of its curve's setting that asks every model and sample, where it has a curve. */
  allCalls?: number;
}

/** `adaptive`'s calls per item over every call it could make (or over `auto`'s answers per item without a curve); null when either is unknown. */
export function callShare(adaptive: CallCounts, auto: CallCounts): number | null {
  if (adaptive.callsPerItem === undefined) return null;
  const all = adaptive.allCalls ?? auto.callsPerItem;
  return all === undefined ? null : adaptive.callsPerItem / Math.max(1e-9, all);
}

/** The most calls per item on an out-of-fold curve (its ask-everything setting), if the entry has a curve. */
export function curveTop(entry: unknown): number | undefined {
  const curve = (entry as { curve?: unknown }).curve;
  if (!Array.isArray(curve) || curve.length === 0) return undefined;
  let top = 0;
  for (const p of curve) {
    const c = (p as { callsPerItem?: unknown }).callsPerItem;
    if (typeof c === 'number' && c > top) top = c;
  }
  return top > 0 ? top : undefined;
}
