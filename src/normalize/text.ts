/** One word, number or punctuation mark of an answer, lowercased, with its place in the cleaned text. */
export interface Token {
  /** Lowercased text of the token. */
  text: string;
  /** Offsets into the cleaned text. */
  start: number;
  end: number;
  kind: 'word' | 'number' | 'punct';
  /** True when the token was written with an initial capital (`B` the option, not `b`). */
  upper: boolean;
  /** True when a line break separates this token from the previous one. */
  newline: boolean;
}

const ZERO_WIDTH = /[\u200B-\u200D\uFEFF]/g;
const FANCY_QUOTES = /[\u2018\u2019\u201A\u201B\u2032]/g;
const FANCY_DOUBLE = /[\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
// Markdown emphasis and headings carry no meaning for a label; code fences are handled by the JSON reader.
const MARKDOWN = /\*\*|__|(?<![\p{L}\p{N}])[*_]|[*_](?![\p{L}\p{N}])|`+|^#{1,6}\s+|^>\s?/gmu;

// One level of braces inside (`\boxed{\text{B}}`); bounded so that unclosed braces stay linear.
const LATEX_WRAPPER = /\\(?:boxed|fbox|text|textbf|textit|mathrm|mathbf)\{(?:[^{}]|\{[^{}]{0,200}\}){0,400}\}/g;
const INNERMOST_WRAPPER = /\\(?:boxed|fbox|text|textbf|textit|mathrm|mathbf)\{([^{}]*)\}/g;

/** A wrapper's content, wrappers inside it unwrapped too: `\boxed{\text{B}}` is `B`. */
function unwrapLatex(wrapped: string): string {
  let t = wrapped;
  for (let depth = 0; depth < 3 && t.includes('{'); depth++) t = t.replace(INNERMOST_WRAPPER, '$1');
  return t;
}

/**
 * Cleans a raw answer for reading: Unicode compatibility forms, typographic quotes and dashes,
 * zero-width characters and Markdown emphasis are folded away; case and line breaks are kept.
 */
export function cleanText(raw: string): string {
  return endOfAnswer(raw)
    .normalize('NFKC')
    // A reasoning model's hidden thoughts discuss every label; the answer follows them.
    .replace(/<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi, ' ')
    // LaTeX wrappers and display delimiters: `\boxed{B}`, `\text{positive}`, `\[ ... \]`.
    .replace(LATEX_WRAPPER, unwrapLatex)
    .replace(/\\[[\]()]/g, ' ')
    .replace(ZERO_WIDTH, '')
    .replace(FANCY_QUOTES, "'")
    .replace(FANCY_DOUBLE, '"')
    .replace(DASHES, '-')
    .replace(MARKDOWN, '')
    .replace(/\r\n?/g, '\n')
    // Bounded whitespace keeps every later regular expression linear on pathological inputs.
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*\n */g, '\n\n')
    .replace(/ \n|\n /g, '\n');
}

/** End-of-sequence markers some models print inside their text. */
const END_MARKERS = String.raw`<EOS_TOKEN>|<\/s>|<\|endoftext\|>|<\|end_of_text\|>|<\|im_end\|>|<\|eot_id\|>|<\|end\|>|<end_of_turn>`;
const EOS_MARKERS = new RegExp(END_MARKERS, 'gi');
/** A new few-shot turn after a blank line: what follows is the model inventing the next example. */
const NEXT_TURN = /\n[^\S\n]*\n\s*(?:#+\s*)?(?:question|q|human|user|instruction)\s*\d*\s*:/i;

const STATED_ANSWER = /\banswer(?:\s+is|\s*:|\s+would be)/i;

/**
 * The answer proper: end-of-sequence markers become blank lines, and the text is cut where the
 * model starts inventing a next few-shot turn (`\n\nQuestion: ...`), which otherwise contributes
 * its own `The answer is ...` to the reading.
 */
export function endOfAnswer(raw: string): string {
  const text = raw.replace(EOS_MARKERS, '\n\n');
  const m = NEXT_TURN.exec(text);
  // Only after an answer was given: a `Question 6:` header that restates the question is no new turn.
  return m && STATED_ANSWER.test(text.slice(0, m.index)) ? text.slice(0, m.index) : text;
}

/**
 * Numbers (with one decimal part), words with inner apostrophes, single punctuation marks. Hyphens
 * are tokens of their own so that `neutral-to-positive` shows its two labels; label spellings are
 * tokenized the same way, so `non-toxic` still matches as one phrase.
 */
const TOKEN = /\d+(?:\.\d+)?|[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

/**
 * Splits a cleaned answer into tokens with offsets. natural's tokenizers drop punctuation and
 * offsets, both of which matter here (`B)` is an answer, `B` inside a word is not), so this is a
 * single regular expression; stems and similarity still come from natural.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let prevEnd = 0;
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    const start = m.index;
    const c = raw.charCodeAt(0);
    const kind: Token['kind'] = c >= 48 && c <= 57 ? 'number' : /[\p{L}\p{N}]/u.test(raw) ? 'word' : 'punct';
    const lower = raw.toLowerCase();
    out.push({
      text: lower,
      start,
      end: start + raw.length,
      kind,
      upper: kind === 'word' && raw[0] !== lower[0],
      newline: text.slice(prevEnd, start).includes('\n'),
    });
    prevEnd = start + raw.length;
  }
  return out;
}

/** Canonical spelling of a numeric answer: `1.0`, ` 20`, `20.`, `020` all become the integer's digits. */
export function canonicalNumber(text: string): string | undefined {
  const m = /^\s*[+]?(\d+)(?:\.0*)?\.?\s*$/.exec(text);
  if (!m) return undefined;
  return String(Number(m[1]));
}

/** The content of an `<answer>...</answer>` (or `<label>`, `<final_answer>`) tag, the last one if several. */
export function taggedAnswer(raw: string): string | undefined {
  let found: string | undefined;
  for (const m of raw.matchAll(/<(answer|label|final_answer|final)>([\s\S]*?)<\/\1>/gi)) found = m[2];
  return found;
}

const LEADING_WRAP = new Set([...' \t\n\r"\'`*_([{<']);
const TRAILING_WRAP = new Set([...' \t\n\r"\'`*_)]}>.!:;,']);

/** Lowercased, trimmed, with surrounding quotes, brackets, Markdown and final punctuation removed. */
export function bareKey(text: string): string {
  // A scan rather than an anchored regular expression: `[...]+$` is quadratic on long runs.
  let a = 0;
  let b = text.length;
  while (a < b && LEADING_WRAP.has(text[a] as string)) a++;
  while (b > a && TRAILING_WRAP.has(text[b - 1] as string)) b--;
  return text.slice(a, b).trim().toLowerCase().replace(/\s+/g, ' ');
}

// What a chat template leaves around the answer when a server returns it raw: role headers
// (`assistant\n\n`, `<|im_start|>assistant`, `<start_of_turn>model`, `[/INST]`) and end tokens.
const CHAT_HEAD = /^\s*(?:(?:<\|[^|>\s]{1,30}\|>|<\/?s>|\[\/?INST\]|<start_of_turn>|<end_of_turn>)\s*|(?:assistant|model|ASSISTANT|Assistant)\s*:?[ \t]*\n)+/;
// The same end-of-sequence markers the other readers drop (EOS_MARKERS), at the end of the output.
const CHAT_TAIL = new RegExp(String.raw`(?:\s*(?:${END_MARKERS}))+\s*$`, 'i');

/** The output without chat-template residue at its start or end. */
export function stripChatResidue(output: string): string {
  return output.replace(CHAT_HEAD, '').replace(CHAT_TAIL, '');
}
