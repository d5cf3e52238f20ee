import { existsSync } from 'node:fs';
import { readLinesSync } from '../task/safe-read.js';

/**
 * The `--models` specs whose model is already recorded in `responsesFile` under its bare name
 * (`gpt-4o-mini` for `openai:gpt-4o-mini`, as recorded sets name models): a run asks every item
 * again for such a spec, the recorded answers being another model's by name. Pure reading: lines
 * that are not JSON are left to the recorder, which reports them.
 */
export function renamedRecordedModels(responsesFile: string, specs: readonly string[]): { spec: string; recorded: string }[] {
  if (!existsSync(responsesFile)) return [];
  const recorded = new Set<string>();
  for (const l of readLinesSync(responsesFile)) {
    if (l.issue || l.text.trim() === '') continue;
    try {
      const model = (JSON.parse(l.text) as { model?: unknown }).model;
      if (typeof model === 'string') recorded.add(model);
    } catch {
      // the recorder reports a bad line
    }
  }
  return specs.flatMap((spec) => {
    const bare = spec.slice(spec.indexOf(':') + 1);
    return spec.includes(':') && !recorded.has(spec) && recorded.has(bare) ? [{ spec, recorded: bare }] : [];
  });
}
