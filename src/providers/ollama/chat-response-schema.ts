import { z } from 'zod';

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

export const OllamaErrorBodySchema = z.object({ error: z.string() });
