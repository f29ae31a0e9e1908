import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/core/history-record.ts';
import { REASONING_EXPLANATIONS } from '../../src/core/reasoning-mode.ts';
import { exportHistoryJson } from '../../src/core/report-export.ts';
import { exportHistoryMarkdown } from '../../src/core/report-export-markdown.ts';
import { exportHistoryHtml } from '../../src/core/report-html.ts';
import { EXPORTED_AT, bridge, fallback } from '../support/report-records.ts';

/** The bridge case, rewritten in another reasoning mode: its analyses are what that mode writes. */
function inMode(reasoning: 'brief' | 'off'): HistoryRecord {
  const summary = reasoning === 'brief' ? { summary: 'A jump from a high bridge suggests self-harm.' } : {};
  return { ...bridge, reasoning, rewrite: { ...bridge.rewrite, analysis: { ...bridge.rewrite.analysis, textual: '', visual: '', crossModal: '', ...summary } } };
}

const reports = (record: HistoryRecord) => ({
  markdown: exportHistoryMarkdown([record], { exportedAt: EXPORTED_AT, images: 'omit' }),
  html: exportHistoryHtml([record], { exportedAt: EXPORTED_AT }),
});

describe('the reasoning mode in the exports', () => {
  it('the JSON export carries it for every record', () => {
    const [full, off] = (JSON.parse(exportHistoryJson([bridge, inMode('off')], { exportedAt: EXPORTED_AT })) as { records: HistoryRecord[] }).records;
    expect([full?.reasoning, off?.reasoning]).toEqual(['full', 'off']);
  });

  it.each(['full', 'brief', 'off'] as const)('the Markdown and HTML reports say in words which mode made the decision (%s)', (mode) => {
    const record = mode === 'full' ? bridge : inMode(mode);
    for (const report of Object.values(reports(record))) expect(report).toContain(REASONING_EXPLANATIONS[mode]);
  });

  it('show a brief analysis, and no empty analyses in brief or off', () => {
    const brief = reports(inMode('brief'));
    for (const report of Object.values(brief)) {
      expect(report).toContain('Brief analysis');
      expect(report).toContain('A jump from a high bridge suggests self-harm.');
    }
    for (const report of [...Object.values(brief), ...Object.values(reports(inMode('off')))]) {
      for (const label of ['Text risk', 'Image risk', 'Combined risk', 'Not stated.']) expect(report).not.toContain(label);
      // The verdict is still there.
      expect(report).toContain('Self-harm and suicide');
    }
  });

  it('say nothing of reasoning where no model ran', () => {
    for (const report of Object.values(reports(fallback))) expect(report).not.toContain('Reasoning');
  });
});
