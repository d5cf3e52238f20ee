import { DEFAULT_PRICES, type PriceTable, priceOf } from '../task/prices.js';
import type { EvalFolderBase } from '../task/eval-folder.js';
import type { TaskItem } from '../task/schema.js';

/** What the prompt shows of an item: its text, or its question and choices. */
function itemChars(item: TaskItem): number {
  if ('text' in item) return item.text.length;
  return item.question.length + (item.choices ?? []).reduce((a, c) => a + c.label.length + c.text.length + 2, 0);
}

/** Providers whose price table is searched for a bare model name (recorded answers rarely name the provider). */
const PROVIDERS = ['openai', 'anthropic'] as const;

/**
 * Expected USD per call of each model on a folder's items, for the `costPerItem` of `fusion eval`:
 * input tokens ~ (instructions + mean item text) / 4 characters, output tokens ~ the model's mean
 * recorded output / 4, at the list price of `table`. Null when the table has no price for the model.
 * A `provider:model` name is looked up as is; a bare name under each known provider.
 */
export function estimateCallPrices(folder: Pick<EvalFolderBase, 'task' | 'items' | 'responses'>, models: readonly string[], table: PriceTable = DEFAULT_PRICES): (number | null)[] {
  const items: readonly TaskItem[] = folder.items;
  const textChars = items.reduce((a, it) => a + itemChars(it), 0) / Math.max(1, items.length);
  const promptTokens = (folder.task.instructions.length + textChars) / 4;
  const out = new Map<string, { chars: number; n: number }>();
  for (const r of folder.responses) {
    const o = out.get(r.model) ?? { chars: 0, n: 0 };
    o.chars += r.output.length;
    o.n++;
    out.set(r.model, o);
  }
  return models.map((m) => {
    const colon = m.indexOf(':');
    const price = colon > 0 ? priceOf(table, m.slice(0, colon), m.slice(colon + 1)) : PROVIDERS.map((p) => priceOf(table, p, m)).find((x) => x !== undefined);
    if (!price) return null;
    const o = out.get(m);
    const outputTokens = o && o.n > 0 ? o.chars / o.n / 4 : 0;
    return (promptTokens * price.input + outputTokens * price.output) / 1e6;
  });
}
