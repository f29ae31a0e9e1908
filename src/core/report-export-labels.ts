import { ANALYSIS_LABELS, shownAnalysisSections } from './analysis-sections.ts';
import type { HistoryBackend, HistoryRecord } from './history-record.ts';
import { isChosenStaticDefence, outcomeTitle } from './outcome-label.ts';
import { formatProbability } from './rewrite-decision.ts';
import type { ReasoningMode } from './reasoning-mode.ts';
import { RISK_LEVELS, type LevelProbabilities, type RewriteResult, type RiskAnalysis, type RiskLevel } from './rewrite-format.ts';
import { formatMs } from './units.ts';

/** What OCR found in a record's image, as both reports list it: one line each, or one sentence when there is none. */
export function imageTextLines(record: HistoryRecord): { found: string[] } | { sentence: string } {
  const outcome = record.imageText;
  switch (outcome.kind) {
    case 'off':
      return { sentence: 'Not read: OCR was off.' };
    case 'failed':
      return { sentence: `Not read: ${outcome.message}. The rewrite went on without it.` };
    case 'read':
      return outcome.reading.lines.length === 0
        ? { sentence: 'No text found.' }
        : { found: outcome.reading.lines.map((line) => `“${line.text}” (${Math.round(line.confidence * 100)} %)`) };
  }
}

/* The words both reports (Markdown and HTML) use for a record's facts, so the two always say the same. */

/** The rows of the summary's outcome table: a static defence the user chose is counted apart from the fallbacks. */
const SUMMARY_OUTCOMES: ReadonlyArray<readonly [string, (rewrite: RewriteResult) => boolean]> = [
  ['Rewritten', (rewrite) => rewrite.outcome === 'rewritten'],
  ['Passed through unchanged', (rewrite) => rewrite.outcome === 'passed-through'],
  ['Static defence (chosen)', isChosenStaticDefence],
  ['Fallback: static defence', (rewrite) => rewrite.outcome === 'fallback' && !isChosenStaticDefence(rewrite)],
];

/** A record's outcome in a report, as the app names it: "Static defence (chosen)", "Fallback: static defence (…)". */
export function outcomeLabel(record: HistoryRecord): string {
  return outcomeTitle(record.rewrite);
}

/** The analyses a report prints for a record, labelled: what its reasoning mode asked for, and what the model wrote. */
export function analysisTexts(analysis: RiskAnalysis, reasoning: ReasoningMode): Array<readonly [string, string]> {
  return shownAnalysisSections(analysis, reasoning).map((section) => [ANALYSIS_LABELS[section], analysis[section] ?? ''] as const);
}

export const LEVEL_LABELS: Record<RiskLevel, string> = { none: 'None', low: 'Low', medium: 'Medium', high: 'High' };
export const NO_LEVEL_LABEL = 'Not stated';

export const BACKEND_LABELS: Record<HistoryBackend, string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  cpu: 'CPU (Node)',
  none: 'None (static defence)',
};

export const DEFAULT_REPORT_TITLE = 'VLMGuard rewrite report';

export function reportIntro(exportedAtIso: string, count: number): string {
  return (
    `Exported ${formatDate(exportedAtIso)} · ${plural(count, 'rewrite')} · rewritten on-device by VLMGuard Web ` +
    '(after VLMGuard-R1, arXiv 2504.12661). Each refined prompt goes to the target model with the original image.'
  );
}

export const FALLBACK_CHANGES =
  'The original prompt is sent unchanged inside the standard safety instruction shown above.';
export const NO_CHANGES = 'No change: the original prompt is sent as is.';

/** The count of each outcome, then of each level from high to none (and "Not stated" when some have none). */
export function summaryCounts(records: readonly HistoryRecord[]): {
  outcomes: Array<readonly [string, number]>;
  levels: Array<readonly [string, number]>;
} {
  const count = (matches: (record: HistoryRecord) => boolean) => records.filter(matches).length;
  const outcomes = SUMMARY_OUTCOMES.map(([label, matches]) => [label, count((record) => matches(record.rewrite))] as const);
  const levels = [...RISK_LEVELS]
    .reverse()
    .map((level) => [LEVEL_LABELS[level], count((record) => record.rewrite.analysis.level === level)] as const);
  const unstated = count((record) => record.rewrite.analysis.level === null);
  if (unstated > 0) levels.push([NO_LEVEL_LABEL, unstated]);
  return { outcomes, levels };
}

/** ", 1024 × 768; the model saw 512 × 384", or '' when neither size is known. */
export function describeSizes(record: HistoryRecord): string {
  const { original, processed } = record.image;
  const parts: string[] = [];
  if (original) parts.push(`${original.width} × ${original.height}`);
  if (processed) parts.push(`the model saw ${processed.width} × ${processed.height}`);
  return parts.length > 0 ? `, ${parts.join('; ')}` : '';
}

export function describeLevelProbabilities(probabilities: LevelProbabilities): string {
  return RISK_LEVELS.map((level) => `${LEVEL_LABELS[level]} ${formatProbability(probabilities[level])}`).join(' · ');
}

/** The timings row: load, first token, total, tokens, tokens/s, with a dash for what was not measured. */
export function timingCells(record: HistoryRecord): string[] {
  const { timings } = record;
  return [
    formatMsOrDash(timings.loadMs),
    formatMsOrDash(timings.firstTokenMs),
    formatMsOrDash(timings.totalMs),
    timings.tokenCount === null ? '–' : String(timings.tokenCount),
    timings.tokensPerSecond === null ? '–' : timings.tokensPerSecond.toFixed(1),
  ];
}

export const TIMING_TITLES = ['Load', 'First token', 'Total', 'Tokens', 'Tokens/s'] as const;

export function modelLabel(record: HistoryRecord, withId = false): string {
  if (!record.model) return 'No model';
  return withId ? `${record.model.label} (${record.model.id})` : record.model.label;
}

/** One line, at most `max` code points (an emoji is never cut in half), with an ellipsis when cut. */
export function excerpt(value: string, max: number): string {
  const chars = [...oneLine(value)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export function levelLabel(level: RiskLevel | null): string {
  return level === null ? NO_LEVEL_LABEL : LEVEL_LABELS[level];
}

export function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatMsOrDash(ms: number | null): string {
  return ms === null ? '–' : formatMs(ms);
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
