import { z } from 'zod';
import { InputError, zodIssues } from '../task/errors.js';
import type { QaFolder } from '../task/load-folder.js';
import { prepareQa } from './evaluate-qa.js';
import { QA_STRATEGIES, qaStrategy } from './fusion/registry.js';
import { type FittedQaStrategy, QaStateError, QaUsageError } from './types.js';

/** What `fusion fit` saves for a QA task: validated on load. */
export const SavedQaStrategySchema = z.object({
  format: z.literal('llm-fusion/qa-strategy').default('llm-fusion/qa-strategy'),
  version: z.literal(1).default(1),
  strategy: z.string().min(1),
  task: z.string().optional(),
  models: z.array(z.string()),
  state: z.unknown(),
});
export type SavedQaStrategy = z.input<typeof SavedQaStrategySchema>;

/** Validates a saved QA strategy read from `file`; errors name the file and the field. */
export function parseSavedQaStrategy(raw: unknown, file: string): SavedQaStrategy {
  const parsed = SavedQaStrategySchema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues(file, undefined, parsed.error));
  if (!qaStrategy(parsed.data.strategy)) throw new InputError([{ file, field: 'strategy', message: `unknown QA strategy "${parsed.data.strategy}"` }]);
  return parsed.data;
}

/** Fits one QA strategy on every labelled item of a folder (for `fusion fit` on a QA task). */
export function fitQaStrategy(folder: QaFolder, name: string, seed: number): { fitted: FittedQaStrategy; saved: SavedQaStrategy } {
  const strategy = qaStrategy(name);
  if (!strategy) throw new QaUsageError(`unknown QA strategy "${name}" (known: ${QA_STRATEGIES.map((s) => s.name).join(', ')})`);
  const p = prepareQa(folder);
  const fitted = strategy.fit(
    p.built.map((b) => b.item),
    p.correct,
    { seed, models: p.models },
  );
  return { fitted, saved: { format: 'llm-fusion/qa-strategy', version: 1, strategy: name, task: folder.task.name, models: p.models, state: fitted.state() } };
}

/** Restores a saved QA strategy for the given models (the saved ones by default). */
export function loadQaStrategy(saved: SavedQaStrategy, models: readonly string[] = saved.models): FittedQaStrategy {
  const strategy = qaStrategy(saved.strategy);
  if (!strategy) throw new QaStateError(`unknown QA strategy "${saved.strategy}"`);
  return strategy.load(saved.state, models);
}
