import type { ClassificationTask } from '../task/schema.js';
import { oneHot, spreadConfidence, statedConfidence } from './confidence.js';
import { fuzzyLabel } from './fuzzy.js';
import { readJsonAnswer } from './json-answer.js';
import { type AnswerRead, LabelMatcher, type Mention, REASON_WORDS } from './label-matcher.js';
import { LogprobReader } from './logprobs.js';
import { readAroundLostBytes } from './lost-bytes.js';
import { isRefusal } from './refusal.js';
import { cleanText, taggedAnswer, type Token, tokenize } from './text.js';
import { type ClassificationNormalizer, CUT_READING, type NormalizedLabel, type RawAnswer, type ReadMethod } from './types.js';
import { readScoreLines } from './score-lines.js';
import { asciiDigits } from './digits.js';
import { correctsEarlier, isStrongCue, takesBack, verdictStarts } from './verdict.js';

/** Answers of at most this many words that name no label are read as a clear answer outside the set. */
const SHORT_ANSWER_WORDS = 3;
const MAX_VERDICT_CUES = 48;
/** Answers longer than this many tokens are read as prose (see the lead rule in readText). */
const LONG_ANSWER_TOKENS = 8;
const NONE_OF_THE_ABOVE = /\bnone of (?:the )?(?:above|these|them|(?:the )?(?:given |provided )?(?:options|categories|labels|choices))\b/;

export interface ClassificationNormalizerOptions {
  /** Read token logprobs when an answer carries them (default true). */
  useLogprobs?: boolean;
}

/**
 * Builds the reader of raw answers for one task; all per-task lookup structures are built here,
 * once. Each answer becomes a distribution over the task's labels or an abstention with a reason:
 *
 * 0. What is read: `<think>` blocks, end-of-sequence markers and an invented next few-shot turn
 *    after a stated answer (`The answer is (A).\n\nQuestion: ...`) are dropped (text.ts).
 * 1. `empty`: nothing but whitespace, Markdown or punctuation.
 * 2. The whole answer spells a name or alias (`B`, ` positive`, `1.0`, ` 20`, `"Neutral."`): one-hot.
 * 3. JSON (or JSON in a code block), validated with zod: the label field read like a short answer,
 *    its confidence/probability/score field shaping the distribution (see confidence.ts), or a
 *    whole label -> probability map, renormalized over the known labels.
 *    An `<answer>...</answer>` tag is read as the whole answer; `<think>` blocks are dropped.
 *    Scores written as text for two or more labels (`Positive: 0.7, Neutral: 0.2, ...`) are a
 *    distribution too.
 * 4. Text: the answer at the start (after an `Answer:`/`Label:`-style prefix, a list marker, an
 *    opening bracket or filler words: `B) Anger`, `Negative. Because ...`, `(C)`; `Toxic: No`
 *    negates); a final verdict after a strong cue (`So the answer is C`, `Therefore: negative`),
 *    or a bare option letter or code closing the answer on its own line or sentence, wins over it
 *    and over every label mentioned while reasoning; weaker verdicts (`this comment is toxic`,
 *    `falls under B`, `the strongest is D`) count when nothing was stated up front. In answers
 *    longer than a few words, a label word opening a sentence counts only when punctuation, a line
 *    break or a reason (`because`) follows it. Several stated answers that disagree
 *    (`The answer is (I). ... The answer is (F).`) are `ambiguous`, unless the last one corrects
 *    the others (`However, ... the answer is (F)`).
 * 5. `refusal` when the model declines (`I cannot classify`, `As an AI`) and stated no label.
 * 6. Labels mentioned in running text, not negated (`not positive` does not count): one label is
 *    read as that label; several are `ambiguous`, and so is `either A or B`: the normalizer never
 *    picks one of two named labels. Labels spelt as a common word (natural's stopwords, such as
 *    `other`, or two letters such as `no`) do not count here, only where they stand as answers.
 *    Negations that rule out all labels but one (`not toxic` with two labels, `neither positive
 *    nor negative` with three) leave that one.
 * 7. A misspelt or abbreviated short answer, by Jaro-Winkler similarity or unique prefix (fuzzy.ts).
 * 8. `out-of-set` for a clear answer outside the labels (`G` when options run A-F, code `11`,
 *    `Mixed`, `none of the above`); `no-label` for everything else.
 * Option lines in `instructions` (`A: Scared or anxious`) add the spelling the prompt showed for a
 * letter or code as an alias of its label.
 *
 * A bare letter alias is an answer only where it stands as one: alone, `(A)`, `A)`, `A:`, `A.` at
 * the start, `option A`, `answer is A`. The article in `A positive review` is not option A.
 * With logprobs, the distribution comes from the first answer token's top_logprobs (see logprobs.ts);
 * the text reading picks that token and stays the fallback.
 */
export function createClassificationNormalizer(
  task: Pick<ClassificationTask, 'labels'> & { instructions?: string },
  options: ClassificationNormalizerOptions = {},
): ClassificationNormalizer {
  const matcher = new LabelMatcher(task);
  const logprobReader = new LogprobReader(matcher);
  const useLogprobs = options.useLogprobs ?? true;
  const K = matcher.K;
  const names = matcher.names;

  const label = (k: number, method: ReadMethod, confidence?: number): NormalizedLabel =>
    confidence === undefined
      ? { kind: 'label', dist: oneHot(K, k), method }
      : { kind: 'label', dist: spreadConfidence(K, k, confidence), method, confidence };
  const ambiguous = (labels: readonly number[]): NormalizedLabel => ({
    kind: 'abstain',
    reason: 'ambiguous',
    detail: [...new Set(labels)].map((k) => names[k]).join(' | '),
  });

  /** Step 4's reading of an answer position, as a result or undefined when nothing stands there. */
  const fromRead = (read: AnswerRead, method: ReadMethod, confidence: number | undefined): NormalizedLabel | undefined => {
    if (read.kind === 'label') return label(read.label, read.via === 'stem' && method === 'prefix' ? 'stem' : read.via === 'alias' && method === 'prefix' ? 'alias' : method, confidence);
    if (read.kind === 'ambiguous') return ambiguous(read.labels);
    return undefined;
  };

  /** A label value from a JSON field: a short answer, read without JSON or verdict search. */
  const readValue = (value: string, confidence: number | undefined): NormalizedLabel => {
    const whole = matcher.lookupWhole(value);
    if (whole) return label(whole.label, 'json', confidence);
    const tokens = tokenize(cleanText(value));
    const read = matcher.readAnswerAt(tokens, 0);
    if (read.kind === 'label') return label(read.label, 'json', confidence);
    if (read.kind === 'ambiguous') return ambiguous(read.labels);
    if (read.kind === 'out-of-set') return { kind: 'abstain', reason: 'out-of-set', detail: read.token };
    // A sentence in the label field (`"answer": "The sentiment is positive because ..."`) is read as text.
    if (tokens.filter((t) => t.kind === 'word').length > SHORT_ANSWER_WORDS) {
      const text = readText(value);
      return text.kind === 'label' ? label(argmaxOf(text.dist), 'json', confidence ?? text.confidence) : text;
    }
    const fuzzy = fuzzyLabel(matcher, value.trim().toLowerCase());
    if (fuzzy) return label(fuzzy.label, 'json', confidence);
    if (value.trim() === '') return { kind: 'abstain', reason: 'empty', detail: 'empty JSON label' };
    return { kind: 'abstain', reason: 'out-of-set', detail: value.trim().slice(0, 60) };
  };

  const readJson = (raw: string): NormalizedLabel | undefined => {
    const json = readJsonAnswer(raw);
    if (!json) return undefined;
    if (json.distribution) {
      const dist = new Float64Array(K);
      let total = 0;
      for (const [key, value] of Object.entries(json.distribution)) {
        const hit = matcher.lookupWhole(key);
        if (!hit || !Number.isFinite(value) || value < 0) continue;
        dist[hit.label] = (dist[hit.label] as number) + value;
        total += value;
      }
      if (total > 0) {
        for (let k = 0; k < K; k++) dist[k] = (dist[k] as number) / total;
        return { kind: 'label', dist, method: 'json' };
      }
    }
    if (json.labelNull) return { kind: 'abstain', reason: 'empty', detail: 'JSON label null' };
    if (json.labels) {
      const read = json.labels.map((v) => readValue(v, json.confidence));
      const picked = new Set(read.map((r) => (r.kind === 'label' ? argmaxOf(r.dist) : -1)));
      // One label however often it is listed is that label; two or more, or one that cannot be read, is no single answer.
      if (picked.size === 1 && !picked.has(-1)) return read[0] as NormalizedLabel;
      const labelsRead = [...picked].filter((k) => k >= 0);
      return labelsRead.length > 1 ? ambiguous(labelsRead) : { kind: 'abstain', reason: 'no-label', detail: `JSON label list ${json.labels.join(', ').slice(0, 60)}` };
    }
    if (json.label === undefined) return undefined;
    return readValue(json.label, json.confidence);
  };

  /** The content of an `<answer>` tag is the whole answer; an empty tag is an empty answer. */
  const readTagged = (content: string): NormalizedLabel => {
    if (content.trim() === '') return { kind: 'abstain', reason: 'empty', detail: 'empty answer tag' };
    const whole = matcher.lookupWhole(content);
    return whole ? label(whole.label, whole.via) : (readJson(content) ?? readText(content));
  };

  const readText = (raw: string): NormalizedLabel => {
    const clean = cleanText(raw);
    const lower = clean.toLowerCase();
    const tokens = tokenize(clean);
    if (!tokens.some((t) => t.kind !== 'punct')) return { kind: 'abstain', reason: 'empty' };
    if (/[:=(]\s*\d/.test(lower)) {
      const scores = readScoreLines(matcher, tokens);
      if (scores) return { kind: 'label', dist: scores, method: 'json' };
    }
    const confidence = statedConfidence(lower);
    const start = matcher.answerStart(tokens);

    let lead = matcher.readAnswerAt(tokens, start);
    // In a long answer, a label word opening a sentence (`Negative news dominated ...`) is only an
    // answer when a boundary follows it: punctuation, a line break, or `because`-style reasons.
    if (lead.kind === 'label' && lead.via !== 'alias' && tokens.length > LONG_ANSWER_TOKENS) {
      const next = tokens[lead.end];
      if (next && !next.newline && next.kind !== 'punct' && !REASON_WORDS.has(next.text)) lead = { kind: 'none' };
    }
    let weak: NormalizedLabel | undefined;
    let weakOffset = 0;
    /** Strong verdicts, last first. */
    const strong: { result: NormalizedLabel; offset: number }[] = [];
    // Verdicts stand at the end; the last few dozen cues are plenty and keep odd inputs linear.
    for (const offset of verdictStarts(lower).slice(0, MAX_VERDICT_CUES)) {
      const at = firstTokenFrom(tokens, offset);
      if (at < 0 || at <= start) continue;
      const read = matcher.readAnswerAt(tokens, at, { listMarkers: false });
      const result = fromRead(read, 'verdict', confidence);
      if (!result) continue;
      if (isStrongCue(lower, offset)) strong.push({ result, offset });
      else if (weak === undefined) {
        weak = result;
        weakOffset = offset;
      }
    }
    if (strong.length > 0) return settleVerdicts(strong, lower);
    const final = matcher.finalAlias(tokens, start);
    if (final.kind === 'label') {
      // `1\n0`: two bare answers in a row are two answers, not an answer and a verdict.
      if (lead.kind === 'label' && lead.label !== final.label && !tokens.slice(lead.end, final.start).some((t) => t.kind === 'word')) {
        return ambiguous([lead.label, final.label]);
      }
      return label(final.label, 'verdict', confidence);
    }
    const fromLead = fromRead(lead, 'prefix', confidence);
    // An answer given up front and then taken back (`Positive. Wait, ... it is negative`): the later one.
    if (fromLead?.kind === 'label' && weak?.kind === 'label' && lead.kind === 'label' && argmaxOf(weak.dist) !== lead.label) {
      const leadEnd = (tokens[lead.end - 1] as Token).end;
      if (takesBack(lower, leadEnd, weakOffset)) return weak;
    }
    if (fromLead) return fromLead;
    if (lead.kind === 'out-of-set') return { kind: 'abstain', reason: 'out-of-set', detail: lead.token };
    if (weak?.kind === 'label') return weak;
    if (isRefusal(lower)) return { kind: 'abstain', reason: 'refusal' };
    if (weak) return weak;

    if (NONE_OF_THE_ABOVE.test(lower)) return { kind: 'abstain', reason: 'out-of-set', detail: 'none of the above' };
    const { mentions, outOfSet } = matcher.mentions(tokens);
    const fromMentions = readMentions(mentions, lead.kind === 'negated' ? lead.label : undefined);
    if (fromMentions !== undefined) {
      if (fromMentions.kind === 'ambiguous') return ambiguous(fromMentions.labels);
      return label(fromMentions.label, fromMentions.method, confidence);
    }
    if (outOfSet.length > 0) return { kind: 'abstain', reason: 'out-of-set', detail: outOfSet.join(', ') };

    const rest = tokens.slice(start);
    const words = rest.filter((t) => t.kind === 'word');
    // A negated label (`not positive`) says what the answer is not; it is no misspelling of it.
    const negatedOnly = lead.kind === 'negated' || mentions.length > 0;
    if (negatedOnly) {
      const negated = [...new Set(mentions.map((m) => names[m.label]))].join(' | ');
      return { kind: 'abstain', reason: 'no-label', detail: negated ? `only negated: ${negated}` : 'negated answer' };
    }
    if (words.length > 0 && words.length <= SHORT_ANSWER_WORDS) {
      const phrase = lower.slice(rest[0]?.start ?? 0).replace(/[^\p{L}\p{N}\s'-]+/gu, ' ').trim();
      const fuzzy = fuzzyLabel(matcher, phrase) ?? singleFuzzy(words);
      if (fuzzy) return label(fuzzy.label, 'fuzzy', confidence);
      return { kind: 'abstain', reason: 'out-of-set', detail: phrase.slice(0, 60) };
    }
    return words.length === 0 ? { kind: 'abstain', reason: 'no-label', detail: 'no words' } : { kind: 'abstain', reason: 'no-label' };
  };

  /**
   * Several stated answers (`The answer is (I). ... The answer is (F).`): agreeing ones are that
   * answer; disagreeing ones are `ambiguous`, unless the last one corrects the others
   * (`However, ... the answer is (F)`, `Actually, the answer is B`).
   */
  const settleVerdicts = (strong: readonly { result: NormalizedLabel; offset: number }[], lower: string): NormalizedLabel => {
    const last = strong[0] as { result: NormalizedLabel; offset: number };
    const labels = new Set(strong.map((v) => (v.result.kind === 'label' ? argmaxOf(v.result.dist) : -1)));
    if (labels.size === 1) return last.result;
    if (correctsEarlier(lower, last.offset)) return last.result;
    return ambiguous([...labels].filter((k) => k >= 0));
  };

  /** One fuzzy label shared by every word that has one (`very postive` -> positive). */
  const singleFuzzy = (words: readonly Token[]): { label: number } | undefined => {
    let found: number | undefined;
    for (const w of words) {
      const hit = fuzzyLabel(matcher, w.text);
      if (!hit) continue;
      if (found !== undefined && found !== hit.label) return undefined;
      found = hit.label;
    }
    return found === undefined ? undefined : { label: found };
  };

  /** Step 6: what the labels mentioned in running text add up to. */
  const readMentions = (
    mentions: readonly Mention[],
    negatedLead: number | undefined,
  ): { kind: 'label'; label: number; method: ReadMethod } | { kind: 'ambiguous'; labels: number[] } | undefined => {
    const stated = new Set<number>();
    const negated = new Set<number>(negatedLead === undefined ? [] : [negatedLead]);
    let allStem = true;
    for (const m of mentions) {
      if (m.negated) negated.add(m.label);
      else {
        stated.add(m.label);
        if (m.via !== 'stem') allStem = false;
      }
    }
    for (const k of negated) stated.delete(k);
    if (stated.size === 1) return { kind: 'label', label: [...stated][0] as number, method: allStem ? 'stem' : 'mention' };
    if (stated.size > 1) return { kind: 'ambiguous', labels: [...stated] };
    if (negated.size === K - 1) {
      for (let k = 0; k < K; k++) if (!negated.has(k)) return { kind: 'label', label: k, method: 'mention' };
    }
    return undefined;
  };

  const sameReading = (a: NormalizedLabel, b: NormalizedLabel): boolean =>
    a.kind === 'label' ? b.kind === 'label' && argmaxOf(a.dist) === argmaxOf(b.dist) : b.kind === 'abstain' && a.reason === b.reason;
  const lostBytes = { same: sameReading, abstain: (detail: string): NormalizedLabel => ({ kind: 'abstain', reason: 'encoding', detail }), answers: names };
  return (answer: RawAnswer): NormalizedLabel => answer.cut ? CUT_READING : readAroundLostBytes(answer.output, (raw) => readAnswer({ ...answer, output: raw }), lostBytes);

  function readAnswer(answer: RawAnswer): NormalizedLabel {
    const raw = asciiDigits(answer.output);
    if (raw.trim() === '') return { kind: 'abstain', reason: 'empty' };
    const whole = matcher.lookupWhole(raw);
    const tagged = whole ? undefined : taggedAnswer(raw);
    const text = whole ? label(whole.label, whole.via) : tagged !== undefined ? readTagged(tagged) : (readJson(raw) ?? readText(raw));
    if (useLogprobs && answer.logprobs && answer.logprobs.length > 0 && text.kind === 'label') {
      const dist = logprobReader.distribution(answer.logprobs, argmaxOf(text.dist));
      if (dist) return { kind: 'label', dist, method: 'logprobs' };
    }
    return text;
  }
}

/** Index of the first token starting at or after `offset`, or -1 (binary search). */
function firstTokenFrom(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid] as Token).start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < tokens.length ? lo : -1;
}

function argmaxOf(d: Float64Array): number {
  let best = 0;
  for (let k = 1; k < d.length; k++) if ((d[k] as number) > (d[best] as number)) best = k;
  return best;
}
