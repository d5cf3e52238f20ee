/**
 * Program-of-thought outputs: Python that computes the answer (`eggs = 16 - 3 - 4`, `ans = eggs * 2`)
 * but was never run. Read as text such an output states no answer: the last number in it is a
 * constant of the code, and its final line an expression. A careful reader does not pick a number
 * out of it; the output is an abstention (`unexecuted-code`) unless a prose line outside the code
 * states the answer.
 */

// `name = ...`, `obj.attr += ...`, `xs[0] = ...` (not `==`), at the start of a line.
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]\w*|\[[^\]\n]*\])*\s*(?:[-+*/%]|\/\/|\*\*)?=(?!=)\s*(\S.*)$/;
// Statements only code has.
const KEYWORD = /^(?:def\s+\w+\s*\(|class\s+\w+|import\s+[\w.]+|from\s+[\w.]+\s+import\s|return\b|print\s*\(|for\s+[\w, ()]+\s+in\s+.+:$|while\s+.+:$|if\s+.+:$|elif\s+.+:$|else\s*:$|try\s*:$|except\b.*:$|with\s+.+:$|pass$|break$|continue$)/;
// A right-hand side that only code writes: a call, an attribute, a snake_case name, a string or list literal.
// (Math writes subscripts `k_g`, `T_h` and one-letter functions `f(x)`: too short to count.)
const CODE_VALUE = /[A-Za-z_]\w+\s*\(|[A-Za-z_]\w*\.[A-Za-z_]|\b[A-Za-z]{2,}_\w+|^['"[{]|\bTrue\b|\bFalse\b|\bNone\b/;
// A left-hand side only code writes: snake_case words, or an attribute or index.
const CODE_NAME = /^[A-Za-z]{2,}_\w+|^[A-Za-z_]\w*(?:\.[A-Za-z_]|\[)|^[A-Za-z_]\w*\s*(?:[-+*/%]|\/\/|\*\*)=/;
// Names joined by operators (`eggs - breakfast`, `(a + b) * 2`): an expression over variables, not a worked sum.
const NAME_EXPRESSION = /^[-(\s]*(?:[A-Za-z_]\w*|\d+(?:\.\d+)?)(?:[\s)]*(?:[-+*/%]|\/\/|\*\*)[\s(]*(?:[A-Za-z_]\w*|\d+(?:\.\d+)?))+[\s)]*$/;
// `eggs = 16`: a name given a number, written alike in code and in worked arithmetic.
const LITERAL_ASSIGNMENT = /^[A-Za-z_]\w*\s*=\s*-?\d[\d,]*(?:\.\d+)?\s*$/;

/** Whether one line (trimmed, no comment) is a line of program code. */
export function isCodeLine(line: string): boolean {
  // A bare result name on its own line: a notebook's echo of the result (`ans`, `total_bolts`); a
  // plain word alone (`paris`) is an answer, not code.
  if (KEYWORD.test(line) || /^(?:[a-z]+_[a-z0-9_]+|ans|result|res|solution)$/.test(line)) return true;
  const m = ASSIGNMENT.exec(line);
  if (!m) return false;
  // `x = 18` or `Total = 5 + 3` also occur in worked arithmetic: an assignment counts as code only
  // when its name or its value is written the way code writes them.
  const value = m[1] ?? '';
  // `d = sqrt(9 + 16) = 5`: a worked equation goes on after its value; code does not (keyword
  // arguments `f(days=1)` sit inside brackets).
  let outside = value;
  for (let k = 0; k < 3; k++) outside = outside.replace(/\([^()]*\)/g, '()');
  if (/[^=!<>]=(?!=)/.test(outside)) return false;
  return CODE_NAME.test(line) || CODE_VALUE.test(value) || (NAME_EXPRESSION.test(value) && /[A-Za-z_]\w/.test(value));
}

/** A comment or a code-fence line: neutral, neither prose nor code. */
function isNeutral(line: string): boolean {
  return /^#(?!#)/.test(line) || /^```/.test(line) || /^[)\]}]+$/.test(line) || (LITERAL_ASSIGNMENT.test(line) && !CODE_NAME.test(line));
}

/**
 * Whether the output is a program: at least two lines of code, and code makes up most of the lines
 * that are not comments (prose around a code block, as in a worked answer that shows its code, keeps
 * the majority); or nothing but assignments and comments with one line of code among them
 * (`length = 5` ... `ans = length * width`). Indented lines under a block opener count as code.
 */
export function isProgram(text: string): boolean {
  let code = 0;
  let other = 0;
  let literals = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (isNeutral(line)) {
      if (LITERAL_ASSIGNMENT.test(line)) literals++;
      continue;
    }
    const indented = /^\s+\S/.test(raw);
    if (isCodeLine(line) || (inBlock && indented)) {
      code++;
      inBlock = line.endsWith(':') || (inBlock && indented);
    } else {
      other++;
      inBlock = false;
    }
  }
  return (code >= 2 && code > other) || (code >= 1 && other === 0 && code + literals >= 2);
}

/** Whether the output ends on a line of prose (`The total is 3.` after the code): its author concluded in words. */
export function endsInProse(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  return last !== '' && !/^\s+\S/.test(last) && !isNeutral(last.trim()) && !isCodeLine(last.trim());
}

/** The output without its code and comment lines: what a program's author wrote in prose, if anything. */
export function proseOf(text: string): string {
  return text
    .split('\n')
    .filter((raw) => {
      const line = raw.trim();
      return line !== '' && !isNeutral(line) && !isCodeLine(line) && !/^\s+\S/.test(raw);
    })
    .join('\n');
}
