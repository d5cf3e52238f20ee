import { kindOf } from '../kinds/registry.js';
import { otherPromptsIssue } from '../orchestrate/prompt-keys.js';
import { InputError } from '../task/errors.js';
import { type EvalFolder, loadEvalFolder } from '../task/load-folder.js';
import { folderTable } from '../task/read-table.js';
import type { AskedPrompt } from '../task/response-checks.js';

/**
 * Refuses, before a command uses recorded answers as answers to the prompt task.json gives now
 * (fusion eval scores them, fusion fit learns from them, fusion fuse writes them fused), those
 * that say they were asked with another prompt: otherwise the old prompt's answers would pass for
 * the new one's, silently. `asked`: the answers that carry a `promptKey`, as the folder's loader
 * collected them; `baseDir`: where task.json's template is looked up, as the asking run did.
 */
export function refuseOtherPrompts(folder: EvalFolder, asked: readonly AskedPrompt[], responsesFile: string, baseDir: string): void {
  const issue = otherPromptsIssue(responsesFile, asked, folder.task, kindOf(folder.task).prompt, folder.items, { baseDir });
  if (issue) throw new InputError([issue]);
}

/** An eval folder with its answers, read for a use of them as answers to task.json's prompt: loadEvalFolder, then refuseOtherPrompts. */
export function loadRecordedFolder(dir: string): EvalFolder {
  const asked: AskedPrompt[] = [];
  const folder = loadEvalFolder(dir, { requireResponses: true, askedPrompts: asked });
  refuseOtherPrompts(folder, asked, folderTable(dir, 'responses'), dir);
  return folder;
}
