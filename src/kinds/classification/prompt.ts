import type { AnswerSchema, KindPrompt } from '../../prompts/kind-prompt.js';
import type { ClassificationTask } from '../../task/schema.js';

/** JSON schema for a structured classification answer; pass as GenerateRequest.jsonSchema. */
export function classificationAnswerSchema(task: Pick<ClassificationTask, 'labels'>): AnswerSchema {
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

function labelList(task: ClassificationTask): string {
  return task.labels.map((l) => (l.aliases.length > 0 ? `- ${l.name} (or: ${l.aliases.join(', ')})` : `- ${l.name}`)).join('\n');
}

/**
 * A classification item is its `{{text}}`; the task gives the label list (`{{labels}}`, with the
 * alternative spellings the reader accepts, and `{{label_names}}`). A label is one short reply,
 * and its first token's alternatives (logprobs) turn it into a distribution at no extra cost.
 */
export const classificationPrompt: KindPrompt<ClassificationTask> = {
  template: 'classification',
  dataSlot: 'text',
  placeholders: ['labels', 'label_names'],
  defaultInstructions: 'Classify the text into exactly one of the labels below.',
  taskVars: (task, format) => ({
    labels: labelList(task),
    label_names: task.labels.map((l) => l.name).join(', '),
    answer_format:
      format === 'json'
        ? 'Reply with only a JSON object of the form {"label": "<one label name from the list>", "confidence": <probability from 0 to 1 that the label is right>}, with nothing before or after it.'
        : 'Reply with exactly one label from the list (its name, or one of the alternatives shown for it) and nothing else: no explanation, no punctuation.',
  }),
  answerSchema: classificationAnswerSchema,
  maxTokens: 64,
  logprobs: true,
};
