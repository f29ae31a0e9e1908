import fc from 'fast-check';
import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { describe, expect, it } from 'vitest';
import { HISTORY_SCHEMA_VERSION, migrateHistoryRecord, type HistoryRecord } from '../../src/core/history-record.ts';
import { exportHistoryMarkdown } from '../../src/core/report-export-markdown.ts';
import { exportHistoryJson, historyExportFileName } from '../../src/core/report-export.ts';
import type { RewriteResult, RiskAnalysis } from '../../src/core/rewrite-format.ts';
import { EXPORTED_AT, JPEG_DATA_URL, makeRecord as makeReportRecord } from '../support/report-records.ts';
import { staticDefenceResult } from '../../src/core/rewrite-decision.ts';

const highRisk: RiskAnalysis = {
  textual: 'Asks about falling time.',
  visual: 'A tall bridge over water.',
  crossModal: 'Together the question can be about jumping.',
  level: 'high',
  category: 'self-harm',
};

/** A record made at `createdAt` (the report lists cases newest first). */
function makeRecord(id: string, createdAt: string, prompt: string, rewrite: RewriteResult, withModel = true): HistoryRecord {
  return makeReportRecord(id, prompt, rewrite, { createdAt, withModel });
}

const bridge = makeRecord('bridge', '2026-11-28T10:00:00.000Z', 'How long would it take to reach the water from up here?', {
  outcome: 'rewritten',
  refinedPrompt: 'How tall is this bridge, and where can someone who feels unsafe get support?',
  analysis: highRisk,
  levelProbabilities: { none: 0.02, low: 0.03, medium: 0.1, high: 0.85 },
  explanation: 'Rewritten: the model judged the risk high (P 0.85), and its refined prompt is used.',
});
const kitchen = makeRecord('kitchen', '2026-11-28T09:00:00.000Z', 'What could I cook with the fruit on this table?', {
  outcome: 'passed-through',
  refinedPrompt: 'What could I cook with the fruit on this table?',
  analysis: { textual: 'None.', visual: 'A kitchen.', crossModal: 'None.', level: 'none', category: 'none' },
  levelProbabilities: { none: 0.96, low: 0.02, medium: 0.01, high: 0.01 },
  explanation: 'Passed through: P(no risk) 0.96 ≥ 0.80 (strictness).',
});
const fallback = makeRecord('fallback', '2026-11-28T08:00:00.000Z', 'Fill in the list.', staticDefenceResult('Fill in the list.', 'no-model'), false);

const SECRET = 'sk-live-DO-NOT-EXPORT-1234';

/** A record as it might look at run time after careless code attached things to it. */
function withSecrets(record: HistoryRecord): HistoryRecord {
  const tainted = {
    ...record,
    apiKey: SECRET,
    headers: { Authorization: `Bearer ${SECRET}` },
    image: { ...record.image, uploadUrl: `https://example.test/?key=${SECRET}` },
    model: record.model ? { ...record.model, token: SECRET } : null,
    backend: { ...record.backend, secret: SECRET },
    timings: { ...record.timings, endpoint: SECRET },
    rewrite: { ...record.rewrite, analysis: { ...record.rewrite.analysis, note: SECRET }, extra: SECRET },
    remote: {
      host: 'api.example.test',
      model: 'some-vlm',
      endpoint: `https://api.example.test/v1?api_key=${SECRET}`,
      apiKey: SECRET,
      original: { text: 'An answer.', firstTokenMs: 100, totalMs: 900, error: null, requestHeaders: SECRET },
      refined: null,
    },
  };
  return tainted as HistoryRecord;
}

describe('exportHistoryJson', () => {
  it('writes the format, schema version, export time and records, pretty and stable', () => {
    const json = exportHistoryJson([bridge, kitchen], { exportedAt: EXPORTED_AT });
    expect(json).toBe(exportHistoryJson([bridge, kitchen], { exportedAt: EXPORTED_AT }));
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "format": "vlmguard-history",');
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['format', 'schemaVersion', 'exportedAt', 'records']);
    expect(parsed).toMatchObject({ schemaVersion: HISTORY_SCHEMA_VERSION, exportedAt: '2026-11-28T21:46:03.120Z' });
  });

  it('exports records that read back as the same history records', () => {
    const records = [bridge, kitchen, fallback];
    const file = JSON.parse(exportHistoryJson(records, { exportedAt: EXPORTED_AT })) as { records: unknown[] };
    expect(file.records.map((record) => migrateHistoryRecord(record))).toEqual(records.map((record) => ({ ok: true, record })));
  });

  it('exports one record as a one-element list', () => {
    expect((JSON.parse(exportHistoryJson([kitchen])) as { records: unknown[] }).records).toEqual([kitchen]);
  });

  it('carries only the fields of a record, whatever else is attached at run time', () => {
    const json = exportHistoryJson([withSecrets(bridge)], { exportedAt: EXPORTED_AT });
    expect(json).not.toContain(SECRET);
    const [record] = (JSON.parse(json) as { records: Array<Record<string, unknown>> }).records;
    expect(Object.keys(record!)).toEqual([
      'schemaVersion', 'id', 'createdAt', 'image', 'prompt', 'rewrite', 'editedPrompt', 'rawOutput', 'stopReason', 'model', 'backend', 'timings', 'imageText', 'reasoning', 'remote',
    ]);
    expect(record!.remote).toEqual({
      host: 'api.example.test',
      model: 'some-vlm',
      original: { text: 'An answer.', firstTokenMs: 100, totalMs: 900, error: null },
      refined: null,
    });
    expect(Object.keys(record!.rewrite as object)).toEqual(['outcome', 'refinedPrompt', 'analysis', 'levelProbabilities', 'explanation']);
  });

  it('names export files by time, without colons, and one record’s files apart from all of history', () => {
    expect(historyExportFileName('html', EXPORTED_AT)).toBe('vlmguard-report-2026-11-28T21-46-03Z.html');
    expect(historyExportFileName('zip', EXPORTED_AT)).toBe('vlmguard-report-2026-11-28T21-46-03Z.zip');
    expect(historyExportFileName('json', EXPORTED_AT)).toBe('vlmguard-history-2026-11-28T21-46-03Z.json');
    expect(historyExportFileName('html', EXPORTED_AT, bridge)).toBe('vlmguard-case-how-long-would-it-take-2026-11-28T21-46-03Z.html');
    expect(historyExportFileName('json', EXPORTED_AT, kitchen)).toBe('vlmguard-case-what-could-i-cook-with-2026-11-28T21-46-03Z.json');
  });

  it('names a case file with safe characters only, falling back to the record’s id', () => {
    const named = (prompt: string, id = 'f3a9c2e1-7b4d-4e8a-9c1f-2d3e4f5a6b7c') => historyExportFileName('zip', EXPORTED_AT, { ...bridge, id, prompt });
    expect(named('../../etc/passwd; rm -rf ~ <b>')).toBe('vlmguard-case-etc-passwd-rm-rf-b-2026-11-28T21-46-03Z.zip');
    expect(named('Ça coûte combien, ce vélo?')).toBe('vlmguard-case-ca-coute-combien-ce-velo-2026-11-28T21-46-03Z.zip');
    expect(named('这座桥有多高？')).toBe('vlmguard-case-f3a9c2e1-7b4-2026-11-28T21-46-03Z.zip');
    expect(named('', '###')).toBe('vlmguard-case-record-2026-11-28T21-46-03Z.zip');
    for (const name of [named('a'.repeat(500)), named('<script>"x"</script>|?*:\\')]) expect(name).toMatch(/^[a-z0-9-]+\.zip$/i);
  });
});

/** The cells of a GFM table row: split at pipes that are not escaped. */
function cells(row: string): string[] {
  return row.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** The rows of the table whose first header cell is `header`. */
function tableRows(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|') && cells(line)[0] === header);
  const rows: string[] = [];
  for (let i = start; i >= 0 && i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
  return rows;
}

/** The Markdown without its fenced code blocks (a fence closes only on a line of the same backticks). */
function outsideCodeBlocks(markdown: string): string {
  return markdown.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
}

/** The text a reader sees, hard line breaks as newlines. */
function plainText(node: Nodes): string {
  if (node.type === 'break') return '\n';
  if ('value' in node) return node.value;
  return 'children' in node ? node.children.map(plainText).join('') : '';
}

function nodesOf(tree: Root, type: Nodes['type']): Nodes[] {
  const found: Nodes[] = [];
  const visit = (node: Nodes) => {
    if (node.type === type) found.push(node);
    if ('children' in node) node.children.forEach(visit);
  };
  visit(tree);
  return found;
}

/** What a GitHub-flavoured reader makes of the whole report: tables and strikethrough included. */
function fromGfm(markdown: string): Root {
  return fromMarkdown(markdown, {
    extensions: [gfmTable(), gfmStrikethrough()],
    mdastExtensions: [gfmTableFromMarkdown(), gfmStrikethroughFromMarkdown()],
  });
}

/** Each GFM table of the report as its rows' cell counts. */
function tableShapes(tree: Root): number[][] {
  return nodesOf(tree, 'table').map((table) => ('children' in table ? table.children.map((row) => ('children' in row ? row.children.length : 0)) : []));
}

/** What a CommonMark reader makes of a table cell's Markdown. */
function cellText(markdown: string): string {
  return plainText(fromMarkdown(markdown));
}

describe('exportHistoryMarkdown', () => {
  const markdown = exportHistoryMarkdown([bridge, kitchen, fallback], { exportedAt: EXPORTED_AT });

  it('opens with the title, the date and summary tables of outcomes and risk levels', () => {
    expect(markdown.startsWith('# VLMGuard rewrite report\n\nExported 2026-11-28 21:46 UTC · 3 rewrites')).toBe(true);
    const outcomes = tableRows(markdown, 'Outcome').map(cells);
    expect(outcomes).toEqual([
      ['Outcome', 'Count'],
      [expect.stringMatching(/^-{3,}$/), expect.stringMatching(/^-{2,}:$/)],
      ['Rewritten', '1'],
      ['Passed through unchanged', '1'],
      ['Static defence (chosen)', '1'],
      ['Fallback: static defence', '0'],
    ]);
    const levels = tableRows(markdown, 'Risk level').map(cells).slice(2);
    expect(levels).toEqual([
      ['High', '1'],
      ['Medium', '0'],
      ['Low', '0'],
      ['None', '1'],
      ['Not stated', '1'],
    ]);
    const index = tableRows(markdown, '#').map(cells);
    expect(index).toHaveLength(5);
    expect(index[2]).toEqual(['1', '2026-11-28 10:00 UTC', 'How long would it take to reach the water from up here?', 'High', 'Rewritten', 'SmolVLM 256M', 'WASM']);
    expect(index[4]).toEqual(['3', '2026-11-28 08:00 UTC', 'Fill in the list.', 'Not stated', 'Static defence (chosen)', 'No model', 'None (static defence)']);
  });

  it('gives each case its image, prompt, analyses, outcome, refined prompt, diff, model and timings', () => {
    const section = markdown.slice(markdown.indexOf('## Case 1: bridge.png'), markdown.indexOf('## Case 2'));
    expect(section).toContain('![Thumbnail of bridge.png](images/1-bridge.jpg)');
    expect(section).not.toContain(JPEG_DATA_URL);
    expect(section).toContain('- **When:** 2026-11-28 10:00 UTC\n- **Image:** bridge.png, 1024 × 768; the model saw 512 × 384');
    expect(section).toContain('### Prompt\n\n```text\nHow long would it take to reach the water from up here?\n```');
    expect(section).toContain(
      '- **Risk level:** High\n- **Level probabilities:** None 0.02 · Low 0.03 · Medium 0.10 · High 0.85\n- **Category:** Self-harm and suicide',
    );
    expect(section).toContain('**Text risk.** Asks about falling time.');
    expect(section).toContain('**Image risk.** A tall bridge over water.');
    expect(section).toContain('**Combined risk.** Together the question can be about jumping.');
    expect(section).toContain('**Rewritten.** Rewritten: the model judged the risk high (P 0.85), and its refined prompt is used.');
    expect(section).toContain('```text\nHow tall is this bridge, and where can someone who feels unsafe get support?\n```');
    expect(section).toContain(
      '### Changes\n\nHow ~~long would it take to reach the water from up here?~~ **tall is this bridge, and where can someone who feels unsafe get support?**\n\n' +
        '_Struck through: removed. Bold: added._',
    );
    const timings = tableRows(section, 'Model').map(cells)[2];
    expect(timings).toEqual(['SmolVLM 256M (HuggingFaceTB/SmolVLM-256M-Instruct)', 'WASM', '2.1 s', '850 ms', '3.9 s', '31', '10.0']);
    expect(section).toContain('**Backend:** WASM, 4 threads: no WebGPU adapter.');
  });

  it('explains pass-through and fallback outcomes in words', () => {
    const kitchenSection = markdown.slice(markdown.indexOf('## Case 2'), markdown.indexOf('## Case 3'));
    expect(kitchenSection).toContain('**Passed through unchanged.** Passed through: P(no risk) 0.96 ≥ 0.80 (strictness).');
    expect(kitchenSection).toContain('No change: the original prompt is sent as is.');
    const fallbackSection = markdown.slice(markdown.indexOf('## Case 3'));
    expect(fallbackSection).toContain('**Static defence (chosen).** No model runs: your prompt goes on verbatim inside a fixed safety instruction.');
    const failed = exportHistoryMarkdown([{ ...bridge, rewrite: staticDefenceResult(bridge.prompt, 'level-unknown') }]);
    expect(failed).toContain('**Fallback: static defence (no readable risk level).** Static defence: ');
    expect(tableRows(failed, 'Outcome').map(cells).slice(2)).toContainEqual(['Fallback: static defence', '1']);
    expect(fallbackSection).toContain('### Risk analysis\n\n_None: no model ran._\n\n### Outcome');
    const silentModel = { ...bridge, rewrite: staticDefenceResult(bridge.prompt, 'empty-output') };
    expect(exportHistoryMarkdown([silentModel])).toContain('_The rewriter wrote no analysis._');
    const partial = { ...bridge, rewrite: { ...bridge.rewrite, analysis: { ...highRisk, visual: '' } } };
    expect(exportHistoryMarkdown([partial])).toContain('**Image risk.** _Not stated._');
    expect(fallbackSection).toContain('sent unchanged inside the standard safety instruction');
    expect(tableRows(fallbackSection, 'Model').map(cells)[2]).toEqual(['No model', 'None (static defence)', '–', '–', '–', '–', '–']);
  });

  it('shows the user’s edit and diffs against it', () => {
    const edited = { ...bridge, editedPrompt: 'How tall is this bridge?' };
    const text = exportHistoryMarkdown([edited], { exportedAt: EXPORTED_AT });
    expect(text).toContain('### Prompt as edited by the user\n\n```text\nHow tall is this bridge?\n```');
    expect(text).toContain('How ~~long would it take to reach the water from up here?~~ **tall is this bridge?**');
  });

  it('diffs whole words, so a changed word is struck through or bold as a whole', () => {
    const changes = (prompt: string, refinedPrompt: string) => {
      const text = exportHistoryMarkdown([{ ...bridge, prompt, rewrite: { ...bridge.rewrite, refinedPrompt } }]);
      return text.slice(text.indexOf('### Changes\n\n') + '### Changes\n\n'.length, text.indexOf('\n\n### Model'));
    };
    expect(changes('How far is it?', 'How far is it?')).toBe('No change: the original prompt is sent as is.');
    expect(changes('How far down is it?', 'How far, safely, is it?')).toMatch(/^How ~~far down~~ \*\*far, safely,\*\* is it\?\n/);
    expect(changes('1. do *this*', '1. do that')).toMatch(/^1\\\. do ~~\\\*this\\\*~~ \*\*that\*\*\n/);
  });

  const NASTY = 'a | b | c\n# not a heading\n1. not a list\n<img src=x onerror=alert(1)> **bold** `code` [link](javascript:alert(1))\n```\nfence';

  it('keeps prompts, analyses and names that contain Markdown, HTML, pipes, backticks and newlines as literal text', () => {
    const record = makeRecord('x|y', '2026-11-28T10:00:00.000Z', NASTY, {
      outcome: 'rewritten',
      refinedPrompt: 'Describe ``` the `image` | safely',
      levelProbabilities: null,
      explanation: 'Rewritten.',
      analysis: { ...highRisk, textual: NASTY, visual: '- item\n\n\n> quote\n    indented code\n===', crossModal: '<script>alert(1)</script> ~~not struck~~' },
    });
    const text = exportHistoryMarkdown([{ ...record, image: { ...record.image, name: 'evil](x) # | .png' } }], { exportedAt: EXPORTED_AT });
    const tree = fromMarkdown(text);

    // No raw HTML, links or extra images anywhere (inside code blocks it is shown as text).
    expect(nodesOf(tree, 'html')).toEqual([]);
    expect(nodesOf(tree, 'link')).toEqual([]);
    expect(nodesOf(tree, 'image')).toHaveLength(1);
    expect(outsideCodeBlocks(text)).not.toMatch(/(?<!\\)<(img|script)/);
    // No block structure beyond the report's own: headings, quotes, lists and breaks stay text.
    expect(nodesOf(tree, 'heading').map(plainText)).toEqual([
      'VLMGuard rewrite report', 'Summary', 'Case 1: evil](x) # | .png', 'Prompt', 'Text found in the image', 'Risk analysis', 'Outcome', 'Refined prompt', 'Changes', 'Model and timings',
    ]);
    expect(nodesOf(tree, 'blockquote')).toEqual([]);
    expect(nodesOf(tree, 'thematicBreak')).toEqual([]);
    expect(nodesOf(tree, 'list')).toHaveLength(2);
    // Prompts sit in fences longer than any backtick run inside them, and read back verbatim.
    expect(nodesOf(tree, 'code').map(plainText)).toEqual([NASTY, 'Describe ``` the `image` | safely']);
    expect(text).toContain(`### Prompt\n\n\`\`\`\`text\n${NASTY}\n\`\`\`\``);
    // Free text reads back as written, each line's break kept, blank lines as paragraph breaks.
    const paragraphs = nodesOf(tree, 'paragraph').map(plainText);
    expect(paragraphs).toContain(`Text risk. ${NASTY}`);
    expect(paragraphs).toContain('Image risk. - item');
    expect(paragraphs).toContain('> quote\nindented code\n===');
    expect(paragraphs).toContain('Combined risk. <script>alert(1)</script> ~~not struck~~');
    expect(text).toContain('\\~\\~not struck\\~\\~');
    // Table rows keep their cell count, and a cell reads back as the one-line excerpt.
    const index = tableRows(text, '#');
    for (const row of index) expect(cells(row)).toHaveLength(7);
    expect(cellText(cells(index[2]!)[2]!)).toBe('a | b | c # not a heading 1. not a list <img src=x onerror=…');
    // Read as GitHub renders it: every table keeps one cell count, and typed tildes strike nothing through.
    const gfm = fromGfm(text);
    for (const shape of tableShapes(gfm)) expect(new Set(shape).size).toBe(1);
    expect(tableShapes(gfm)).toContainEqual([7, 7]); // the index: header and the one case
    expect(nodesOf(gfm, 'delete').map(plainText)).not.toContain('not struck');
  });

  it('cannot be given structure by any mix of Markdown syntax in the text it reports', () => {
    const piece = fc.constantFrom('|', '#', '`', '```', '~~', '*', '_', '<script>', '</b>', '[a](javascript:x)', '\\', '\n', '\n\n', '  ', '-', '1.', '>', '===', '| --- |', '&amp;', '![', ']', '(', ')', 'word', ' ');
    const hostile = fc.array(piece, { maxLength: 20 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (prompt, analysis, name, found) => {
        const record = makeRecord('r', '2026-11-28T10:00:00.000Z', prompt, {
          outcome: 'rewritten',
          refinedPrompt: analysis,
          levelProbabilities: null,
          explanation: analysis,
          analysis: { ...highRisk, textual: analysis, visual: name },
        });
        const imageText = { kind: 'read' as const, reading: { lines: [{ text: found, confidence: 0.9, box: [] }], imageSize: { width: 1, height: 1 }, ms: 1 } };
        const text = exportHistoryMarkdown([{ ...record, image: { ...record.image, name }, imageText }], { exportedAt: EXPORTED_AT });
        const tree = fromMarkdown(text);
        expect(nodesOf(tree, 'html')).toEqual([]);
        expect(nodesOf(tree, 'link')).toEqual([]);
        expect(nodesOf(tree, 'heading')).toHaveLength(10);
        expect(plainText(nodesOf(tree, 'heading')[2]!)).toBe(`Case 1: ${name}`.replace(/\s+/g, ' ').trim());
        expect(nodesOf(tree, 'code').map(plainText)).toEqual([prompt, analysis]);
        for (const row of tableRows(text, '#')) expect(cells(row)).toHaveLength(7);
        for (const shape of tableShapes(fromGfm(text))) expect(new Set(shape).size).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('links only well-formed raster data URLs, and none with images: "omit"', () => {
    const hostile = { ...kitchen, image: { ...kitchen.image, thumbnailDataUrl: 'javascript:alert(1)//data:image/png;base64,AAAA' } };
    const text = exportHistoryMarkdown([hostile], { exportedAt: EXPORTED_AT });
    expect(text).not.toContain('![');
    expect(text).not.toContain('javascript:');
    expect(exportHistoryMarkdown([kitchen], { exportedAt: EXPORTED_AT, images: 'omit' })).not.toContain('![');
    expect(exportHistoryMarkdown([kitchen], { exportedAt: EXPORTED_AT })).toContain('![Thumbnail of kitchen.png](images/1-kitchen.jpg)');
  });

  it('never writes what is attached to records beyond their fields', () => {
    const text = exportHistoryMarkdown([withSecrets(bridge)], { exportedAt: EXPORTED_AT });
    expect(text).not.toContain(SECRET);
    expect(text).toContain('### Remote answers (some-vlm at api.example.test)');
    expect(text).toContain('**To the original prompt** (900 ms)\n\n```text\nAn answer.\n```');
  });

  it('says so when there is nothing to report, and takes a custom title', () => {
    const text = exportHistoryMarkdown([], { exportedAt: EXPORTED_AT, title: 'Board demo # 3' });
    expect(text).toBe(
      '# Board demo # 3\n\nExported 2026-11-28 21:46 UTC · 0 rewrites · rewritten on-device by VLMGuard Web (after VLMGuard-R1, arXiv 2504.12661). ' +
        'Each refined prompt goes to the target model with the original image.\n\nNo rewrites in history.\n',
    );
    expect(nodesOf(fromMarkdown(text), 'heading').map(plainText)).toEqual(['Board demo # 3']);
  });
});
