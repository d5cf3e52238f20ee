import { z } from 'zod';

/** The structured QA answer `--json-answers` asks for (kinds/qa/prompt.ts); other keys are ignored. */
const JsonQaAnswerSchema = z.looseObject({
  answer: z.union([z.string(), z.number()]).optional(),
  final_answer: z.union([z.string(), z.number()]).optional(),
});

/**
 * The answer inside a structured output: when the whole output is one JSON object (bare or in a
 * ```json fence) with an `answer` (or `final_answer`) field, that field's text; otherwise the
 * output unchanged. Stricter than the classification reader on purpose: reasoning chains are full
 * of braces (`\boxed{42}`), so only an output that IS a JSON object is unwrapped.
 */
export function unwrapJsonAnswer(output: string): string {
  let text = output.trim();
  const fence = /^```(?:json|JSON)?\s*\n?([\s\S]*?)```$/.exec(text);
  if (fence) text = (fence[1] ?? '').trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return output;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return output;
  }
  const parsed = JsonQaAnswerSchema.safeParse(raw);
  if (!parsed.success) return output;
  const value = parsed.data.answer ?? parsed.data.final_answer;
  return value === undefined ? output : String(value);
}
