import { neutralizeDelimiters } from '../../prompts/delimit.js';
import type { AnswerSchema, KindPrompt } from '../../prompts/kind-prompt.js';
import type { QaAnswerType, QaItem, QaTask } from '../../task/schema.js';

/** JSON schema for a structured QA answer; pass as GenerateRequest.jsonSchema. */
function qaAnswerSchema(): AnswerSchema {
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

/** The last line each answer type's reader (normalize/qa/) takes as the final answer. */
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

function qaAnswerFormat(task: Pick<QaTask, 'answerType'>, format: 'text' | 'json'): string {
  return format === 'json'
    ? `Reply with only a JSON object of the form {"answer": "<${QA_JSON[task.answerType]}>", "confidence": <probability from 0 to 1 that the answer is right>}, with nothing before or after it.`
    : QA_TEXT[task.answerType];
}

/**
 * A QA item is its `{{question}}` and, when it has choices, a `{{choices}}` block (nothing
 * without them). The answer comes after reasoning, so a request allows room for it.
 */
export const qaPrompt: KindPrompt<QaTask, Pick<QaItem, 'choices'>> = {
  template: 'qa',
  dataSlot: 'question',
  placeholders: ['choices'],
  defaultInstructions: 'Answer the question.',
  taskVars: (task, format) => ({ answer_format: qaAnswerFormat(task, format) }),
  itemVars: (item) => ({
    choices:
      item.choices && item.choices.length > 0
        ? `<choices>\n${neutralizeDelimiters(item.choices.map((c) => `${c.label}. ${c.text}`).join('\n'))}\n</choices>`
        : '',
  }),
  answerSchema: qaAnswerSchema,
  maxTokens: 1024,
  logprobs: false,
};
