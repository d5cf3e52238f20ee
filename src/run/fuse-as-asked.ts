import { cutShort, type RawModelAnswer } from '../kinds/raw-answer.js';
import type { StreamFuser } from '../fuse/stream-fuser.js';

/**
 * Fuses items under an asking policy as they were really asked. An item the run cut short (Ctrl-C,
 * `--max-cost`, a cancelled batch) has answers from a prefix of the policy's order only; replayed
 * by the uncapped policy, the calls it never made read as answers that did not, so the replay asks
 * on past them and fuses with the fit of a longer prefix, the missing calls counted as unreadable.
 * Such an item is fused by the policy capped at the calls it made (`capped`, what
 * `--max-calls-per-item` uses): the replay stops where the run stopped, and the fused answer is the
 * one fitted for what was asked. Every other item is fused as before, all together in one batch.
 * One path for every task kind: `fuse` is the kind's, the cap the policy's.
 */
export function fuseAsAsked<T extends { answers: readonly RawModelAnswer[] }, L>(items: readonly T[], fuser: StreamFuser, fuse: (items: readonly T[], fuser: StreamFuser) => L[]): L[] {
  const { capped } = fuser;
  if (!fuser.policy || !capped) return fuse(items, fuser);
  // Rows per cap (the calls made), undefined for the items not cut short.
  const groups = new Map<number | undefined, number[]>();
  items.forEach((x, i) => {
    const cap = cutShort(x.answers) === undefined ? undefined : x.answers.filter((a) => a.status !== 'skipped').length;
    const rows = groups.get(cap);
    if (rows) rows.push(i);
    else groups.set(cap, [i]);
  });
  if (groups.size === 1 && groups.has(undefined)) return fuse(items, fuser);
  const out = new Array<L>(items.length);
  for (const [cap, rows] of groups) {
    const lines = fuse(
      rows.map((i) => items[i] as T),
      cap === undefined ? fuser : capped.call(fuser, cap),
    );
    rows.forEach((i, r) => (out[i] = lines[r] as L));
  }
  return out;
}
