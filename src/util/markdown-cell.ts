/** Text made safe inside a Markdown table cell: a `|` would end the cell and a newline the row. */
export function markdownCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, '⏎');
}
