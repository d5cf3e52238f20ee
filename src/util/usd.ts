/**
 * USD amounts as they are written for a user (responses.jsonl, output lines, --json). A cost is a
 * sum of products of per-token prices and token counts, so binary floats carry noise in the last
 * digits (0.1 + 0.2). Twelve significant digits drop only that noise: no price list has more, and
 * the amounts stay exact to far below a cent whatever their size. Only what is written is
 * rounded; budgets and sums keep the full value, and a rounded value reads back as any number.
 */
const USD_SIGNIFICANT_DIGITS = 12;

export function writtenUsd(usd: number): number {
  return Number.isFinite(usd) && usd !== 0 ? Number(usd.toPrecision(USD_SIGNIFICANT_DIGITS)) : usd;
}

/** The fields that hold USD in what the commands write as JSON. */
const USD_FIELDS: ReadonlySet<string> = new Set(['cost', 'costPerItem', 'estimatedCost']);

/** A JSON.stringify replacer that writes every USD field through writtenUsd. */
export function usdReplacer(key: string, value: unknown): unknown {
  return typeof value === 'number' && USD_FIELDS.has(key) ? writtenUsd(value) : value;
}
