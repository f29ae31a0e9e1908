import { diffArrays } from 'diff';
import type { BlockContent, PhrasingContent } from 'mdast';
import { finalPrompt, type HistoryRecord, type RemoteComparison } from './history-record.ts';
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
  describeLevelProbabilities,
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
import {
  bulletList,
  codeBlock,
  emphasis,
  heading,
  labelled,
  paragraph,
  prose,
  serializeMarkdown,
  strikethrough,
  strong,
  table,
  text,
} from './report-export-mdast.ts';
import { RISK_CATEGORIES, type LevelProbabilities, type RiskAnalysis } from './rewrite-format.ts';

/*
 * The Markdown report for stakeholders. Like the JSON export it reads every field by name, so nothing else a
 * record carries at run time can reach the file.
 */

interface MarkdownReportOptions {
  title?: string;
  exportedAt?: Date;
  /**
   * 'files' (default): each case links its picture as a file beside the report (`images/1-scene.jpg`, see
   * reportImageOf), which exportHistoryMarkdownZip() puts in the zip with it. 'omit': names only.
   */
  images?: 'files' | 'omit';
}

/** A stakeholder report: title, summary tables, then one section per record, in the given order. */
export function exportHistoryMarkdown(records: readonly HistoryRecord[], options: MarkdownReportOptions = {}): string {
  const exportedAt = (options.exportedAt ?? new Date()).toISOString();
  const linkImages = (options.images ?? 'files') === 'files';
  const blocks: BlockContent[] = [heading(1, options.title ?? DEFAULT_REPORT_TITLE), paragraph([text(reportIntro(exportedAt, records.length))])];
  if (records.length === 0) {
    blocks.push(paragraph([text('No rewrites in history.')]));
  } else {
    blocks.push(heading(2, 'Summary'), ...summaryTables(records), caseIndex(records));
    records.forEach((record, index) => blocks.push(...caseSection(record, index + 1, linkImages)));
  }
  return serializeMarkdown(blocks);
}

function summaryTables(records: readonly HistoryRecord[]): BlockContent[] {
  const { outcomes, levels } = summaryCounts(records);
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
      outcomeLabel(record),
      modelLabel(record),
      BACKEND_LABELS[record.backend.kind],
    ]),
  );
}

function caseSection(record: HistoryRecord, number: number, linkImages: boolean): BlockContent[] {
  const { rewrite, image } = record;
  const blocks: BlockContent[] = [heading(2, `Case ${number}: ${image.name}`)];
  const picture = linkImages ? reportImageOf(record, number) : null;
  if (picture) blocks.push(paragraph([{ type: 'image', url: picture.path, alt: picture.alt }]));
  blocks.push(
    bulletList([labelled('When:', formatDate(record.createdAt)), labelled('Image:', `${image.name}${describeSizes(record)}`)]),
    heading(3, 'Prompt'),
    codeBlock(record.prompt),
    heading(3, 'Text found in the image'),
    imageTextBlock(record),
    heading(3, 'Risk analysis'),
    ...(record.model ? prose(REASONING_EXPLANATIONS[record.reasoning]) : []),
    ...analysisBlocks(rewrite.analysis, rewrite.levelProbabilities, record.model !== null, record.reasoning),
    heading(3, 'Outcome'),
    ...prose(outcomeExplanation(rewrite), `${outcomeLabel(record)}.`),
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

function analysisBlocks(analysis: RiskAnalysis, probabilities: LevelProbabilities | null, modelRan: boolean, reasoning: ReasoningMode): BlockContent[] {
  const texts = analysisTexts(analysis, reasoning).map(([label, value]) => [`${label}.`, value] as const);
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

function describeChanges(record: HistoryRecord): BlockContent[] {
  if (record.rewrite.outcome === 'fallback' && record.editedPrompt === null) return [paragraph([text(FALLBACK_CHANGES)])];
  const words = wordDiff(record.prompt, finalPrompt(record));
  if (words === null) return [paragraph([text(NO_CHANGES)])];
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
  return table(
    [
      { title: 'Model', align: null },
      { title: 'Backend', align: null },
      ...TIMING_TITLES.map((title) => ({ title, align: 'right' as const })),
    ],
    [[modelLabel(record, true), BACKEND_LABELS[record.backend.kind], ...timingCells(record)]],
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

function imageTextBlock(record: HistoryRecord): BlockContent {
  const found = imageTextLines(record);
  return 'found' in found ? bulletList(found.found.map((line) => [text(line)])) : paragraph([text(found.sentence)]);
}
