import type { Readable, Writable } from 'node:stream';

/** The streams a command talks to; injected so commands run in tests without a child process. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  /** Environment for provider keys and endpoints; `process.env` when absent (tests inject their own). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const processIo = (): CliIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
