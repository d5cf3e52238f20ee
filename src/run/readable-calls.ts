import { kindOf } from '../kinds/registry.js';
import type { RecordedResponse, Task, TaskItem } from '../task/schema.js';
import { fuseRecorded, recordedModels } from './fuse-recorded.js';

/** One (model, sample) call of recorded answers, and on how many items it gave an answer the kind reads. */
export interface ReadableCall {
  model: string;
  sample: number;
  readable: number;
}

/** An output line's answers as every kind writes them: the answer field null where none was read. */
interface AnswerLines {
  answers: readonly Record<string, unknown>[];
}

/**
 * Per call, the items on which it gave a readable answer, for any task kind: the answers are read
 * as `fusion run` reads them (the kind's run reader, through fuseRecorded), so a call counted
 * unreadable here is one whose answers no strategy sees. The kind's default strategy fuses them
 * only because the reader is reached through a fusion; its result is not used.
 */
export function readableCalls(task: Task, items: readonly TaskItem[], responses: readonly RecordedResponse[]): ReadableCall[] {
  const plugin = kindOf(task);
  const { answerField } = plugin.run(task);
  const fuser = plugin.namedFuser(plugin.defaultStrategy(task), task, Math.max(1, items.length));
  const models = recordedModels(responses);
  const calls = models.map((model, j): ReadableCall => ({ model, sample: models.slice(0, j).filter((m) => m === model).length, readable: 0 }));
  for (const line of fuseRecorded(task, items, responses, fuser) as unknown as AnswerLines[]) {
    line.answers.forEach((a, j) => {
      const call = calls[j];
      if (call && a[answerField] !== null && a[answerField] !== undefined) call.readable++;
    });
  }
  return calls;
}
