import { z } from 'zod';
import { isFiniteNumber, isNullishString, isRecord } from '../answer-body.js';

/** The part of a Messages API answer we read; other block types (thinking, tool_use) are passed over. */
export const AnthropicMessageSchema = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).loose().nullish().catch(undefined),
});

export type AnthropicMessageBody = z.infer<typeof AnthropicMessageSchema>;

/** AnthropicMessageSchema's result for a well-formed body, read without zod; undefined for anything else (readAnswerBody). */
export function readMessage(raw: unknown): AnthropicMessageBody | undefined {
  if (!isRecord(raw)) return undefined;
  const { content, stop_reason: stopReason, usage } = raw;
  if (!Array.isArray(content) || !isNullishString(stopReason)) return undefined;
  // Blocks keep every key (the schema's blocks are loose): the blocks themselves are the result.
  for (const b of content) if (!isRecord(b) || typeof b.type !== 'string' || (b.text !== undefined && typeof b.text !== 'string')) return undefined;
  if (usage !== undefined && usage !== null && !(isRecord(usage) && isFiniteNumber(usage.input_tokens) && isFiniteNumber(usage.output_tokens))) return undefined;
  return { content: content as AnthropicMessageBody['content'], stop_reason: stopReason, usage: usage as AnthropicMessageBody['usage'] };
}
