import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATIC_DEFENCE_IMAGE_TEXT_LABEL } from '../../src/core/static-defence.ts';
import { EVAL_FLAGS } from '../../scripts/eval/eval-options.ts';
import type { EvalReport, MetricsRow } from '../../scripts/eval/eval-types.ts';
import VlmGuardRewriterProvider from '../../scripts/eval/promptfoo-provider.ts';
import { rewriteFormatRegex } from '../../scripts/eval/rewrite-format-regex.ts';
import { startScriptedServer } from '../../scripts/eval/scripted-server.ts';
import { expectHelpNamesFlags, killWhenLogged, repoScript } from '../support/cli-process.ts';
import { datasetArgs, setUpScriptedFixtures } from '../support/scripted-fixtures.ts';
import { SCRIPTED_MODEL_DIR, SCRIPTED_REFINED_PROMPT } from '../support/tiny-model.ts';

const ALL_METHODS = ['none', 'static-defence', 'ecso', 'guard', 'rewriter'] as const;

const scripted = setUpScriptedFixtures('eval-run-', { itemsPerFormat: 2, seed: 3 });

const { start: startCli, run: runCli } = repoScript('scripts/eval/run-eval.ts');

function endpoint(name: string, model: string, url = scripted.server.url, concurrency = 4) {
  return `name=${name},url=${url},model=${model},concurrency=${concurrency}`;
}

function fullArgs(out: string, url = scripted.server.url, concurrency = 4): string[] {
  return [
    ...datasetArgs(scripted.specs),
    '--methods', ALL_METHODS.join(','),
    '--target', endpoint('alpha', 'target-a', url, concurrency),
    '--target', endpoint('beta', 'target-b', url, concurrency),
    '--judge', endpoint('judge', 'judge', url, concurrency),
    '--guard', endpoint('guard', 'guard', url, concurrency),
    '--rewriter', SCRIPTED_MODEL_DIR,
    '--offline',
    '--no-ocr',
    '--out', out,
  ];
}

async function readReport(out: string): Promise<EvalReport> {
  return JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
}

const callsMade = (report: EvalReport) => report.tallies.reduce((sum, tally) => sum + tally.calls, 0);

/** The rows without the rewriter's latency, which is a measurement and differs between runs. */
const comparable = (rows: MetricsRow[]) => rows.map(({ rewriterMs: _latency, ...row }) => row);

function safetyOn(report: EvalReport, method: string, label: 'unsafe' | 'safe'): number {
  const scores = report.results.flatMap((result) => (result.method === method && result.label === label && result.judge.kind === 'scored' ? [result.judge.safety] : []));
  return scores.reduce((sum, score) => sum + score, 0) / scores.length;
}

describe('npm run eval against the scripted server', () => {
  const outA = () => path.join(scripted.dir, 'out-a');
  let reportA: EvalReport;

  beforeAll(async () => {
    const run = await runCli(fullArgs(outA()));
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    reportA = await readReport(outA());
  }, 240_000);

  it('writes a row for every benchmark × method × target, and all three reports', async () => {
    const benchmarks = reportA.datasets.map((dataset) => dataset.benchmark);
    expect(benchmarks.sort()).toEqual(['figstep', 'jsonl', 'mm-safetybench', 'siuo', 'vlguard']);
    for (const benchmark of benchmarks) {
      for (const method of ALL_METHODS) {
        for (const target of ['alpha', 'beta']) {
          const row = reportA.rows.find((candidate) => candidate.benchmark === benchmark && candidate.method === method && candidate.target === target);
          expect(row, `${benchmark} × ${method} × ${target}`).toBeDefined();
          expect(row?.errors).toBe(0);
        }
      }
    }
    expect(reportA.settings['scripted']).toBe(true);
    expect(reportA.throughput.results).toBe(reportA.throughput.items * ALL_METHODS.length * 2);
    expect(await readFile(path.join(outA(), 'report.md'), 'utf8')).toContain('scripted');
    expect(await readFile(path.join(outA(), 'report.html'), 'utf8')).toContain('<html');
  });

  it('scores no defence less safe than the static defence and the rewriter on unsafe items, without over-refusing safe ones', () => {
    expect(safetyOn(reportA, 'none', 'unsafe')).toBeLessThan(safetyOn(reportA, 'static-defence', 'unsafe'));
    expect(safetyOn(reportA, 'none', 'unsafe')).toBeLessThan(safetyOn(reportA, 'rewriter', 'unsafe'));
    const noneAll = reportA.rows.filter((row) => row.method === 'none' && row.benchmark === 'all');
    expect(noneAll.length).toBe(2);
    for (const row of noneAll) expect(row.overRefusalRate).toBe(0);
    const guarded = reportA.results.filter((result) => result.method === 'guard' && result.methodRefused);
    expect(guarded.length).toBeGreaterThan(0);
    expect(guarded.every((result) => result.label === 'unsafe')).toBe(true);
    const rewritten = reportA.results.find((result) => result.method === 'rewriter');
    expect(rewritten?.promptSent).toBe(SCRIPTED_REFINED_PROMPT);
  });

  it('makes no call when re-run with the same flags, and reports the same rows', async () => {
    const run = await runCli(fullArgs(outA()));
    expect(run.code).toBe(0);
    const again = await readReport(outA());
    expect(callsMade(again)).toBe(0);
    expect(again.tallies.find((tally) => tally.endpoint === 'judge')?.cachedCalls).toBeGreaterThan(0);
    expect(comparable(again.rows)).toEqual(comparable(reportA.rows));
  }, 120_000);

  it('resumes a run killed mid-way: the same rows as an uninterrupted run, with fewer calls', async () => {
    const slow = await startScriptedServer({ delayMs: 25 });
    try {
      const outB = path.join(scripted.dir, 'out-b');
      const killed = startCli(fullArgs(outB, slow.url, 1));
      expect(await killWhenLogged(killed, path.join(outB, 'calls.jsonl'), 40, 120_000)).toBeGreaterThanOrEqual(40);

      const resumed = await runCli(fullArgs(outB, slow.url, 4));
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain('Resuming');
      const reportB = await readReport(outB);
      expect(comparable(reportB.rows)).toEqual(comparable(reportA.rows));
      expect(callsMade(reportB)).toBeLessThan(callsMade(reportA));
      expect(callsMade(reportB)).toBeGreaterThan(0);
    } finally {
      await slow.close();
    }
  }, 240_000);
});

describe('npm run eval when things go wrong', () => {
  it('retries 500s and 429s until the run completes, and counts garbled judge output as unparseable', async () => {
    const flaky = await startScriptedServer({ failEvery: 5, rateLimitEvery: 7, garbleJudgeEvery: 3 });
    try {
      const out = path.join(scripted.dir, 'out-flaky');
      const run = await runCli([
        ...datasetArgs(scripted.specs, ['vlguard', 'jsonl']),
        '--methods', 'none,static-defence',
        '--target', endpoint('alpha', 'target-a', flaky.url),
        '--judge', endpoint('judge', 'judge', flaky.url),
        '--no-ocr',
        '--out', out,
      ]);
      expect(run.code).toBe(0);
      const statuses = flaky.requests.map((request) => request.status);
      expect(statuses).toContain(500);
      expect(statuses).toContain(429);
      const report = await readReport(out);
      const all = report.rows.filter((row) => row.benchmark === 'all');
      expect(all.reduce((sum, row) => sum + row.errors, 0)).toBe(0);
      expect(all.reduce((sum, row) => sum + row.unparseable, 0)).toBeGreaterThan(0);
      expect(all.reduce((sum, row) => sum + row.scored + row.unparseable, 0)).toBe(report.results.length);
    } finally {
      await flaky.close();
    }
  }, 120_000);

  it('stops with exit 1 and names the endpoint when it refuses the key', async () => {
    const locked = await startScriptedServer({ apiKey: 'the-right-key' });
    try {
      const run = await runCli([
        ...datasetArgs(scripted.specs, ['jsonl', 'vlguard']),
        '--methods', 'none,static-defence',
        // More tasks than the run keeps in flight (4 × the targets' concurrency), so some are still queued.
        '--target', endpoint('alpha', 'target-a', locked.url, 1),
        '--judge', endpoint('judge', 'judge', locked.url),
        '--no-ocr',
        '--out', path.join(scripted.dir, 'out-locked'),
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/alpha \(.*\) refused the request \(HTTP 401\)/);
      expect(locked.requests.length).toBeLessThan(10);
    } finally {
      await locked.close();
    }
  }, 60_000);

  it('exits 2 with the loader\'s message on a malformed dataset', async () => {
    const bad = path.join(scripted.dir, 'bad.jsonl');
    await writeFile(bad, '{"id":"a","image":"x.png","prompt":"p","label":"maybe"}\n');
    const run = await runCli(['--dataset', `jsonl:${bad}`, '--methods', 'none', '--target', endpoint('alpha', 'target-a'), '--judge', endpoint('judge', 'judge'), '--out', path.join(scripted.dir, 'out-bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}:1`);
    expect(run.stderr).toContain('label');
  }, 60_000);

  it('exits 2 on a bad argument, and --help names every flag', async () => {
    const bad = await runCli(['--dataset', 'jsonl:x', '--target', 'name=a', '--judge', endpoint('judge', 'judge')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--target');
    await expectHelpNamesFlags(runCli, EVAL_FLAGS);
  }, 60_000);
});

describe('npm run eval with a served rewriter and with OCR', () => {
  it.each([
    ['structured-outputs', (body: Record<string, unknown>) => (body['structured_outputs'] as { regex?: unknown } | undefined)?.regex],
    ['guided-regex', (body: Record<string, unknown>) => body['guided_regex']],
  ] as const)('sends the format as a %s constraint, and the rewrites it gets back are used', async (constraint, readRegex) => {
    const before = scripted.server.requests.length;
    const out = path.join(scripted.dir, `out-served-${constraint}`);
    const run = await runCli([
      ...datasetArgs(scripted.specs, ['jsonl']),
      '--methods', 'rewriter',
      '--target', endpoint('alpha', 'target-a'),
      '--judge', endpoint('judge', 'judge'),
      '--rewriter-endpoint', endpoint('served', 'rewriter'),
      '--rewriter-constraint', constraint,
      '--no-ocr',
      '--out', out,
    ]);
    expect(run.code).toBe(0);
    const rewriterRequests = scripted.server.requests.slice(before).filter((request) => request.model === 'rewriter');
    expect(rewriterRequests.length).toBeGreaterThan(0);
    for (const request of rewriterRequests) {
      expect(readRegex(request.body)).toBe(rewriteFormatRegex());
      expect(request.status).toBe(200);
    }
    const report = await readReport(out);
    const outcomes = report.results.map((result) => `${result.label}:${result.rewriter?.outcome}`);
    expect(outcomes).toContain('unsafe:rewritten');
    expect(report.results.filter((result) => result.label === 'safe').every((result) => result.rewriter?.outcome !== 'rewritten')).toBe(true);
  }, 120_000);

  it('quotes the text OCR reads in a typographic image in the static defence', async () => {
    const out = path.join(scripted.dir, 'out-ocr');
    const run = await runCli([
      ...datasetArgs(scripted.specs, ['figstep']),
      '--limit', '1',
      '--methods', 'static-defence',
      '--target', endpoint('alpha', 'target-a'),
      '--judge', endpoint('judge', 'judge'),
      '--out', out,
    ]);
    expect(run.code).toBe(0);
    const [result] = (await readReport(out)).results;
    expect(result?.promptSent).toContain(STATIC_DEFENCE_IMAGE_TEXT_LABEL);
  }, 120_000);
});

describe('the promptfoo provider', () => {
  it('returns the refined prompt of the in-process rewriter for the image in vars.image', async () => {
    const provider = new VlmGuardRewriterProvider({ config: { model: SCRIPTED_MODEL_DIR, offline: true, ocr: false } });
    try {
      expect(provider.id()).toContain('vlmguard-rewriter');
      const image = scripted.specs.find((spec) => spec.format === 'jsonl')!;
      const first = JSON.parse((await readFile(image.path, 'utf8')).split('\n')[0]!) as { image: string };
      const response = await provider.callApi('How far is it to jump?', { vars: { image: path.resolve(path.dirname(image.path), first.image) } });
      expect(response).toMatchObject({ output: SCRIPTED_REFINED_PROMPT, metadata: { outcome: 'rewritten', level: 'high' } });
      expect(response.tokenUsage?.completion).toBeGreaterThan(0);
      expect(await provider.callApi('Anything?', { vars: {} })).toMatchObject({ error: expect.stringContaining('vars.image') });
    } finally {
      await provider.dispose();
    }
  }, 120_000);
});
