#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { existsSync, realpathSync } from 'node:fs';
import { batchesCommand, batchesHelp } from './commands/batches.js';
import { evalCommand, evalHelp } from './commands/eval.js';
import { fitCommand, fitHelp } from './commands/fit.js';
import { fuseCommand, fuseHelp } from './commands/fuse.js';
import { initCommand, initHelp } from './commands/init.js';
import { runCommand, runHelp } from './commands/run.js';
import { reportError, UsageError } from './errors.js';
import { ProviderError } from '../providers/provider.js';
import { type CliIo, processIo } from './io.js';
import { didYouMean, parseArgsMessage, withoutHelp } from './usage-hints.js';
import { readTextFileSync } from '../task/safe-read.js';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string; help?: string }> = {
  eval: { run: evalCommand, summary: 'score models and fusion strategies on a labelled eval folder (optionally asking --models first)', help: evalHelp },
  fit: { run: fitCommand, summary: 'fit a fusion strategy on a labelled folder and save it as JSON', help: fitHelp },
  run: { run: runCommand, summary: 'ask models about a stream of items (JSON Lines, CSV or TSV) and write fused answers', help: runHelp },
  fuse: { run: fuseCommand, summary: 'fuse answers you already have (a folder or an answers file), no calls; scores them where gold is present', help: fuseHelp },
  init: { run: initCommand, summary: 'make an eval folder (task.json, items.jsonl) from a labelled CSV, TSV or JSONL', help: initHelp },
  batches: { run: batchesCommand, summary: 'list, check or cancel the provider batches of --batch runs', help: batchesHelp },
};

/** The package's version, from its package.json (two folders up from src/cli and from dist/cli alike). */
function version(): string {
  const pkg = JSON.parse(readTextFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)))) as { version?: string };
  return pkg.version ?? 'unknown';
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: fusion <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "fusion <command> --help" for a command's options; "fusion --version" prints the version.\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  // `fusion help eval` is `fusion eval --help`, as git and npm read it.
  const asked = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
  if (asked) return asked.run(['--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`fusion ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const guess = didYouMean(name, Object.keys(COMMANDS));
    io.stderr.write(`fusion: unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''}\nRun "fusion --help" for the commands.\n`);
    return 2;
  }
  // A usage error is the message and one hint line, not the whole help after it.
  const hint = `Run "fusion ${name} --help" for its options.\n`;
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      const code = reportError(io, new UsageError(parseArgsMessage(error.message, command.help, rest)));
      io.stderr.write(hint);
      return code;
    }
    if (error instanceof UsageError) {
      const code = reportError(io, new UsageError(withoutHelp(error.message)));
      io.stderr.write(hint);
      return code;
    }
    // A bad model spec, an unknown provider or a key not set is a usage error too: the same hint
    // line (each command's help names the key variables).
    if (error instanceof ProviderError && error.kind === 'config') {
      const code = reportError(io, error);
      io.stderr.write(hint);
      return code;
    }
    return reportError(io, error);
  }
}

const invokedPath = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  // Keys and endpoints may live in ./.env (see .env.example); variables already set win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  // A reader that goes away (`fusion eval ... | head`) is not a crash: what nobody reads is dropped
  // and the command finishes (fusion run also stops asking models then, src/run/stream.ts).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportError(processIo(), error);
    },
  );
}
