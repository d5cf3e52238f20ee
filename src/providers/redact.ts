/**
 * Removes secrets from text that may leave the process (error messages, logs, reports). Servers
 * sometimes echo the key they rejected, and SDK messages quote response bodies verbatim, so every
 * message we build from a provider's answer passes through here.
 */
const KEY_SHAPES: readonly RegExp[] = [
  // OpenAI/Anthropic/Groq-style keys: a prefix then a long token.
  /\b(?:sk|rk|pk|gsk|xai|sk-ant|sk-proj)-[A-Za-z0-9_-]{6,}/g,
  // Bearer tokens quoted in messages.
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
];

export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "keys" (e.g. `x` for a local server) would blank out ordinary words; they protect nothing anyway.
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  for (const shape of KEY_SHAPES) {
    out = out.replace(shape, (match, bearer?: string) => (typeof bearer === 'string' ? `${bearer} ***` : '***'));
  }
  return out;
}
