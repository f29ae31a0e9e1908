import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_DIR } from '../../scripts/bench/bench-paths.ts';
import { renderMarkdown } from '../../scripts/bench/report-markdown.ts';
import { parseBenchReport, validateBenchReport } from '../../scripts/bench/report-schema.ts';

const COMMITTED = ['bench-full.json'];

describe('the committed benchmark report (bench-results/, cited by the README)', () => {
  it.each(COMMITTED)('%s matches the report schema, and its Markdown beside it is the one it renders', async (name) => {
    expect((await readdir(RESULTS_DIR)).filter((file) => file.endsWith('.json'))).toContain(name);
    const report = JSON.parse(await readFile(join(RESULTS_DIR, name), 'utf8')) as unknown;
    expect(validateBenchReport(report)).toEqual([]);
    const markdown = await readFile(join(RESULTS_DIR, name.replace(/\.json$/, '.md')), 'utf8');
    expect(markdown).toBe(renderMarkdown(parseBenchReport(report)));
  });
});
