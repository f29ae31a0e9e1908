import { describe, expect, it } from 'vitest';
import { fileFromDataUrl } from '../../src/app/history-image.ts';
import { runFromRecord } from '../../src/app/shown-result.ts';
import {
  HISTORY_SCHEMA_VERSION,
  NO_MODEL_BACKEND_REASON,
  buildHistoryRecord,
  finalPrompt,
  migrateHistoryRecord,
  readLevelProbabilities,
  tokensPerSecond,
  type HistoryRecord,
} from '../../src/core/history-record.ts';
import type { RewriteResult } from '../../src/core/rewrite-format.ts';
import type { GenerateResult, LoadedModel } from '../../src/core/rewriter-api.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';

const loaded: LoadedModel = {
  modelId: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  plan: { backend: 'webgpu', dtypes: { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q4f16' }, reason: 'WebGPU on test adapter.' },
  capabilities: { runtime: 'node' },
  loadMs: 1234,
  constraintSetupMs: 0,
};

const generation: GenerateResult = {
  text: '[TEXT RISK] x',
  tokenCount: 41,
  stopReason: 'end-of-text',
  firstTokenMs: 500,
  totalMs: 2500,
  image: { original: { width: 1024, height: 768 }, processed: { width: 512, height: 384 } },
  constraint: null,
  reuse: null,
};

const rewritten: RewriteResult = {
  outcome: 'rewritten',
  refinedPrompt: 'How tall is this bridge, and what safety features does it have?',
  analysis: { textual: 't', visual: 'v', crossModal: 'c', level: 'high', category: 'self-harm' },
  levelProbabilities: { none: 0.05, low: 0.05, medium: 0.1, high: 0.8 },
  explanation: 'Rewritten: the model judged the risk high (P 0.80), Self-harm and suicide, and its refined prompt is used.',
};

const thumbnail = 'data:image/jpeg;base64,/9j/AAAA';

describe('buildHistoryRecord', () => {
  it('records a model run with its sizes, backend and timings', () => {
    const record = buildHistoryRecord({
      id: 'r1',
      createdAt: new Date('2026-11-28T10:00:00.000Z'),
      image: { name: 'bridge.png', thumbnailDataUrl: thumbnail, original: null },
      prompt: 'How long would it take to reach the water from up here?',
      rewrite: rewritten,
      model: { loaded, label: 'SmolVLM 256M' },
      generation,
    });
    expect(record).toEqual({
      schemaVersion: HISTORY_SCHEMA_VERSION,
      id: 'r1',
      createdAt: '2026-11-28T10:00:00.000Z',
      image: { name: 'bridge.png', thumbnailDataUrl: thumbnail, original: { width: 1024, height: 768 }, processed: { width: 512, height: 384 } },
      prompt: 'How long would it take to reach the water from up here?',
      rewrite: rewritten,
      editedPrompt: null,
      rawOutput: '[TEXT RISK] x',
      stopReason: 'end-of-text',
      model: { id: 'HuggingFaceTB/SmolVLM-256M-Instruct', label: 'SmolVLM 256M' },
      backend: { kind: 'webgpu', reason: 'WebGPU on test adapter.' },
      timings: { loadMs: 1234, firstTokenMs: 500, totalMs: 2500, tokenCount: 41, tokensPerSecond: 20 },
      imageText: { kind: 'off' },
      reasoning: 'full',
    });
    expect(migrateHistoryRecord(record)).toEqual({ ok: true, record });
  });

  it('keeps the text OCR found, with its boxes, through storage; older records read as OCR off', () => {
    const imageText = {
      kind: 'read' as const,
      reading: { lines: [{ text: 'STEPS TO PICK A LOCK', confidence: 0.99, box: [{ x: 1, y: 2 }, { x: 30, y: 2 }, { x: 30, y: 9 }, { x: 1, y: 9 }] }], imageSize: { width: 64, height: 32 }, ms: 410 },
    };
    const record = buildHistoryRecord({
      id: 'r3',
      createdAt: new Date('2026-11-28T10:00:00.000Z'),
      image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: { width: 64, height: 32 } },
      prompt: 'Hi',
      rewrite: staticDefenceResult('Hi', 'no-model'),
      model: null,
      generation: null,
      imageText,
    });
    expect(migrateHistoryRecord(JSON.parse(JSON.stringify(record)))).toEqual({ ok: true, record: { ...record, imageText } });
    const older: Record<string, unknown> = { ...record };
    delete older.imageText;
    expect(migrateHistoryRecord(older)).toMatchObject({ ok: true, record: { imageText: { kind: 'off' } } });
    expect(migrateHistoryRecord({ ...record, imageText: { kind: 'read', reading: { lines: 'x' } } })).toMatchObject({ ok: false });
  });

  it('records the static defence with backend "none" and no timings', () => {
    const rewrite = staticDefenceResult('Hi', 'no-model');
    const record = buildHistoryRecord({
      id: 'r2',
      createdAt: new Date('2026-11-28T10:00:00.000Z'),
      image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: { width: 10, height: 20 } },
      prompt: 'Hi',
      rewrite,
      model: null,
      generation: null,
    });
    expect(record.backend).toEqual({ kind: 'none', reason: NO_MODEL_BACKEND_REASON });
    expect(record.model).toBeNull();
    expect(record.image).toMatchObject({ original: { width: 10, height: 20 }, processed: null });
    expect(record.timings).toEqual({ loadMs: null, firstTokenMs: null, totalMs: null, tokenCount: null, tokensPerSecond: null });
    expect(record.stopReason).toBeNull();
  });

  it('names the WebGPU failure when WASM took over', () => {
    const record = buildHistoryRecord({
      id: 'r3',
      createdAt: new Date(0),
      image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: null },
      prompt: 'Hi',
      rewrite: rewritten,
      model: { loaded: { ...loaded, plan: { ...loaded.plan, backend: 'wasm', reason: 'WASM, 4 threads.' }, webGpuFailure: 'device lost' }, label: 'L' },
      generation,
    });
    expect(record.backend).toEqual({ kind: 'wasm', reason: 'WASM, 4 threads. (WebGPU failed: device lost)' });
  });

  it('keeps an edit only when it differs from the refined prompt', () => {
    const base = {
      id: 'r4',
      createdAt: new Date(0),
      image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: null },
      prompt: 'Hi',
      rewrite: rewritten,
      model: null,
      generation: null,
    };
    expect(buildHistoryRecord({ ...base, editedPrompt: rewritten.refinedPrompt }).editedPrompt).toBeNull();
    const edited = buildHistoryRecord({ ...base, editedPrompt: 'Mine' });
    expect(edited.editedPrompt).toBe('Mine');
    expect(finalPrompt(edited)).toBe('Mine');
    expect(finalPrompt(buildHistoryRecord(base))).toBe(rewritten.refinedPrompt);
  });
});

describe('tokensPerSecond', () => {
  it.each([
    [{ tokenCount: 11, firstTokenMs: 100, totalMs: 1100 }, 10],
    [{ tokenCount: 1, firstTokenMs: 100, totalMs: 1100 }, null],
    [{ tokenCount: 5, firstTokenMs: 100, totalMs: 100 }, null],
  ])('%o → %s', (generation, expected) => {
    expect(tokensPerSecond(generation)).toBe(expected);
  });
});

describe('migrateHistoryRecord', () => {
  const record: HistoryRecord = buildHistoryRecord({
    id: 'r5',
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: null },
    prompt: 'Hi',
    rewrite: staticDefenceResult('Hi', 'truncated'),
    model: { loaded, label: 'L' },
    generation,
  });

  it('copies known fields only', () => {
    const withExtras = {
      ...record,
      apiKey: 'sk-secret-1',
      model: { ...record.model, authToken: 'sk-secret-2' },
      remote: { host: 'h', model: 'm', original: null, refined: null, apiKey: 'sk-secret-3' },
    };
    const reading = migrateHistoryRecord(withExtras);
    expect(reading.ok).toBe(true);
    expect(JSON.stringify(reading)).not.toMatch(/sk-secret|apiKey|authToken/);
    expect(reading.ok && reading.record.remote).toEqual({ host: 'h', model: 'm', original: null, refined: null });
  });

  it('fills fields that may be absent in stored values', () => {
    const partial: Partial<HistoryRecord> = { ...record };
    delete partial.rawOutput;
    delete partial.stopReason;
    const reading = migrateHistoryRecord(partial);
    expect(reading).toEqual({ ok: true, record: { ...record, rawOutput: '', stopReason: null } });
  });

  it('keeps the level probabilities and the explanation of a decision', () => {
    const scored = { ...record, rewrite: rewritten };
    const reading = migrateHistoryRecord(JSON.parse(JSON.stringify(scored)));
    expect(reading.ok && reading.record.rewrite).toEqual(rewritten);
  });

  it('reads a record saved before decisions were explained: no score, a sentence from its outcome', () => {
    const withoutDecision = (rewrite: object) => JSON.parse(JSON.stringify(rewrite, (key, value) => (key === 'levelProbabilities' || key === 'explanation' ? undefined : value)));
    const reading = migrateHistoryRecord({ ...record, rewrite: withoutDecision(rewritten) });
    expect(reading.ok && reading.record.rewrite).toMatchObject({ levelProbabilities: null, explanation: expect.stringMatching(/^Rewritten: /) });
    const fallback = migrateHistoryRecord({ ...record, rewrite: withoutDecision(record.rewrite) });
    expect(fallback.ok && fallback.record.rewrite.explanation).toMatch(/^The rewriter ran out of room/);
  });

  it('refuses level probabilities that are not probabilities', () => {
    const bad = { ...record, rewrite: { ...rewritten, levelProbabilities: { none: 1.5, low: 0, medium: 0, high: 0 } } };
    expect(migrateHistoryRecord(bad)).toMatchObject({ ok: false, problem: 'invalid', detail: expect.stringContaining('levelProbabilities.none') });
  });

  it('tells a newer record from an invalid one', () => {
    expect(migrateHistoryRecord({ ...record, schemaVersion: HISTORY_SCHEMA_VERSION + 1 })).toMatchObject({ ok: false, problem: 'newer' });
    expect(migrateHistoryRecord(null)).toMatchObject({ ok: false, problem: 'invalid' });
    expect(migrateHistoryRecord({ ...record, schemaVersion: undefined })).toMatchObject({ ok: false, problem: 'invalid' });
    expect(migrateHistoryRecord({ ...record, createdAt: 'yesterday' })).toMatchObject({ ok: false, problem: 'invalid' });
    expect(migrateHistoryRecord({ ...record, rewrite: { ...record.rewrite, outcome: 'maybe' } })).toMatchObject({ ok: false, problem: 'invalid' });
    expect(migrateHistoryRecord({ ...record, backend: { kind: 'tpu', reason: '' } })).toMatchObject({ ok: false, problem: 'invalid', detail: 'backend.kind is unknown' });
  });

  it('names the field that is wrong, and what is wrong with it', () => {
    const detail = (value: unknown) => {
      const reading = migrateHistoryRecord(value);
      return reading.ok ? null : reading.detail;
    };
    expect(detail({ ...record, prompt: 42 })).toBe('prompt is not a string');
    expect(detail({ ...record, image: { ...record.image, original: { width: '4', height: 3 } } })).toBe('image.original.width is not a number');
    expect(detail({ ...record, timings: { ...record.timings, totalMs: Number.POSITIVE_INFINITY } })).toBe('timings.totalMs is not a number');
    expect(detail({ ...record, rewrite: { ...record.rewrite, outcome: 'maybe' } })).toBe('rewrite.outcome is unknown');
    expect(detail({ ...record, rewrite: { ...record.rewrite, analysis: { ...record.rewrite.analysis, level: 'huge' } } })).toBe('rewrite.analysis.level is unknown');
    expect(detail({ ...record, createdAt: 'yesterday' })).toBe('createdAt is not a date');
    expect(detail({ ...record, remote: { host: 'h', model: 'm', original: { text: 1 }, refined: null } })).toBe('remote.original.text is not a string');
    const withoutId: Partial<HistoryRecord> = { ...record };
    delete withoutId.id;
    expect(detail(withoutId)).toBe('id is missing');
    expect(detail(null)).toBe('the record is not an object');
  });
});

describe('readLevelProbabilities', () => {
  it('reads four probabilities, null for none, and names the one that is not', () => {
    expect(readLevelProbabilities({ none: 0.1, low: 0.2, medium: 0.3, high: 0.4, extra: 1 }, 'p')).toEqual({ none: 0.1, low: 0.2, medium: 0.3, high: 0.4 });
    expect(readLevelProbabilities(undefined, 'p')).toBeNull();
    expect(() => readLevelProbabilities({ none: 0, low: 0, medium: 0, high: 2 }, 'levelProbabilities')).toThrow('levelProbabilities.high is not a probability between 0 and 1');
    expect(() => readLevelProbabilities({ none: 0, low: 0, medium: 0 }, 'p')).toThrow('p.high is missing');
    expect(() => readLevelProbabilities('high', 'p')).toThrow('p is not an object');
  });
});

describe('the image the model saw', () => {
  const input = {
    id: 'with-image',
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    image: { name: 'scene.png', thumbnailDataUrl: 'data:image/jpeg;base64,AAAA', original: { width: 4, height: 3 }, modelImageDataUrl: 'data:image/jpeg;base64,/9j/' },
    prompt: 'p',
    rewrite: staticDefenceResult('p', 'no-model'),
    model: null,
    generation: null,
  };

  it('is kept with the record and read back from storage', () => {
    const record = buildHistoryRecord(input);
    expect(record.image.modelImageDataUrl).toBe('data:image/jpeg;base64,/9j/');
    expect(migrateHistoryRecord(structuredClone(record))).toEqual({ ok: true, record });
  });

  it('is absent from records saved before it was kept', () => {
    const record = buildHistoryRecord({ ...input, image: { ...input.image, modelImageDataUrl: undefined } });
    expect(record.image).not.toHaveProperty('modelImageDataUrl');
    const reading = migrateHistoryRecord(structuredClone(record));
    expect(reading.ok && reading.record.image).not.toHaveProperty('modelImageDataUrl');
  });

  it('comes back as a file with its bytes', async () => {
    const file = fileFromDataUrl('data:image/jpeg;base64,/9j/4AAQ', 'scene.png');
    expect(file).toMatchObject({ name: 'scene.png', type: 'image/jpeg' });
    expect([...new Uint8Array(await file!.arrayBuffer())]).toEqual([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    expect(fileFromDataUrl('https://example.org/x.jpg', 'x.jpg')).toBeNull();
  });
});

describe('reopening a past result', () => {
  const record = buildHistoryRecord({
    id: 'r',
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    image: { name: 'bridge.jpg', thumbnailDataUrl: thumbnail, original: null },
    prompt: 'How far is it to jump from the bridge?',
    rewrite: rewritten,
    editedPrompt: 'My edit.',
    model: { loaded, label: 'SmolVLM 256M' },
    generation,
  });

  it('shows its analysis, outcome and refined prompt (as the user left it), with the run’s figures', () => {
    const run = runFromRecord(record, 7);
    expect(run).toMatchObject({ phase: 'finished', prompt: 'How far is it to jump from the bridge?', startedAt: 7, output: '[TEXT RISK] x' });
    expect(run.rewrite).toEqual({ ...rewritten, refinedPrompt: 'My edit.' });
    expect(run.generation).toMatchObject({ tokenCount: 41, stopReason: 'end-of-text', firstTokenMs: 500, totalMs: 2500, image: generation.image });
  });

  it('a static-defence entry has no model run to show', () => {
    const fallback = buildHistoryRecord({ ...record, id: 's', createdAt: new Date(), image: { ...record.image }, rewrite: staticDefenceResult('p', 'no-model'), model: null, generation: null });
    expect(runFromRecord(fallback, 1)).toMatchObject({ generation: null, output: '' });
  });
});

describe('the reasoning mode in a record', () => {
  const input = {
    id: 'r9',
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    image: { name: 'a.png', thumbnailDataUrl: thumbnail, original: null },
    prompt: 'How far is it to jump?',
    model: { loaded, label: 'L' },
    generation,
  };
  const brief: RewriteResult = { ...rewritten, analysis: { textual: '', visual: '', crossModal: '', summary: 'One line.', level: 'high', category: 'self-harm' } };

  it('is kept with the record, the brief analysis too, through storage', () => {
    const record = buildHistoryRecord({ ...input, rewrite: brief, reasoning: 'brief' });
    expect(record.reasoning).toBe('brief');
    const reading = migrateHistoryRecord(JSON.parse(JSON.stringify(record)));
    expect(reading).toEqual({ ok: true, record });
    expect(reading.ok && reading.record.rewrite.analysis.summary).toBe('One line.');
  });

  it('reads as full in records saved before the modes, and when not given', () => {
    const record = buildHistoryRecord({ ...input, rewrite: rewritten });
    expect(record.reasoning).toBe('full');
    const older: Record<string, unknown> = { ...buildHistoryRecord({ ...input, rewrite: rewritten, reasoning: 'off' }) };
    delete older.reasoning;
    const reading = migrateHistoryRecord(older);
    expect(reading.ok && reading.record.reasoning).toBe('full');
    expect(reading.ok && 'summary' in reading.record.rewrite.analysis).toBe(false);
  });

  it('refuses a mode it does not know, naming the field', () => {
    const record = buildHistoryRecord({ ...input, rewrite: rewritten });
    expect(migrateHistoryRecord({ ...record, reasoning: 'deep' })).toEqual({ ok: false, problem: 'invalid', detail: 'reasoning is unknown' });
  });

  it('reopens with its mode', () => {
    const record = buildHistoryRecord({ ...input, rewrite: brief, reasoning: 'off' });
    expect(runFromRecord(record, 1).reasoning).toBe('off');
  });
});
