/**
 * Phrases after which a model states its final answer. In a long answer the last such phrase that
 * is followed by a label is the verdict, and it wins over labels mentioned while reasoning.
 * Each pattern is matched on the lowercased cleaned text; the answer is read where the match ends.
 */
const VERDICT_CUES: readonly RegExp[] = [
  // `the answer is C`, `Final answer: negative`, `my choice would be B`, `Label = positive`
  /\b(?:final |correct |best |right |most (?:accurate|appropriate|likely|fitting) |my )?(?:answer|option|choice|label|classification|category|prediction|verdict|response|output|result|selection|topic|code|class)s?(?: here)?(?: would be| will be| is| should be| must be|:| =| -)\s*/g,
  // `I would say B`, `I'd go with neutral`, `I classify it as toxic`
  /\b(?:i would|i'd|i will|i'll|i|we would|we)(?: therefore| thus| hence)? (?:say|choose|pick|select|go with|lean towards?|am leaning towards?|answer|label (?:it|this) as|classify (?:it|this|the \w+) as|categori[sz]e (?:it|this|the \w+) as|rate (?:it|this)(?: as)?|give (?:it|this)(?: a)?)\s*/g,
  // `is best described as B`, `would be classified as negative`, `falls under C`
  /\b(?:classified|categori[sz]ed|labell?ed|described|characteri[sz]ed|considered|seen|identified|marked) as\s*/g,
  /\b(?:falls?|fits?|goes) (?:under|into|in)\s*/g,
  /\bbelongs? (?:to|in)\s*/g,
  // `the sentiment is negative`, `the emotion expressed is joy`, `this comment is toxic`
  /\b(?:sentiment|emotion|tone|stance|topic|leaning|category|class|type|polarity|politeness|strategy|language)(?: (?:of|in|expressed|conveyed|used)(?: (?:by|in))?(?: the| this)?(?: \w+)?)?(?: (?:is|would be|seems to be|appears to be|here is)\s+|\s*:\s*)/g,
  /\b(?:text|sentence|comment|statement|tweet|post|article|message|headline|conversation|request|passage|review|hypothesis|it|this) (?:is|seems|appears|would be|reads as|comes across as)(?: to be)?(?: (?:clearly|mostly|overall|largely|primarily|rather|more|most likely|likely|probably))?\s+/g,
  // `the strongest is D`, `the best fit would be neutral`, `most likely one is B`
  /\b(?:strongest|best|closest|likeliest|most (?:likely|fitting|accurate|appropriate|suitable|plausible|probable))(?: (?:fit|match|one|option|choice|candidate|label|category))? (?:is|would be|seems to be|remains)\s+/g,
  // Sentence-initial conclusions: `So, C.`, `Therefore: negative`, `Overall, neutral`
  /(?:^|[.!?;\n]\s*|,\s*)(?:so|therefore|thus|hence|overall|in conclusion|in summary|to conclude|to summari[sz]e|in short|ultimately|all in all|conclusion|summary)\b[,:]?\s*/g,
];

/** Offsets (into the text) where a stated verdict would begin, last first. */
export function verdictStarts(lowerText: string): number[] {
  const starts: number[] = [];
  for (const re of VERDICT_CUES) {
    re.lastIndex = 0;
    for (let m = re.exec(lowerText); m !== null; m = re.exec(lowerText)) {
      starts.push(m.index + m[0].length);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return [...new Set(starts)].sort((a, b) => b - a);
}

/** Cues after which a stated label overrides an answer given up front (`... So the answer is C`). */
const STRONG_CUE = /(?:answer|option|choice|label|classification|category|prediction|verdict|response|output|result|selection|topic|code|class)s?(?: here)?(?: would be| will be| is| should be| must be|:| =| -)\s*$|\b(?:say|choose|pick|select|go with|lean towards?)\s*$|(?:^|[.!?;\n,]\s*)(?:so|therefore|thus|hence|overall|in conclusion|in summary|to conclude|to summari[sz]e|in short|ultimately|all in all|conclusion|summary)\b[,:]?\s*$/;
/** Words by which a later verdict corrects an earlier one. */
const CORRECTION = /\b(?:however|but|actually|wait|correction|on second thought|on reflection|upon reflection|rather|instead|re-?evaluat\w*|reconsider\w*|corrected)\b/;

/** Whether the verdict starting at `offset` follows a strong cue (a stated answer, `so`, `therefore`). */
export function isStrongCue(lowerText: string, offset: number): boolean {
  return STRONG_CUE.test(lowerText.slice(Math.max(0, offset - 60), offset));
}

/** Whether the sentence holding the verdict at `offset` corrects what came before (`However, ...`). */
export function correctsEarlier(lowerText: string, offset: number): boolean {
  const sentenceStart = Math.max(lowerText.lastIndexOf('.', offset - 1), lowerText.lastIndexOf('\n', offset - 1)) + 1;
  return CORRECTION.test(lowerText.slice(sentenceStart, offset));
}

/** Words by which a model takes back an answer it already gave (`Positive. Wait, no: re-reading it, it is negative`). */
const SELF_CORRECTION = /\b(?:wait|correction|on second thought|on (?:further )?reflection|upon (?:further )?reflection|re-?reading|re-?considering|i was wrong|let me correct)\b/;

/** Whether the text between an answer given up front and a later verdict takes the first one back. */
export function takesBack(lowerText: string, from: number, to: number): boolean {
  return SELF_CORRECTION.test(lowerText.slice(from, to));
}
