import type { TokenLogprob } from '../../task/schema.js';
import type { CachedResponse, RecordedFailure } from './store.js';

/** Version of the tables' layout; a store of a higher version was written by a newer llm-fusion. */
export const SCHEMA_VERSION = 2;

export interface ResponseRow {
  text: string;
  logprobs: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  latency_ms: number;
  finish_reason: string | null;
}

export function toResponse(row: ResponseRow): CachedResponse {
  const out: CachedResponse = { text: row.text, latencyMs: Number(row.latency_ms) };
  if (row.logprobs !== null) out.logprobs = JSON.parse(row.logprobs) as TokenLogprob[];
  if (row.input_tokens !== null && row.output_tokens !== null) out.usage = { input: Number(row.input_tokens), output: Number(row.output_tokens) };
  if (row.cost !== null) out.cost = Number(row.cost);
  if (row.finish_reason !== null) out.finishReason = row.finish_reason;
  return out;
}

/** The columns of an answer, in the order both stores insert them. */
export function responseColumns(value: CachedResponse): [string, string | null, number | null, number | null, number | null, number, string | null] {
  return [
    value.text,
    value.logprobs ? JSON.stringify(value.logprobs) : null,
    value.usage?.input ?? null,
    value.usage?.output ?? null,
    value.cost ?? null,
    value.latencyMs,
    value.finishReason ?? null,
  ];
}

export interface FailureRow {
  key: string;
  provider: string;
  model: string;
  kind: string;
  message: string;
  status: number | null;
  attempts: number;
  at: string | Date;
}

export function toFailure({ status, at, ...r }: FailureRow): RecordedFailure {
  const out = { ...r, attempts: Number(r.attempts), at: typeof at === 'string' ? at : at.toISOString() };
  return status === null ? out : { ...out, status: Number(status) };
}

/** A claim as read back, to decide whether its owner still holds it. */
export interface HeldClaim {
  owner: string;
  seq: number;
  scope: string | null;
  pid: number;
}
