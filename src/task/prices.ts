import { z } from 'zod';
import { InputError, zodIssues } from './errors.js';
import { readTextFileSync } from './safe-read.js';

/** USD per one million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Through the provider's batch API; default: half of `input` and `output` (BATCH_DISCOUNT). */
  batch?: { input: number; output: number };
}

/** OpenAI Batch and Anthropic Message Batches both bill half the list price. */
export const BATCH_DISCOUNT = 0.5;

/**
 * List prices (USD per 1M tokens, standard tier, no batch or cache discounts) keyed by
 * `provider:model`. A key ending in `*` matches any model with that prefix; otherwise the longest
 * key that is a prefix of the model id wins, so dated snapshots (`gpt-4o-mini-2024-07-18`) and
 * `-latest` aliases find their family. Check against the providers' pages before trusting a budget;
 * override with `--prices file.json`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'openai:gpt-5': { input: 1.25, output: 10 },
  'openai:gpt-5-mini': { input: 0.25, output: 2 },
  'openai:gpt-5-nano': { input: 0.05, output: 0.4 },
  'openai:gpt-4.1': { input: 2, output: 8 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'openai:gpt-4o': { input: 2.5, output: 10 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai:gpt-4-turbo': { input: 10, output: 30 },
  'openai:gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'openai:o1': { input: 15, output: 60 },
  'openai:o1-mini': { input: 1.1, output: 4.4 },
  'openai:o3': { input: 2, output: 8 },
  'openai:o3-mini': { input: 1.1, output: 4.4 },
  'openai:o4-mini': { input: 1.1, output: 4.4 },
  'anthropic:claude-opus-4': { input: 15, output: 75 },
  'anthropic:claude-sonnet-4': { input: 3, output: 15 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
  'anthropic:claude-3-7-sonnet': { input: 3, output: 15 },
  'anthropic:claude-3-5-sonnet': { input: 3, output: 15 },
  'anthropic:claude-3-5-haiku': { input: 0.8, output: 4 },
  'anthropic:claude-3-opus': { input: 15, output: 75 },
  'anthropic:claude-3-haiku': { input: 0.25, output: 1.25 },
  // Local models cost nothing per token.
  'ollama:*': { input: 0, output: 0 },
};

export type PriceTable = Readonly<Record<string, Price>>;

const PriceFileSchema = z.record(
  z.string().regex(/^[a-z0-9_-]+:.+$/i, 'keys are "provider:model" or "provider:prefix*"'),
  z
    .object({
      input: z.number().nonnegative(),
      output: z.number().nonnegative(),
      batch: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict().optional(),
    })
    .strict(),
);

/** Reads a JSON price file (`{"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}}`) and lays it over the defaults. */
export function loadPrices(file: string, base: PriceTable = DEFAULT_PRICES): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([{ file, message: `cannot read prices: ${(e as Error).message}` }]);
  }
  const parsed = PriceFileSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues(file, undefined, parsed.error));
  return { ...base, ...parsed.data };
}

/**
 * What may follow a table entry's name for the same model: a snapshot (`-2024-07-18`, `-20241022`,
 * `-0125`) or the `-latest` alias. Anything else names another model, often a dearer one (`o1-pro`
 * is not `o1`), which the entry must not price: under `--max-cost` it would be reserved at a
 * fraction of what it is billed. An entry ending in `*` covers every name it begins.
 */
const SNAPSHOT = /^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$/;

/** The price of `provider:modelId`, or undefined when the table does not know it. */
export function priceOf(table: PriceTable, provider: string, modelId: string): Price | undefined {
  const full = `${provider}:${modelId}`;
  const exact = table[full];
  if (exact) return exact;
  let best: Price | undefined;
  let bestLength = -1;
  for (const [key, price] of Object.entries(table)) {
    const wildcard = key.endsWith('*');
    const prefix = wildcard ? key.slice(0, -1) : key;
    if (full.startsWith(prefix) && (wildcard || SNAPSHOT.test(full.slice(prefix.length))) && prefix.length > bestLength) {
      best = price;
      bestLength = prefix.length;
    }
  }
  return best;
}

/** Whether tokens at this price cost anything (a local model is listed free). */
export function billsTokens(price: Price | undefined): price is Price {
  return price !== undefined && (price.input > 0 || price.output > 0);
}

export function costOf(price: Price, usage: { input: number; output: number }): number {
  return (usage.input * price.input + usage.output * price.output) / 1e6;
}

/** The price of `provider:modelId` through its batch API, or undefined when the table does not know it. */
export function batchPriceOf(table: PriceTable, provider: string, modelId: string): Price | undefined {
  const price = priceOf(table, provider, modelId);
  if (!price) return undefined;
  return price.batch ?? { input: price.input * BATCH_DISCOUNT, output: price.output * BATCH_DISCOUNT };
}
