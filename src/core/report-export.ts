import { diffArrays } from 'diff';
import {
  HISTORY_SCHEMA_VERSION,
  finalPrompt,
  migrateHistoryRecord,
  type HistoryBackend,
  type HistoryRecord,
  type RemoteAnswer,
  type RemoteComparison,
} from './history-record.ts';
import {
  RISK_CATEGORIES,
  RISK_LEVELS,
  type LevelProbabilities,
  type RewriteResult,
  type RiskAnalysis,
  type RiskLevel,
} from './rewrite-format.ts';
import { formatProbability } from './rewrite-decision.ts';
import { chooseFence } from './static-defence.ts';

/*
 * Exports of history for people outside the app. Every field is copied by name from the typed
 * record (no spreading), so nothing a record happens to carry at run time (a key, a header, a
 * full endpoint URL) can reach a file; tests put such values in and look for them in the output.
 */

export const HISTORY_EXPORT_FORMAT = 'vlmguard-history';

export interface HistoryExportFile {
  format: typeof HISTORY_EXPORT_FORMAT;
  schemaVersion: typeof HISTORY_SCHEMA_VERSION;
  exportedAt: string;
  records: HistoryRecord[];
}

/** Pretty JSON (2-space indent, fixed key order, final newline) of one record or many, in the given order. */
export function exportHistoryJson(records: readonly HistoryRecord[], options: { exportedAt?: Date } = {}): string {
  const file: HistoryExportFile = {
    format: HISTORY_EXPORT_FORMAT,
    schemaVersion: HISTORY_SCHEMA_VERSION,
    exportedAt: (options.exportedAt ?? new Date()).toISOString(),
    records: records.map(pickRecord),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Reads an export back: the records it could read, and how many it could not. Throws on anything else. */
export function parseHistoryExport(json: string): { exportedAt: string; records: HistoryRecord[]; skipped: number } {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== HISTORY_EXPORT_FORMAT) {
    throw new Error('This is not a VLMGuard history export.');
  }
  const { exportedAt, records } = value as { exportedAt?: unknown; records?: unknown };
  if (!Array.isArray(records)) throw new Error('This history export has no records list.');
  const readable: HistoryRecord[] = [];
  for (const item of records) {
    const reading = migrateHistoryRecord(item);
    if (reading.ok) readable.push(reading.record);
  }
  return { exportedAt: typeof exportedAt === 'string' ? exportedAt : '', records: readable, skipped: records.length - readable.length };
}

/** A file name for a download, e.g. `vlmguard-history-2026-11-28T21-46-03Z.md`. */
export function historyExportFileName(extension: 'json' | 'md', exportedAt: Date): string {
  const stamp = exportedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  return `vlmguard-history-${stamp}.${extension}`;
}

function pickRecord(record: HistoryRecord): HistoryRecord {
  const picked: HistoryRecord = {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    id: record.id,
    createdAt: record.createdAt,
    image: {
      name: record.image.name,
      thumbnailDataUrl: record.image.thumbnailDataUrl,
      original: record.image.original ? { width: record.image.original.width, height: record.image.original.height } : null,
      processed: record.image.processed ? { width: record.image.processed.width, height: record.image.processed.height } : null,
    },
    prompt: record.prompt,
    rewrite: pickRewrite(record.rewrite),
    editedPrompt: record.editedPrompt,
    rawOutput: record.rawOutput,
    stopReason: record.stopReason,
    model: record.model ? { id: record.model.id, label: record.model.label } : null,
    backend: { kind: record.backend.kind, reason: record.backend.reason },
    timings: {
      loadMs: record.timings.loadMs,
      firstTokenMs: record.timings.firstTokenMs,
      totalMs: record.timings.totalMs,
      tokenCount: record.timings.tokenCount,
      tokensPerSecond: record.timings.tokensPerSecond,
    },
  };
  if (record.remote) picked.remote = pickRemote(record.remote);
  return picked;
}

function pickRewrite(rewrite: RewriteResult): RewriteResult {
  const probabilities = rewrite.levelProbabilities;
  const decided = {
    refinedPrompt: rewrite.refinedPrompt,
    analysis: pickAnalysis(rewrite.analysis),
    levelProbabilities: probabilities
      ? { none: probabilities.none, low: probabilities.low, medium: probabilities.medium, high: probabilities.high }
      : null,
    explanation: rewrite.explanation,
  };
  switch (rewrite.outcome) {
    case 'rewritten':
    case 'passed-through':
      return { outcome: rewrite.outcome, ...decided };
    case 'fallback':
      return { outcome: 'fallback', reason: rewrite.reason, ...decided };
  }
}

function pickAnalysis(analysis: RiskAnalysis): RiskAnalysis {
  return {
    textual: analysis.textual,
    visual: analysis.visual,
    crossModal: analysis.crossModal,
    level: analysis.level,
    category: analysis.category,
  };
}

function pickRemote(remote: RemoteComparison): RemoteComparison {
  return {
    host: remote.host,
    model: remote.model,
    original: remote.original ? pickRemoteAnswer(remote.original) : null,
    refined: remote.refined ? pickRemoteAnswer(remote.refined) : null,
  };
}

function pickRemoteAnswer(answer: RemoteAnswer): RemoteAnswer {
  return { text: answer.text, firstTokenMs: answer.firstTokenMs, totalMs: answer.totalMs, error: answer.error };
}

// ---------------------------------------------------------------------------------------------
// Markdown

export interface MarkdownReportOptions {
  title?: string;
  exportedAt?: Date;
  /**
   * 'embed' (default): thumbnails as data-URL images, so the report is one self-contained file
   * (VS Code, Obsidian, Typora and pandoc show them; GitHub strips data URLs). 'omit': names only.
   */
  images?: 'embed' | 'omit';
}

export const DEFAULT_REPORT_TITLE = 'VLMGuard rewrite report';

export const OUTCOME_LABELS: Record<RewriteResult['outcome'], string> = {
  rewritten: 'Rewritten',
  'passed-through': 'Passed through unchanged',
  fallback: 'Fallback: static defence',
};

const LEVEL_LABELS: Record<RiskLevel, string> = { none: 'None', low: 'Low', medium: 'Medium', high: 'High' };
const NO_LEVEL_LABEL = 'Not stated';

const BACKEND_LABELS: Record<HistoryBackend, string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  cpu: 'CPU (Node)',
  none: 'None (static defence)',
};

/** Safe to put in `![…](…)`: base64 has no parentheses, spaces or quotes, and only raster types render. */
const EMBEDDABLE_DATA_URL = /^data:image\/(?:jpeg|png|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

/** A stakeholder report: title, summary tables, then one section per record, in the given order. */
export function exportHistoryMarkdown(records: readonly HistoryRecord[], options: MarkdownReportOptions = {}): string {
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  const embed = (options.images ?? 'embed') === 'embed';
  const blocks: string[] = [
    `# ${headingText(options.title ?? DEFAULT_REPORT_TITLE)}`,
    `Exported ${formatDate(exportedAt)} · ${plural(records.length, 'rewrite')} · rewritten on-device by VLMGuard Web ` +
      '(after VLMGuard-R1, arXiv 2504.12661). Each refined prompt goes to the target model with the original image.',
  ];
  if (records.length === 0) {
    blocks.push('No rewrites in history.');
    return finish(blocks);
  }
  blocks.push('## Summary', summaryTables(records), caseIndex(records));
  records.forEach((record, index) => blocks.push(...caseSection(record, index + 1, embed)));
  return finish(blocks);
}

function finish(blocks: string[]): string {
  return `${blocks.join('\n\n')}\n`;
}

function summaryTables(records: readonly HistoryRecord[]): string {
  const outcomes = (Object.keys(OUTCOME_LABELS) as Array<RewriteResult['outcome']>).map(
    (outcome) => [OUTCOME_LABELS[outcome], records.filter((record) => record.rewrite.outcome === outcome).length] as const,
  );
  const levels = [...RISK_LEVELS]
    .reverse()
    .map((level) => [LEVEL_LABELS[level], records.filter((record) => record.rewrite.analysis.level === level).length] as const);
  const unstated = records.filter((record) => record.rewrite.analysis.level === null).length;
  if (unstated > 0) levels.push([NO_LEVEL_LABEL, unstated]);
  return [
    table(['Outcome', 'Count'], outcomes.map(([label, count]) => [label, String(count)]), ['left', 'right']),
    table(['Risk level', 'Count'], levels.map(([label, count]) => [label, String(count)]), ['left', 'right']),
  ].join('\n\n');
}

function caseIndex(records: readonly HistoryRecord[]): string {
  return table(
    ['#', 'When (UTC)', 'Prompt', 'Risk', 'Outcome', 'Model', 'Backend'],
    records.map((record, index) => [
      String(index + 1),
      formatDate(record.createdAt),
      excerpt(record.prompt, 60),
      levelLabel(record.rewrite.analysis.level),
      OUTCOME_LABELS[record.rewrite.outcome],
      record.model ? record.model.label : 'No model',
      BACKEND_LABELS[record.backend.kind],
    ]),
    ['right', 'left', 'left', 'left', 'left', 'left', 'left'],
  );
}

function caseSection(record: HistoryRecord, number: number, embed: boolean): string[] {
  const { analysis } = record.rewrite;
  const blocks: string[] = [`## Case ${number}: ${headingText(record.image.name)}`];
  if (embed && EMBEDDABLE_DATA_URL.test(record.image.thumbnailDataUrl)) {
    blocks.push(`![Thumbnail of ${escapeMarkdownInline(oneLine(record.image.name))}](${record.image.thumbnailDataUrl})`);
  }
  blocks.push(
    lines([
      `**When:** ${formatDate(record.createdAt)}`,
      `**Image:** ${escapeMarkdownInline(oneLine(record.image.name))}${describeSizes(record)}`,
    ]),
    '### Prompt',
    codeBlock(record.prompt),
    '### Risk analysis',
    ...analysisBlocks(analysis, record.rewrite.levelProbabilities, record.model !== null),
    '### Outcome',
    `**${OUTCOME_LABELS[record.rewrite.outcome]}.** ${escapeMarkdownText(record.rewrite.explanation)}`,
    '### Refined prompt',
    codeBlock(record.rewrite.refinedPrompt),
  );
  if (record.editedPrompt !== null) blocks.push('### Prompt as edited by the user', codeBlock(record.editedPrompt));
  blocks.push('### Changes', describeChanges(record));
  blocks.push('### Model and timings', modelTable(record), `**Backend:** ${escapeMarkdownText(record.backend.reason)}`);
  if (record.remote) blocks.push(...remoteSection(record.remote));
  return blocks;
}

function analysisBlocks(analysis: RiskAnalysis, probabilities: LevelProbabilities | null, modelRan: boolean): string[] {
  const empty = [analysis.textual, analysis.visual, analysis.crossModal].every((text) => text.trim() === '');
  if (empty && analysis.level === null && analysis.category === null) {
    return [modelRan ? '_The rewriter wrote no analysis._' : '_None: no model ran._'];
  }
  return [
    lines([
      `**Risk level:** ${levelLabel(analysis.level)}`,
      ...(probabilities ? [`**Level probabilities:** ${describeLevelProbabilities(probabilities)}`] : []),
      `**Category:** ${analysis.category ? RISK_CATEGORIES[analysis.category] : NO_LEVEL_LABEL}`,
    ]),
    `**Text risk.** ${analysisText(analysis.textual)}`,
    `**Image risk.** ${analysisText(analysis.visual)}`,
    `**Combined risk.** ${analysisText(analysis.crossModal)}`,
  ];
}

function describeLevelProbabilities(probabilities: LevelProbabilities): string {
  return RISK_LEVELS.map((level) => `${LEVEL_LABELS[level]} ${formatProbability(probabilities[level])}`).join(' · ');
}

function describeSizes(record: HistoryRecord): string {
  const { original, processed } = record.image;
  const parts: string[] = [];
  if (original) parts.push(`${original.width} × ${original.height}`);
  if (processed) parts.push(`the model saw ${processed.width} × ${processed.height}`);
  return parts.length > 0 ? `, ${parts.join('; ')}` : '';
}

function describeChanges(record: HistoryRecord): string {
  if (record.rewrite.outcome === 'fallback' && record.editedPrompt === null) {
    return 'The original prompt is sent unchanged inside the standard safety instruction shown above.';
  }
  const words = wordDiffMarkdown(record.prompt, finalPrompt(record));
  return words === null ? 'No change: the original prompt is sent as is.' : `${words}\n\n_Struck through: removed. Bold: added._`;
}

function modelTable(record: HistoryRecord): string {
  const { timings } = record;
  return table(
    ['Model', 'Backend', 'Load', 'First token', 'Total', 'Tokens', 'Tokens/s'],
    [
      [
        record.model ? `${record.model.label} (${record.model.id})` : 'No model',
        BACKEND_LABELS[record.backend.kind],
        formatMs(timings.loadMs),
        formatMs(timings.firstTokenMs),
        formatMs(timings.totalMs),
        timings.tokenCount === null ? '–' : String(timings.tokenCount),
        timings.tokensPerSecond === null ? '–' : timings.tokensPerSecond.toFixed(1),
      ],
    ],
    ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  );
}

function remoteSection(remote: RemoteComparison): string[] {
  const blocks = [`### Remote answers (${headingText(remote.model)} at ${headingText(remote.host)})`];
  for (const [label, answer] of [
    ['To the original prompt', remote.original],
    ['To the refined prompt', remote.refined],
  ] as const) {
    if (!answer) continue;
    blocks.push(`**${label}** (${formatMs(answer.totalMs)})`);
    if (answer.text) blocks.push(codeBlock(answer.text));
    if (answer.error) blocks.push(`**Error:** ${escapeMarkdownText(answer.error)}`);
  }
  return blocks;
}

/**
 * A whole-word diff (words split at whitespace, so each change starts and ends at a word
 * boundary and `**`/`~~` always pair up), consecutive changes grouped; null when nothing changed.
 */
export function wordDiffMarkdown(original: string, refined: string): string | null {
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== '');
  const changes = diffArrays(words(original), words(refined));
  if (changes.every((change) => !change.added && !change.removed)) return null;
  const diff = changes
    .map((change) => {
      const text = escapeMarkdownInline(change.value.join(' '));
      return change.added ? `**${text}**` : change.removed ? `~~${text}~~` : text;
    })
    .join(' ');
  return escapeLineStart(diff);
}

function analysisText(text: string): string {
  return text.trim() === '' ? '_Not stated._' : escapeMarkdownText(text);
}

// ---------------------------------------------------------------------------------------------
// Escaping

/**
 * Escapes text for inline Markdown (CommonMark/GFM): emphasis, code, links, tables, strikethrough
 * and autolinks by backslash; HTML and entities by entity, so `<script>` shows as text everywhere.
 */
export function escapeMarkdownInline(text: string): string {
  return text.replace(/[\\`*_[\]|~&<>]/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      default:
        return `\\${char}`;
    }
  });
}

/**
 * Escapes free text as paragraphs: inline escaping, plus anything at a line's start that would
 * open a block (heading, list, quote, setext underline, indented code); lines keep their breaks.
 */
export function escapeMarkdownText(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n[ \t]*\n\s*/);
  return paragraphs
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => escapeLineStart(escapeMarkdownInline(line.trim())))
        // Two trailing spaces: the hard line break every Markdown dialect knows.
        .join('  \n'),
    )
    .join('\n\n');
}

function escapeLineStart(line: string): string {
  return line.replace(/^([#=+-])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

/** A fenced block that shows text verbatim: longer than any backtick run inside, so it cannot be closed early. */
/** One line, and `#` escaped too: a trailing ` #` would otherwise close an ATX heading and vanish. */
function headingText(text: string): string {
  return escapeMarkdownInline(oneLine(text)).replaceAll('#', '\\#');
}

function codeBlock(text: string): string {
  const fence = chooseFence(text);
  return `${fence}text\n${text.replace(/\r\n?/g, '\n')}\n${fence}`;
}

function table(header: string[], rows: string[][], align: Array<'left' | 'right'>): string {
  const row = (cells: string[]) => `| ${cells.map(tableCell).join(' | ')} |`;
  const rule = `|${align.map((side) => (side === 'right' ? '---:' : '---')).join('|')}|`;
  return [row(header), rule, ...rows.map(row)].join('\n');
}

/** Cells are one line; `|` is escaped by escapeMarkdownInline (GFM honours `\|` even in code spans). */
function tableCell(text: string): string {
  return escapeMarkdownInline(oneLine(text)) || ' ';
}

function lines(items: string[]): string {
  return items.join('  \n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function excerpt(text: string, max: number): string {
  // By code point, so an emoji is never cut in half.
  const chars = [...oneLine(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function levelLabel(level: RiskLevel | null): string {
  return level === null ? NO_LEVEL_LABEL : LEVEL_LABELS[level];
}

function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
