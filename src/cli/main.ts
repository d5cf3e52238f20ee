#!/usr/bin/env node
// The bin holds the stop signals before anything slow (see signals.ts): this module's static
// imports are the signal hold and Node's own modules; every command, and whatever it loads, is
// imported once the hold is in place.
import { fileURLToPath } from 'node:url';
import { existsSync, realpathSync } from 'node:fs';
import { holdStopSignals, releaseStopSignals } from './signals.js';
import type { CliIo } from './io.js';

const invokedPath = process.argv[1] ? realpathSync(process.argv[1]) : '';
const isBin = invokedPath === fileURLToPath(import.meta.url);
if (isBin) holdStopSignals();

type Command = (argv: string[], io: CliIo) => Promise<number>;

interface CommandSpec {
  load: () => Promise<{ run: Command; help?: string }>;
  summary: string;
  /** Whether these arguments make the command ask models (it then listens for stop signals, and a signal held until then is its to handle). */
  asksModels?: (argv: readonly string[]) => boolean;
}

const COMMANDS: Record<string, CommandSpec> = {
  eval: {
    load: () => import('./commands/eval.js').then((m) => ({ run: m.evalCommand, help: m.evalHelp })),
    summary: 'score models and fusion strategies on a labelled eval folder (optionally asking --models first)',
    asksModels: (argv) => argv.some((a) => a === '--models' || a.startsWith('--models=')),
  },
  fit: {
    load: () => import('./commands/fit.js').then((m) => ({ run: m.fitCommand, help: m.fitHelp })),
    summary: 'fit a fusion strategy on a labelled folder and save it as JSON',
  },
  run: {
    load: () => import('./commands/run.js').then((m) => ({ run: m.runCommand, help: m.runHelp })),
    summary: 'ask models about a stream of items (JSON Lines, CSV or TSV) and write fused answers',
    asksModels: () => true,
  },
  fuse: {
    load: () => import('./commands/fuse.js').then((m) => ({ run: m.fuseCommand, help: m.fuseHelp })),
    summary: 'fuse answers you already have (a folder or an answers file), no calls; scores them where gold is present',
  },
  init: {
    load: () => import('./commands/init.js').then((m) => ({ run: m.initCommand, help: m.initHelp })),
    summary: 'make an eval folder (task.json, items.jsonl) from a labelled CSV, TSV or JSONL',
  },
  batches: {
    load: () => import('./commands/batches.js').then((m) => ({ run: m.batchesCommand, help: m.batchesHelp })),
    summary: 'list, check or cancel the provider batches of --batch runs',
  },
};

/** The package's version, from its package.json (two folders up from src/cli and from dist/cli alike). */
async function version(): Promise<string> {
  const { readTextFileSync } = await import('../task/safe-read.js');
  const pkg = JSON.parse(readTextFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)))) as { version?: string };
  return pkg.version ?? 'unknown';
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: fusion <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "fusion <command> --help" for a command's options; "fusion --version" prints the version.\n`;
}

export async function main(argv: string[], io?: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  // Only a command that asks models listens for stop signals: for any other, a signal held so far
  // ends the process now, and later ones act as they do without the hold.
  const listens = command?.asksModels?.(rest) === true;
  if (!listens) releaseStopSignals({ reraise: true });
  try {
    return await dispatch(name, rest, command, io ?? (await import('./io.js')).processIo());
  } finally {
    // A signal still held here arrived while the command ended before it listened (a usage error):
    // the command's own exit status stands.
    if (listens) releaseStopSignals({ reraise: false });
  }
}

async function dispatch(name: string | undefined, rest: string[], command: CommandSpec | undefined, io: CliIo): Promise<number> {
  // `fusion help eval` is `fusion eval --help`, as git and npm read it.
  const asked = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
  if (asked) return (await asked.load()).run(['--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`fusion ${await version()}\n`);
    return 0;
  }
  const { didYouMean, parseArgsMessage, withoutHelp } = await import('./usage-hints.js');
  if (!command) {
    const guess = didYouMean(name, Object.keys(COMMANDS));
    io.stderr.write(`fusion: unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''}\nRun "fusion --help" for the commands.\n`);
    return 2;
  }
  const { reportError, UsageError } = await import('./errors.js');
  // A usage error is the message and one hint line, not the whole help after it.
  const hint = `Run "fusion ${name} --help" for its options.\n`;
  let commandHelp: string | undefined;
  try {
    const loaded = await command.load();
    commandHelp = loaded.help;
    return await loaded.run(rest, io);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      const code = reportError(io, new UsageError(parseArgsMessage(error.message, commandHelp, rest)));
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
    const { ProviderError } = await import('../providers/provider.js');
    if (error instanceof ProviderError && error.kind === 'config') {
      const code = reportError(io, error);
      io.stderr.write(hint);
      return code;
    }
    return reportError(io, error);
  }
}

if (isBin) {
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
    async (error: unknown) => {
      const [{ reportError }, { processIo }] = await Promise.all([import('./errors.js'), import('./io.js')]);
      process.exitCode = reportError(processIo(), error);
    },
  );
}
