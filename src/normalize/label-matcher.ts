import { stopwords as STOPWORD_LIST } from 'natural/lib/natural/util/index.js';
import type { ClassificationTask } from '../task/schema.js';
import { isNegated, isNegatorAt } from './negation.js';
import { isWordForm, stem } from './stemming.js';
import { bareKey, canonicalNumber, type Token, tokenize } from './text.js';

/** How a label was recognised at a position. */
export type MatchVia = 'exact' | 'alias' | 'stem';

/** A spelling of a label as a token sequence: its name, a short name, or a word alias. */
export interface Phrase {
  label: number;
  words: string[];
  via: 'exact' | 'alias';
}

/** What stands at an answer position (start of the answer, after `the answer is`, a JSON value). */
export type AnswerRead =
  | { kind: 'label'; label: number; via: MatchVia; start: number; end: number }
  | { kind: 'ambiguous'; labels: number[] }
  | { kind: 'negated'; label: number }
  | { kind: 'out-of-set'; token: string }
  | { kind: 'none' };

/** A label named somewhere in running text. */
export interface Mention {
  label: number;
  start: number;
  end: number;
  via: MatchVia;
  negated: boolean;
}

/** Words that introduce an answer without being one: `option B`, `the label neutral`, `code 12`. */
const ANSWER_FILLERS = new Set([
  'the', 'a', 'an', 'option', 'choice', 'letter', 'label', 'category', 'code', 'topic', 'class', 'number', 'no',
  'most', 'likely', 'probably', 'definitely', 'clearly', 'very', 'mostly', 'slightly', 'mildly', 'somewhat', 'strongly',
  'rather', 'quite', 'more', 'overall', 'either', 'between', 'generally', 'predominantly', 'primarily', 'as', 'be', 'is', 'it', "it's", 'one',
]);
/** Punctuation that may open an answer: `(B)`, `"positive"`, `- B`, `: B`. */
const OPENERS = new Set(['(', '[', '{', '"', "'", '-', ':', '=', '#', '<', '>', '\\', '$']);
/** Punctuation that may close a bare letter or code answer: `B)`, `B:`, `B.`, `B -`. */
const ALIAS_CLOSERS = new Set([')', ']', '}', ':', '.', '-', ',', ';', '"', "'", '!', '>', '/', '(', '<', '\\', '$']);
/** Words joining two alternatives: `positive or neutral`, `A/B`, `neutral to positive`. */
const ALTERNATIVE_JOINERS = new Set(['or', 'and', '/', 'vs', 'versus', 'to', 'nor', '&', '|', ',', ';']);
/** Words that start the reason after an answer: `B because ...`, `Negative as the stock fell`. */
export const REASON_WORDS = new Set(['because', 'since', 'as', 'due', 'given', 'for', 'with']);
/** Words after which a bare letter or code in running text is an answer token: `option A`, `code 12`. */
const ALIAS_INTRODUCERS = new Set(['option', 'choice', 'letter', 'answer', 'code', 'topic', 'category', 'class', 'label']);

const MAX_STEM_LENGTH = 30;
/** natural's English stopwords: a label spelt as one of them (`other`) is too common to count in prose. */
const STOPWORDS = new Set(STOPWORD_LIST);

function isSingleLetter(s: string): boolean {
  return /^\p{L}$/u.test(s);
}

/**
 * The task's labels prepared for fast reading, built once per task: exact spellings for the
 * whole-answer fast path, bare-letter and numeric-code aliases (which count only where they stand
 * as an answer), and phrases for names, short names and word aliases (matched by word form too).
 */
export class LabelMatcher {
  readonly K: number;
  readonly names: readonly string[];
  /** Whole-answer spellings (bareKey form) -> label and whether it is the name or an alias. */
  private readonly whole = new Map<string, { label: number; via: 'exact' | 'alias' }>();
  /** Single-letter aliases, lowercased. */
  private readonly letters = new Map<string, number>();
  /** Numeric-code aliases, canonical digits. */
  private readonly numbers = new Map<string, number>();
  /** Phrases by their first word, and by the Porter stem of their first word. */
  private readonly byFirst = new Map<string, Phrase[]>();
  private readonly byStem = new Map<string, Phrase[]>();
  /** Every phrase (token sequences of word spellings). */
  readonly phrases: Phrase[] = [];
  /** Every word spelling as written (bare key), for fuzzy and token-prefix matching. */
  readonly spellings: { key: string; label: number }[] = [];
  readonly usesLetters: boolean;
  readonly usesNumbers: boolean;
  /**
   * Labels spelt as a stopword or a word of at most two letters (`other`, `no`): in running text
   * such a word is ordinary language, so it counts only where it stands as an answer.
   */
  private readonly commonWordLabels = new Set<number>();

  constructor(task: Pick<ClassificationTask, 'labels'> & { instructions?: string }) {
    this.K = task.labels.length;
    this.names = task.labels.map((l) => l.name);
    const shortNames = task.labels.map((l) => shortName(l.name));
    const shortCount = new Map<string, number>();
    for (const s of shortNames) if (s) shortCount.set(s, (shortCount.get(s) ?? 0) + 1);

    task.labels.forEach((label, k) => {
      this.addWhole(label.name, k, 'exact');
      // Names that are codes or letters (`1`..`5` ratings, `A`/`B`) are read like aliases of that kind.
      const nameKey = bareKey(label.name);
      const nameNum = canonicalNumber(nameKey);
      if (nameNum !== undefined) this.numbers.set(nameNum, k);
      else if (isSingleLetter(nameKey)) this.letters.set(nameKey, k);
      const short = shortNames[k];
      // A short name shared by two labels names neither.
      if (short && shortCount.get(short) === 1) this.addWhole(short, k, 'exact');
      for (const alias of label.aliases) {
        const key = bareKey(alias);
        if (key === '') continue;
        const num = canonicalNumber(key);
        if (num !== undefined) this.numbers.set(num, k);
        else if (isSingleLetter(key)) this.letters.set(key, k);
        this.addWhole(alias, k, 'alias');
      }
    });
    if (task.instructions) this.addOptionLines(task.instructions);
    // Phrases only for word spellings: letters and codes are read where they stand as answers.
    for (const [key, { label, via }] of this.whole) {
      if (isSingleLetter(key) || canonicalNumber(key) !== undefined) continue;
      const words = tokenize(key).map((t) => t.text);
      if (words.length === 0) continue;
      this.spellings.push({ key, label });
      if (words.length === 1 && (STOPWORDS.has(key) || key.length <= 2)) this.commonWordLabels.add(label);
      const phrase: Phrase = { label, words, via };
      this.phrases.push(phrase);
      push(this.byFirst, words[0] as string, phrase);
      const first = words[0] as string;
      push(this.byStem, stem(first), phrase);
      // Porter stems `joy` to `joi` but `joyful` to `joy`: short words are also found by themselves.
      if (first.length === 3 && stem(first) !== first) push(this.byStem, first, phrase);
    }
    this.usesLetters = this.letters.size > 0;
    this.usesNumbers = this.numbers.size > 0;
  }

  private addWhole(spelling: string, k: number, via: 'exact' | 'alias'): void {
    const key = bareKey(spelling);
    if (key === '') return;
    const variants = [key];
    // `non-toxic` is also written `non toxic` and `nontoxic`.
    if (key.includes('-')) variants.push(key.replace(/-/g, ' '), key.replace(/-/g, ''));
    for (const v of variants) {
      const prev = this.whole.get(v);
      // The name wins over another label's alias; the first spelling wins otherwise (labelIndex reports clashes).
      if (prev === undefined || (prev.via === 'alias' && via === 'exact')) this.whole.set(v, { label: k, via });
    }
    const num = canonicalNumber(key);
    if (num !== undefined && !this.whole.has(num)) this.whole.set(num, { label: k, via });
  }

  /**
   * Option lines of the prompt (`A: Fear`, `12. Law and crime`) name the label of their letter or
   * code the way the models saw it; those spellings count as aliases unless another label has them.
   */
  private addOptionLines(instructions: string): void {
    for (const line of instructions.split('\n')) {
      const m = /^\s*\(?([A-Za-z]|\d{1,3})[).:]\s+(\S.{0,200})$/.exec(line);
      if (!m) continue;
      const key = (m[1] as string).toLowerCase();
      const k = this.letters.get(key) ?? this.numberLabel(key);
      if (k === undefined) continue;
      for (const spelling of [m[2] as string, shortName(m[2] as string)]) {
        if (!spelling) continue;
        const bare = bareKey(spelling);
        if (bare !== '' && !this.whole.has(bare) && !isSingleLetter(bare) && canonicalNumber(bare) === undefined) this.whole.set(bare, { label: k, via: 'alias' });
      }
    }
  }

  /**
   * Where the answer proper starts: after a short `Answer:` / `Sentiment:` / `Final label:` prefix
   * (one to three words and a colon, when those words are not themselves a label or alias).
   */
  answerStart(tokens: readonly Token[]): number {
    for (let i = 1; i <= 3 && i < tokens.length; i++) {
      const t = tokens[i] as Token;
      if (t.kind === 'punct') {
        if (t.text !== ':') return 0;
        const head = tokens.slice(0, i);
        if (head.some((h) => h.kind !== 'word')) return 0;
        if (this.phraseAt(tokens, 0)) return 0;
        if (i === 1 && isSingleLetter(head[0]?.text ?? '')) return 0;
        return i + 1;
      }
      if (t.newline) return 0;
    }
    return 0;
  }

  /** The label an entire (bare) answer spells exactly, if any: the fast path for `B`, ` positive`, `1.0`. */
  lookupWhole(raw: string): { label: number; via: 'exact' | 'alias' } | undefined {
    const key = bareKey(raw);
    const hit = this.whole.get(key);
    if (hit) return hit;
    const num = canonicalNumber(key);
    if (num !== undefined) {
      const k = this.numbers.get(num);
      if (k !== undefined) return { label: k, via: 'alias' };
    }
    return undefined;
  }

  letterLabel(token: string): number | undefined {
    return this.letters.get(token);
  }

  numberLabel(token: string): number | undefined {
    const num = canonicalNumber(token);
    return num === undefined ? undefined : this.numbers.get(num);
  }

  /**
   * The longest label phrase starting at token `i`: words must match exactly or as word forms
   * (see isWordForm). Two labels matching the same longest span make it ambiguous.
   */
  phraseAt(tokens: readonly Token[], i: number): { labels: number[]; end: number; via: MatchVia } | undefined {
    const t = tokens[i];
    if (!t) return undefined;
    // Option texts may start with punctuation (`$925.00`): punctuation is looked up like words.
    const exact = this.byFirst.get(t.text);
    // Long tokens are no inflection of a label word (and Porter is slow on them).
    const stemmed = t.kind === 'word' && t.text.length >= 3 && t.text.length <= MAX_STEM_LENGTH ? this.byStem.get(stem(t.text)) : undefined;
    if (!exact && !stemmed) return undefined;
    let bestLen = 0;
    let labels: number[] = [];
    let via: MatchVia = 'exact';
    const consider = (p: Phrase): void => {
      let usedStem = false;
      for (let w = 0; w < p.words.length; w++) {
        const tok = tokens[i + w];
        const word = p.words[w] as string;
        if (!tok) return;
        if (tok.text === word) continue;
        if (tok.kind === 'word' && isWordForm(tok.text, word)) usedStem = true;
        else return;
      }
      const len = p.words.length;
      const v: MatchVia = usedStem ? 'stem' : p.via;
      if (len > bestLen) {
        bestLen = len;
        labels = [p.label];
        via = v;
      } else if (len === bestLen && !labels.includes(p.label)) labels.push(p.label);
      else if (len === bestLen && v !== 'stem' && via === 'stem') via = v;
    };
    if (exact) for (const p of exact) consider(p);
    if (stemmed) for (const p of stemmed) consider(p);
    if (bestLen === 0) return undefined;
    return { labels, end: i + bestLen, via };
  }

  /**
   * Reads the answer standing at token `i`: a bare letter or code alias followed by a closer or
   * the end (`B`, `(B)`, `B) Anger`, `12.`), or a label phrase, after openers and filler words
   * (`option`, `the`, `most likely`). Reports a clash when a letter and the name after it disagree
   * (`B: Joy`), alternatives (`positive or neutral`), negation (`not B`), and clear answer tokens
   * outside the label set (`G` when options run A-F, code `11`).
   */
  readAnswerAt(tokens: readonly Token[], i: number, opts: { listMarkers?: boolean } = {}): AnswerRead {
    let fillers = 0;
    let skippedNumber = false;
    while (i < tokens.length) {
      const t = tokens[i] as Token;
      // A label spelling that starts with an opener (`$925.00`), a negator (`non-toxic`) or a
      // number (`4.5 stars`) is that label.
      const phraseHere = this.phraseAt(tokens, i);
      if (!phraseHere && t.kind === 'punct' && OPENERS.has(t.text)) {
        i++;
        continue;
      }
      if (!phraseHere && isNegatorAt(tokens, i)) {
        const inner = this.readAnswerAt(tokens, i + 1);
        if (inner.kind === 'label') return { kind: 'negated', label: inner.label };
        return { kind: 'none' };
      }
      // A bare letter: only an answer when nothing but a closer or the end follows it.
      if (t.kind === 'word' && isSingleLetter(t.text)) {
        const next = tokens[i + 1];
        const closes =
          !next ||
          next.newline ||
          (next.kind === 'punct' && ALIAS_CLOSERS.has(next.text)) ||
          // `B because ...`: a capital letter followed by its reason.
          (t.upper && (next.text === 'because' || next.text === 'since'));
        const k0 = this.letters.get(t.text);
        // `A C`, `A or B`, `A/B`: two option letters in a row are two answers.
        if (!closes && k0 !== undefined && next) {
          const j = ALTERNATIVE_JOINERS.has(next.text) ? i + 2 : i + 1;
          const second = tokens[j];
          const other = second && second.kind === 'word' && isSingleLetter(second.text) ? this.letters.get(second.text) : undefined;
          const after = tokens[j + 1];
          if (other !== undefined && other !== k0 && (!after || after.kind === 'punct' || after.newline)) return { kind: 'ambiguous', labels: [k0, other] };
        }
        if (closes) {
          const k = this.letters.get(t.text);
          if (k !== undefined) return this.afterAlias(tokens, i, k);
          if (this.usesLetters) return { kind: 'out-of-set', token: t.text.toUpperCase() };
        }
      }
      if (t.kind === 'number' && !phraseHere) {
        const k = this.numberLabel(t.text);
        if (k !== undefined && this.usesNumbers) {
          // `-1` is minus one, not the label 1: a dash glued to the number with nothing before it
          // that it could join (`3-4`, `non-1`) is a sign.
          const prev = tokens[i - 1];
          const before = tokens[i - 2];
          const signed = prev?.text === '-' && prev.end === t.start && !(before && before.end === prev.start && before.kind !== 'punct');
          if (signed) return { kind: 'out-of-set', token: `-${t.text}` };
          // `3-4`, `3 - 4`: a range of labels is several answers, never its first end.
          const dash = tokens[i + 1];
          const other = tokens[i + 2];
          if (dash?.text === '-' && other?.kind === 'number' && !dash.newline && !other.newline) {
            const k2 = this.numberLabel(other.text);
            return { kind: 'ambiguous', labels: k2 === undefined ? [k] : [k, k2] };
          }
        }
        if (k !== undefined) return this.afterAlias(tokens, i, k);
        if (this.usesNumbers && !t.text.includes('.')) return { kind: 'out-of-set', token: t.text };
        // Without numeric aliases a leading number is a list marker or noise (`1. negative`, `134 negative`).
        if (opts.listMarkers !== false && !skippedNumber) {
          skippedNumber = true;
          i++;
          if (tokens[i]?.text === '.' || tokens[i]?.text === ')') i++;
          continue;
        }
        return { kind: 'none' };
      }
      const phrase = phraseHere;
      if (phrase) {
        if (phrase.labels.length > 1) return { kind: 'ambiguous', labels: phrase.labels };
        return this.checkAlternatives(tokens, phrase.labels[0] as number, i, phrase.end, phrase.via);
      }
      if (t.kind === 'word' && ANSWER_FILLERS.has(t.text) && fillers < 4) {
        fillers++;
        i++;
        continue;
      }
      return { kind: 'none' };
    }
    return { kind: 'none' };
  }

  /** After an alias at `i`: the name that may follow must agree (`B) Anger` yes, `B: Joy` is a clash). */
  private afterAlias(tokens: readonly Token[], i: number, k: number): AnswerRead {
    let j = i + 1;
    while (j < tokens.length && tokens[j]?.kind === 'punct' && ALIAS_CLOSERS.has((tokens[j] as Token).text)) j++;
    const next = this.phraseAt(tokens, j);
    if (next && !next.labels.includes(k) && !tokens[j]?.newline) return { kind: 'ambiguous', labels: [k, ...next.labels] };
    // `A, C` or `A C`: a list of options is several answers.
    const t = tokens[j];
    if (j > i + 1 && t && t.kind === 'word' && isSingleLetter(t.text) && !t.newline) {
      const other = this.letters.get(t.text);
      const after = tokens[j + 1];
      if (other !== undefined && other !== k && (!after || after.kind === 'punct')) return { kind: 'ambiguous', labels: [k, other] };
    }
    const end = next && next.labels.includes(k) ? next.end : i + 1;
    return this.checkAlternatives(tokens, k, i, end, 'alias');
  }

  /** `positive or neutral`, `A/B`, `neutral to positive`: two answers are no answer. */
  private checkAlternatives(tokens: readonly Token[], k: number, start: number, end: number, via: MatchVia): AnswerRead {
    // `Toxic: No`, `Sarcasm - false`: the label named as a question answered no.
    const sep = tokens[end];
    const verdictWord = tokens[end + 1];
    if (sep && verdictWord && (sep.text === ':' || sep.text === '-' || sep.text === '?' || sep.text === '=') && !this.whole.has(verdictWord.text)) {
      if (verdictWord.text === 'no' || verdictWord.text === 'false') return { kind: 'negated', label: k };
    }
    // `neutral-to-positive`, `positive - or neutral`
    const at = tokens[end]?.text === '-' && ALTERNATIVE_JOINERS.has(tokens[end + 1]?.text ?? '') ? end + 1 : end;
    const joiner = tokens[at];
    // An echo of the option list (`A: Fear\nB: Anger`) is no answer either.
    const listed = joiner?.newline && joiner.kind === 'word' && isSingleLetter(joiner.text) ? this.letters.get(joiner.text) : undefined;
    if (listed !== undefined && listed !== k && (tokens[at + 1]?.text === ':' || tokens[at + 1]?.text === ')')) {
      return { kind: 'ambiguous', labels: [k, listed] };
    }
    if (joiner && !joiner.newline && ALTERNATIVE_JOINERS.has(joiner.text)) {
      for (let j = at + 1; j <= at + 3 && j < tokens.length; j++) {
        const t = tokens[j] as Token;
        if (t.kind === 'punct' && (t.text === '.' || t.text === ',')) break;
        const other = this.phraseAt(tokens, j);
        const alias = t.kind === 'word' && isSingleLetter(t.text) ? this.letters.get(t.text) : this.numberLabel(t.text);
        const labels = other ? other.labels : alias !== undefined ? [alias] : [];
        const rival = labels.find((l) => l !== k);
        if (rival !== undefined) {
          if (isNegated(tokens, j)) break;
          return { kind: 'ambiguous', labels: [k, rival] };
        }
      }
    }
    return { kind: 'label', label: k, via, start, end };
  }

  /**
   * A bare option letter or code closing the answer on its own (`... in two days. F`,
   * `reasoning ...\n\n14`): the model's final answer after its reasoning.
   */
  finalAlias(tokens: readonly Token[], from: number): AnswerRead {
    let last = tokens.length - 1;
    while (last >= 0 && (tokens[last] as Token).kind === 'punct' && ALIAS_CLOSERS.has((tokens[last] as Token).text)) last--;
    if (last <= from) return { kind: 'none' };
    const t = tokens[last] as Token;
    const prev = tokens[last - 1] as Token;
    const opened = prev.text === '(' ? tokens[last - 2] : prev;
    const standsAlone = t.newline || (opened !== undefined && opened.kind === 'punct' && ['.', '!', '?', ':'].includes(opened.text)) || (prev.text === '(' && t.newline);
    if (!standsAlone) return { kind: 'none' };
    const k = t.kind === 'word' && isSingleLetter(t.text) && t.upper ? this.letters.get(t.text) : t.kind === 'number' ? this.numberLabel(t.text) : undefined;
    return k === undefined ? { kind: 'none' } : { kind: 'label', label: k, via: 'alias', start: last, end: last + 1 };
  }

  /**
   * Every label named in running text. Names and word forms count anywhere; a bare letter or code
   * only where it stands as an answer token: `(A)`, `A)` at a line start, `option A`, `code 12`.
   * Out-of-set letters and codes in those places are reported with label -1.
   */
  mentions(tokens: readonly Token[]): { mentions: Mention[]; outOfSet: string[] } {
    const mentions: Mention[] = [];
    const outOfSet: string[] = [];
    for (let i = 0; i < tokens.length; ) {
      const t = tokens[i] as Token;
      const phrase = this.phraseAt(tokens, i);
      if (phrase) {
        const negated = isNegated(tokens, i);
        const single = phrase.end - i === 1;
        for (const label of phrase.labels) {
          if (single && this.commonWordLabels.has(label)) continue;
          mentions.push({ label, start: i, end: phrase.end, via: phrase.via, negated });
        }
        i = phrase.end;
        continue;
      }
      const isLetter = t.kind === 'word' && isSingleLetter(t.text);
      if ((isLetter && this.usesLetters) || (t.kind === 'number' && this.usesNumbers)) {
        const prev = tokens[i - 1];
        const next = tokens[i + 1];
        const bracketed = prev?.text === '(' && next?.text === ')';
        const atLineStart = (i === 0 || t.newline) && next !== undefined && (next.text === ')' || next.text === ':');
        const introduced = prev !== undefined && ALIAS_INTRODUCERS.has(prev.text) && (!next || next.kind === 'punct' || next.newline);
        if (bracketed || atLineStart || introduced) {
          const k = isLetter ? this.letters.get(t.text) : this.numberLabel(t.text);
          if (k !== undefined) mentions.push({ label: k, start: i, end: i + 1, via: 'alias', negated: isNegated(tokens, i) });
          else if (!isLetter || t.text !== 'a' || bracketed) outOfSet.push(isLetter ? t.text.toUpperCase() : t.text);
        }
      }
      i++;
    }
    return { mentions, outOfSet };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The head of a long label name, as models tend to answer it: `white grievance` for
 * `white grievance (frustration over ...)`, `evidence` for `evidence (providing concrete facts ...)`.
 */
export function shortName(name: string): string | undefined {
  const head = name.split(/\s*[(:;]|\s+[-–—]\s+/)[0]?.trim();
  if (!head || head === name.trim()) return undefined;
  return head;
}
