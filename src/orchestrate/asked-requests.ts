import type { InputIssue } from '../task/errors.js';
import type { AskedPrompt } from '../task/response-checks.js';
import type { TaskItem } from '../task/schema.js';
import type { ModelHandle } from './orchestrator.js';
import { type AskedRequest, responseKey } from './responses-file.js';

/**
 * The issue that refuses a run whose recorded answers were asked with another request than the
 * one task.json renders now (instructions, labels, template or settings edited since): such an
 * answer would otherwise be skipped as recorded and evaluated as the new prompt's, silently. Only
 * the (item, model, sample) the run would ask are compared, and only lines that carry a `request`
 * (older lines cannot say what they were asked with, so they are taken as they are). `keyOf`
 * returns the key of the request the run would send, undefined when none can be built (that
 * item's failure is reported by the run, as without this check). Undefined when nothing differs.
 */
export function otherRequestIssue(
  path: string,
  asked: ReadonlyMap<string, AskedRequest>,
  items: readonly TaskItem[],
  models: readonly ModelHandle[],
  keyOf: (item: TaskItem, handle: ModelHandle) => string | undefined,
): InputIssue | undefined {
  if (asked.size === 0) return undefined;
  const tally = new Tally();
  for (const item of items) {
    for (const handle of models) {
      const recorded = asked.get(responseKey(item.id, handle.name, handle.sample));
      if (!recorded) continue;
      const key = keyOf(item, handle);
      if (key !== undefined) tally.see(key === recorded.request, recorded.line);
    }
  }
  return tally.issue(
    path,
    'request',
    (counted) =>
      `asked with another prompt or settings than task.json gives now (${counted}); ` +
      'to ask them again, move responses.jsonl aside (nothing is rewritten); to evaluate them as recorded, put task.json back as it was',
  );
}

/**
 * The issue that refuses answers recorded with a prompt task.json no longer renders (instructions,
 * labels, scale, template edited since), for a run that knows the task but not the settings the
 * answers were asked with (a plain `fusion eval`): compared by their `promptKey`, which holds no
 * model or settings. Every answer that says its prompt is compared, whatever its model; answers
 * that do not (older lines, other tools) are taken as they are. `keysOf` gives the keys of the
 * prompts task.json renders now for an item (one per answer format), undefined when none can be
 * rendered (not compared). Undefined when nothing differs.
 */
export function otherPromptIssue(path: string, asked: readonly AskedPrompt[], keysOf: (item: string) => readonly string[] | undefined): InputIssue | undefined {
  const keys = new Map<string, readonly string[] | undefined>();
  const tally = new Tally();
  for (const answer of asked) {
    if (!keys.has(answer.item)) keys.set(answer.item, keysOf(answer.item));
    const now = keys.get(answer.item);
    if (now !== undefined) tally.see(now.includes(answer.promptKey), answer.line);
  }
  return tally.issue(
    path,
    'promptKey',
    (counted) =>
      `asked with another prompt than task.json gives now (${counted}); ` +
      'to evaluate them as recorded, put task.json back as it was; to ask them again, move responses.jsonl aside and run fusion eval with --models (nothing is rewritten)',
  );
}

/** Recorded answers compared with what task.json gives now: how many, how many differ, and the first line of those. */
class Tally {
  private compared = 0;
  private differ = 0;
  private firstLine = Number.POSITIVE_INFINITY;

  see(same: boolean, line: number): void {
    this.compared++;
    if (same) return;
    this.differ++;
    this.firstLine = Math.min(this.firstLine, line);
  }

  /** The issue at the first differing line (`message` given "N answers of M"), undefined when none differs. */
  issue(file: string, field: string, message: (counted: string) => string): InputIssue | undefined {
    if (this.differ === 0) return undefined;
    return { file, line: this.firstLine, field, message: message(`${this.differ} answers of ${this.compared}`) };
  }
}
