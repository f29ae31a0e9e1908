import { describe, expect, it } from 'vitest';
import { validateBenchReport } from '../../scripts/bench/report-schema.ts';

const summary = () => ({ n: 3, median: 2, min: 1, max: 3, q1: 1.5, q3: 2.5 });
const dtypes = () => ({ embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' });
const side = () => ({ label: 'ours', dtypes: 'q4', tiles: 1, promptTokens: 10, firstTokenMs: summary(), totalMs: summary() });

/** A report of the shape `npm run bench` writes, every list with one row. */
function report() {
  return {
    schemaVersion: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    command: 'npm run bench -- --quick',
    mode: 'quick',
    sections: ['standard', 'constrained'],
    durationS: 30,
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, os: 'linux', node: 'v20', chromium: null, packages: { onnxruntime: '1' }, gpu: null, loadAverage: [1, 2, 3] },
    model: { id: 'test/tiny-smolvlm', kind: 'tiny', dims: null, files: [{ path: 'onnx/a.onnx', bytes: 3 }], promptTokens: 40, differencesFromRealExport: [] },
    settings: { runs: 1, loads: 1, newTokens: 8, cacheTokens: 0, image: { width: 512, height: 384 } },
    environments: [
      {
        name: 'node',
        backend: 'cpu',
        threads: 2,
        crossOriginIsolated: null,
        configs: [
          { name: 'app', dtypes: dtypes(), loadMs: summary(), preprocessMs: summary(), visionMs: summary(), firstTokenMs: summary(), decodeTokensPerSecond: summary(), totalMs: summary(), newTokens: 8, peakMemoryMB: null, memoryMeasure: 'rss' },
        ],
        longTasks: null,
      },
    ],
    comparisons: {
      rawLoop: [
        { environment: 'node', dtypes: dtypes(), engine: { firstTokenMs: summary(), firstTokenMsWithoutPreprocess: summary(), decodeTokensPerSecond: summary() }, raw: { firstTokenMs: summary(), decodeTokensPerSecond: summary() }, decodeRatio: summary(), firstTokenRatio: summary(), overheadPerTokenMs: -0.1, overheadAtFirstTokenMs: 2, sameTokens: true },
      ],
      officialConfig: [{ environment: 'node', image: { width: 1, height: 1 }, newTokens: 8, ours: side(), official: side(), firstTokenSpeedup: summary(), totalSpeedup: summary() }],
      bandwidth: [],
    },
    optimisations: [{ name: 'cache', environment: 'node', scenario: 's', metric: 'm', before: summary(), after: summary(), speedup: 1.2, sameTokens: null, kept: true, note: '' }],
    constrained: [
      {
        environment: 'node', config: 'app', dtypes: dtypes(),
        vocabulary: { size: 10, writable: 9, freeText: 8, closing: 2 },
        plan: { maxNewTokens: 64, tokenBound: 60, budgets: { textual: 10 }, refinedPromptMaxChars: 500 },
        setupMs: summary(), firstSetupMs: 20, newTokens: summary(), runs: 3, completeRuns: 3,
        constrainedDecodeTokensPerSecond: summary(), unconstrainedDecodeTokensPerSecond: summary(), decodeRatio: summary(), overheadPercent: summary(), maskMsPerToken: summary(), maskSharePercent: summary(),
        perTokenMs: { processors: { constrained: summary(), unconstrained: summary() }, textDecode: { constrained: summary(), unconstrained: summary() } },
        maskBySegment: { free: { steps: 4, msPerStep: 0.1 } },
        goals: { setupMs: 300, overheadPercent: 5, setupMet: true, overheadMet: true, maskShareMet: true },
      },
    ],
    missing: [{ what: 'WebGPU', why: 'no GPU' }],
  };
}

describe('the benchmark report schema', () => {
  it('accepts a report as the benchmark writes it', () => {
    expect(validateBenchReport(report())).toEqual([]);
    expect(validateBenchReport(JSON.parse(JSON.stringify(report())))).toEqual([]);
  });

  it('names every field that is wrong, by its path, and what is wrong with it', () => {
    const broken = report();
    Object.assign(broken.machine, { cores: -1, os: 7 });
    Object.assign(broken.environments[0]!, { name: 'gpu', extra: true });
    Object.assign(broken.model, { dims: [] });
    Object.assign(broken.constrained[0]!.plan.budgets, { textual: Number.NaN });
    expect(validateBenchReport(broken)).toEqual([
      'report.machine.cores: expected ≥ 0, got -1',
      'report.machine.os: expected a string',
      'report.model.dims: expected an object',
      'report.environments[0].name: expected one of node, chromium-wasm, chromium-webgpu, got "gpu"',
      'report.environments[0].extra: not in the schema',
      'report.constrained[0].plan.budgets.textual: expected a finite number, got null',
    ]);
  });

  it('checks what spans fields: a summary’s order, a section’s rows, complete runs within runs', () => {
    const broken = report();
    broken.optimisations[0]!.after = { n: 0.5, median: 1, min: 1, max: 1, q1: 1, q3: 1 };
    broken.constrained[0]!.completeRuns = 4;
    expect(validateBenchReport(broken)).toEqual([
      'report.optimisations[0].after.n: expected a positive integer',
      'report.constrained[0].completeRuns: more than runs',
    ]);
    broken.optimisations[0]!.after = { n: 1, median: 1, min: 2, max: 3, q1: 1, q3: 1 };
    expect(validateBenchReport({ ...broken, constrained: [] })).toEqual([
      'report.optimisations[0].after: expected min ≤ q1 ≤ median ≤ q3 ≤ max',
      'report.constrained: expected at least one entry',
    ]);
    expect(validateBenchReport({ ...report(), sections: ['constrained'], environments: [] })).toEqual([]);
    expect(validateBenchReport({ schemaVersion: 1 })).toEqual(expect.arrayContaining(['report.schemaVersion: expected one of 2, got 1', 'report.machine: missing']));
    expect(validateBenchReport(null)).toEqual(['report: expected an object']);
  });
});
