import type { z } from 'zod';
import { type CallContext, providerError } from './error-mapping.js';

/**
 * Reading a provider's answer body: a plain reader for the well-formed body every answer is, and
 * the zod schema for everything else. The schema is the definition (what is accepted, what a lenient
 * field becomes, the message naming the first problem); the plain reader accepts only bodies the
 * schema accepts unchanged and returns what the schema would, and gives up (undefined) on anything
 * else, the schema then deciding. It exists because the schema's generic checks cost about as much
 * main-thread time per answer as the rest of our adapter put together, on the path every answer
 * takes before the next one is read (BENCHMARKS.md, "The answer path"). Tests hold the two to the
 * same result on the bodies and on every single-field change of them.
 */
export function readAnswerBody<T>(raw: unknown, plain: (raw: unknown) => T | undefined, schema: z.ZodType<T>, ctx: CallContext): T {
  const body = plain(raw);
  if (body !== undefined) return body;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw providerError('bad-response', ctx, `unexpected response shape at ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** An object as JSON.parse makes one (what a zod object accepts): not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What `z.string().nullish()` accepts. */
export function isNullishString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

/** What `z.number()` accepts (zod 4 refuses NaN and the infinities). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** What `z.number().nullish()` accepts. */
export function isNullishNumber(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || isFiniteNumber(value);
}

export interface PlainTokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: { token: string; logprob: number }[] | null | undefined;
}

/**
 * A list of token logprobs (`{token, logprob, top_logprobs?}`, OpenAI's and Ollama's shape) as the
 * zod schemas return it, other keys dropped; undefined when any entry is not of that shape.
 */
export function readTokenLogprobs(value: unknown): PlainTokenLogprob[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: PlainTokenLogprob[] = [];
  for (const t of value) {
    if (!isRecord(t) || typeof t.token !== 'string' || !isFiniteNumber(t.logprob)) return undefined;
    const top = t.top_logprobs;
    if (top === undefined || top === null) {
      out.push(top === undefined ? { token: t.token, logprob: t.logprob } : { token: t.token, logprob: t.logprob, top_logprobs: null });
      continue;
    }
    if (!Array.isArray(top)) return undefined;
    const alternatives: { token: string; logprob: number }[] = [];
    for (const a of top) {
      if (!isRecord(a) || typeof a.token !== 'string' || !isFiniteNumber(a.logprob)) return undefined;
      alternatives.push({ token: a.token, logprob: a.logprob });
    }
    out.push({ token: t.token, logprob: t.logprob, top_logprobs: alternatives });
  }
  return out;
}
