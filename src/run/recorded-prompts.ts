import { kindOf } from '../kinds/registry.js';
import { otherPromptsIssue } from '../orchestrate/prompt-keys.js';
import { InputError } from '../task/errors.js';
import { type EvalFolder, loadEvalFolder } from '../kinds/load-folder.js';

/**
 * Refuses, before a command or a library call uses recorded answers as answers to the prompt
 * task.json gives now (evaluate() scores them, fit() learns from them, fusion fuse writes them
 * fused), those that say they were asked with another prompt: otherwise the old prompt's answers
 * would pass for the new one's, silently. The folder's loader kept them (`recordedPrompts`), so a
 * folder loaded by the library is checked as a path is; the task is the folder's as it is now.
 */
export function refuseOtherPrompts(folder: EvalFolder): void {
  const recorded = folder.recordedPrompts;
  if (recorded === undefined) return;
  const issue = otherPromptsIssue(recorded.file, recorded.prompts, folder.task, kindOf(folder.task).prompt, folder.items, { baseDir: recorded.baseDir });
  if (issue) throw new InputError([issue]);
}

/** An eval folder with its answers, read for a use of them as answers to task.json's prompt: loadEvalFolder, then refuseOtherPrompts. */
export function loadRecordedFolder(dir: string): EvalFolder {
  const folder = loadEvalFolder(dir, { requireResponses: true });
  refuseOtherPrompts(folder);
  return folder;
}
