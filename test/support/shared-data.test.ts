import { afterEach, describe, expect, it, vi } from 'vitest';
import { sharedData } from './shared-data.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('sharedData', () => {
  it('is null for a missing set outside CI, so a test can skip', () => {
    vi.stubEnv('CI', '');
    expect(sharedData('no-such-set')).toBeNull();
  });

  it('throws for a missing set in CI, naming the file, so the test fails loudly', () => {
    vi.stubEnv('CI', 'true');
    expect(() => sharedData('no-such-set')).toThrow(/no-such-set\/responses\.jsonl is missing/);
  });
});
