/**
 * The evaluation report as Markdown, built as a syntax tree (src/core/report-export-mdast.ts) so escaping is the
 * serializer's job: every value from the data becomes a text node. The tables' columns and cells are exported, and
 * the HTML report (report-html.ts) uses the same ones, so the two reports always say the same.
 */
import type { AlignType, BlockContent } from 'mdast';
import { bulletList, heading, labelled, paragraph, prose, serializeMarkdown, strong, table, text } from '../../src/core/report-export-mdast.ts';
import { formatMs } from '../../src/core/units.ts';
import type { EndpointTally, EvalReport, JudgeAgreement, MetricsRow, RewriteOutcome, SweepPoint } from './eval-types.ts';
import { REFUSAL_RULE } from './refusal.ts';

export interface Column {
  title: string;
  align: AlignType;
}

export interface TableCells {
  columns: Column[];
  rows: string[][];
}

export const EVAL_REPORT_TITLE = 'VLMGuard evaluation';
export const NOT_AVAILABLE = '—';

export const SCRIPTED_NOTICE =
  'This run asked scripted test servers, not real models: its numbers test the harness and are not real measurements.';

export const TABLE_NOTE =
  'Safety and helpfulness: the judge’s means (0–10) over the results it scored. Refusal: the share of answered results ' +
  'the refusal rule reads as refusals; over-refusal: the same over the benign (safe-labelled) items. Outcomes: rewritten / ' +
  'passed through / static defence. Benchmark “all”: every benchmark together.';

const METHOD_LABELS: Record<string, string> = {
  none: 'No defence',
  'static-defence': 'Static defence',
  ecso: 'ECSO',
  guard: 'Guard model',
  rewriter: 'Rewriter',
};

export function methodLabel(method: string): string {
  const [name = method, strictness] = method.split('@');
  const label = METHOD_LABELS[name] ?? method;
  return strictness === undefined ? label : `${label} (strictness ${strictness})`;
}

export function formatScore(value: number | null): string {
  return value === null ? NOT_AVAILABLE : value.toFixed(1);
}

export function formatRate(value: number | null): string {
  return value === null ? NOT_AVAILABLE : `${(value * 100).toFixed(1)} %`;
}

export function formatOutcomeMix(mix: Record<RewriteOutcome, number> | null): string {
  return mix === null ? NOT_AVAILABLE : `${mix.rewritten} / ${mix['passed-through']} / ${mix.fallback}`;
}

const left = (title: string): Column => ({ title, align: null });
const right = (title: string): Column => ({ title, align: 'right' });

export function resultsTable(rows: readonly MetricsRow[]): TableCells {
  return {
    columns: [
      left('Benchmark'),
      left('Method'),
      left('Target'),
      right('Safety'),
      right('Helpfulness'),
      right('Refusal'),
      right('Over-refusal'),
      right('Rewriter median / p90'),
      right('Rewriter tokens'),
      right('Outcomes'),
      right('Scored'),
      right('Unparseable'),
      right('Errors'),
    ],
    rows: rows.map((row) => [
      row.benchmark,
      methodLabel(row.method),
      row.target,
      formatScore(row.safety),
      formatScore(row.helpfulness),
      formatRate(row.refusalRate),
      formatRate(row.overRefusalRate),
      row.rewriterMs === null ? NOT_AVAILABLE : `${formatMs(row.rewriterMs.median)} / ${formatMs(row.rewriterMs.p90)}`,
      row.rewriterTokens === null ? NOT_AVAILABLE : row.rewriterTokens.toFixed(1),
      formatOutcomeMix(row.outcomeMix),
      String(row.scored),
      String(row.unparseable),
      String(row.errors),
    ]),
  };
}

export function sweepTable(points: readonly SweepPoint[]): TableCells {
  return {
    columns: [right('Strictness'), left('Benchmark'), left('Target'), right('Safety'), right('Helpfulness'), right('Over-refusal'), right('Outcomes')],
    rows: points.map((point) => [
      String(point.strictness),
      point.benchmark,
      point.target,
      formatScore(point.safety),
      formatScore(point.helpfulness),
      formatRate(point.overRefusalRate),
      formatOutcomeMix(point.outcomeMix),
    ]),
  };
}

export function talliesTable(tallies: readonly EndpointTally[]): TableCells {
  return {
    columns: [left('Endpoint'), right('Calls'), right('Cached'), right('Failed'), right('Prompt tokens'), right('Completion tokens'), right('Cost (USD)')],
    rows: tallies.map((tally) => [
      tally.endpoint,
      String(tally.calls),
      String(tally.cachedCalls),
      String(tally.failedCalls),
      String(tally.promptTokens),
      String(tally.completionTokens),
      tally.costUsd === null ? 'not priced' : tally.costUsd.toFixed(4),
    ]),
  };
}

export function datasetsTable(datasets: EvalReport['datasets']): TableCells {
  return {
    columns: [left('Benchmark'), left('Source'), right('Items'), right('Missing images')],
    rows: datasets.map((dataset) => [dataset.benchmark, dataset.source, String(dataset.items), String(dataset.missingImages.length)]),
  };
}

/** Settings as name/value rows; a value that is not a string is written as JSON. */
/** The settings a run was made with; the refusal rule has its own section (reportRefusalRule). */
export function settingsTable(settings: Record<string, unknown>): TableCells {
  return {
    columns: [left('Setting'), left('Value')],
    rows: Object.entries(settings)
      .filter(([name]) => name !== 'refusalRule')
      .map(([name, value]) => [name, settingText(value)]),
  };
}

/** The rule the run was judged by, as the report recorded it (older reports: this version's). */
export function reportRefusalRule(report: EvalReport): string {
  const recorded = report.settings.refusalRule;
  return typeof recorded === 'string' ? recorded : REFUSAL_RULE;
}

/** An endpoint reads "name: model at URL"; a list of them, one after another; anything else as JSON. */
function settingText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every(isEndpointSetting)) return value.map(endpointText).join('; ');
  if (isEndpointSetting(value)) return endpointText(value);
  return JSON.stringify(value) ?? String(value);
}

function isEndpointSetting(value: unknown): value is { name: string; model: string; baseURL: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { name, model, baseURL } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof model === 'string' && typeof baseURL === 'string';
}

function endpointText(endpoint: { name: string; model: string; baseURL: string }): string {
  return `${endpoint.name}: ${endpoint.model} at ${endpoint.baseURL}`;
}

/** The agreement's facts, one per line; unmatched labels are listed apart (agreementUnmatched). */
export function agreementFacts(agreement: JudgeAgreement): Array<[string, string]> {
  return [
    ['Hand labels:', String(agreement.labelled)],
    ['Matched to one result:', String(agreement.matched)],
    ...(agreement.scoredMatches === undefined ? [] : [['… of them scored by the judge:', String(agreement.scoredMatches)] as [string, string]]),
    ['Safety, mean absolute error:', formatScore(agreement.safetyMeanAbsError)],
    ['Safety, Cohen’s kappa (safe ≥ 5 vs unsafe):', agreement.safetyKappa === null ? NOT_AVAILABLE : agreement.safetyKappa.toFixed(2)],
    ['Helpfulness, mean absolute error:', formatScore(agreement.helpfulnessMeanAbsError)],
  ];
}

export function agreementUnmatched(agreement: JudgeAgreement): string[] {
  return (agreement.unmatched ?? []).map(
    (label) =>
      `${label.id}${label.method === null ? '' : ` · ${label.method}`}${label.target === null ? '' : ` · ${label.target}`}: ` +
      (label.reason === 'no-result' ? 'no result has this item, method and target' : `matches ${label.candidates} results; name the method and target`),
  );
}

export function throughputFacts(throughput: EvalReport['throughput']): Array<[string, string]> {
  const minutes = throughput.wallMs / 60_000;
  const concurrency = Object.entries(throughput.concurrency).map(([endpoint, n]) => `${endpoint}: ${n}`);
  return [
    ['Items:', String(throughput.items)],
    ['Results:', String(throughput.results)],
    ['Wall time:', formatMs(throughput.wallMs)],
    ['Results per minute:', minutes > 0 ? (throughput.results / minutes).toFixed(1) : NOT_AVAILABLE],
    ['Concurrency:', concurrency.length === 0 ? NOT_AVAILABLE : concurrency.join(', ')],
  ];
}

export function isScripted(report: EvalReport): boolean {
  return report.settings.scripted === true;
}

export function renderEvalMarkdown(report: EvalReport): string {
  const blocks: BlockContent[] = [heading(1, `${EVAL_REPORT_TITLE} — ${report.createdAt}`)];
  if (isScripted(report)) blocks.push(paragraph([strong(SCRIPTED_NOTICE)]));
  blocks.push(heading(2, 'Settings'), cellsTable(settingsTable(report.settings)));
  blocks.push(heading(2, 'Datasets'), cellsTable(datasetsTable(report.datasets)));
  for (const dataset of report.datasets) {
    if (dataset.missingImages.length === 0) continue;
    blocks.push(
      paragraph([text(`Missing images in ${dataset.benchmark} (listed, never run):`)]),
      bulletList(dataset.missingImages.map((missing) => labelled(`${missing.id}:`, missing.image))),
    );
  }
  blocks.push(heading(2, 'Results'), paragraph([text(TABLE_NOTE)]), cellsTable(resultsTable(report.rows)));
  blocks.push(
    heading(2, 'Strictness sweep'),
    report.sweep.length === 0 ? paragraph([text('No strictness sweep was run.')]) : cellsTable(sweepTable(report.sweep)),
  );
  blocks.push(heading(2, 'Judge agreement'), ...agreementBlocks(report.agreement));
  blocks.push(heading(2, 'Endpoints'), cellsTable(talliesTable(report.tallies)));
  blocks.push(heading(2, 'Throughput'), bulletList(throughputFacts(report.throughput).map(([label, value]) => labelled(label, value))));
  blocks.push(heading(2, 'Refusal rule'), ...prose(reportRefusalRule(report)));
  return serializeMarkdown(blocks);
}

function agreementBlocks(agreement: JudgeAgreement | null): BlockContent[] {
  if (agreement === null) return [paragraph([text('No hand-labelled set was given.')])];
  const unmatched = agreementUnmatched(agreement);
  return [
    bulletList(agreementFacts(agreement).map(([label, value]) => labelled(label, value))),
    ...(unmatched.length === 0 ? [] : [paragraph([text('Labels left out:')]), bulletList(unmatched.map((line) => [text(line)]))]),
  ];
}

function cellsTable(cells: TableCells): BlockContent {
  return table(cells.columns, cells.rows);
}
