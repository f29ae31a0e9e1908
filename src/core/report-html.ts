import { HISTORY_MODEL_IMAGE_MAX_SIDE, finalPrompt, type HistoryRecord, type RemoteAnswer, type RemoteComparison } from './history-record.ts';
import { outcomeExplanation } from './outcome-label.ts';
import { REASONING_EXPLANATIONS, type ReasoningMode } from './reasoning-mode.ts';
import { reportImageOf } from './report-export-images.ts';
import {
  analysisTexts,
  BACKEND_LABELS,
  DEFAULT_REPORT_TITLE,
  FALLBACK_CHANGES,
  NO_CHANGES,
  NO_LEVEL_LABEL,
  outcomeLabel,
  TIMING_TITLES,
  describeSizes,
  excerpt,
  formatDate,
  formatMsOrDash,
  imageTextLines,
  levelLabel,
  modelLabel,
  reportIntro,
  summaryCounts,
  timingCells,
} from './report-export-labels.ts';
import { changesMarkup } from './report-html-diff.ts';
import { html, lines, Markup } from './report-html-markup.ts';
import { REPORT_CSS } from './report-html-style.ts';
import { formatProbability } from './rewrite-decision.ts';
import { RISK_CATEGORIES, RISK_LEVELS, type LevelProbabilities, type RiskAnalysis } from './rewrite-format.ts';

/*
 * The HTML report for stakeholders: one file that any browser opens and prints to PDF, images embedded. It runs
 * nothing: there is no script, its Content-Security-Policy allows only inline styles and data: images, and every
 * string from a record goes through `html`, which escapes it. Like the other exports it reads fields by name.
 */

export const REPORT_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

interface HtmlReportOptions {
  title?: string;
  exportedAt?: Date;
}

/** A stakeholder report: title, summary, an index, then one section per record, in the given order. */
export function exportHistoryHtml(records: readonly HistoryRecord[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? DEFAULT_REPORT_TITLE;
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  const body =
    records.length === 0
      ? html`<p>No rewrites in history.</p>`
      : html`${summary(records)}${records.map((record, index) => caseSection(record, index + 1))}`;
  return `${html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${asIs(REPORT_CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${asIs(REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p class="muted">${reportIntro(exportedAt, records.length)}</p>
</header>
<main>
${body}
</main>
</body>
</html>`}\n`;
}

/** This module's own constants (the policy, the style sheet), never record data, go in as written: escaping would break their quotes. */
function asIs(constant: string): Markup {
  return new Markup(constant);
}

function summary(records: readonly HistoryRecord[]): Markup {
  const { outcomes, levels } = summaryCounts(records);
  const countTable = (title: string, rows: ReadonlyArray<readonly [string, number]>) =>
    html`<table><thead><tr><th scope="col">${title}</th><th scope="col" class="number">Count</th></tr></thead><tbody>${rows.map(
      ([label, count]) => html`<tr><td>${label}</td><td class="number">${count}</td></tr>`,
    )}</tbody></table>`;
  const index = records.map(
    (record, i) => html`<tr>
<td class="number"><a href="#case-${i + 1}">${i + 1}</a></td><td>${formatDate(record.createdAt)}</td><td class="excerpt">${excerpt(record.prompt, 80)}</td>
<td>${levelLabel(record.rewrite.analysis.level)}</td><td>${outcomeLabel(record)}</td><td>${modelLabel(record)}</td>
<td>${BACKEND_LABELS[record.backend.kind]}</td></tr>`,
  );
  return html`<section aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<div class="summary">${countTable('Outcome', outcomes)}${countTable('Risk level', levels)}</div>
<div class="table-scroll" role="region" aria-label="Cases" tabindex="0"><table>
<thead><tr><th scope="col" class="number">#</th><th scope="col">When (UTC)</th><th scope="col">Prompt</th><th scope="col">Risk</th>
<th scope="col">Outcome</th><th scope="col">Model</th><th scope="col">Backend</th></tr></thead>
<tbody>${index}</tbody>
</table></div>
</section>`;
}

function caseSection(record: HistoryRecord, number: number): Markup {
  const { rewrite, image } = record;
  const picture = reportImageOf(record, number);
  const caption =
    picture?.source === 'model'
      ? `${record.model ? 'As the model saw it' : 'As kept (no model ran)'}, at most ${HISTORY_MODEL_IMAGE_MAX_SIDE} px on its longer side.`
      : 'Thumbnail: the entry kept no larger copy.';
  return html`
<article class="case" id="case-${number}" aria-labelledby="case-${number}-title">
<h2 id="case-${number}-title">Case ${number}: ${image.name}</h2>
<div class="case-head">
${picture && html`<figure><img src="${picture.dataUrl}" alt="${picture.alt}"><figcaption>${caption}</figcaption></figure>`}
<dl class="facts">
<dt>When</dt><dd>${formatDate(record.createdAt)}</dd>
<dt>Image</dt><dd>${image.name}${describeSizes(record)}</dd>
<dt>Outcome</dt><dd><span class="outcome outcome-${rewrite.outcome}">${outcomeLabel(record)}</span></dd>
<dt>Risk</dt><dd>${levelLabel(rewrite.analysis.level)}${rewrite.analysis.category ? ` · ${RISK_CATEGORIES[rewrite.analysis.category]}` : ''}</dd>
<dt>Model</dt><dd>${modelLabel(record, true)}</dd>
<dt>Backend</dt><dd>${BACKEND_LABELS[record.backend.kind]}</dd>
${record.model && html`<dt>Reasoning</dt><dd>${REASONING_EXPLANATIONS[record.reasoning]}</dd>`}
</dl>
</div>
<h3>Prompt</h3>
${preformatted(record.prompt)}
<h3>Text found in the image</h3>
${imageText(record)}
<h3>Risk analysis</h3>
${analysis(rewrite.analysis, rewrite.levelProbabilities, record.model !== null, record.reasoning)}
<h3>Decision</h3>
<p><span class="outcome outcome-${rewrite.outcome}">${outcomeLabel(record)}</span></p>
<p>${lines(outcomeExplanation(rewrite))}</p>
<h3>Refined prompt</h3>
${preformatted(rewrite.refinedPrompt)}
${record.editedPrompt !== null && html`<h3>Prompt as edited by the user</h3>${preformatted(record.editedPrompt)}`}
<h3>Changes</h3>
${changes(record)}
${record.remote && remoteAnswers(record.remote)}
<h3>Model and timings</h3>
${timingTable(record)}
<p><strong>Backend:</strong> ${lines(record.backend.reason)}</p>
</article>`;
}

function imageText(record: HistoryRecord): Markup {
  const found = imageTextLines(record);
  return 'found' in found ? html`<ul>${found.found.map((line) => html`<li>${line}</li>`)}</ul>` : html`<p>${found.sentence}</p>`;
}

/** Text shown as typed; the newline after <pre> is the one a parser drops, so a leading newline of the text survives. */
function preformatted(value: string): Markup {
  return html`<pre>\n${value}</pre>`;
}

function analysis(analysisResult: RiskAnalysis, probabilities: LevelProbabilities | null, modelRan: boolean, reasoning: ReasoningMode): Markup {
  const texts = analysisTexts(analysisResult, reasoning);
  if (texts.every(([, value]) => value.trim() === '') && analysisResult.level === null && analysisResult.category === null) {
    return html`<p><em>${modelRan ? 'The rewriter wrote no analysis.' : 'None: no model ran.'}</em></p>`;
  }
  const category = analysisResult.category ? RISK_CATEGORIES[analysisResult.category] : NO_LEVEL_LABEL;
  return html`<dl class="facts">
<dt>Risk level</dt><dd>${levelLabel(analysisResult.level)}</dd>
<dt>Category</dt><dd>${category}</dd>
${texts.map(([label, value]) => html`<dt>${label}</dt><dd>${value.trim() === '' ? html`<em>Not stated.</em>` : lines(value)}</dd>`)}
</dl>
${probabilities && levelScore(probabilities)}`;
}

function levelScore(probabilities: LevelProbabilities): Markup {
  const rows = RISK_LEVELS.map((level) => {
    const p = probabilities[level];
    return html`<tr><th scope="row">${levelLabel(level)}</th><td class="number">${formatProbability(p)}</td>
<td><span class="bar-track"><span class="bar" style="width: ${Math.round(p * 100)}%"></span></span></td></tr>`;
  });
  return html`<table aria-label="Level probabilities"><thead><tr><th scope="col">Level</th><th scope="col" class="number">P</th><th scope="col"><span class="sr-only">Bar</span></th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function changes(record: HistoryRecord): Markup {
  if (record.rewrite.outcome === 'fallback' && record.editedPrompt === null) return html`<p>${FALLBACK_CHANGES}</p>`;
  return changesMarkup(record.prompt, finalPrompt(record)) ?? html`<p>${NO_CHANGES}</p>`;
}

function remoteAnswers(remote: RemoteComparison): Markup {
  const answer = (label: string, value: RemoteAnswer | null) =>
    html`<div><h4>${label}${value && ` (${formatMsOrDash(value.totalMs)})`}</h4>${
      value
        ? html`${value.text && preformatted(value.text)}${value.error && html`<p class="error"><strong>Error:</strong> ${lines(value.error)}</p>`}`
        : html`<p class="muted">Not sent.</p>`
    }</div>`;
  return html`<h3>Remote answers (${remote.model} at ${remote.host})</h3>
<div class="answers">${answer('To the original prompt', remote.original)}${answer('To the refined prompt', remote.refined)}</div>`;
}

function timingTable(record: HistoryRecord): Markup {
  return html`<div class="table-scroll" role="region" aria-label="Model and timings" tabindex="0"><table><thead><tr><th scope="col">Model</th><th scope="col">Backend</th>${TIMING_TITLES.map(
    (title) => html`<th scope="col" class="number">${title}</th>`,
  )}</tr></thead>
<tbody><tr><td>${modelLabel(record, true)}</td><td>${BACKEND_LABELS[record.backend.kind]}</td>${timingCells(record).map(
    (cell) => html`<td class="number">${cell}</td>`,
  )}</tr></tbody></table></div>`;
}
