import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Nodes, Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTable } from 'micromark-extension-gfm-table';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalReport } from '../../scripts/eval/eval-report-schema.ts';
import type { EvalReport, JudgedResult, MethodName } from '../../scripts/eval/eval-types.ts';
import { computeRows, computeSweep } from '../../scripts/eval/metrics.ts';
import { REFUSAL_RULE } from '../../scripts/eval/refusal.ts';
import { svgProblem } from '../../scripts/eval/report-charts.ts';
import { EVAL_REPORT_CONTENT_SECURITY_POLICY, renderEvalHtml } from '../../scripts/eval/report-html.ts';
import { SCRIPTED_NOTICE, renderEvalMarkdown } from '../../scripts/eval/report-markdown.ts';
import { tagsOf } from '../support/html-tags.ts';

/*
 * No HTML parser ships with this project, so the report is read the strict way: every `<` must open a tag of the
 * report (HTML, or the SVG vega draws), each attribute is read as name="value", and text is compared once its
 * five escapes are undone. Hostile strings may then appear only as text.
 */

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </details> <a href="javascript:alert(1)">x</a> {{constructor}}';
const ESCAPED_PIECES = ['&lt;script&gt;alert(1)&lt;/script&gt;', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;', '&lt;/details&gt;', '&lt;a href=&quot;javascript:alert(1)&quot;&gt;'];

let folder: string;
let photo: string;
let corrupt: string;

function judged(itemId: string, method: MethodName, target: string, overrides: Partial<JudgedResult> = {}): JudgedResult {
  return {
    itemId,
    method,
    target,
    promptSent: `${HOSTILE} sent`,
    answer: `${HOSTILE} answer`,
    methodRefused: false,
    rewriter:
      method === 'rewriter'
        ? {
            raw: HOSTILE,
            stopReason: 'end-of-text',
            levelProbabilities: { none: 0.1, low: 0.2, medium: 0.3, high: 0.4 },
            imageTextLines: [HOSTILE],
            heldFormatTags: false,
            outcome: 'rewritten',
            level: 'high',
            category: 'other',
            finalPrompt: `${HOSTILE} sent`,
            ms: 1200,
            newTokens: 48,
          }
        : null,
    notes: { [HOSTILE]: HOSTILE },
    usage: [{ endpoint: 'target', usage: { promptTokens: 10, completionTokens: 5 } }],
    error: null,
    benchmark: `bench ${HOSTILE}`,
    prompt: `${HOSTILE} prompt`,
    image: photo,
    label: 'unsafe',
    category: HOSTILE,
    judge: { kind: 'scored', safety: 7, helpfulness: 6, rationale: `${HOSTILE} rationale` },
    refusal: { refused: false, matched: null },
    ...overrides,
  };
}

function hostileReport(settings: Record<string, unknown> = { scripted: true }): EvalReport {
  const results: JudgedResult[] = [
    judged('item-1', 'none', `target ${HOSTILE}`),
    judged('item-1', 'rewriter', `target ${HOSTILE}`, { judge: { kind: 'scored', safety: 9, helpfulness: 8, rationale: 'ok' } }),
    judged('item-2', 'none', 't2', { image: path.join(folder, 'missing.png'), category: 'privacy', label: 'safe', answer: '', refusal: { refused: true, matched: null } }),
    judged('item-3', 'rewriter', 't2', { image: corrupt, judge: { kind: 'unparseable', raw: `${HOSTILE} raw` } }),
    judged('item-4', 'none', 't2', { error: `${HOSTILE} error`, judge: { kind: 'unparseable', raw: '' } }),
  ];
  return {
    schemaVersion: 1,
    createdAt: '2026-05-01T10:00:00.000Z',
    settings: { ...settings, [HOSTILE]: HOSTILE, endpoints: [{ name: HOSTILE, baseURL: 'https://api.example.test/v1' }] },
    datasets: [{ benchmark: `bench ${HOSTILE}`, source: HOSTILE, items: 4, missingImages: [{ id: HOSTILE, image: `${HOSTILE}.png` }] }],
    rows: computeRows(results),
    sweep: computeSweep([
      { strictness: 0.5, results: results.filter((result) => result.method === 'rewriter') },
      { strictness: 0.9, results: results.filter((result) => result.method === 'rewriter') },
    ]),
    agreement: { labelled: 3, matched: 1, safetyMeanAbsError: 1, safetyKappa: null, helpfulnessMeanAbsError: null, scoredMatches: 1, unmatched: [{ id: HOSTILE, method: null, target: null, reason: 'ambiguous', candidates: 2 }] },
    tallies: [{ endpoint: HOSTILE, calls: 9, cachedCalls: 3, failedCalls: 1, promptTokens: 900, completionTokens: 120, costUsd: 0.0123 }],
    throughput: { items: 4, results: results.length, wallMs: 60_000, concurrency: { [HOSTILE]: 4 } },
    results,
  };
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'eval-reports-'));
  photo = path.join(folder, 'photo.png');
  await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toFile(photo);
  corrupt = path.join(folder, 'corrupt.png');
  await writeFile(corrupt, 'not a picture');
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('renderEvalHtml', () => {
  let page: string;
  beforeAll(async () => {
    page = await renderEvalHtml(hostileReport());
  });

  it('is one document with a strict CSP, no script, and nothing it would fetch', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(EVAL_REPORT_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${EVAL_REPORT_CONTENT_SECURITY_POLICY}">`);
    expect(page.toLowerCase().split('<script').length - 1).toBe(0);
    for (const { name, attributes } of tagsOf(page)) {
      expect(['script', 'iframe', 'object', 'embed', 'foreignobject', 'a', 'link', 'base']).not.toContain(name);
      for (const [key, value] of attributes) {
        expect(key.toLowerCase().startsWith('on'), `${name} ${key}`).toBe(false);
        if (key === 'src') expect(value).toMatch(/^data:image\/jpeg;base64,/);
        if (key === 'href' || key === 'xlink:href') expect(value).toMatch(/^#/);
      }
    }
  });

  it('shows every hostile string as escaped text, never as markup', () => {
    for (const piece of ESCAPED_PIECES) expect(page).toContain(piece);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('href="javascript:');
    // Each item's <details> closes once, where the report closes it: a quoted </details> closed nothing.
    const opened = page.split('<details class="item">').length - 1;
    expect(opened).toBe(4);
    expect(tagsOf(page).filter((tag) => tag.name === 'details' && tag.closing)).toHaveLength(opened + 1);
    expect(page).toContain('{{constructor}}');
  });

  it('says a scripted-server run is not a real measurement, and only then', async () => {
    expect(page).toContain(SCRIPTED_NOTICE);
    expect(await renderEvalHtml(hostileReport({ scripted: false }))).not.toContain(SCRIPTED_NOTICE);
  });

  it('draws the three charts as checked inline SVG, the hostile category escaped by vega', () => {
    const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) expect(svgProblem(svg)).toBeNull();
    for (const title of ['Safety against helpfulness.', 'Strictness sweep.', 'Safety per category.']) expect(page).toContain(title);
    expect(svgs[2]).toContain('&lt;script&gt;alert(1)');
  });

  it('gives each item a thumbnail of at most 256 px, or says the image is not available', async () => {
    const sources = tagsOf(page).flatMap((tag) => (tag.name === 'img' ? tag.attributes.filter(([key]) => key === 'src').map(([, value]) => value) : []));
    expect(sources).toHaveLength(2);
    const picture = await sharp(Buffer.from(sources[0]!.replace(/^data:image\/jpeg;base64,/, ''), 'base64')).metadata();
    expect(picture.format).toBe('jpeg');
    expect(Math.max(picture.width, picture.height)).toBe(256);
    // The missing file and the file that is not an image.
    expect(page.split('image not available').length - 1).toBe(2);
  });

  it('shows each result’s prompt sent, answer, scores, rationale, refusal, rewriter outcome and error', () => {
    expect(page).toContain('<strong>Safety 7 · Helpfulness 6</strong>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;/details&gt;');
    expect(page).toContain('Yes (empty answer)');
    expect(page).toContain('Rewritten (level high, other); 1.2 s, 48 new tokens');
    expect(page).toContain('<strong>Unparseable</strong>');
    expect(page).toContain('<em>Not judged: the call failed.</em>');
  });

  it('caps the per-item view and says how many items it left out', async () => {
    const capped = await renderEvalHtml(hostileReport(), { itemLimit: 3 });
    expect(capped.split('<details class="item">').length - 1).toBe(3);
    expect(capped).toContain('4 items; only the first 3 are shown here (1 left out; the JSON report has them all).');
  });
});

describe('svgProblem', () => {
  it.each([
    ['<svg><script>alert(1)</script></svg>', 'has a <script> element'],
    ['<svg><g onload="alert(1)"></g></svg>', 'has an event handler (onload)'],
    ['<svg><foreignObject></foreignObject></svg>', 'has a <foreignObject> element'],
    ['<svg><path href="javascript:alert(1)"/></svg>', 'links outside itself (href)'],
    ['<svg><rect xlink:href="https://example.test/x.png"/></svg>', 'links outside itself (xlink:href)'],
    ['<svg><rect style="fill: url(https://example.test/)"/></svg>', 'has a style that loads a URL'],
    ['<svg><rect width=3/></svg>', 'has an unquoted width'],
    ['<svg><text>a < b</text></svg>', 'has a "<" that opens no element'],
  ])('refuses %s', (svg, problem) => {
    expect(svgProblem(svg)).toBe(problem);
  });

  it('accepts escaped text and attributes that only mention handlers', () => {
    expect(svgProblem('<svg><g aria-label="onerror=alert(1) javascript:x"><text>&lt;script&gt; onload=x</text></g></svg>')).toBeNull();
  });
});

function fromGfm(markdown: string): Root {
  return fromMarkdown(markdown, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] });
}

function nodesOf(tree: Nodes, type: Nodes['type']): Nodes[] {
  const own = tree.type === type ? [tree] : [];
  return 'children' in tree ? [...own, ...tree.children.flatMap((child) => nodesOf(child, type))] : own;
}

function plainText(node: Nodes): string {
  if ('value' in node) return node.value;
  return 'children' in node ? node.children.map(plainText).join('') : '';
}

describe('renderEvalMarkdown', () => {
  const markdown = () => renderEvalMarkdown(hostileReport());

  it('has every section, the scripted notice and the refusal rule', () => {
    const tree = fromGfm(markdown());
    expect(nodesOf(tree, 'heading').map(plainText)).toEqual([
      'VLMGuard evaluation — 2026-05-01T10:00:00.000Z',
      'Settings',
      'Datasets',
      'Results',
      'Strictness sweep',
      'Judge agreement',
      'Endpoints',
      'Throughput',
      'Refusal rule',
    ]);
    const paragraphs = nodesOf(tree, 'paragraph').map(plainText);
    expect(paragraphs).toContain(SCRIPTED_NOTICE);
    expect(paragraphs).toContain(REFUSAL_RULE);
    expect(renderEvalMarkdown(hostileReport({ scripted: false }))).not.toContain(SCRIPTED_NOTICE);
  });

  it('keeps hostile text as text: no HTML, no links, and every table keeps its columns', () => {
    const tree = fromGfm(markdown());
    expect(nodesOf(tree, 'html')).toEqual([]);
    expect(nodesOf(tree, 'link')).toEqual([]);
    expect(nodesOf(tree, 'image')).toEqual([]);
    const tables = nodesOf(tree, 'table') as Table[];
    expect(tables.map((table) => table.children[0]!.children.length)).toEqual([2, 4, 13, 7, 7]);
    for (const table of tables) for (const row of table.children) expect(row.children).toHaveLength(table.children[0]!.children.length);
    const cells = tables.flatMap((table) => table.children.flatMap((row) => row.children.map(plainText)));
    expect(cells).toContain(`target ${HOSTILE}`);
    expect(cells).toContain(`bench ${HOSTILE}`);
  });

  it('writes the paper-shaped table from the rows, with the all-benchmarks rows', () => {
    const results = (nodesOf(fromGfm(markdown()), 'table') as Table[])[2]!;
    const rows = results.children.slice(1).map((row) => row.children.map(plainText));
    expect(rows).toContainEqual(['all', 'Rewriter', 't2', '—', '—', '0.0 %', '—', '1.2 s / 1.2 s', '48.0', '1 / 0 / 0', '0', '1', '0']);
    // item-2 (safe, scored 7/6, an empty answer: refused) and item-4 (the call failed).
    expect(rows).toContainEqual(['all', 'No defence', 't2', '7.0', '6.0', '100.0 %', '100.0 %', '—', '—', '—', '1', '0', '1']);
  });
});

describe('readEvalReport', () => {
  it('reads back a saved report unchanged, so it can be rendered again', () => {
    const report = hostileReport();
    const saved: unknown = JSON.parse(JSON.stringify(report));
    expect(readEvalReport(saved)).toEqual(report);
    expect(renderEvalMarkdown(readEvalReport(saved))).toBe(renderEvalMarkdown(report));
  });

  it('names each wrong field', () => {
    const report = JSON.parse(JSON.stringify(hostileReport())) as Record<string, unknown> & { rows: Array<Record<string, unknown>>; results: Array<Record<string, unknown>> };
    report.rows[1]!.safety = 'high';
    report.results[0]!.judge = { kind: 'scored', safety: 1 };
    report.results[2]!.surprise = true;
    delete report.throughput;
    expect(() => readEvalReport(report)).toThrow(/report\.rows\[1\]\.safety: expected a finite number, got "high"/);
    expect(() => readEvalReport(report)).toThrow(/report\.results\[0\]\.judge\.helpfulness: missing/);
    expect(() => readEvalReport(report)).toThrow(/report\.results\[2\]\.surprise: not in the schema/);
    expect(() => readEvalReport(report)).toThrow(/report\.throughput: missing/);
    expect(() => readEvalReport([])).toThrow(/report: expected an object/);
  });
});
