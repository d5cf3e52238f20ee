/**
 * Removes secrets from text that may leave the process (error messages, logs, reports, answers).
 * Servers sometimes echo the key they rejected, in the clear, base64-encoded (a Basic auth header)
 * or URL-encoded, and SDK messages quote response bodies verbatim, so every message we build from a
 * provider's answer passes through here.
 */
const KEY_SHAPES: readonly RegExp[] = [
  // OpenAI/Anthropic/Groq-style keys: a prefix then a long token.
  /\b(?:sk|rk|pk|gsk|xai|sk-ant|sk-proj)-[A-Za-z0-9_-]{6,}/g,
  // Bearer tokens quoted in messages.
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
];

/** Very short "keys" (e.g. `x` for a local server) would blank out ordinary words; they protect nothing anyway. */
const MIN_SECRET = 4;
/** Base64 fragments shorter than this could match ordinary words by chance. */
const MIN_ENCODED = 8;

/**
 * The forms a secret can take in text: as is, URL-encoded, and base64 (standard and URL-safe) at
 * each of the three byte alignments it can have inside a longer encoded string (`user:KEY` in a
 * Basic header), keeping only the characters that depend on the secret alone.
 */
export function secretForms(secret: string): readonly string[] {
  let forms = FORMS.get(secret);
  if (!forms) {
    // A handful of keys per process, each asked for on every answer and logprob token.
    if (FORMS.size >= 64) FORMS.clear();
    forms = computeForms(secret);
    FORMS.set(secret, forms);
  }
  return forms;
}

const FORMS = new Map<string, readonly string[]>();

function computeForms(secret: string): readonly string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  const bytes = Buffer.from(secret, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const start = Math.ceil((shift * 4) / 3);
    const end = Math.floor(((shift + bytes.length) * 4) / 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_ENCODED) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every form of each known secret by `***` (used on answers, where key-like words may be legitimate text). */
export function redactKnownSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET) continue;
    for (const form of secretForms(secret)) if (out.includes(form)) out = out.split(form).join('***');
  }
  return out;
}

export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactKnownSecrets(text, secrets);
  for (const shape of KEY_SHAPES) {
    out = out.replace(shape, (match, bearer?: string) => (typeof bearer === 'string' ? `${bearer} ***` : '***'));
  }
  return out;
}

/** The same for logprob tokens, which carry the answer's text too. */
export function redactTokens<T extends { token: string; top_logprobs?: { token: string }[] }>(tokens: T[], secrets: readonly (string | undefined)[]): T[] {
  return tokens.map((t) => ({
    ...t,
    token: redactKnownSecrets(t.token, secrets),
    ...(t.top_logprobs ? { top_logprobs: t.top_logprobs.map((a) => ({ ...a, token: redactKnownSecrets(a.token, secrets) })) } : {}),
  }));
}
