import { lstatSync, mkdirSync } from 'node:fs';
import { createFilesWhole } from '../../task/safe-write.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KINDS } from '../../kinds/registry.js';
import { didYouMean } from '../usage-hints.js';
import { type StarterOption, startFolder } from '../../kinds/starter.js';
import { parseTableFormat } from '../../task/table-format.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { readColumnArgs } from '../table-args.js';

export const initHelp = `Usage: fusion init FILE --out DIR [options]

Makes an eval folder from a labelled table (CSV, TSV or JSON Lines): DIR/task.json and DIR/items.jsonl.
Never overwrites a file. Then: fusion eval DIR --models ... asks the models and scores them.

Options:
  --out DIR          the folder to write (created if needed)
  --kind K           the task's kind: ${KINDS.map((k) => k.kind).join(', ')} (default ${KINDS[0]?.kind})
  --text-column C    the column holding the text (default "text"; QA: --question-column, default "question")
  --label-column C   the column holding the gold (default "label": a label, a QA answer, a score); rows
                     without one stay unlabelled
  --id-column C      the column holding the id (default "id"; absent: the row number)
  --format F         the file's format when its extension does not say: jsonl, csv or tsv
  --name NAME        the task's name (default: DIR's name)
  --instructions T   what the models are asked (default: said from the kind, e.g. "Classify the text as
                     one of: <labels>.")
  Classification: the labels are the label column's distinct values, in order of first appearance.
  --labels LIST      the labels, in this order (every gold label must be one of them)
  --ordered          the labels go from low to high (1-5 stars): numbers are sorted, words need --labels
  QA: a "choices" column (a JSON list of {"label", "text"}) makes multiple-choice questions.
  --answer-type T    free-form, multiple-choice or numeric (default: multiple-choice when every question
                     has choices, numeric when every gold answer is a number, else free-form)
  Rating: the label column holds the gold score.
  --scale MIN-MAX    the scale scores lie on (default: the gold scores' range)
`;

/** The flag of each kind-specific starter option, for messages. */
const FLAGS: Record<StarterOption, string> = { ordered: '--ordered', labels: '--labels', scale: '--scale', answerType: '--answer-type' };

function parseScale(value: string): { min: number; max: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:-|\.\.|,)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || !(min < max)) throw new UsageError(`--scale ${value}: expected MIN-MAX with MIN below MAX (e.g. --scale 1-5)`);
  return { min, max };
}

export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      kind: { type: 'string' },
      'text-column': { type: 'string' },
      'question-column': { type: 'string' },
      'label-column': { type: 'string' },
      'id-column': { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      instructions: { type: 'string' },
      labels: { type: 'string' },
      ordered: { type: 'boolean' },
      scale: { type: 'string' },
      'answer-type': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(initHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`init takes one file\n\n${initHelp}`);
  if (values.out === undefined) throw new UsageError(`init needs --out DIR\n\n${initHelp}`);
  const kindName = values.kind ?? KINDS[0]?.kind;
  const kind = KINDS.find((k) => k.kind === kindName);
  if (!kind) {
    const guess = didYouMean(String(values.kind), KINDS.map((k) => k.kind));
    throw new UsageError(`--kind ${values.kind}: must be one of ${KINDS.map((k) => k.kind).join(', ')}${guess ? `; did you mean ${guess}?` : ''}`);
  }
  const given: Partial<Record<StarterOption, unknown>> = { ordered: values.ordered, labels: values.labels, scale: values.scale, answerType: values['answer-type'] };
  for (const [option, value] of Object.entries(given) as [StarterOption, unknown][]) {
    if (value === undefined || kind.starter.options.includes(option)) continue;
    const takers = KINDS.filter((k) => k.starter.options.includes(option)).map((k) => `--kind ${k.kind}`);
    throw new UsageError(`${FLAGS[option]} does not apply to ${kind.title} tasks (it applies with ${takers.join(' or ')})`);
  }
  const dir = values.out;
  const taskFile = join(dir, 'task.json');
  const itemsFile = join(dir, 'items.jsonl');
  // Any file init would write, or that would stand beside it as a second items file (a dangling symlink counts).
  const existing = [taskFile, itemsFile, join(dir, 'items.csv'), join(dir, 'items.tsv')].filter((f) => lstatSync(f, { throwIfNoEntry: false }) !== undefined);
  if (existing.length > 0) throw new UsageError(`${existing.join(' and ')} exist${existing.length === 1 ? 's' : ''}; fusion init never overwrites a file: choose another --out`);
  const { task, items, labelled, summary } = startFolder(kind.starter, positionals[0] as string, dir, {
    columns: readColumnArgs(values),
    ...(values.format === undefined ? {} : { format: parseTableFormat(values.format) }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.instructions === undefined ? {} : { instructions: values.instructions }),
    ...(values.ordered ? { ordered: true } : {}),
    ...(values.labels === undefined ? {} : { labels: values.labels.split(',') }),
    ...(values.scale === undefined ? {} : { scale: parseScale(values.scale) }),
    ...(values['answer-type'] === undefined ? {} : { answerType: values['answer-type'] }),
  });
  mkdirSync(dir, { recursive: true });
  createFilesWhole([
    { path: itemsFile, text: items.map((i) => `${JSON.stringify(i)}\n`).join('') },
    { path: taskFile, text: `${JSON.stringify(task, null, 2)}\n` },
  ]);
  const columns = (['id-column', 'text-column', 'question-column'] as const).flatMap((c) => (values[c] === undefined ? [] : [` --${c} ${values[c]}`])).join('');
  io.stdout.write(
    [
      `wrote ${taskFile} and ${itemsFile} (${items.length} items, ${labelled} labelled)`,
      `  ${kind.title} task: ${summary}`,
      'next:',
      `  fusion eval ${dir} --models openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest,ollama:llama3.1 --max-cost 2`,
      `  fusion fit ${dir} --strategy auto --out ${join(dir, 'strategy.json')}`,
      `  fusion run --task ${taskFile} --strategy ${join(dir, 'strategy.json')} --input new-items.csv${columns} --output fused.csv`,
      '',
    ].join('\n'),
  );
  return 0;
}
