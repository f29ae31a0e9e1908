/**
 * The evaluation report as one self-contained HTML file: no script, no request (its Content-Security-Policy allows
 * only inline styles and data: images), light or dark as the reader's system prefers. Every value from the report
 * goes through the `html` tag of src/core/report-html-markup.ts, which escapes it; the only markup that does not is
 * the charts' SVG, embedded after report-charts.ts has checked it. The tables are the Markdown report's cells.
 */
import PQueue from 'p-queue';
import sharp from 'sharp';
import { html, lines, Markup } from '../../src/core/report-html-markup.ts';
import { formatMs } from '../../src/core/units.ts';
import { METHODS, type EvalReport, type JudgedResult, type RewriterRecord } from './eval-types.ts';
import { renderEvalCharts, type ChartFigure } from './report-charts.ts';
import {
  EVAL_REPORT_TITLE,
  SCRIPTED_NOTICE,
  TABLE_NOTE,
  agreementFacts,
  agreementUnmatched,
  datasetsTable,
  isScripted,
  methodLabel,
  resultsTable,
  settingsTable,
  sweepTable,
  talliesTable,
  reportRefusalRule,
  throughputFacts,
  type TableCells,
} from './report-markdown.ts';

export const EVAL_REPORT_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The per-item view shows at most this many items (a benchmark-scale run has thousands); the report says how many it left out. */
export const ITEM_VIEW_LIMIT = 500;

/** Thumbnails fit in this square (px). */
export const THUMBNAIL_SIDE = 256;

export async function renderEvalHtml(report: EvalReport, options: { itemLimit?: number } = {}): Promise<string> {
  const charts = await renderEvalCharts(report);
  const items = await itemView(report.results, options.itemLimit ?? ITEM_VIEW_LIMIT);
  const title = `${EVAL_REPORT_TITLE} — ${report.createdAt}`;
  return `${html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${asIs(EVAL_REPORT_CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${asIs(EVAL_REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p class="muted">${report.throughput.items} items · ${report.throughput.results} results · ${report.datasets.length} datasets</p>
${isScripted(report) && html`<p class="warning"><strong>${SCRIPTED_NOTICE}</strong></p>`}
</header>
<main>
${section('settings', 'Settings', cellsTable(settingsTable(report.settings), 'Settings', 'text'))}
${section('datasets', 'Datasets', html`${cellsTable(datasetsTable(report.datasets), 'Datasets', 'text')}${missingImages(report.datasets)}`)}
${charts.length > 0 && section('charts', 'Charts', html`<div class="charts">${charts.map(chartFigure)}</div>`)}
${section('results', 'Results', html`<p class="muted">${TABLE_NOTE}</p>${cellsTable(resultsTable(report.rows), 'Results')}`)}
${section('sweep', 'Strictness sweep', report.sweep.length === 0 ? html`<p>No strictness sweep was run.</p>` : cellsTable(sweepTable(report.sweep), 'Strictness sweep'))}
${section('agreement', 'Judge agreement', agreement(report.agreement))}
${section('endpoints', 'Endpoints', cellsTable(talliesTable(report.tallies), 'Endpoints'))}
${section('throughput', 'Throughput', facts(throughputFacts(report.throughput)))}
${section('refusal-rule', 'Refusal rule', html`<p>${reportRefusalRule(report)}</p>`)}
${section('items', 'Items', items)}
</main>
</body>
</html>`}\n`;
}

/** This module's constants (the policy, the style sheet), never report data, go in as written. */
function asIs(constant: string): Markup {
  return new Markup(constant);
}

function section(id: string, title: string, body: Markup): Markup {
  return html`<section id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${title}</h2>
${body}
</section>`;
}

/** A table of cells; 'figures' tables keep each cell on one line (the region scrolls), 'text' tables wrap. */
function cellsTable({ columns, rows }: TableCells, label: string, kind: 'figures' | 'text' = 'figures'): Markup {
  const alignClass = (index: number) => (columns[index]?.align === 'right' ? 'number' : null);
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0"><table class="${kind}">
<thead><tr>${columns.map((column, index) => html`<th scope="col"${attributeClass(alignClass(index))}>${column.title}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${row.map((cell, index) => html`<td${attributeClass(alignClass(index))}>${cell}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function attributeClass(name: string | null): Markup {
  return name === null ? html`` : html` class="${name}"`;
}

function facts(entries: ReadonlyArray<readonly [string, string]>): Markup {
  return html`<dl class="facts">${entries.map(([label, value]) => html`<dt>${label.replace(/:$/, '')}</dt><dd>${value}</dd>`)}</dl>`;
}

function missingImages(datasets: EvalReport['datasets']): Markup {
  return html`${datasets
    .filter((dataset) => dataset.missingImages.length > 0)
    .map(
      (dataset) => html`<details><summary>Missing images in ${dataset.benchmark} (${dataset.missingImages.length}, listed, never run)</summary>
<ul>${dataset.missingImages.map((missing) => html`<li><code>${missing.id}</code>: ${missing.image}</li>`)}</ul></details>`,
    )}`;
}

function chartFigure(chart: ChartFigure): Markup {
  return html`<figure class="chart">${chart.svg === null ? html`<p class="error">${chart.caption}</p>` : new Markup(chart.svg)}
<figcaption><strong>${chart.title}.</strong> ${chart.svg === null ? '' : chart.caption}</figcaption></figure>`;
}

function agreement(value: EvalReport['agreement']): Markup {
  if (value === null) return html`<p>No hand-labelled set was given.</p>`;
  const unmatched = agreementUnmatched(value);
  return html`${facts(agreementFacts(value))}${
    unmatched.length > 0 && html`<p>Labels left out:</p><ul>${unmatched.map((line) => html`<li>${line}</li>`)}</ul>`
  }`;
}

interface ItemGroup {
  benchmark: string;
  items: Array<{ id: string; results: JudgedResult[] }>;
}

/** Items grouped by benchmark (in the order they first appear), each with its results by method, then target. */
function groupItems(results: readonly JudgedResult[]): ItemGroup[] {
  const groups = new Map<string, Map<string, JudgedResult[]>>();
  for (const result of results) {
    const items = groups.get(result.benchmark) ?? new Map<string, JudgedResult[]>();
    groups.set(result.benchmark, items);
    items.set(result.itemId, [...(items.get(result.itemId) ?? []), result]);
  }
  const rank = (result: JudgedResult) => METHODS.indexOf(result.method);
  return [...groups].map(([benchmark, items]) => ({
    benchmark,
    items: [...items].map(([id, itemResults]) => ({
      id,
      results: itemResults.sort((a, b) => rank(a) - rank(b) || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)),
    })),
  }));
}

async function itemView(results: readonly JudgedResult[], limit: number): Promise<Markup> {
  const groups = groupItems(results);
  const total = groups.reduce((sum, group) => sum + group.items.length, 0);
  let room = limit;
  const shown = groups.map((group) => {
    const items = group.items.slice(0, Math.max(room, 0));
    room -= items.length;
    return { ...group, items };
  });
  const visible = shown.filter((group) => group.items.length > 0);
  const pictures = await thumbnails(visible.flatMap((group) => group.items.map((item) => item.results[0]?.image ?? '')));
  const sections = visible.map(
    (group) => html`<h3>${group.benchmark}</h3>${group.items.map((item) => itemDetails(item.id, item.results, pictures))}`,
  );
  const leftOut = total - Math.min(total, limit);
  return html`<p class="muted">${total} items${leftOut > 0 ? `; only the first ${limit} are shown here (${leftOut} left out; the JSON report has them all)` : ''}.</p>
${sections}`;
}

function itemDetails(id: string, results: readonly JudgedResult[], pictures: ReadonlyMap<string, string | null>): Markup {
  const [first] = results;
  if (first === undefined) return html``;
  const thumbnail = pictures.get(first.image) ?? null;
  return html`<details class="item"><summary><code>${id}</code> · ${first.label}${first.category !== null && ` · ${first.category}`}</summary>
<div class="item-head">${
    thumbnail === null
      ? html`<p class="no-image">image not available</p>`
      : html`<img src="${thumbnail}" alt="The item's image, at most ${THUMBNAIL_SIDE} px">`
  }<div><h4>Prompt</h4>${preformatted(first.prompt)}</div></div>
${results.map(resultView)}
</details>`;
}

function resultView(result: JudgedResult): Markup {
  return html`<div class="result"><h4>${methodLabel(result.method)} · ${result.target}</h4>
<dl class="facts">
<dt>Prompt sent</dt><dd>${result.promptSent === null ? html`<em>None: the method answered without asking the target.</em>` : preformatted(result.promptSent)}</dd>
<dt>Answer</dt><dd>${preformatted(result.answer)}</dd>
<dt>Judge</dt><dd>${judgeView(result)}</dd>
<dt>Refusal</dt><dd>${refusalText(result)}</dd>
${result.rewriter !== null && html`<dt>Rewriter</dt><dd>${rewriterText(result.rewriter)}</dd>`}
${Object.entries(result.notes).map(([name, value]) => html`<dt>${name}</dt><dd>${lines(value)}</dd>`)}
${result.error !== null && html`<dt>Error</dt><dd class="error">${lines(result.error)}</dd>`}
</dl></div>`;
}

function judgeView(result: JudgedResult): Markup {
  if (result.error !== null) return html`<em>Not judged: the call failed.</em>`;
  const { judge } = result;
  if (judge.kind === 'unparseable') return html`<strong>Unparseable</strong> (counted apart, never scored)${preformatted(judge.raw)}`;
  return html`<strong>Safety ${judge.safety} · Helpfulness ${judge.helpfulness}</strong><p>${lines(judge.rationale)}</p>`;
}

function refusalText(result: JudgedResult): string {
  const { refused, matched } = result.refusal;
  const reading = !refused ? 'No' : matched === null ? 'Yes (empty answer)' : `Yes (“${matched}”)`;
  return result.methodRefused ? `${reading}; the method refused on its own` : reading;
}

const OUTCOME_LABELS: Record<RewriterRecord['outcome'], string> = {
  rewritten: 'Rewritten',
  'passed-through': 'Passed through unchanged',
  fallback: 'Static defence (fallback)',
};

function rewriterText(record: RewriterRecord): string {
  const risk = record.level === null ? 'level not stated' : `level ${record.level}${record.category === null ? '' : `, ${record.category}`}`;
  return `${OUTCOME_LABELS[record.outcome]} (${risk}); ${formatMs(record.ms)}, ${record.newTokens} new tokens`;
}

/** The newline after <pre> is the one a parser drops, so a leading newline of the text survives. */
function preformatted(value: string): Markup {
  return html`<pre>\n${value}</pre>`;
}

/** Each image's thumbnail, once per file, a few at a time (a decoded photo can take tens of MB). */
async function thumbnails(files: readonly string[]): Promise<Map<string, string | null>> {
  const queue = new PQueue({ concurrency: 4 });
  const unique = [...new Set(files)];
  const urls = await Promise.all(unique.map((file) => queue.add(() => thumbnailDataUrl(file), { throwOnTimeout: true })));
  return new Map(unique.map((file, index) => [file, urls[index] ?? null]));
}

/** A JPEG data URL of the image fitted in THUMBNAIL_SIDE, or null when it is missing or cannot be decoded. */
export async function thumbnailDataUrl(file: string): Promise<string | null> {
  try {
    const jpeg = await sharp(file)
      .rotate()
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 75 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return null;
  }
}

const EVAL_REPORT_CSS = `
:root { color-scheme: light dark; --ink: #1a1d23; --muted: #5b6270; --line: #d5d9e0; --soft: #f3f5f8; --page: #fff; --accent: #1f4fd1;
  --warn-bg: #fff4d6; --warn-ink: #6b4a00; --error: #8a1c1c; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6e8ec; --muted: #a3aab6; --line: #3a404b; --soft: #1f232a; --page: #14171c; --accent: #8fb0ff;
    --warn-bg: #3d3213; --warn-ink: #ffe3a3; --error: #ff9c9c; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 2rem 1.25rem 4rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--page); overflow-wrap: break-word; }
h1 { font-size: 1.7rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
h4 { font-size: 0.95rem; margin: 0.75rem 0 0.25rem; color: var(--muted); }
p { margin: 0.4rem 0; }
.muted { color: var(--muted); font-size: 0.9rem; }
.warning { background: var(--warn-bg); color: var(--warn-ink); border-radius: 6px; padding: 0.6rem 0.8rem; }
.error { color: var(--error); }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 0.9rem/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; background: var(--soft);
  border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.7rem; margin: 0.25rem 0; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
table.figures td, table.figures th { white-space: nowrap; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.9rem; margin: 0.25rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; min-width: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure.chart { margin: 0; max-width: 100%; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; background: #fff; border-radius: 6px; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.35rem; max-width: 36rem; }
details.item { border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.75rem; margin: 0.4rem 0; }
details.item > summary { cursor: pointer; font-weight: 600; }
.item-head { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; margin-top: 0.5rem; }
.item-head > div { flex: 1 1 20rem; min-width: 0; }
.item-head img { display: block; max-width: ${THUMBNAIL_SIDE}px; height: auto; border: 1px solid var(--line); border-radius: 6px; }
.no-image { width: 10rem; padding: 2rem 0.5rem; text-align: center; color: var(--muted); background: var(--soft); border-radius: 6px; }
.result { border-top: 1px solid var(--line); margin-top: 0.75rem; padding-top: 0.25rem; }
@media print { details.item { break-inside: avoid; } .table-scroll { overflow: visible; } }
`;
