import { kindOf } from '../kinds/registry.js';
import type { RenderOptions } from '../prompts/render.js';
import { type ItemResolver, promptResolver, ReplayModel } from '../providers/replay/replay-model.js';
import type { EvalFolder } from '../kinds/load-folder.js';
import type { Task, TaskItem } from '../task/schema.js';

/**
 * Maps the exact prompt the task's template renders for each item back to the item's id (see
 * promptResolver), with the prompt part of the task's kind looked up: what `llm-fusion/providers`
 * exports as `promptResolver`.
 */
export function taskPromptResolver(task: Task, items: readonly TaskItem[], options: RenderOptions = {}): ItemResolver {
  return promptResolver(task, kindOf(task).prompt, items, options);
}

/** One replay model per model recorded in a folder, answering prompts rendered from its task: a recorded run replayed through the live pipeline. */
export function createReplayModels(folder: EvalFolder, options: RenderOptions & { models?: readonly string[] } = {}): ReplayModel[] {
  const itemFor = taskPromptResolver(folder.task, folder.items, { baseDir: folder.dir, ...options });
  const names = options.models ?? [...new Set(folder.responses.map((r) => r.model))];
  return names.map((recordedName) => new ReplayModel({ recordedName, responses: folder.responses, itemFor }));
}
