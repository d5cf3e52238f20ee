import { z } from 'zod';

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
