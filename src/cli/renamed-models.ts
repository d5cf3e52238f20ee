import { existsSync } from 'node:fs';
import { readLinesSync } from '../task/safe-read.js';
import { type NameAt, caseVariantOf, caseVariants, spellingsWhere } from '../task/model-case.js';

/** The model names of an answers file, each with the line it first appears on (read once for both checks below). Lines that are not JSON are left to the recorder, which reports them. */
export function modelsOfAnswersFile(responsesFile: string): Map<string, number> {
  const recorded = new Map<string, number>();
  if (!existsSync(responsesFile)) return recorded;
  for (const l of readLinesSync(responsesFile)) {
    if (l.issue || l.text.trim() === '') continue;
    try {
      const model = (JSON.parse(l.text) as { model?: unknown }).model;
      if (typeof model === 'string' && !recorded.has(model)) recorded.set(model, l.line);
    } catch {
      // the recorder reports a bad line
    }
  }
  return recorded;
}

/**
 * The `--models` specs whose model is already recorded (`recorded`, an answers file's models) under its bare name
 * (`gpt-4o-mini` for `openai:gpt-4o-mini`, as recorded sets name models): a run asks every item
 * again for such a spec, the recorded answers being another model's by name. Pure reading.
 */
export function renamedRecordedModels(recorded: ReadonlyMap<string, number>, specs: readonly string[]): { spec: string; recorded: string }[] {
  return specs.flatMap((spec) => {
    const bare = spec.slice(spec.indexOf(':') + 1);
    return spec.includes(':') && !recorded.has(spec) && recorded.has(bare) ? [{ spec, recorded: bare }] : [];
  });
}

/**
 * What a user who wrote one model's name in two cases would want to hear before any call, each as
 * a warning line: a `--models` spec whose name is recorded only in another case (as itself or
 * bare; every item is asked of it again, as another model), and specs that differ only by case
 * (each asked, as a model of its own). Names are case-sensitive at providers and gateways, so
 * nothing is refused: the warning names both spellings and where each is.
 */
export function caseRenamedModels(responsesFile: string, recorded: ReadonlyMap<string, number>, specs: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const spec of specs) {
    const bare = spec.slice(spec.indexOf(':') + 1);
    if (recorded.has(spec) || recorded.has(bare)) continue;
    const other = caseVariantOf(spec, recorded) ?? (spec.includes(':') ? caseVariantOf(bare, recorded) : undefined);
    if (other === undefined) continue;
    warnings.push(`${responsesFile}:${other.line}: model: holds answers of ${JSON.stringify(other.name)}; --models ${spec} differs from it only by case, so every item is asked of it again, as another model (model names are case-sensitive at providers; if they are one model, write "model": "${spec}" in those lines first)`);
  }
  const listed: NameAt[] = specs.map((name, i) => ({ name, line: i + 1 }));
  for (const group of caseVariants(listed)) {
    warnings.push(`--models names ${spellingsWhere(group, (n) => `model ${n}`)}, which differ only by case: each is asked, as a model of its own (model names are case-sensitive at providers)`);
  }
  return warnings;
}
