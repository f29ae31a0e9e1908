import { describe, expect, it } from 'vitest';
import { downloadSpeed, initialRewriterState, rewriterReducer, type RewriterState } from '../../src/app/rewriter-state.ts';
import type { ImageTextOutcome } from '../../src/core/image-text.ts';
import type { LoadedModel } from '../../src/core/rewriter-api.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';

const model: LoadedModel = {
  modelId: 'test/tiny-smolvlm',
  plan: { backend: 'wasm', dtypes: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' }, reason: 'WASM' },
  capabilities: { runtime: 'node' },
  loadMs: 10,
  constraintSetupMs: 0,
};

function run(...actions: Parameters<typeof rewriterReducer>[1][]): RewriterState {
  return actions.reduce(rewriterReducer, initialRewriterState);
}

describe('rewriterReducer', () => {
  it('goes idle → loading → idle → generating → finished', () => {
    const state = run(
      { type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 },
      { type: 'load-progress', progress: { kind: 'total', loaded: 5, total: 10 }, at: 1000 },
      { type: 'load-finished', model },
      { type: 'generate-started', prompt: 'Hi', startedAt: 0, reasoning: 'full' },
      { type: 'stream', update: { text: 'Hel', tokenCount: 1 } },
      { type: 'stream', update: { text: 'lo', tokenCount: 2 } },
    );
    expect(state).toMatchObject({ phase: 'generating', output: 'Hello', tokenCount: 2 });
    const size = { width: 1, height: 1 };
    const rewrite = staticDefenceResult('Hi', 'stopped');
    const finished = rewriterReducer(state, {
      type: 'generate-finished',
      generation: { text: 'Hello', tokenCount: 2, stopReason: 'stopped', firstTokenMs: 1, totalMs: 2, image: { original: size, processed: size }, constraint: null, reuse: null },
      rewrite,
    });
    expect(finished).toMatchObject({ phase: 'finished', model, prompt: 'Hi', output: 'Hello', rewrite });
  });

  it('finishes at once with the static defence, keeping a loaded model', () => {
    const rewrite = staticDefenceResult('Hi', 'no-model');
    const state = run({ type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 }, { type: 'load-finished', model }, { type: 'static-rewrite', prompt: 'Hi', rewrite, startedAt: 1, imageText: { kind: 'off' } });
    expect(state).toMatchObject({ phase: 'finished', model, generation: null, rewrite });
  });

  it('is busy while the static defence waits for OCR, with no model loaded, then finishes with the text found', () => {
    const reading = run({ type: 'static-started', prompt: 'Hi', startedAt: 1 }, { type: 'image-text-started' });
    expect(reading).toMatchObject({ phase: 'generating', model: null, staticDefence: true, readingImageText: true });
    const imageText: ImageTextOutcome = { kind: 'read', reading: { lines: [], imageSize: { width: 1, height: 1 }, ms: 5 } };
    const read = rewriterReducer(reading, { type: 'image-text-read', imageText });
    expect(read).toMatchObject({ phase: 'generating', readingImageText: false, imageText });
    const rewrite = staticDefenceResult('Hi', 'no-model');
    expect(rewriterReducer(read, { type: 'static-rewrite', prompt: 'Hi', rewrite, startedAt: 1, imageText })).toMatchObject({
      phase: 'finished',
      generation: null,
      imageText,
    });
  });

  it('says which model failed to load and how, so the page can offer a way forward', () => {
    const state = run({ type: 'load-started', modelId: 'HuggingFaceTB/SmolVLM-256M-Instruct', at: 0 }, {
      type: 'failed',
      message: 'Could not reach the hub',
      load: { modelId: 'HuggingFaceTB/SmolVLM-256M-Instruct', kind: 'network' },
    });
    expect(state).toEqual({
      phase: 'failed',
      model: null,
      output: '',
      message: 'Could not reach the hub',
      load: { modelId: 'HuggingFaceTB/SmolVLM-256M-Instruct', kind: 'network' },
    });
  });

  it('tracks overall and per-file download progress and the warm-up stage', () => {
    const state = run(
      { type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 },
      { type: 'load-progress', progress: { kind: 'file-bytes', file: 'onnx/a.onnx', loaded: 1, total: 4 }, at: 1000 },
      { type: 'load-progress', progress: { kind: 'file', file: 'onnx/a.onnx', status: 'done' }, at: 1000 },
      { type: 'load-progress', progress: { kind: 'total', loaded: 4, total: 8 }, at: 1000 },
      { type: 'load-progress', progress: { kind: 'stage', stage: 'warming-up' }, at: 1000 },
    );
    expect(state).toMatchObject({
      phase: 'loading',
      download: { loaded: 4, total: 8, stage: 'warming-up', files: { 'onnx/a.onnx': { loaded: 1, total: 4, done: true } } },
    });
  });

  it('shows the backend the worker says it loads onto, WASM once WebGPU failed', () => {
    const started = run({ type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 });
    expect(started).toMatchObject({ phase: 'loading', download: { backend: null } });
    const retried = run(
      { type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 },
      { type: 'load-progress', progress: { kind: 'backend', backend: 'webgpu' }, at: 10 },
      { type: 'load-progress', progress: { kind: 'backend', backend: 'wasm' }, at: 20 },
    );
    expect(retried).toMatchObject({ phase: 'loading', download: { backend: 'wasm' } });
  });

  it('keeps the loaded model and the partial output when a rewrite fails', () => {
    const state = run(
      { type: 'load-started', modelId: 'test/tiny-smolvlm', at: 0 },
      { type: 'load-finished', model },
      { type: 'generate-started', prompt: 'Hi', startedAt: 0, reasoning: 'full' },
      { type: 'stream', update: { text: 'partial', tokenCount: 1 } },
      { type: 'failed', message: 'GPU lost' },
    );
    expect(state).toEqual({ phase: 'failed', model, output: 'partial', message: 'GPU lost' });
  });

  it('ignores stream updates that arrive after the run ended', () => {
    const failed = run({ type: 'failed', message: 'x' });
    expect(rewriterReducer(failed, { type: 'stream', update: { text: 'late', tokenCount: 9 } })).toBe(failed);
  });

  it('measures the download speed from the first to the latest byte count', () => {
    const state = run(
      { type: 'load-started', modelId: 'm/x', at: 1000 },
      { type: 'load-progress', progress: { kind: 'total', loaded: 500_000, total: 1_000_000 }, at: 3000 },
    );
    expect(state.phase === 'loading' && downloadSpeed(state.download)).toBe(250_000);
  });

  it('returns to idle with a notice, not an error, when a download is cancelled', () => {
    const state = run({ type: 'load-started', modelId: 'm/x', at: 0 }, { type: 'load-cancelled' });
    expect(state).toMatchObject({ phase: 'idle', model: null, notice: expect.stringContaining('cancelled') });
  });
});
