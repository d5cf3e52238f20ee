import { z } from 'zod';
import { ProviderError } from './provider.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

/** Shells often export a variable as empty to "unset" it; treat that as absent, not as a key. */
const optionalText = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  z.string().optional(),
);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const optionalUrl = optionalText.refine((v) => v === undefined || isHttpUrl(v), {
  message: 'must be an http(s) URL, e.g. http://localhost:8000/v1',
});

/**
 * Ollama accepts `host:port`, `:port` and bare hosts besides full URLs (like its CLI); bring them
 * to a URL so the value can be checked here rather than fail on the first call.
 */
export function normalizeOllamaHost(host: string): string {
  let h = host.trim();
  if (h.startsWith(':')) h = `127.0.0.1${h}`;
  if (!h.includes('://')) {
    h = `http://${h}`;
    const url = new URL(h);
    if (url.port === '') url.port = '11434';
    h = url.toString();
  }
  return h.replace(/\/+$/, '');
}

const ollamaHost = optionalText
  .transform((v) => v ?? DEFAULT_OLLAMA_HOST)
  .transform((v, ctx) => {
    try {
      const normalized = normalizeOllamaHost(v);
      if (isHttpUrl(normalized)) return normalized;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a host, host:port or http(s) URL, e.g. http://127.0.0.1:11434' });
    return z.NEVER;
  });

/** The provider settings read from the environment; the single source of truth for their shape. */
export const ProviderEnvSchema = z.object({
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_ORG_ID: optionalText,
  OPENAI_PROJECT_ID: optionalText,
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalUrl,
  OLLAMA_HOST: ollamaHost,
});

export type ProviderEnv = z.infer<typeof ProviderEnvSchema>;

export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the provider variables. Throws ProviderError('config') naming each bad
 * variable; values are never quoted back (a URL may embed credentials).
 */
export function loadProviderEnv(env: EnvSource = process.env): ProviderEnv {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(ProviderEnvSchema.shape)) picked[key] = env[key];
  const parsed = ProviderEnvSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ProviderError('config', `invalid provider environment: ${lines.join('; ')}`);
  }
  return parsed.data;
}

const KEY_HELP: Record<'openai' | 'anthropic', string> = {
  openai:
    'OPENAI_API_KEY is not set. Set it to your OpenAI key, or, for an OpenAI-compatible server without auth (vLLM, LM Studio, Ollama /v1) reached through OPENAI_BASE_URL, set it to any placeholder such as "local".',
  anthropic: 'ANTHROPIC_API_KEY is not set. Set it to your Anthropic key (see .env.example).',
};

/** A clear configuration error before any call is made, instead of an SDK error at call time. */
export function missingKeyError(provider: 'openai' | 'anthropic', model: string): ProviderError {
  return new ProviderError('config', `${provider}:${model}: ${KEY_HELP[provider]}`, { provider, model });
}
