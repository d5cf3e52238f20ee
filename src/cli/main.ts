#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { existsSync, realpathSync } from 'node:fs';
import { batchesCommand } from './commands/batches.js';
import { evalCommand } from './commands/eval.js';
import { fitCommand } from './commands/fit.js';
import { fuseCommand } from './commands/fuse.js';
import { initCommand } from './commands/init.js';
import { runCommand } from './commands/run.js';
import { reportError, UsageError } from './errors.js';
import { type CliIo, processIo } from './io.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  eval: { run: evalCommand, summary: 'score models and fusion strategies on a labelled eval folder (optionally asking --models first)' },
  fit: { run: fitCommand, summary: 'fit a fusion strategy on a labelled folder and save it as JSON' },
  run: { run: runCommand, summary: 'ask models about a JSONL stream of items and write fused answers' },
  fuse: { run: fuseCommand, summary: 'fuse answers you already have (a folder or an answers file), no calls; scores them where gold is present' },
  init: { run: initCommand, summary: 'make an eval folder (task.json, items.jsonl) from a labelled CSV, TSV or JSONL' },
  batches: { run: batchesCommand, summary: 'list, check or cancel the provider batches of --batch runs' },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: fusion <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "fusion <command> --help" for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`fusion: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      return reportError(io, new UsageError(error.message));
    }
    return reportError(io, error);
  }
}

const invokedPath = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  // Keys and endpoints may live in ./.env (see .env.example); variables already set win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportError(processIo(), error);
    },
  );
}
