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

/** A one-line progress indicator on stderr, redrawn in place on a terminal and silent otherwise. */
export function progressLine(io: CliIo, enabled: boolean): { update(text: string): void; done(): void } {
  const tty = enabled && io.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}
