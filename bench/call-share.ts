/**
 * `adaptive`'s calls as a share of the calls `auto` makes, for the quality table. Its replay
 * counts a call for every (model, sample) it asks on an item, whether the answer was readable or
 * not (a call that returns an unreadable answer is paid all the same); `auto`'s calls per item count
 * only the readable answers it fused. Where models abstain often (mot-gsm8k's program-of-thought
 * answers are unexecuted code) or answer with several samples, a share of `auto`'s figure divides
 * calls by readable answers and can exceed what the policy saves by far. The denominator is
 * therefore every call `auto` makes, each model and sample on each item, in the replay's own unit
 * (the result's `allCallsPerItem`): not the top of the policy's own curve, which leaves out the
 * calls the policy never makes (those that gave no readable answer on any training item), so that
 * skipping them would not show as a saving. The curve's top, then `auto`'s figure, are fallbacks
 * for results without the field. `recordedCalls` gives the recorded answers, readable or not, for
 * sets where not every model and sample was recorded on every item.
 */
export interface CallCounts {
  /** Calls (or answers) per item the strategy used. */
  callsPerItem?: number;
  /** Every call per item `auto` makes (the result's `allCallsPerItem`; else the top of the policy's curve, where it has one). */
  allCalls?: number;
}

/** `adaptive`'s calls per item over every call `auto` makes (`allCalls`; `auto`'s answers per item when that is unknown); null when either is unknown. */
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

/**
 * Every recorded answer per item, readable or not, from a `fusion eval --json` result: its readable
 * calls per item (`callsPerItem`, each sample one) plus every model's abstentions but `missing`
 * (an unreadable answer is a recorded call; a missing one was never made). Undefined when the
 * result lacks those fields.
 */
export function recordedCalls(result: unknown): number | undefined {
  const r = result as { callsPerItem?: unknown; items?: unknown; models?: unknown };
  if (typeof r.callsPerItem !== 'number' || typeof r.items !== 'number' || r.items <= 0 || !Array.isArray(r.models)) return undefined;
  let unreadable = 0;
  for (const m of r.models) {
    const counts = (m as { abstentions?: unknown }).abstentions;
    if (counts === null || typeof counts !== 'object') return undefined;
    for (const [reason, n] of Object.entries(counts as Record<string, unknown>)) if (reason !== 'missing' && typeof n === 'number') unreadable += n;
  }
  return r.callsPerItem + unreadable / r.items;
}

/** Every call per item of asking every model and sample (`allCallsPerItem` of a `fusion eval --json` result), if the result has it. */
export function allCalls(result: unknown): number | undefined {
  const v = (result as { allCallsPerItem?: unknown }).allCallsPerItem;
  return typeof v === 'number' && v > 0 ? v : undefined;
}
