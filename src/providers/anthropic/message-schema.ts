import { z } from 'zod';

/** The part of a Messages API answer we read; other block types (thinking, tool_use) are passed over. */
export const AnthropicMessageSchema = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).loose().nullish().catch(undefined),
});

export type AnthropicMessageBody = z.infer<typeof AnthropicMessageSchema>;
