/**
 * A number as a user writes it in a cell of their own (a score, a gold label, a sample number), as
 * spreadsheets and pandas read one: a sign (`+2`, `-1`), digits with a fraction or a fraction alone
 * (`0.5`, `.5`, `5.`), an exponent (`1e0`, `2.5E-1`), spaces around. Not digit separators (`1_000`,
 * `1,000`: a thousands mark and a decimal comma look alike, so the cell is refused, quoted, rather
 * than guessed), nor the hex, `Infinity` or empty string that Number() also takes.
 */
const NUMERAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Whether a cell spells a number (surrounding spaces aside). */
export function isNumeral(cell: string): boolean {
  return NUMERAL.test(cell.trim());
}

/** The number a cell spells, or undefined when it spells none (isNumeral). */
export function numeralValue(cell: string): number | undefined {
  const t = cell.trim();
  return NUMERAL.test(t) ? Number(t) : undefined;
}
