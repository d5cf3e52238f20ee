import type { InputIssue } from './errors.js';

/**
 * The item ids of one input seen so far, each with the line it was first on: a second row with an
 * id already seen is an input error (its answers could not be told from the first's), refused in
 * every reader with the same words. Memory grows with the number of distinct ids.
 */
export class ItemIds {
  private readonly lines = new Map<string, number>();

  constructor(private readonly file: string) {}

  /** Records `id` at `line`; the issue when it was already seen. */
  see(id: string, line: number): InputIssue | undefined {
    const first = this.lines.get(id);
    if (first !== undefined) return { file: this.file, line, field: 'id', message: `duplicate item id "${id}" (first on line ${first})` };
    this.lines.set(id, line);
    return undefined;
  }

  has(id: string): boolean {
    return this.lines.has(id);
  }
}
