import { z } from 'zod';
import { isNullishNumber, isNullishString, isRecord, readTokenLogprobs } from '../answer-body.js';

const TopLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

/** The part of an Ollama /api/chat (non-streaming) answer we read. */
export const OllamaChatResponseSchema = z.object({
  message: z.object({ content: z.string().nullish() }).loose(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish().catch(undefined),
  eval_count: z.number().nullish().catch(undefined),
  // Servers from 0.12.11 on return these when asked; older ones omit them.
  logprobs: z
    .array(z.object({ token: z.string(), logprob: z.number(), top_logprobs: z.array(TopLogprobSchema).nullish() }))
    .nullish()
    .catch(undefined),
});

export type OllamaChatResponseBody = z.infer<typeof OllamaChatResponseSchema>;

/** OllamaChatResponseSchema's result for a well-formed body, read without zod; undefined for anything else (readAnswerBody). */
export function readChatResponse(raw: unknown): OllamaChatResponseBody | undefined {
  if (!isRecord(raw)) return undefined;
  const { message, done_reason: doneReason, prompt_eval_count: promptEvalCount, eval_count: evalCount, logprobs } = raw;
  // The message keeps every key (the schema's message is loose): the message itself is the result.
  if (!isRecord(message) || !isNullishString(message.content) || !isNullishString(doneReason)) return undefined;
  if (!isNullishNumber(promptEvalCount) || !isNullishNumber(evalCount)) return undefined;
  const body: OllamaChatResponseBody = { message: message as OllamaChatResponseBody['message'], done_reason: doneReason, prompt_eval_count: promptEvalCount, eval_count: evalCount };
  if (logprobs === undefined || logprobs === null) body.logprobs = logprobs;
  else {
    const tokens = readTokenLogprobs(logprobs);
    if (!tokens) return undefined;
    body.logprobs = tokens;
  }
  return body;
}

export const OllamaErrorBodySchema = z.object({ error: z.string() });
