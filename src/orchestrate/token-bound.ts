import type { GenerateRequest } from '../providers/provider.js';

/**
 * The most input tokens a provider can bill for a request, counted from what the tool sends.
 *
 * Why bytes bound tokens: the tokenizers of the paid providers are byte-level BPE (OpenAI's
 * cl100k_base and o200k_base; Claude's tokenizer likewise), so the tokens of a text are a
 * partition of its UTF-8 bytes: every token stands for at least one byte, and a text of B bytes
 * is at most B tokens. Tokenizers with a byte fallback (SentencePiece) also never spend more than
 * one token per byte, plus the word-start marker they may add once per text. Around the texts,
 * chat formatting adds a fixed number of tokens per message (OpenAI documents 3 or 4: role and
 * separators) and once per request (priming the reply): bounded here by PER_MESSAGE and
 * PER_REQUEST with room to spare. A JSON schema sent for structured output is rendered by the
 * provider into text of its own; it is counted as twice its JSON bytes (a rendering may repeat
 * names and add syntax around them, never more than once over).
 *
 * A usage report above this bound is not a bill an honest tokenizer can produce: the tool
 * flags it as a provider error and charges the bound, so `--max-cost` holds against anything a
 * provider can bill for what was sent.
 */
export const PER_MESSAGE_TOKENS = 16;
export const PER_REQUEST_TOKENS = 64;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export function inputTokenBound(request: Pick<GenerateRequest, 'messages' | 'jsonSchema'>): number {
  let tokens = PER_REQUEST_TOKENS;
  for (const m of request.messages) tokens += utf8Bytes(m.content) + PER_MESSAGE_TOKENS;
  if (request.jsonSchema) tokens += 2 * utf8Bytes(JSON.stringify(request.jsonSchema.schema)) + PER_MESSAGE_TOKENS;
  return tokens;
}

/** Bounds a reported usage is checked against: the input bound, and `max_tokens` when the request set one. */
export interface UsageBounds {
  input: number;
  /** Undefined when the request did not cap its output (then the output is not bounded by the tool). */
  output?: number;
}

export function usageBoundsOf(request: Pick<GenerateRequest, 'messages' | 'jsonSchema' | 'maxTokens'>): UsageBounds {
  return { input: inputTokenBound(request), ...(request.maxTokens === undefined ? {} : { output: request.maxTokens }) };
}

/** What a reported usage is worth: the counts to keep (none when they are not counts) and what is wrong with it. */
export interface UsageVerdict {
  /** The usage to record: absent when the report was missing or not a pair of token counts. */
  usage?: { input: number; output: number };
  /** Why the report cannot be a real bill (negative, not finite, not whole, above the bound); absent when it can. */
  problem?: string;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** What a paid answer is checked against below: a bill of 0 tokens is impossible only where tokens are billed. */
export interface BilledAnswer {
  /** The call has a price: its provider bills the tokens it reports (a local server reports 0 for a prompt it had cached). */
  priced: boolean;
  /** The answer's text: a non-empty one took at least one output token. */
  text: string;
}

/**
 * Checks a provider's reported usage. Usage that is negative, not finite or not whole is a provider
 * error, never a credit: it is dropped (the call is then charged as if no usage came). So is a
 * billed usage below what any request costs: every request sends its messages and framing, at
 * least one input token, and a non-empty answer is at least one output token; a report of 0 (a
 * gateway dropping the counts) taken at its word would free each reservation and let `--max-cost`
 * pass unseen. Usage above the bounds is kept as reported (it is what the provider says) but
 * flagged; the caller charges at most the bounds.
 */
export function checkUsage(usage: { input: number; output: number } | undefined, bounds: UsageBounds, answer?: BilledAnswer): UsageVerdict {
  if (usage === undefined) return {};
  if (!isCount(usage.input) || !isCount(usage.output)) {
    return { problem: `reported usage is not a token count (input ${String(usage.input)}, output ${String(usage.output)})` };
  }
  if (answer?.priced && (usage.input === 0 || (usage.output === 0 && answer.text !== ''))) {
    return { problem: `reported ${usage.input} input and ${usage.output} output tokens for a request sent and answered` };
  }
  const over: string[] = [];
  if (usage.input > bounds.input) over.push(`${usage.input} input tokens for a request of at most ${bounds.input}`);
  if (bounds.output !== undefined && usage.output > bounds.output) over.push(`${usage.output} output tokens past max_tokens ${bounds.output}`);
  return over.length > 0 ? { usage, problem: `reported ${over.join(' and ')}` } : { usage };
}

/** The usage a budget counts: the reported usage within the bounds (a report above them is charged at them). */
export function billableUsage(usage: { input: number; output: number }, bounds: UsageBounds): { input: number; output: number } {
  return { input: Math.min(usage.input, bounds.input), output: bounds.output === undefined ? usage.output : Math.min(usage.output, bounds.output) };
}
