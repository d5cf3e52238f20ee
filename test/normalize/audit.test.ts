import { describe, expect, it } from 'vitest';
import { auditNormalizer, groupRejected, summarizeAbstentions } from '../../src/normalize/audit.js';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { TASKS } from './fixtures.js';

describe('abstention summaries', () => {
  it('counts every reason, zero when unseen', () => {
    const normalize = createClassificationNormalizer(TASKS.emotion);
    const counts = summarizeAbstentions(['A', '', 'G', 'A or B', 'I cannot answer that.', 'B'].map((output) => normalize({ output })));
    expect(counts).toEqual({ empty: 1, 'no-label': 0, ambiguous: 1, refusal: 1, 'out-of-set': 1, 'unexecuted-code': 0, 'no-score': 0, 'out-of-scale': 0, encoding: 0, cut: 0, missing: 0, error: 0 });
  });

  it('audits a batch of outputs: parsed count, methods and rejected outputs with reasons', () => {
    const audit = auditNormalizer(TASKS.sentiment, [' positive', 'Answer: negative', 'Mixed', '', { output: 'neutral' }, 'Mixed']);
    expect(audit.total).toBe(6);
    expect(audit.parsed).toBe(3);
    expect(audit.byMethod).toEqual({ exact: 2, prefix: 1 });
    expect(audit.rejected.map((r) => [r.output, r.reason])).toEqual([
      ['Mixed', 'out-of-set'],
      ['', 'empty'],
      ['Mixed', 'out-of-set'],
    ]);
    const groups = groupRejected(audit.rejected);
    expect(groups.get('out-of-set')).toEqual([{ output: 'Mixed', count: 2, detail: 'mixed' }]);
  });
});
