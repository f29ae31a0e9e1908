import { diffArrays } from 'diff';
import type { BlockContent, PhrasingContent } from 'mdast';
import { finalPrompt, type HistoryBackend, type HistoryRecord, type RemoteComparison } from './history-record.ts';
import {
  bulletList,
  codeBlock,
  emphasis,
  heading,
  labelled,
  oneLine,
  paragraph,
  prose,
  serializeMarkdown,
  strikethrough,
  strong,
  table,
  text,
} from './report-export-mdast.ts';
import { formatProbability } from './rewrite-decision.ts';
import {
  RISK_CATEGORIES,
  RISK_LEVELS,
  type LevelProbabilities,
  type RewriteResult,
  type RiskAnalysis,
  type RiskLevel,
} from './rewrite-format.ts';
import { formatMs } from './units.ts';

/*
 * The Markdown report for stakeholders. Like the JSON export it reads every field by name, so nothing else a
 * record carries at run time can reach the file.
 */

interface MarkdownReportOptions {
  title?: string;
  exportedAt?: Date;
  /**
   * 'embed' (default): thumbnails as data-URL images, so the report is one self-contained file
   * (VS Code, Obsidian, Typora and pandoc show them; GitHub strips data URLs). 'omit': names only.
   */
  images?: 'embed' | 'omit';
}

const DEFAULT_REPORT_TITLE = 'VLMGuard rewrite report';

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

/** Serializing escapes a URL's syntax, not its scheme, so only raster data URLs are embedded. */
const EMBEDDABLE_DATA_URL = /^data:image\/(?:jpeg|png|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;

/** A stakeholder report: title, summary tables, then one section per record, in the given order. */
export function exportHistoryMarkdown(records: readonly HistoryRecord[], options: MarkdownReportOptions = {}): string {
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  const embed = (options.images ?? 'embed') === 'embed';
  const blocks: BlockContent[] = [
    heading(1, options.title ?? DEFAULT_REPORT_TITLE),
    paragraph([
      text(
        `Exported ${formatDate(exportedAt)} · ${plural(records.length, 'rewrite')} · rewritten on-device by VLMGuard Web ` +
          '(after VLMGuard-R1, arXiv 2504.12661). Each refined prompt goes to the target model with the original image.',
      ),
    ]),
  ];
  if (records.length === 0) {
    blocks.push(paragraph([text('No rewrites in history.')]));
  } else {
    blocks.push(heading(2, 'Summary'), ...summaryTables(records), caseIndex(records));
    records.forEach((record, index) => blocks.push(...caseSection(record, index + 1, embed)));
  }
  return serializeMarkdown(blocks);
}

function summaryTables(records: readonly HistoryRecord[]): BlockContent[] {
  const count = (matches: (record: HistoryRecord) => boolean) => records.filter(matches).length;
  const outcomes = (Object.keys(OUTCOME_LABELS) as Array<RewriteResult['outcome']>).map(
    (outcome) => [OUTCOME_LABELS[outcome], count((record) => record.rewrite.outcome === outcome)] as const,
  );
  const levels = [...RISK_LEVELS]
    .reverse()
    .map((level) => [LEVEL_LABELS[level], count((record) => record.rewrite.analysis.level === level)] as const);
  const unstated = count((record) => record.rewrite.analysis.level === null);
  if (unstated > 0) levels.push([NO_LEVEL_LABEL, unstated]);
  const countTable = (title: string, rows: ReadonlyArray<readonly [string, number]>) =>
    table([{ title, align: null }, { title: 'Count', align: 'right' }], rows.map(([label, n]) => [label, String(n)]));
  return [countTable('Outcome', outcomes), countTable('Risk level', levels)];
}

function caseIndex(records: readonly HistoryRecord[]): BlockContent {
  const columns = ['When (UTC)', 'Prompt', 'Risk', 'Outcome', 'Model', 'Backend'].map((title) => ({ title, align: null }));
  return table(
    [{ title: '#', align: 'right' }, ...columns],
    records.map((record, index) => [
      String(index + 1),
      formatDate(record.createdAt),
      excerpt(record.prompt, 60),
      levelLabel(record.rewrite.analysis.level),
      OUTCOME_LABELS[record.rewrite.outcome],
      record.model ? record.model.label : 'No model',
      BACKEND_LABELS[record.backend.kind],
    ]),
  );
}

function caseSection(record: HistoryRecord, number: number, embed: boolean): BlockContent[] {
  const { rewrite, image } = record;
  const blocks: BlockContent[] = [heading(2, `Case ${number}: ${image.name}`)];
  if (embed && EMBEDDABLE_DATA_URL.test(image.thumbnailDataUrl)) {
    blocks.push(paragraph([{ type: 'image', url: image.thumbnailDataUrl, alt: `Thumbnail of ${oneLine(image.name)}` }]));
  }
  blocks.push(
    bulletList([labelled('When:', formatDate(record.createdAt)), labelled('Image:', `${image.name}${describeSizes(record)}`)]),
    heading(3, 'Prompt'),
    codeBlock(record.prompt),
    heading(3, 'Risk analysis'),
    ...analysisBlocks(rewrite.analysis, rewrite.levelProbabilities, record.model !== null),
    heading(3, 'Outcome'),
    ...prose(rewrite.explanation, `${OUTCOME_LABELS[rewrite.outcome]}.`),
    heading(3, 'Refined prompt'),
    codeBlock(rewrite.refinedPrompt),
  );
  if (record.editedPrompt !== null) blocks.push(heading(3, 'Prompt as edited by the user'), codeBlock(record.editedPrompt));
  blocks.push(
    heading(3, 'Changes'),
    ...describeChanges(record),
    heading(3, 'Model and timings'),
    modelTable(record),
    ...prose(record.backend.reason, 'Backend:'),
  );
  if (record.remote) blocks.push(...remoteSection(record.remote));
  return blocks;
}

function analysisBlocks(analysis: RiskAnalysis, probabilities: LevelProbabilities | null, modelRan: boolean): BlockContent[] {
  const texts = [
    ['Text risk.', analysis.textual],
    ['Image risk.', analysis.visual],
    ['Combined risk.', analysis.crossModal],
  ] as const;
  if (texts.every(([, value]) => value.trim() === '') && analysis.level === null && analysis.category === null) {
    return [paragraph([emphasis(modelRan ? 'The rewriter wrote no analysis.' : 'None: no model ran.')])];
  }
  const facts = [
    labelled('Risk level:', levelLabel(analysis.level)),
    ...(probabilities ? [labelled('Level probabilities:', describeLevelProbabilities(probabilities))] : []),
    labelled('Category:', analysis.category ? RISK_CATEGORIES[analysis.category] : NO_LEVEL_LABEL),
  ];
  return [
    bulletList(facts),
    ...texts.flatMap(([label, value]) =>
      value.trim() === '' ? [paragraph([strong(label), text(' '), emphasis('Not stated.')])] : prose(value, label),
    ),
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

function describeChanges(record: HistoryRecord): BlockContent[] {
  if (record.rewrite.outcome === 'fallback' && record.editedPrompt === null) {
    return [paragraph([text('The original prompt is sent unchanged inside the standard safety instruction shown above.')])];
  }
  const words = wordDiff(record.prompt, finalPrompt(record));
  if (words === null) return [paragraph([text('No change: the original prompt is sent as is.')])];
  return [paragraph(words), paragraph([emphasis('Struck through: removed. Bold: added.')])];
}

/** A whole-word diff (words split at whitespace), consecutive changes grouped; null when nothing changed. */
function wordDiff(original: string, refined: string): PhrasingContent[] | null {
  const words = (value: string) => value.split(/\s+/).filter((word) => word !== '');
  const changes = diffArrays(words(original), words(refined));
  if (changes.every((change) => !change.added && !change.removed)) return null;
  return changes.flatMap((change, index): PhrasingContent[] => {
    const value = change.value.join(' ');
    const node = change.added ? strong(value) : change.removed ? strikethrough(value) : text(value);
    return index === 0 ? [node] : [text(' '), node];
  });
}

function modelTable(record: HistoryRecord): BlockContent {
  const { timings } = record;
  return table(
    [
      { title: 'Model', align: null },
      { title: 'Backend', align: null },
      ...['Load', 'First token', 'Total', 'Tokens', 'Tokens/s'].map((title) => ({ title, align: 'right' as const })),
    ],
    [
      [
        record.model ? `${record.model.label} (${record.model.id})` : 'No model',
        BACKEND_LABELS[record.backend.kind],
        formatMsOrDash(timings.loadMs),
        formatMsOrDash(timings.firstTokenMs),
        formatMsOrDash(timings.totalMs),
        timings.tokenCount === null ? '–' : String(timings.tokenCount),
        timings.tokensPerSecond === null ? '–' : timings.tokensPerSecond.toFixed(1),
      ],
    ],
  );
}

function remoteSection(remote: RemoteComparison): BlockContent[] {
  const blocks: BlockContent[] = [heading(3, `Remote answers (${remote.model} at ${remote.host})`)];
  for (const [label, answer] of [
    ['To the original prompt', remote.original],
    ['To the refined prompt', remote.refined],
  ] as const) {
    if (!answer) continue;
    blocks.push(paragraph([strong(label), text(` (${formatMsOrDash(answer.totalMs)})`)]));
    if (answer.text) blocks.push(codeBlock(answer.text));
    if (answer.error) blocks.push(...prose(answer.error, 'Error:'));
  }
  return blocks;
}

function excerpt(value: string, max: number): string {
  // By code point, so an emoji is never cut in half.
  const chars = [...oneLine(value)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function levelLabel(level: RiskLevel | null): string {
  return level === null ? NO_LEVEL_LABEL : LEVEL_LABELS[level];
}

function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function formatMsOrDash(ms: number | null): string {
  return ms === null ? '–' : formatMs(ms);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
