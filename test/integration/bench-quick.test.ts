// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateChromium } from '../../scripts/lib/chromium.ts';
import { renderMarkdown } from '../../scripts/bench/report-markdown.ts';
import { validateBenchReport, type BenchReport } from '../../scripts/bench/report-schema.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const hasChromium = locateChromium() !== null;

let outDir: string;
let report: BenchReport;
let markdown: string;
let stdout: string;

// `npm run bench -- --quick` end to end on the tiny model, as CI runs it. Nothing here asserts a time.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'bench-quick-'));
  const result = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench/run-bench.ts', '--quick', '--out', outDir, ...(hasChromium ? [] : ['--no-browser'])],
    { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20, timeout: 480_000 },
  );
  stdout = result.stdout;
  report = JSON.parse(await readFile(join(outDir, 'bench-quick.json'), 'utf8')) as BenchReport;
  markdown = await readFile(join(outDir, 'bench-quick.md'), 'utf8');
}, 500_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it('writes a report that matches the schema', () => {
    expect(validateBenchReport(report)).toEqual([]);
    expect(report).toMatchObject({ mode: 'quick', model: { id: 'test/tiny-smolvlm', kind: 'tiny' } });
  });

  it('measures Node and, where Chromium exists, Chromium WASM under cross-origin isolation', () => {
    const names = report.environments.map((environment) => environment.name);
    expect(names).toContain('node');
    if (hasChromium) {
      const browser = report.environments.find((environment) => environment.name === 'chromium-wasm');
      expect(browser).toMatchObject({ backend: 'wasm', crossOriginIsolated: true });
      expect(browser?.longTasks).not.toBeNull();
    }
    for (const environment of report.environments) {
      for (const config of environment.configs) expect(config.decodeTokensPerSecond.n).toBeGreaterThanOrEqual(report.settings.runs);
    }
  });

  it('has every comparison, and the cached and raw runs give the cold engine\'s tokens', () => {
    expect(report.comparisons.rawLoop.length).toBeGreaterThan(0);
    expect(report.comparisons.rawLoop.every((row) => row.sameTokens)).toBe(true);
    expect(report.comparisons.officialConfig[0]).toMatchObject({ ours: { tiles: 1 } });
    expect(report.comparisons.officialConfig[0]!.official.tiles).toBeGreaterThan(1);
    expect(report.comparisons.bandwidth.length).toBeGreaterThan(0);
    const caches = report.optimisations.filter((row) => row.name.includes('cache'));
    expect(caches.length).toBeGreaterThan(0);
    expect(caches.every((row) => row.sameTokens === true)).toBe(true);
    // What was not measured is listed with the reason, never left out silently.
    expect(report.missing.length).toBeGreaterThan(0);
    for (const item of report.missing) expect(item.why.length, item.what).toBeGreaterThan(20);
  });

  it('sweeps the recipes on the raw loop, fp32 as the reference, in each environment', () => {
    const environments = hasChromium ? ['node', 'chromium-wasm'] : ['node'];
    expect(report.recipes.map((row) => `${row.environment} ${row.recipe}`)).toEqual(
      environments.flatMap((environment) => ['q4', 'q8', 'fp32'].map((recipe) => `${environment} ${recipe}`)),
    );
    for (const row of report.recipes) {
      expect(row.newTokens).toBe(report.settings.newTokens);
      expect(row.decodeTokensPerSecond.n).toBe(row.environment === 'node' ? report.settings.runs : Math.min(report.settings.runs, 2));
      if (row.recipe === 'fp32') expect(row.tokensAsFp32).toBe(row.newTokens);
    }
    expect(markdown).toContain('## Recipes: the raw onnxruntime loop on each dtype');
  });

  it('sweeps the session options on the CPU recipe against the defaults, one thread included, in each environment', () => {
    const environments = hasChromium ? ['node', 'chromium-wasm'] : ['node'];
    const variants = ['defaults', 'graph optimisation: extended', 'graph optimisation: basic', 'batch size fixed to 1', 'threads do not spin', 'one thread'];
    expect(report.sessionOptions.map((row) => `${row.environment} ${row.variant}`)).toEqual(
      environments.flatMap((environment) => variants.map((variant) => `${environment} ${variant}`)),
    );
    for (const row of report.sessionOptions) {
      expect(row.option.length, row.variant).toBeGreaterThan(3);
      expect(row.newTokens).toBe(report.settings.newTokens);
      expect(row.loadMs.n).toBe(1);
      if (row.variant === 'defaults') expect(row.tokensAsDefaults).toBe(row.newTokens);
    }
    expect(markdown).toContain('## Session options: the raw onnxruntime loop on the CPU recipe');
    if (hasChromium) expect(report.missing.map((item) => item.what)).toContain('Relaxed SIMD on WASM');
  });

  it('times a whole rewrite per reasoning mode: each mode completes its format, and less reasoning writes fewer tokens', () => {
    const environments = hasChromium ? ['node', 'chromium-wasm'] : ['node'];
    expect(report.rewrites.map((row) => `${row.environment} ${row.reasoning}`)).toEqual(
      environments.flatMap((environment) => ['full', 'brief', 'off'].map((mode) => `${environment} ${mode}`)),
    );
    for (const environment of environments) {
      const rows = report.rewrites.filter((row) => row.environment === environment);
      for (const row of rows) expect(row.completeRuns).toBe(row.runs);
      const tokens = rows.map((row) => row.tokenCount.median);
      expect(tokens).toEqual([...tokens].sort((a, b) => b - a));
      expect(new Set(tokens).size).toBe(3);
    }
    // The goals are set for the realistic-size model, never judged on the tiny one.
    expect(report.rewrites.every((row) => row.goalMs === null && row.goalMet === null)).toBe(true);
    expect(markdown).toContain('## A whole rewrite per reasoning mode');
  });

  it('has a constrained-generation row per environment: complete outputs, paired with free runs of the same length', () => {
    expect(report.sections).toEqual(['standard', 'constrained', 'ocr', 'speed']);
    expect(report.constrained.map((row) => row.environment)).toEqual(hasChromium ? ['node', 'chromium-wasm'] : ['node']);
    for (const row of report.constrained) {
      expect(row.runs).toBe(2);
      expect(row.completeRuns).toBe(row.runs);
      expect(row.setupMs.n).toBe(2);
      expect(row.firstSetupMs).toBeGreaterThanOrEqual(row.setupMs.min);
      // The tiny model's vocabulary: 256 bytes and the special tokens, which the table leaves out.
      expect(row.vocabulary.size).toBeGreaterThan(256);
      expect(row.vocabulary.writable).toBe(256);
      expect(row.vocabulary.freeText).toBeLessThan(row.vocabulary.writable);
      expect(row.plan.tokenBound).toBeLessThanOrEqual(row.plan.maxNewTokens);
      expect(row.newTokens.min).toBeGreaterThan(1);
      expect(row.newTokens.max).toBeLessThanOrEqual(row.plan.tokenBound);
      for (const summary of [row.decodeRatio, row.overheadPercent, row.maskMsPerToken, row.perTokenMs.processors.constrained]) {
        expect(summary.n).toBe(row.runs);
      }
      expect(row.goals).toMatchObject({ setupMs: 300, overheadPercent: 5 });
    }
  });

  it('has an OCR row per environment: the quick test set read, its timings and what OCR adds to a rewrite', () => {
    expect(report.ocr.map((row) => row.environment)).toEqual(hasChromium ? ['node', 'chromium-wasm'] : ['node']);
    for (const row of report.ocr) {
      expect(row.testSet).toMatchObject({ seed: 1, quick: true });
      expect(row.recall.words).toBe(row.testSet.words);
      expect(row.recall.words).toBeGreaterThan(0);
      // Real PP-OCR weights read the rendered words; a broken pipeline reads none of them.
      expect(row.recall.recall).toBeGreaterThan(0.5);
      expect(row.textFree.lines).toBe(0);
      expect(row.coldMs).toBeGreaterThanOrEqual(row.firstImageMs);
      expect(row.share?.aloneMs.n).toBe(1);
      expect(row.goals.shareMet).toBeNull();
    }
    expect(markdown).toContain('## OCR on the typographic test set');
  });

  it('prints the Markdown it writes', () => {
    expect(markdown).toBe(renderMarkdown(report));
    expect(stdout).toContain('| environment |');
    expect(markdown).toContain('raw onnxruntime loop');
    expect(markdown).toContain('## Constrained vs unconstrained generation');
  });
});

describe('validateBenchReport', () => {
  it('names what is wrong with a malformed report', () => {
    expect(validateBenchReport({ schemaVersion: 1 })).toEqual(expect.arrayContaining(['report.machine: missing']));
    const broken = structuredClone(report) as unknown as { environments: Array<{ configs: Array<{ firstTokenMs: unknown }> }> };
    broken.environments[0]!.configs[0]!.firstTokenMs = { n: 2, median: 5, min: 6, max: 4, q1: 5, q3: 5 };
    expect(validateBenchReport(broken)).toEqual([
      'report.environments[0].configs[0].firstTokenMs: expected min ≤ q1 ≤ median ≤ q3 ≤ max',
    ]);
    expect(validateBenchReport({ ...report, extra: true })).toEqual(['report.extra: not in the schema']);
    expect(validateBenchReport({ ...report, constrained: [] })).toEqual(['report.constrained: expected at least one entry']);
    expect(validateBenchReport({ ...report, sections: ['standard'], constrained: [] })).toEqual([]);
    const overComplete = structuredClone(report);
    overComplete.constrained[0]!.completeRuns = overComplete.constrained[0]!.runs + 1;
    expect(validateBenchReport(overComplete)).toEqual(['report.constrained[0].completeRuns: more than runs']);
  });
});
