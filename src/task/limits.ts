import { integerFromEnv } from './env-integer.js';

const POSITIVE = { min: 1, what: 'a positive integer' };

/**
 * Bounds on what the tool accepts, so a hostile or mistaken input ends in a clear message (exit 2)
 * instead of a hang or an out-of-memory crash. Each is overridable through the environment.
 */
export interface Limits {
  /** Longest line of a JSONL file or stdin, in bytes (FUSION_MAX_LINE_BYTES, default 1 MiB). */
  maxLineBytes: number;
  /** Longest whole-document file (task.json, prompt template, prices, limits), in bytes (FUSION_MAX_FILE_BYTES, default 16 MiB). */
  maxFileBytes: number;
  /** Longest answer kept from a provider, in characters; longer ones are cut and counted (FUSION_MAX_ANSWER_CHARS, default 65536). */
  maxAnswerChars: number;
  /** Most labels a classification task may have (FUSION_MAX_LABELS, default 1000). */
  maxLabels: number;
  /** Longest line of a provider's batch results file, in bytes; a longer one fails its request (FUSION_MAX_RESULT_LINE_BYTES, default 32 MiB). */
  maxResultLineBytes: number;
  /** Largest provider answer body read, in bytes; past it the call fails (FUSION_MAX_RESPONSE_BYTES, default 32 MiB). */
  maxResponseBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxLineBytes: 1 << 20,
  maxFileBytes: 16 << 20,
  maxAnswerChars: 65_536,
  maxLabels: 1000,
  maxResultLineBytes: 32 << 20,
  maxResponseBytes: 32 << 20,
};

const VARIABLES: Record<keyof Limits, string> = {
  maxLineBytes: 'FUSION_MAX_LINE_BYTES',
  maxFileBytes: 'FUSION_MAX_FILE_BYTES',
  maxAnswerChars: 'FUSION_MAX_ANSWER_CHARS',
  maxLabels: 'FUSION_MAX_LABELS',
  maxResultLineBytes: 'FUSION_MAX_RESULT_LINE_BYTES',
  maxResponseBytes: 'FUSION_MAX_RESPONSE_BYTES',
};

/** The environment variable that overrides a limit (named in messages). */
export function limitVariable(name: keyof Limits): string {
  return VARIABLES[name];
}

/** The limits in force: defaults, overridden by FUSION_MAX_* variables (a bad value is an InputError). */
export function currentLimits(env: Record<string, string | undefined> = process.env): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(VARIABLES) as (keyof Limits)[]) out[name] = currentLimit(name, env);
  return out;
}

/**
 * One limit in force, read from its variable alone: the per-call paths (every provider answer's
 * size and length) read one variable each, not all six (each read of the environment is a call
 * into the runtime).
 */
export function currentLimit(name: keyof Limits, env: Record<string, string | undefined> = process.env): number {
  return integerFromEnv(env, VARIABLES[name], POSITIVE) ?? DEFAULT_LIMITS[name];
}
