import type { ClassificationTask, QaAnswerType, QaTask } from '../task/schema.js';

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
