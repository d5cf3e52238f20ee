/**
 * Phrases by which a model declines to classify. They decide only when no label was stated as an
 * answer: `As an AI I have no feelings, but the answer is B` is an answer, `I cannot classify this
 * text` is a refusal.
 */
const REFUSAL = new RegExp(
  [
    String.raw`\bas an ai\b`,
    String.raw`\bas a (?:large )?language model\b`,
    String.raw`\bi(?: am|'m) (?:sorry|unable|not able|not comfortable|not sure i can)\b`,
    String.raw`\bi (?:cannot|can't|can not|won't|will not|am unable to|must decline|do not feel comfortable|don't feel comfortable|apologi[sz]e)\b`,
    String.raw`\bsorry,? (?:but )?i\b`,
    String.raw`\b(?:cannot|can't|can not|impossible to|unable to|not possible to|hard to|difficult to) (?:be )?(?:determine|determined|classify|classified|categori[sz]e|tell|say|assess|answer|provide|make)\b`,
    String.raw`\b(?:insufficient|not enough|lack of|no) (?:information|context)\b`,
    String.raw`\bi (?:do not|don't) know\b`,
    String.raw`\bnot applicable\b|^\s*n/?a\s*$`,
  ].join('|'),
  'i',
);

export function isRefusal(text: string): boolean {
  return REFUSAL.test(text);
}
