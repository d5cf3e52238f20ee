import type { AnswerSchema, KindPrompt } from '../../prompts/kind-prompt.js';
import type { RatingTask } from '../../task/schema.js';

/** JSON schema for a structured rating answer; pass as GenerateRequest.jsonSchema. */
export function ratingAnswerSchema(task: Pick<RatingTask, 'scale'>): AnswerSchema {
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
 * (read-score.ts) takes as the verdict before anything else the answer says.
 */
function ratingAnswerFormat(task: Pick<RatingTask, 'scale'>, format: 'text' | 'json'): string {
  const { min, max } = task.scale;
  return format === 'json'
    ? `Reply with only a JSON object of the form {"reasoning": "<one or two sentences>", "score": <a number from ${min} to ${max}>}, with nothing before or after it.`
    : `Give at most a few sentences of reasoning, then finish with a last line of the form "Score: N", where N is a number from ${min} to ${max}. Write nothing after that line.`;
}

/**
 * A rating item is its `{{text}}`; the task gives the scale's ends (`{{min}}`, `{{max}}`) as the
 * numbers the judge reads (`1`, `100`, `0.5`), the same ones the score reader checks against. A
 * short reasoning comes before the score, so a request allows room for it.
 */
export const ratingPrompt: KindPrompt<RatingTask> = {
  template: 'rating',
  dataSlot: 'text',
  placeholders: ['min', 'max'],
  defaultInstructions: 'Rate the text on the scale given.',
  taskVars: (task, format) => ({ min: String(task.scale.min), max: String(task.scale.max), answer_format: ratingAnswerFormat(task, format) }),
  answerSchema: ratingAnswerSchema,
  maxTokens: 1024,
  logprobs: false,
};
