import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { unwrapJsonAnswer } from '../../src/normalize/qa/json-answer.js';

describe('unwrapJsonAnswer', () => {
  it('reads the answer field of an output that is one JSON object, bare or fenced', () => {
    expect(unwrapJsonAnswer('{"answer": "Paris", "confidence": 0.9}')).toBe('Paris');
    expect(unwrapJsonAnswer('  ```json\n{"answer": 42, "confidence": 1}\n```  ')).toBe('42');
    expect(unwrapJsonAnswer('{"final_answer": "(C)"}')).toBe('(C)');
  });

  it('leaves everything else alone: reasoning with braces, JSON without an answer, broken JSON', () => {
    for (const text of ['So x = 4. \\boxed{42}', '{"confidence": 0.3}', '{"answer": "B"', 'Answer: {"answer": "B"} I think', '{"answer": {"text": "B"}}']) {
      expect(unwrapJsonAnswer(text)).toBe(text);
    }
  });

  it('feeds the extractor: the JSON answer is read like a bare answer of the task type', () => {
    const choices = [
      { label: 'A', text: 'Lyon' },
      { label: 'B', text: 'Paris' },
    ];
    expect(extractQaAnswer('{"answer": "B", "confidence": 0.8}', { answerType: 'multiple-choice', choices })).toMatchObject({ kind: 'answer', choice: 'B' });
    const plain = extractQaAnswer('The answer is 1000', { answerType: 'numeric' });
    expect(plain.kind).toBe('answer');
    expect(extractQaAnswer('{"answer": "1,000"}', { answerType: 'numeric' })).toMatchObject({ kind: 'answer', key: (plain as { key: string }).key });
    expect(extractQaAnswer('{"answer": ""}', { answerType: 'free-form' })).toMatchObject({ kind: 'abstain', reason: 'empty' });
  });

  it('a ```json fence that closes the output after a line of prose is read as the structured answer, for every answer type', () => {
    const choices = [
      { label: 'A', text: 'Paris' },
      { label: 'B', text: 'London' },
    ];
    expect(extractQaAnswer('Here is my answer:\n```json\n{"answer": "Paris"}\n```', { answerType: 'free-form' })).toMatchObject({ kind: 'answer', text: 'Paris' });
    expect(extractQaAnswer('Sure.\n```json\n{"answer": "B"}\n```', { answerType: 'multiple-choice', choices })).toMatchObject({ kind: 'answer', choice: 'B' });
    expect(extractQaAnswer('Done:\n```json\n{"answer": 12}\n```', { answerType: 'numeric' })).toMatchObject({ kind: 'answer', key: '12' });
    // A fence in the middle of reasoning is not the closing answer.
    expect(unwrapJsonAnswer('See:\n```json\n{"answer": 1}\n```\nso the answer is 2')).toBe('See:\n```json\n{"answer": 1}\n```\nso the answer is 2');
  });

  it('a structured answer whose answer is null, a list or an object abstains with its reason, never becomes an answer made of its keys', () => {
    for (const answerType of ['free-form', 'numeric', 'multiple-choice'] as const) {
      for (const text of ['{"answer": null}', '{"answer": ["Paris", "Lyon"]}', '```json\n{"answer": {"city": "Paris"}}\n```', '{"final_answer": null}']) {
        const read = extractQaAnswer(text, { answerType, choices: [{ label: 'A', text: 'Paris' }] });
        expect(read, `${answerType}: ${text}`).toMatchObject({ kind: 'abstain', reason: 'no-label' });
        expect((read as { detail?: string }).detail).toMatch(/structured answer's "(final_)?answer" is (null|a list|an object)/);
      }
    }
  });
});
