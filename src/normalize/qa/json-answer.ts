import { z } from 'zod';

/** The structured QA answer `--json-answers` asks for (kinds/qa/prompt.ts); other keys are ignored. */
const JsonQaAnswerSchema = z.looseObject({
  answer: z.union([z.string(), z.number()]).optional(),
  final_answer: z.union([z.string(), z.number()]).optional(),
});

/**
 * The one JSON object an output consists of, bare or in a ```json fence, or a ```json fence that
 * closes the output after a line of prose ("Here is my answer:"): a fence is a deliberate
 * structure, unlike the braces of a reasoning chain (`\boxed{42}`), which are never parsed.
 */
function structuredObject(output: string): Record<string, unknown> | undefined {
  let text = output.trim();
  const fence = /^```(?:json|JSON)?\s*\n?([\s\S]*?)```$/.exec(text) ?? /\n```(?:json|JSON)\s*\n([\s\S]*?)```$/.exec(text);
  if (fence) text = (fence[1] ?? '').trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const raw: unknown = JSON.parse(text);
    return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The answer inside a structured output: when the output is one JSON object (see structuredObject)
 * with an `answer` (or `final_answer`) field, that field's text; otherwise the output unchanged.
 * Stricter than the classification reader on purpose: reasoning chains are full of braces.
 */
export function unwrapJsonAnswer(output: string): string {
  const object = structuredObject(output);
  if (!object) return output;
  const parsed = JsonQaAnswerSchema.safeParse(object);
  if (!parsed.success) return output;
  const value = parsed.data.answer ?? parsed.data.final_answer;
  return value === undefined ? output : String(value);
}

/**
 * Why a structured output answers nothing: its `answer` (or `final_answer`) field is there but
 * null, a list or an object, so no text or number was stated. Read as prose, such an output would
 * become an answer made of its keys ("answer null"); undefined when the output is anything else.
 */
export function unusableJsonAnswer(output: string): string | undefined {
  const object = structuredObject(output);
  if (!object) return undefined;
  const key = ['answer', 'final_answer'].find((k) => k in object);
  if (key === undefined) return undefined;
  const value = object[key];
  if (typeof value === 'string' || typeof value === 'number') return undefined;
  return `the structured answer's "${key}" is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value}, not a text or a number`;
}
