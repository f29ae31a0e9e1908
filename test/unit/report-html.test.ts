import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/core/history-record.ts';
import { escapeHtml } from '../../src/core/report-html-markup.ts';
import { exportHistoryHtml, REPORT_CONTENT_SECURITY_POLICY } from '../../src/core/report-html.ts';
import { EXPORTED_AT, JPEG_DATA_URL, PNG_DATA_URL, bridge, fallback, kitchen, makeRecord } from '../support/report-records.ts';
import { tagsOf, unescapeHtml } from '../support/html-tags.ts';

/*
 * No HTML parser ships with this project (the e2e test opens the report in Chromium). Here the report is read
 * the strict way instead: every `<` must open one of the report's own tags, each tag may carry only the report's
 * own attributes, and text comes back verbatim once its five escapes are undone.
 */

const REPORT_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'section', 'article', 'h1', 'h2', 'h3', 'h4', 'p', 'div', 'span',
  'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption', 'img', 'dl', 'dt', 'dd', 'pre', 'em', 'strong', 'ins', 'del', 'br',
  'ul', 'li',
]);
const ATTRIBUTES = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'href', 'src', 'alt', 'style', 'scope', 'aria-label', 'aria-labelledby', 'role', 'tabindex']);

/** The texts of every element of this name (whose content holds no tag), as a parser reads them. */
function texts(report: string, element: string): string[] {
  const parsed = (content: string) => unescapeHtml(element === 'pre' ? content.replace(/^\n/, '') : content);
  return [...report.matchAll(new RegExp(`<${element}(?: [^>]*)?>([^<]*)</${element}>`, 'g'))].map(([, content]) => parsed(content!));
}

function caseOf(report: string, number: number): string {
  const start = report.indexOf(`<article class="case" id="case-${number}"`);
  return report.slice(start, report.indexOf('</article>', start));
}

const HOSTILE = [
  '<script>window.__x=1</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</style><script>alert(1)</script>',
  '</pre></article><iframe src="javascript:alert(1)">',
  '<!-- comment --> &amp; &lt;b&gt; <![CDATA[x]]>',
  '<b>bold</b>',
].join('\n');

function hostileRecord(text: string): HistoryRecord {
  const record = makeRecord('hostile', text, {
    outcome: 'rewritten',
    refinedPrompt: `${text} refined`,
    analysis: { textual: text, visual: text, crossModal: text, level: 'high', category: 'other' },
    levelProbabilities: { none: 0.1, low: 0.1, medium: 0.1, high: 0.7 },
    explanation: text,
  });
  return {
    ...record,
    editedPrompt: `${text} edited`,
    image: { ...record.image, name: text },
    model: { id: text, label: text },
    backend: { kind: 'wasm', reason: text },
    remote: { host: text, model: text, original: { text, firstTokenMs: 1, totalMs: 2, error: text }, refined: { text, firstTokenMs: 1, totalMs: 2, error: null } },
    // Text read in an image is as hostile as anything typed.
    imageText: { kind: 'read', reading: { lines: [{ text, confidence: 0.93, box: [] }], imageSize: { width: 1, height: 1 }, ms: 1 } },
  };
}

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or a quoted attribute, and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp; é 👍</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp; é 👍&lt;/a&gt;');
  });
});

describe('exportHistoryHtml', () => {
  const report = exportHistoryHtml([bridge, kitchen, fallback], { exportedAt: EXPORTED_AT });

  it('is one document with a strict Content-Security-Policy, no script and nothing it would fetch', () => {
    expect(report.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(REPORT_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect(report).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CONTENT_SECURITY_POLICY}">`);
    expect(report).not.toMatch(/<script/i);
    const tags = tagsOf(report);
    for (const { name, attributes } of tags) {
      expect(REPORT_TAGS).toContain(name);
      for (const [key, value] of attributes) {
        expect(ATTRIBUTES).toContain(key);
        if (key === 'href') expect(value).toMatch(/^#case-\d+$/);
        if (key === 'src') expect(value).toMatch(/^data:image\/(png|jpeg);base64,/);
      }
    }
    expect(texts(report, 'title')).toEqual(['VLMGuard rewrite report']);
  });

  it('summarises the outcomes and levels and indexes the cases with links to them', () => {
    expect(texts(report, 'p')[0]).toBe(
      'Exported 2026-11-28 21:46 UTC · 3 rewrites · rewritten on-device by VLMGuard Web (after VLMGuard-R1, arXiv 2504.12661). ' +
        'Each refined prompt goes to the target model with the original image.',
    );
    expect(report).toContain('<tr><td>Rewritten</td><td class="number">1</td></tr>');
    expect(report).toContain('<tr><td>Not stated</td><td class="number">1</td></tr>');
    for (const number of [1, 2, 3]) {
      expect(report).toContain(`<a href="#case-${number}">${number}</a>`);
      expect(report).toContain(`<article class="case" id="case-${number}"`);
    }
  });

  it('gives each case its image, prompt, analyses, score, decision, refined prompt, diff, model and timings', () => {
    const section = caseOf(report, 1);
    expect(texts(section, 'h2')).toEqual(['Case 1: bridge.png']);
    // The copy the model saw, where the record kept one; the thumbnail otherwise.
    expect(section).toContain(`<img src="${PNG_DATA_URL}" alt="Image: bridge.png">`);
    expect(caseOf(report, 2)).toContain(`<img src="${JPEG_DATA_URL}" alt="Thumbnail of kitchen.png">`);
    expect(texts(section, 'dd')).toEqual(
      expect.arrayContaining([
        '2026-11-28 10:00 UTC',
        'bridge.png, 1024 × 768; the model saw 512 × 384',
        'High · Self-harm and suicide',
        'SmolVLM 256M (HuggingFaceTB/SmolVLM-256M-Instruct)',
        'Asks about falling time.',
        'A tall bridge over water.',
        'Together the question can be about jumping.',
      ]),
    );
    expect(texts(section, 'pre')).toEqual([
      'How long would it take to reach the water from up here?',
      'How tall is this bridge, and where can someone who feels unsafe get support?',
    ]);
    expect(section).toContain('<tr><th scope="row">High</th><td class="number">0.85</td>');
    expect(section).toContain('style="width: 85%"');
    expect(texts(section, 'p')).toContain('Rewritten: the model judged the risk high (P 0.85), and its refined prompt is used.');
    expect(texts(section, 'td').slice(-7)).toEqual(['SmolVLM 256M (HuggingFaceTB/SmolVLM-256M-Instruct)', 'WASM', '2.1 s', '850 ms', '3.9 s', '31', '10.0']);
    expect(section).toContain('<p><strong>Backend:</strong> WASM, 4 threads: no WebGPU adapter.</p>');
  });

  it('explains pass-through and static defence, and says when no model ran', () => {
    expect(caseOf(report, 2)).toContain('<p>No change: the original prompt is sent as is.</p>');
    const defence = caseOf(report, 3);
    expect(texts(defence, 'span')).toContain('Static defence (chosen)');
    expect(defence).not.toContain('Fallback');
    expect(defence).toContain('<p><em>None: no model ran.</em></p>');
    expect(defence).toContain('sent unchanged inside the standard safety instruction');
    expect(texts(defence, 'td')).toEqual(['No model', 'None (static defence)', '–', '–', '–', '–', '–']);
  });

  it('marks a small edit word by word, and shows a substantial rewrite side by side', () => {
    const edited = exportHistoryHtml([{ ...kitchen, editedPrompt: 'What could I bake with the fruit on this table?' }]);
    expect(edited).toContain(
      '<p class="diff">What could I <del><span class="sr-only">removed: </span>cook</del><ins><span class="sr-only">added: </span>bake</ins> with the fruit on this table?</p>',
    );
    expect(edited).not.toContain('<div class="side-by-side">');
    expect(texts(edited, 'pre')).toContain('What could I bake with the fruit on this table?');

    const rewritten = caseOf(report, 1);
    expect(rewritten).toContain('<div class="side-by-side"><div><h4>Original</h4>');
    const [original, refined] = [...rewritten.matchAll(/<h4>(Original|Refined)<\/h4><p class="diff">(.*?)<\/p>/g)].map(([, , diff]) => diff!);
    expect(original).toBe('How <del><span class="sr-only">removed: </span>long would it take to reach the water from up here</del>?');
    expect(original).not.toContain('<ins>');
    expect(refined).toBe('How <ins><span class="sr-only">added: </span>tall is this bridge, and where can someone who feels unsafe get support</ins>?');
    expect(refined).not.toContain('<del>');
  });

  it('shows the remote answers to both prompts side by side, with errors', () => {
    const remote = {
      host: 'api.example.test',
      model: 'some-vlm',
      original: { text: 'An answer.', firstTokenMs: 100, totalMs: 900, error: null },
      refined: { text: '', firstTokenMs: null, totalMs: null, error: 'The server answered 500.' },
    };
    const text = exportHistoryHtml([{ ...bridge, remote }]);
    expect(texts(text, 'h3')).toContain('Remote answers (some-vlm at api.example.test)');
    expect(text).toContain(
      '<div class="answers"><div><h4>To the original prompt (900 ms)</h4><pre>\nAn answer.</pre></div>' +
        '<div><h4>To the refined prompt (–)</h4><p class="error"><strong>Error:</strong> The server answered 500.</p></div></div>',
    );
    const once = exportHistoryHtml([{ ...bridge, remote: { ...remote, refined: null } }]);
    expect(once).toContain('<h4>To the refined prompt</h4><p class="muted">Not sent.</p>');
  });

  it('prints each case on its own page, on white', () => {
    const print = report.slice(report.indexOf('@media print'));
    expect(print).toMatch(/\.case \{ break-before: page; \}/);
    expect(print).toMatch(/body \{[^}]*background: #fff;[^}]*color: #000;/);
  });

  it('keeps markup in every field as text: no element, attribute or script gets in', () => {
    const text = exportHistoryHtml([hostileRecord(HOSTILE)], { exportedAt: EXPORTED_AT, title: HOSTILE });
    expect(text).not.toMatch(/<script|<img src=x|<svg|<iframe|<!--|<b>/i);
    const tags = tagsOf(text);
    for (const { name, attributes } of tags) {
      expect(REPORT_TAGS).toContain(name);
      for (const [key] of attributes) expect(ATTRIBUTES).toContain(key);
    }
    // The report's own structure, unchanged by what it reports: one style sheet, one title, one case.
    const opened = (name: string) => tags.filter((tag) => tag.name === name && !tag.closing);
    expect(opened('style')).toHaveLength(1);
    expect(opened('article')).toHaveLength(1);
    expect(opened('img')).toHaveLength(1);
    // And each field reads back exactly as it was.
    expect(texts(text, 'title')).toEqual([HOSTILE]);
    expect(texts(text, 'pre')).toEqual([HOSTILE, `${HOSTILE} refined`, `${HOSTILE} edited`, HOSTILE, HOSTILE]);
    expect(text).toContain(`alt="Thumbnail of ${escapeHtml(HOSTILE.replace(/\s+/g, ' '))}"`);
  });

  it('embeds only well-formed raster data URLs', () => {
    for (const url of ['javascript:alert(1)//data:image/png;base64,AAAA', 'data:image/svg+xml;base64,PHN2Zz4=', 'data:text/html;base64,PGI+', 'data:image/png;base64,AA"A']) {
      const text = exportHistoryHtml([{ ...kitchen, image: { ...kitchen.image, thumbnailDataUrl: url } }]);
      expect(tagsOf(text).filter((tag) => tag.name === 'img')).toEqual([]);
      expect(text).not.toContain('javascript:');
    }
  });

  it('cannot be given structure by any mix of markup in the text it reports', () => {
    const piece = fc.constantFrom('<', '>', '\r\n', '"', "'", '&', '&amp;', '&#60;', '</', 'script', 'style', '<!--', '-->', '=', ' on', 'error', '\n', 'word', ' ', '`', '<![CDATA[', ']]>');
    const hostile = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const text = exportHistoryHtml([hostileRecord(a), { ...hostileRecord(b), id: 'other' }]);
        const tags = tagsOf(text);
        for (const { name } of tags) expect(REPORT_TAGS).toContain(name);
        expect(tags.filter((tag) => tag.name === 'article' && !tag.closing)).toHaveLength(2);
        expect(texts(text, 'pre').slice(0, 2)).toEqual([a, `${a} refined`]);
      }),
      { numRuns: 200 },
    );
  });

  it('lists the text found in the image with its confidence, or says why there is none', () => {
    const found = exportHistoryHtml([{ ...kitchen, imageText: { kind: 'read', reading: { lines: [{ text: 'STEPS TO PICK A LOCK', confidence: 0.99, box: [] }], imageSize: { width: 1, height: 1 }, ms: 1 } } }]);
    expect(texts(found, 'li')).toContain('“STEPS TO PICK A LOCK” (99 %)');
    expect(texts(exportHistoryHtml([{ ...kitchen, imageText: { kind: 'read', reading: { lines: [], imageSize: { width: 1, height: 1 }, ms: 1 } } }]), 'p')).toContain('No text found.');
    expect(texts(exportHistoryHtml([{ ...kitchen, imageText: { kind: 'failed', message: 'OCR took too long (20 s)' } }]), 'p')).toContain(
      'Not read: OCR took too long (20 s). The rewrite went on without it.',
    );
  });

  it('says so when there is nothing to report', () => {
    expect(texts(exportHistoryHtml([]), 'p')).toContain('No rewrites in history.');
  });
});
