import { lstatSync, mkdirSync } from 'node:fs';
import { createFilesWhole } from '../../task/safe-write.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { folderFromTable } from '../../task/init-folder.js';
import { parseTableFormat } from '../../task/table-format.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { readColumnArgs } from '../table-args.js';

export const initHelp = `Usage: fusion init FILE --out DIR [options]

Makes an eval folder from a labelled table (CSV, TSV or JSON Lines): DIR/task.json, whose labels are
the label column's distinct values, and DIR/items.jsonl (id, text, label). Never overwrites a file.
Then: fusion eval DIR --models ... asks the models and scores them.

Options:
  --out DIR          the folder to write (created if needed)
  --text-column C    the column holding the text (default "text")
  --label-column C   the column holding the label (default "label"); rows without one stay unlabelled
  --id-column C      the column holding the id (default "id"; absent: the row number)
  --format F         the file's format when its extension does not say: jsonl, csv or tsv
  --name NAME        the task's name (default: DIR's name)
  --instructions T   what the models are asked (default: "Classify the text as one of: <labels>.")
`;

export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      'id-column': { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      instructions: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(initHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`init takes one file\n\n${initHelp}`);
  if (values.out === undefined) throw new UsageError(`init needs --out DIR\n\n${initHelp}`);
  const dir = values.out;
  const taskFile = join(dir, 'task.json');
  const itemsFile = join(dir, 'items.jsonl');
  // Any file init would write, or that would stand beside it as a second items file (a dangling symlink counts).
  const existing = [taskFile, itemsFile, join(dir, 'items.csv'), join(dir, 'items.tsv')].filter((f) => lstatSync(f, { throwIfNoEntry: false }) !== undefined);
  if (existing.length > 0) throw new UsageError(`${existing.join(' and ')} exist${existing.length === 1 ? 's' : ''}; fusion init never overwrites a file: choose another --out`);
  const { task, items } = folderFromTable(positionals[0] as string, dir, {
    columns: readColumnArgs(values),
    ...(values.format === undefined ? {} : { format: parseTableFormat(values.format) }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.instructions === undefined ? {} : { instructions: values.instructions }),
  });
  mkdirSync(dir, { recursive: true });
  createFilesWhole([
    { path: itemsFile, text: items.map((i) => `${JSON.stringify(i)}\n`).join('') },
    { path: taskFile, text: `${JSON.stringify(task, null, 2)}\n` },
  ]);
  const labelled = items.filter((i) => i.label !== undefined).length;
  io.stdout.write(
    [
      `wrote ${taskFile} (${task.labels.length} labels: ${task.labels.map((l) => l.name).join(', ')}) and ${itemsFile} (${items.length} items, ${labelled} labelled)`,
      'next:',
      `  fusion eval ${dir} --models openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest,ollama:llama3.1 --max-cost 2`,
      `  fusion fit ${dir} --strategy auto --out ${join(dir, 'strategy.json')}`,
      `  fusion run --task ${taskFile} --strategy ${join(dir, 'strategy.json')} --input new-items.csv${values['text-column'] === undefined ? '' : ` --text-column ${values['text-column']}`} --output fused.csv`,
      '',
    ].join('\n'),
  );
  return 0;
}
