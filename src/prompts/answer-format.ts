import type { ClassificationTask, QaAnswerType, QaTask, RatingTask } from '../task/schema.js';

export type AnswerFormat = 'text' | 'json';

/** JSON schema for a structured classification answer; pass as GenerateRequest.jsonSchema. */
export function classificationAnswerSchema(task: Pick<ClassificationTask, 'labels'>): {
  name: string;
  schema: Record<string, unknown>;
} {
  return {
    name: 'classification_answer',
    schema: {
      type: 'object',
      properties: {
        label: { type: 'string', enum: task.labels.map((l) => l.name) },
        confidence: { type: 'number', description: 'probability that the label is right, from 0 to 1' },
      },
      required: ['label', 'confidence'],
      additionalProperties: false,
    },
  };
}

/** JSON schema for a structured QA answer; pass as GenerateRequest.jsonSchema. */
export function qaAnswerSchema(): { name: string; schema: Record<string, unknown> } {
  return {
    name: 'qa_answer',
    schema: {
      type: 'object',
      properties: {
        answer: { type: 'string', description: 'the final answer only' },
        confidence: { type: 'number', description: 'probability that the answer is right, from 0 to 1' },
      },
      required: ['answer', 'confidence'],
      additionalProperties: false,
    },
  };
}

export function classificationAnswerFormat(format: AnswerFormat): string {
  return format === 'json'
    ? 'Reply with only a JSON object of the form {"label": "<one label name from the list>", "confidence": <probability from 0 to 1 that the label is right>}, with nothing before or after it.'
    : 'Reply with exactly one label from the list (its name, or one of the alternatives shown for it) and nothing else: no explanation, no punctuation.';
}

const QA_TEXT: Record<QaAnswerType, string> = {
  'multiple-choice':
    'Think step by step, then finish with a last line of the form "The answer is (X)", where X is the letter of the correct choice.',
  numeric:
    'Think step by step, then finish with a last line of the form "The answer is N", where N is the final number alone (digits, no units or thousands separators).',
  'free-form': 'Reply with the short answer only (a name, number, date or short phrase), with no explanation.',
};

const QA_JSON: Record<QaAnswerType, string> = {
  'multiple-choice': 'the letter of the correct choice',
  numeric: 'the final number alone, no units',
  'free-form': 'the short answer only',
};

export function qaAnswerFormat(task: Pick<QaTask, 'answerType'>, format: AnswerFormat): string {
  return format === 'json'
    ? `Reply with only a JSON object of the form {"answer": "<${QA_JSON[task.answerType]}>", "confidence": <probability from 0 to 1 that the answer is right>}, with nothing before or after it.`
    : QA_TEXT[task.answerType];
}

/** JSON schema for a structured rating answer; pass as GenerateRequest.jsonSchema. */
export function ratingAnswerSchema(task: Pick<RatingTask, 'scale'>): { name: string; schema: Record<string, unknown> } {
  return {
    name: 'rating_answer',
    schema: {
      type: 'object',
      properties: {
        reasoning: { type: 'string', description: 'a short justification, written before the score' },
        score: { type: 'number', minimum: task.scale.min, maximum: task.scale.max },
      },
      required: ['reasoning', 'score'],
      additionalProperties: false,
    },
  };
}

/**
 * What a judge is asked to end with: a last line `Score: N`, the form the score reader
 * (kinds/rating/read-score.ts) takes as the verdict before anything else the answer says.
 */
export function ratingAnswerFormat(task: Pick<RatingTask, 'scale'>, format: AnswerFormat): string {
  const { min, max } = task.scale;
  return format === 'json'
    ? `Reply with only a JSON object of the form {"reasoning": "<one or two sentences>", "score": <a number from ${min} to ${max}>}, with nothing before or after it.`
    : `Give at most a few sentences of reasoning, then finish with a last line of the form "Score: N", where N is a number from ${min} to ${max}. Write nothing after that line.`;
}
