import { z } from 'zod';
import { isFiniteNumber, isNullishString, isRecord, readTokenLogprobs } from '../answer-body.js';

/**
 * The part of a chat.completions answer we read. Checked with zod because OpenAI-compatible
 * servers (vLLM, LM Studio, gateways) differ in what they omit; anything unreadable becomes a
 * 'bad-response' instead of a crash deep in the pipeline.
 */
const TopLogprobSchema = z.object({ token: z.string(), logprob: z.number() });

export const OpenAITokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(TopLogprobSchema).nullish(),
});

export const ChatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
        // Extras are read leniently: an odd usage or logprobs block from a compatible server is dropped, not fatal.
        logprobs: z
          .object({ content: z.array(OpenAITokenLogprobSchema).nullish() })
          .nullish()
          .catch(undefined),
      }),
    )
    .min(1, 'no choices in the response'),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish().catch(undefined),
});

export type ChatCompletionBody = z.infer<typeof ChatCompletionSchema>;

type Choice = ChatCompletionBody['choices'][number];

/** ChatCompletionSchema's result for a well-formed body, read without zod; undefined for anything else (readAnswerBody). */
export function readChatCompletion(raw: unknown): ChatCompletionBody | undefined {
  if (!isRecord(raw)) return undefined;
  const { choices, usage } = raw;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const read: Choice[] = [];
  for (const c of choices) {
    if (!isRecord(c)) return undefined;
    const { message, finish_reason: finishReason, logprobs } = c;
    if (!isRecord(message) || !isNullishString(message.content) || !isNullishString(message.refusal) || !isNullishString(finishReason)) return undefined;
    const choice: Choice = { message: { content: message.content, refusal: message.refusal }, finish_reason: finishReason };
    if (logprobs === null) choice.logprobs = null;
    else if (logprobs !== undefined) {
      if (!isRecord(logprobs)) return undefined;
      const content = logprobs.content;
      if (content === undefined || content === null) choice.logprobs = { content };
      else {
        const tokens = readTokenLogprobs(content);
        if (!tokens) return undefined;
        choice.logprobs = { content: tokens };
      }
    }
    read.push(choice);
  }
  if (usage === undefined || usage === null) return { choices: read, usage };
  if (!isRecord(usage) || !isFiniteNumber(usage.prompt_tokens) || !isFiniteNumber(usage.completion_tokens)) return undefined;
  return { choices: read, usage: { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens } };
}
