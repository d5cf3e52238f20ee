import { z } from 'zod';

/** One line of an OpenAI batch output or error file: an answer (any status) or a request that never ran. */
export const BatchOutputLineSchema = z
  .object({
    custom_id: z.string(),
    response: z.object({ status_code: z.number(), body: z.unknown() }).loose().nullish(),
    error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).loose().nullish(),
  })
  .loose();

/** The error body of a non-200 line. */
export const BatchErrorBodySchema = z.object({ error: z.object({ message: z.string().nullish(), code: z.string().nullish() }).loose() }).loose();
