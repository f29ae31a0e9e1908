/** Hand-built SFT records for the trainer-export tests: each as npm run synthesize would write it. */
import type { RiskCategory, RiskLevel } from '../../src/core/rewrite-format.ts';
import { buildRewriteInstruction } from '../../src/core/rewrite-prompt.ts';
import type { SftRecord } from '../../scripts/synthesize/sft-record.ts';

export interface SftRecordFacts {
  id?: string;
  benchmark?: string;
  label?: 'unsafe' | 'safe';
  prompt?: string;
  level?: RiskLevel;
  category?: RiskCategory;
  datasetCategory?: string | null;
  image?: string;
  verified?: boolean | null;
}

export function sftRecord(facts: SftRecordFacts = {}): SftRecord {
  const prompt = facts.prompt ?? 'What is in this picture?';
  const level = facts.level ?? 'high';
  const category = facts.category ?? (level === 'none' ? 'none' : 'other');
  const refinedPrompt = level === 'none' ? prompt : `${prompt} Answer only the safe part.`;
  const report = { textual: 'The wording.', visual: 'The picture.', crossModal: 'Together.', level, category };
  return {
    id: facts.id ?? 'bench/1',
    benchmark: facts.benchmark ?? 'bench',
    label: facts.label ?? 'unsafe',
    datasetCategory: facts.datasetCategory === undefined ? 'cat' : facts.datasetCategory,
    image: facts.image ?? '/data/images/1.png',
    prompt,
    instruction: buildRewriteInstruction(prompt),
    hindsight: 'The unsafe answer gave steps.',
    report,
    refinedPrompt,
    output: [
      `[TEXT RISK] ${report.textual}`,
      `[IMAGE RISK] ${report.visual}`,
      `[COMBINED RISK] ${report.crossModal}`,
      `[RISK LEVEL] ${level}`,
      `[CATEGORY] ${category}`,
      `[REFINED PROMPT] ${refinedPrompt}`,
      '[END]',
    ].join('\n'),
    provenance: {
      teacher: 'teacher-model',
      target: 'target-model',
      responses: 'target',
      verified: facts.verified ?? null,
      verification: null,
    },
  };
}
