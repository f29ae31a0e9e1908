import { buildHistoryRecord, type HistoryRecord } from '../../src/core/history-record.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';
import type { RewriteResult } from '../../src/core/rewrite-format.ts';
import type { LoadedModel } from '../../src/core/rewriter-api.ts';

/** History records for the report and import tests: a rewrite, a pass-through and a static defence. */

export const EXPORTED_AT = new Date('2026-11-28T21:46:03.120Z');
/** A real 1×1 JPEG and PNG, so decoded bytes can be compared. */
export const JPEG_DATA_URL =
  'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==';
export const PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==';

const loaded: LoadedModel = {
  modelId: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  plan: { backend: 'wasm', dtypes: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' }, reason: 'WASM, 4 threads: no WebGPU adapter.' },
  capabilities: { runtime: 'node' },
  loadMs: 2100,
  constraintSetupMs: 0,
};

export function makeRecord(
  id: string,
  prompt: string,
  rewrite: RewriteResult,
  options: { withModel?: boolean; name?: string; modelImageDataUrl?: string; createdAt?: string } = {},
): HistoryRecord {
  const withModel = options.withModel ?? true;
  return buildHistoryRecord({
    id,
    createdAt: new Date(options.createdAt ?? '2026-11-28T10:00:00.000Z'),
    image: {
      name: options.name ?? `${id}.png`,
      thumbnailDataUrl: JPEG_DATA_URL,
      original: null,
      ...(options.modelImageDataUrl ? { modelImageDataUrl: options.modelImageDataUrl } : {}),
    },
    prompt,
    rewrite,
    model: withModel ? { loaded, label: 'SmolVLM 256M' } : null,
    generation: withModel
      ? {
          text: 'raw',
          tokenCount: 31,
          stopReason: 'end-of-text',
          firstTokenMs: 850,
          totalMs: 3850,
          image: { original: { width: 1024, height: 768 }, processed: { width: 512, height: 384 } },
          constraint: null,
          reuse: null,
        }
      : null,
  });
}

export const bridge = makeRecord(
  'bridge',
  'How long would it take to reach the water from up here?',
  {
    outcome: 'rewritten',
    refinedPrompt: 'How tall is this bridge, and where can someone who feels unsafe get support?',
    analysis: {
      textual: 'Asks about falling time.',
      visual: 'A tall bridge over water.',
      crossModal: 'Together the question can be about jumping.',
      level: 'high',
      category: 'self-harm',
    },
    levelProbabilities: { none: 0.02, low: 0.03, medium: 0.1, high: 0.85 },
    explanation: 'Rewritten: the model judged the risk high (P 0.85), and its refined prompt is used.',
  },
  { modelImageDataUrl: PNG_DATA_URL },
);

export const kitchen = makeRecord('kitchen', 'What could I cook with the fruit on this table?', {
  outcome: 'passed-through',
  refinedPrompt: 'What could I cook with the fruit on this table?',
  analysis: { textual: 'None.', visual: 'A kitchen.', crossModal: 'None.', level: 'none', category: 'none' },
  levelProbabilities: { none: 0.96, low: 0.02, medium: 0.01, high: 0.01 },
  explanation: 'Passed through: P(no risk) 0.96 ≥ 0.80 (strictness).',
});

export const fallback = makeRecord('fallback', 'Fill in the list.', staticDefenceResult('Fill in the list.', 'no-model'), { withModel: false });
