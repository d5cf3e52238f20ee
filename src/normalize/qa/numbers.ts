/**
 * Numbers in answers: `1,000`, `1000.0`, `$1,000.00`, `one thousand`, `3/4`, `\frac{3}{4}`, `30%`.
 * The value is compared numerically; currency and unit are kept apart from the value so that
 * `$5` = `5 dollars` = `5` but `5 km` != `5 m` (a unit only decides when both answers name one).
 */

export interface ParsedNumber {
  value: number;
  /** ISO-like currency code when a currency sign or word was attached (`USD`, `EUR`, `GBP`, ...). */
  currency?: string;
  /** Lowercased singular unit word right after the number (`mile`, `%`, `cup`), if any. */
  unit?: string;
  /** Where the number starts and ends in the text it was found in. */
  start: number;
  end: number;
}

const CURRENCY_SIGNS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR' };
const CURRENCY_WORDS: Record<string, string> = {
  dollar: 'USD', usd: 'USD', buck: 'USD', cent: 'USD-cent', euro: 'EUR', eur: 'EUR', pound: 'GBP', gbp: 'GBP', yen: 'JPY', rupee: 'INR', krona: 'SEK', sek: 'SEK',
};
/** Words after a number that are not its unit. */
const NOT_UNITS = new Set([
  'and', 'or', 'to', 'of', 'in', 'on', 'at', 'for', 'is', 'are', 'was', 'were', 'the', 'a', 'an', 'by', 'with', 'from', 'so', 'as', 'then', 'than',
  'which', 'that', 'this', 'each', 'per', 'times', 'total', 'more', 'less', 'left', 'remaining', 'we', 'he', 'she', 'it', 'they', 'you', 'if', 'but',
  'x', 'multiplied', 'divided', 'plus', 'minus', 'equals', 'therefore', 'thus', 'hence', 'because', 'since', 'after', 'before',
]);

const SMALL: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13,
  fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60,
  seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };

/** Rewrites the LaTeX that wraps numbers (`\frac{a}{b}`, `\text{}`, `\$`, `1{,}000`, `\%`) into plain text. */
export function delatex(text: string): string {
  // `2\frac{1}{2}` is two and a half: a space keeps the whole apart from the fraction (a mixed number).
  let t = text.replace(/(\d)\s*(\\[dt]?frac\s*\{)/g, '$1 $2');
  for (let k = 0; k < 3; k++) {
    t = t.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (_m, a: string, b: string) =>
      /^\s*[-\d.,]+\s*$/.test(a) && /^\s*[\d.,]+\s*$/.test(b) ? `${a.trim()}/${b.trim()}` : `(${a})/(${b})`,
    );
  }
  return t
    .replace(/\\(?:text|textbf|mathrm|mathbf|mbox|textit)\s*\{([^{}]*)\}/g, '$1')
    .replace(/\{,\}/g, ',')
    .replace(/\\[,;!: ]/g, '')
    .replace(/\\%/g, '%')
    .replace(/\\\$/g, '$')
    .replace(/\\(?:left|right|displaystyle)/g, '')
    .replace(/\\(?:times|cdot)/g, '×')
    .replace(/\$/g, (m, off: number, s: string) => (/\d/.test(s[off + 1] ?? '') || /\d/.test(s[off + 2] ?? '') ? m : ' '));
}

function singular(word: string): string {
  if (word.length > 3 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('es') && /(?:ch|sh|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function unitAfter(text: string, end: number): { currency?: string; unit?: string } {
  const rest = text.slice(end, end + 40);
  if (/^\s*(?:%|percent\b|per cent\b)/i.test(rest)) return { unit: '%' };
  const m = /^\s*([A-Za-z\u00C0-\u024F]+)/.exec(rest);
  if (!m?.[1]) return {};
  const w = singular(m[1].toLowerCase());
  const cur = CURRENCY_WORDS[w];
  if (cur) return { currency: cur };
  if (NOT_UNITS.has(w) || w.length > 20) return {};
  return { unit: w };
}

/**
 * How a text writes numbers: `point` (1,234.5, the default) or `comma` (1.234,5: German, Spanish,
 * French, ... where `276.000` is two hundred seventy-six thousand).
 */
export type DecimalMark = 'point' | 'comma';

// A signed decimal with optional thousands separators, or a simple fraction a/b.
const NUMERAL = /(?<![\w.])([-−]?)\s?([$€£¥₹])?\s?([-−]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\s*\/\s*(\d+(?:\.\d+)?))?(?![\d])/g;
// The same with the marks swapped: `1.234,5`.
const NUMERAL_COMMA = /(?<![\w,])([-−]?)\s?([$€£¥₹])?\s?([-−]?)((?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|,\d+)(?:\s*\/\s*(\d+(?:,\d+)?))?(?![\d])/g;

/**
 * The decimal mark a text uses, judged from the whole text as a reader would: `comma` when some
 * number can only be read that way (a decimal comma `0,05`, several dot groups `1.200.000`, or a
 * dot group of zeros `276.000`, which nobody writes as a decimal) and no number uses a decimal point
 * (`6.67`) or a thousands comma (`1,234`); `point` otherwise.
 */
export function decimalMark(text: string): DecimalMark {
  const plain = delatex(text);
  const commaOnly = /\d,\d{1,2}(?!\d)|\d{1,3}(?:\.\d{3}){2,}(?![\d.,])|\d\.000(?![\d.,])/.test(plain);
  if (!commaOnly) return 'point';
  const pointOnly = /\d\.(?:\d{1,2}|\d{4,})(?![\d])|\d,\d{3}(?![\d])/.test(plain);
  return pointOnly ? 'point' : 'comma';
}

function numeralsIn(text: string, mark: DecimalMark): ParsedNumber[] {
  const out: ParsedNumber[] = [];
  for (const m of text.matchAll(mark === 'comma' ? NUMERAL_COMMA : NUMERAL)) {
    const digits = mark === 'comma' ? (m[4] ?? '').replace(/\./g, '').replace(',', '.') : (m[4] ?? '').replace(/,/g, '');
    let value = Number(digits);
    if (m[5] !== undefined) {
      const den = Number(mark === 'comma' ? m[5].replace(',', '.') : m[5]);
      if (den === 0) continue;
      value /= den;
    }
    if (!Number.isFinite(value)) continue;
    if (m[1] || m[3]) value = -value;
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const sign = m[2];
    // A currency sign just before a sign-less number also counts: "$ 4".
    const before = text.slice(Math.max(0, start - 2), start).trim();
    const currency = sign ? CURRENCY_SIGNS[sign] : CURRENCY_SIGNS[before.slice(-1)];
    const after = unitAfter(text, end);
    out.push({ value, start, end, ...(currency ? { currency } : after.currency ? { currency: after.currency } : {}), ...(after.unit ? { unit: after.unit } : {}) });
  }
  return out;
}

const WORD_TOKEN = /[A-Za-z]+(?:-[A-Za-z]+)?/g;

/** Number words: `one thousand two hundred`, `twenty-five`, `a dozen` is out of scope. */
function wordNumbersIn(text: string): ParsedNumber[] {
  const out: ParsedNumber[] = [];
  const tokens = [...text.matchAll(WORD_TOKEN)].map((m) => ({ w: m[0].toLowerCase(), start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
  let i = 0;
  while (i < tokens.length) {
    let total = 0;
    let current = 0;
    let used = 0;
    let j = i;
    while (j < tokens.length) {
      const tok = tokens[j];
      if (!tok) break;
      const parts = tok.w.split('-');
      const smalls = parts.map((p) => SMALL[p]);
      if (smalls.every((v) => v !== undefined)) {
        current += smalls.reduce<number>((s, v) => s + (v ?? 0), 0);
      } else if (SCALES[tok.w] !== undefined && used > 0) {
        const scale = SCALES[tok.w] ?? 1;
        if (scale === 100) current = (current || 1) * 100;
        else {
          total += (current || 1) * scale;
          current = 0;
        }
      } else if (tok.w === 'and' && used > 0 && j + 1 < tokens.length && SMALL[tokens[j + 1]?.w.split('-')[0] ?? ''] !== undefined) {
        // "three hundred and twelve"
      } else break;
      used++;
      j++;
    }
    if (used > 0) {
      const first = tokens[i];
      const last = tokens[j - 1];
      if (first && last) {
        const end = last.end;
        const after = unitAfter(text, end);
        out.push({ value: total + current, start: first.start, end, ...after });
      }
      i = j;
    } else i++;
  }
  return out;
}

/** Every number in the text, in order of appearance (digits and number words); `mark`: how the text writes decimals. */
export function findNumbers(text: string, mark: DecimalMark = 'point'): ParsedNumber[] {
  // A no-break or thin space between digit groups (`276 000`) only ever groups thousands.
  const plain = delatex(text).replace(/(\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))/g, '$1');
  const all = mixedNumbers([...numeralsIn(plain, mark)], plain).concat(wordNumbersIn(plain));
  all.sort((a, b) => a.start - b.start);
  return all;
}

/**
 * `3 1/2` is three and a half: a whole number, one space, then a proper fraction (numerator below
 * its denominator) is one number, as a person reads it, not the whole and the fraction apart.
 */
function mixedNumbers(nums: ParsedNumber[], text: string): ParsedNumber[] {
  const out: ParsedNumber[] = [];
  for (let k = 0; k < nums.length; k++) {
    const whole = nums[k] as ParsedNumber;
    const frac = nums[k + 1];
    const wholeText = text.slice(whole.start, whole.end);
    const fracText = frac ? text.slice(frac.start, frac.end) : '';
    const m = /^\s?(\d+)\s*\/\s*(\d+)$/.exec(fracText);
    if (frac && m && /^\s?\d+$/.test(wholeText) && text.slice(whole.end, frac.start + (fracText.startsWith(' ') ? 1 : 0)) === ' ' && Number(m[1]) < Number(m[2]) && whole.value >= 0) {
      out.push({ ...frac, value: whole.value + frac.value, start: whole.start });
      k++;
    } else out.push(whole);
  }
  return out;
}

/** The number a short answer span states, when it states exactly one (else null). */
export function parseNumberAnswer(span: string, mark: DecimalMark = 'point'): ParsedNumber | null {
  const nums = findNumbers(span, mark);
  if (nums.length === 0) return null;
  if (nums.length === 1) return nums[0] ?? null;
  // One stated answer `57 500` is one number grouped by spaces, not two answers.
  const grouped = /^\D{0,3}\d{1,3}(?: \d{3})+(?!\d)/.test(span.trim()) ? findNumbers(span.replace(/(\d) (?=\d{3}(?!\d))/g, '$1'), mark) : [];
  if (grouped.length === 1) return grouped[0] ?? null;
  // "x = 18" or "3 + 4 = 7": the value after the last '=' is the result.
  const plain = delatex(span);
  const eq = plain.lastIndexOf('=');
  if (eq >= 0) {
    const after = nums.filter((n) => n.start > eq);
    if (after.length >= 1) return after[0] ?? null;
  }
  return null;
}

/** Canonical text of a value: 12 significant digits, so 1000, 1,000 and 1000.0 all read `1000`. */
export function numberKey(value: number): string {
  if (value === 0) return '0';
  return String(Number(value.toPrecision(12)));
}

/** Numeric equality with a relative tolerance; units and currencies decide only when both are named. */
export function numbersEqual(a: Pick<ParsedNumber, 'value' | 'unit' | 'currency'>, b: Pick<ParsedNumber, 'value' | 'unit' | 'currency'>): boolean {
  const scale = Math.max(1, Math.abs(a.value), Math.abs(b.value));
  if (Math.abs(a.value - b.value) > 1e-9 * scale) return false;
  if (a.currency && b.currency && a.currency !== b.currency) return false;
  if (a.unit && b.unit && a.unit !== b.unit && MEASURE_UNITS.has(a.unit) && MEASURE_UNITS.has(b.unit)) return false;
  return true;
}

/**
 * Units that change what a number means. Other words after a number (`3 bolts`, `48 brownies`) are
 * labels of the counted thing, too noisy to split answers on.
 */
const MEASURE_UNITS = new Set([
  '%', 'm', 'meter', 'metre', 'km', 'kilometer', 'kilometre', 'cm', 'centimeter', 'mm', 'millimeter', 'mile', 'foot', 'feet', 'ft', 'inch', 'yard',
  'kg', 'kilogram', 'g', 'gram', 'mg', 'lb', 'ounce', 'oz', 'ton', 'tonne', 'second', 'sec', 'minute', 'min', 'hour', 'hr', 'day', 'week', 'month',
  'year', 'decade', 'century', 'liter', 'litre', 'l', 'ml', 'milliliter', 'gallon', 'quart', 'pint', 'cup', 'mph', 'kph', 'degree', 'celsius', 'fahrenheit',
]);
