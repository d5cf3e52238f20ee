import { z } from 'zod';
import { InputError, zodIssues } from '../task/errors.js';
import type { ProviderLimits } from './orchestrator.js';
import { readTextFileSync } from '../task/safe-read.js';

const LimitsSchema = z
  .object({
    concurrency: z.number().int().positive().optional(),
    rpm: z.number().positive().optional(),
    tpm: z.number().positive().optional(),
  })
  .strict();

export const ProviderLimitsFileSchema = z.record(z.string().min(1), LimitsSchema);

/** Reads `{"openai": {"concurrency": 16, "rpm": 500, "tpm": 200000}, "ollama": {"concurrency": 2}}`. */
export function loadProviderLimits(file: string): Record<string, ProviderLimits> {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([{ file, message: `cannot read provider limits: ${(e as Error).message}` }]);
  }
  const parsed = ProviderLimitsFileSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues(file, undefined, parsed.error));
  return parsed.data;
}
