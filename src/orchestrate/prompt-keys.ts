import { ANSWER_FORMATS, type KindPrompt } from '../prompts/kind-prompt.js';
import type { InputIssue } from '../task/errors.js';
import type { AskedPrompt } from '../task/response-checks.js';
import type { Task, TaskItem } from '../task/schema.js';
import { otherPromptIssue } from './asked-requests.js';
import { promptKey } from './cache-key.js';
import { type RequestOptions, createPromptPart } from './default-request.js';

/**
 * The issue that refuses recorded answers whose prompt task.json no longer renders (see
 * otherPromptIssue), for every kind: the prompt parts are built by the same code that builds the
 * requests sent, once per answer format, since the format is the asking run's choice and not the
 * task's (an answer asked in any of them was asked this task's prompt). What cannot be rendered
 * now (a template task.json names that is gone, an item without its text) is not compared: the
 * check says only what it knows. Undefined when nothing differs or no answer says its prompt.
 */
export function otherPromptsIssue<T extends Task>(
  path: string,
  asked: readonly AskedPrompt[],
  task: T,
  prompt: KindPrompt<T, never>,
  items: readonly TaskItem[],
  location: Pick<RequestOptions, 'baseDir' | 'promptsDir'>,
): InputIssue | undefined {
  if (asked.length === 0) return undefined;
  let parts;
  try {
    parts = ANSWER_FORMATS.map((format) => createPromptPart(task, prompt, { ...location, format }));
  } catch {
    return undefined;
  }
  const byId = new Map(items.map((item) => [item.id, item]));
  return otherPromptIssue(path, asked, (id) => {
    const item = byId.get(id);
    if (item === undefined) return undefined;
    try {
      return parts.map((part) => promptKey(part(item)));
    } catch {
      return undefined;
    }
  });
}
