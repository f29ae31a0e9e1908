import { describe, expect, it } from 'vitest';
import { settingsTable } from '../../scripts/eval/report-markdown.ts';

describe('the report settings table', () => {
  it('names each endpoint by name, model and URL, and leaves the refusal rule to its own section', () => {
    const endpoint = (name: string) => ({ name, baseURL: `http://127.0.0.1:8799/v1`, model: `model-${name}`, concurrency: 4, pricing: null });
    const { rows } = settingsTable({ targets: [endpoint('a'), endpoint('b')], judge: endpoint('judge'), sweep: [0, 0.5], refusalRule: 'An answer counts…' });
    expect(rows).toEqual([
      ['targets', 'a: model-a at http://127.0.0.1:8799/v1; b: model-b at http://127.0.0.1:8799/v1'],
      ['judge', 'judge: model-judge at http://127.0.0.1:8799/v1'],
      ['sweep', '[0,0.5]'],
    ]);
  });
});
