import { z } from 'zod';

/** One line of a Message Batch's results; the message itself is checked by AnthropicMessageSchema. */
export const BatchResultLineSchema = z
  .object({
    custom_id: z.string(),
    result: z.discriminatedUnion('type', [
      z.object({ type: z.literal('succeeded'), message: z.unknown() }).loose(),
      z.object({ type: z.literal('errored'), error: z.object({ error: z.object({ type: z.string(), message: z.string().nullish() }).loose().nullish() }).loose().nullish() }).loose(),
      z.object({ type: z.literal('expired') }).loose(),
      z.object({ type: z.literal('canceled') }).loose(),
    ]),
  })
  .loose();
