import { z } from 'zod';
import { confidenceFromString, toProbability } from './confidence.js';

/** Keys under which structured outputs put the chosen label, in order of preference. */
const LABEL_KEYS = [
  'label', 'answer', 'final_answer', 'finalAnswer', 'prediction', 'predicted_label', 'classification', 'category', 'class',
  'choice', 'option', 'sentiment', 'emotion', 'stance', 'topic', 'verdict', 'result', 'output', 'response', 'type',
] as const;
/** Keys under which they put the confidence in that label. */
const CONFIDENCE_KEYS = ['confidence', 'probability', 'prob', 'score', 'certainty', 'likelihood', 'confidence_score', 'confidenceScore'] as const;
/** Keys under which they put a whole distribution over labels. */
const DISTRIBUTION_KEYS = ['probabilities', 'distribution', 'scores', 'probs', 'confidences', 'label_probabilities'] as const;

const Confidence = z.union([z.number(), z.string()]);
const Distribution = z.record(z.string(), z.number().nonnegative());

/** A structured answer as models emit it; unknown keys are allowed and ignored. */
export const JsonAnswerSchema = z.looseObject({
  // Label keys may hold anything (a nested object is looked into below); only strings and numbers are read.
  ...Object.fromEntries(LABEL_KEYS.map((k) => [k, z.unknown().optional()])),
  ...Object.fromEntries(CONFIDENCE_KEYS.map((k) => [k, Confidence.optional()])),
  ...Object.fromEntries(DISTRIBUTION_KEYS.map((k) => [k, Distribution.optional()])),
});

export interface JsonAnswer {
  /** The label value as written (string form), when a label key was present. */
  label?: string;
  /** The values of a label key that holds a list (`"label": ["positive", "neutral"]`): several answers, not one. */
  labels?: string[];
  /** A label key that is present but null: the model stated no label. */
  labelNull?: true;
  /** The stated confidence as a probability, when a confidence key was present and readable. */
  confidence?: number;
  /** A label -> weight map, when the answer gave a distribution (or was one). */
  distribution?: Record<string, number>;
}

/** The JSON object an answer holds (bare or in a code block), parsed; undefined when it holds none that parses. */
export function parsedJsonCandidate(text: string): unknown {
  if (!text.includes('{')) return undefined;
  const candidate = jsonCandidate(text);
  if (candidate === undefined) return undefined;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON text of an answer: a fenced code block, or the outermost `{...}` of the answer. */
export function jsonCandidate(text: string): string | undefined {
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  if (fence?.[1]?.trim().startsWith('{')) return fence[1].trim();
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open < 0 || close <= open) return undefined;
  return text.slice(open, close + 1);
}

/**
 * Reads a JSON (or JSON-in-a-code-block) answer with zod. Returns undefined when the answer holds
 * no JSON object, or one with neither a label key nor a distribution.
 */
export function readJsonAnswer(text: string): JsonAnswer | undefined {
  const raw = parsedJsonCandidate(text);
  if (raw === undefined) return undefined;
  const parsed = JsonAnswerSchema.safeParse(raw);
  if (!parsed.success) {
    // A bare map of label -> number is a distribution too: {"positive": 0.7, "neutral": 0.3}.
    const dist = Distribution.safeParse(raw);
    return dist.success && Object.keys(dist.data).length > 0 ? { distribution: dist.data } : undefined;
  }
  let obj = parsed.data as Record<string, unknown>;
  // One level of nesting: {"result": {"label": "positive", "confidence": 0.8}}.
  if (!LABEL_KEYS.some((k) => obj[k] !== undefined) && !DISTRIBUTION_KEYS.some((k) => obj[k] !== undefined)) {
    for (const v of Object.values(obj)) {
      const inner = v && typeof v === 'object' && !Array.isArray(v) ? JsonAnswerSchema.safeParse(v) : undefined;
      if (inner?.success && LABEL_KEYS.some((k) => (inner.data as Record<string, unknown>)[k] !== undefined)) {
        obj = inner.data as Record<string, unknown>;
        break;
      }
    }
  }
  const out: JsonAnswer = {};
  for (const key of LABEL_KEYS) {
    const v = obj[key];
    if (typeof v === 'string' || typeof v === 'number') {
      out.label = String(v);
      break;
    }
  }
  // Without a label written as one value, a list or a null under a label key says something too:
  // several answers, or none. Read as prose, its text would yield whichever label it names first.
  for (const key of out.label === undefined ? LABEL_KEYS : []) {
    const v = obj[key];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
      out.labels = v.map(String);
      break;
    }
    if (v === null) {
      out.labelNull = true;
      break;
    }
  }
  for (const key of CONFIDENCE_KEYS) {
    const v = obj[key];
    const p = typeof v === 'number' ? toProbability(v) : typeof v === 'string' ? confidenceFromString(v) : undefined;
    if (p !== undefined) {
      out.confidence = p;
      break;
    }
  }
  for (const key of DISTRIBUTION_KEYS) {
    const v = obj[key];
    if (v && typeof v === 'object') {
      out.distribution = v as Record<string, number>;
      break;
    }
  }
  if (out.label === undefined && out.labels === undefined && out.labelNull === undefined && out.distribution === undefined) {
    const dist = Distribution.safeParse(raw);
    if (dist.success && Object.keys(dist.data).length > 0) return { distribution: dist.data };
    return undefined;
  }
  return out;
}
