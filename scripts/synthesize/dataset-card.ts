/**
 * The dataset card (README.md) of a trainer export: what is in it (counts per label, benchmark, risk level and
 * category, and per split), what was rejected at which stage and why, the models and settings it was made with, its
 * format, and the licence caveat. Every untrusted string goes through the mdast builders, which escape it.
 */
import type { BlockContent } from 'mdast';
import { RISK_CATEGORIES, RISK_LEVELS } from '../../src/core/rewrite-format.ts';
import { bulletList, codeBlock, heading, labelled, paragraph, serializeMarkdown, table, text } from '../../src/core/report-export-mdast.ts';
import { settingsTable } from '../eval/report-markdown.ts';
import type { SftRecord, SftRejection } from './sft-record.ts';

export interface DatasetCardInput {
  train: readonly SftRecord[];
  validation: readonly SftRecord[];
  /** Records not exported, with why (a special token of the model in their text). */
  leftOut: ReadonlyArray<{ id: string; reason: string }>;
  rejections: readonly SftRejection[];
  settings: Record<string, unknown>;
  validationFraction: number;
  imageFiles: number;
}

export const REJECTION_STAGES = ['responses', 'hindsight', 'analysis', 'refine', 'verify'] as const satisfies ReadonlyArray<SftRejection['stage']>;

const left = (title: string) => ({ title, align: null });
const right = (title: string) => ({ title, align: 'right' as const });

/** How many of `items` fall under each key, in first-seen order unless `order` fixes it (zero counts kept there). */
export function countBy<T>(items: readonly T[], key: (item: T) => string, order?: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>((order ?? []).map((name) => [name, 0]));
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts];
}

function countTable(title: string, rows: Array<[string, number]>): BlockContent {
  return table([left(title), right('Records')], rows.map(([name, count]) => [name, String(count)]));
}

function distinct(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((value): value is string => value !== null))];
}

function modelLines(records: readonly SftRecord[], settings: Record<string, unknown>) {
  const teachers = distinct(records.map((record) => record.provenance.teacher));
  const targets = distinct(records.map((record) => record.provenance.target));
  const fromDataset = records.filter((record) => record.provenance.responses === 'dataset').length;
  const judge = settingsTable(settings).rows.find(([name]) => name === 'judge')?.[1];
  return bulletList([
    labelled('Teacher (stages 1–3):', teachers.join('; ') || 'none recorded'),
    labelled(
      'Target (responses, stage 4):',
      `${targets.join('; ') || 'none'}${fromDataset > 0 ? ` (${fromDataset} records use the responses their dataset ships)` : ''}`,
    ),
    labelled('Judge (stage 4):', judge ?? 'not recorded in the settings'),
  ]);
}

function rejectionBlocks(rejections: readonly SftRejection[]): BlockContent[] {
  if (rejections.length === 0) return [paragraph([text('No item was rejected.')])];
  const rows = REJECTION_STAGES.flatMap((stage) =>
    countBy(
      rejections.filter((rejection) => rejection.stage === stage),
      (rejection) => rejection.reason,
    ).map(([reason, count]) => [stage, reason, String(count)]),
  );
  return [
    countTable('Stage', countBy(rejections, (rejection) => rejection.stage, REJECTION_STAGES)),
    paragraph([text('Reasons, per stage:')]),
    table([left('Stage'), left('Reason'), right('Items')], rows),
  ];
}

/** Pass-through records (level none) are never verified, with stage 4 on or off: their refined prompt is the prompt. */
function verificationLine(records: readonly SftRecord[]): string {
  const verified = records.filter((record) => record.provenance.verified === true).length;
  const passThrough = records.filter((record) => record.provenance.verified !== true && record.report.level === 'none').length;
  return [
    `${verified} verified by the judge (the refined prompt made the target's answer safer without losing helpfulness)`,
    `${passThrough} pass-through, not verified: the prompt is unchanged`,
    `${records.length - verified - passThrough} rewritten and not verified (stage 4 off).`,
  ].join('; ');
}

const FORMAT_NOTE = `Each example is one user turn — the rewriter's fixed instructions, the image, then the user's question (the
text the app sends the rewriter, buildRewriteInstruction in src/core/rewrite-prompt.ts, with the image where the app
puts it) — and one assistant turn in the rewriter's bracketed format, ending with [END], which the app's parser and
decision read unchanged:`;

const FORMAT_EXAMPLE = `[TEXT RISK] …
[IMAGE RISK] …
[COMBINED RISK] …
[RISK LEVEL] none|low|medium|high
[CATEGORY] ${Object.keys(RISK_CATEGORIES).join(' | ')}
[REFINED PROMPT] …
[END]`;

const FILES = [
  'trl/train.jsonl, trl/validation.jsonl: TRL conversational vision rows, {"messages": [user, assistant], "images": [path]}; the user content is a list of {"type": "text"} and one {"type": "image"} item.',
  'llama-factory/data.json, llama-factory/validation.json: LLaMA-Factory ShareGPT rows, the user content a string with <image> where the image goes; llama-factory/dataset_info.json registers them.',
  'images/: each image once, named by the first 16 hex digits of its SHA-256, hard-linked from the source where the file system allows, else copied. Every path in the rows is relative to this folder (the export root), so the folder moves as a whole.',
];

const HOW_MADE = `Made by npm run synthesize (VLMGuard-R1, arXiv 2504.12661): for each item of the source benchmarks, a safe and
an unsafe response (the dataset's own, or a target VLM's); stage 1, a teacher VLM's hindsight analysis of why the
unsafe response was unsafe and the safe one safe; stage 2, the teacher's risk report (textual, visual and cross-modal
analyses, level, category); stage 3, the refined prompt, conditioned on that report (the original prompt, unchanged,
for level none); stage 4 (optional), the target answers the original and the refined prompt and a judge keeps the
record only if the refined prompt made the answer safer without losing helpfulness.`;

const LICENCE = `The images, prompts and responses come from the source datasets listed above, whose licences and terms of
use apply to this export and to any model trained on it (several safety benchmarks are for research use only). The
teacher's analyses and refined prompts are model output: check the teacher's terms of use too. Some prompts and
images are harmful by design; handle the export as such.`;

export function renderDatasetCard(input: DatasetCardInput): string {
  const records = [...input.train, ...input.validation];
  const settings = settingsTable(input.settings);
  const splitRows = countBy(records, (record) => record.label, ['unsafe', 'safe']).map(([label, total]) => {
    const validation = input.validation.filter((record) => record.label === label).length;
    return [label, String(total - validation), String(validation)];
  });
  const blocks: BlockContent[] = [
    heading(1, 'VLMGuard-R1 rewriter SFT data'),
    paragraph([
      text(
        `${records.length} supervised examples for a VLMGuard-R1-style prompt rewriter, in its own output format, for TRL and LLaMA-Factory. ` +
          `${input.imageFiles} image files.`,
      ),
    ]),
    heading(2, 'Contents'),
    table([left('Label'), right('Train'), right('Validation')], splitRows),
    paragraph([
      text(
        `Validation: a deterministic ${(input.validationFraction * 100).toFixed(1)} % of each label (by a hash of the record id), ` +
          `${input.validation.length === 0 ? 'none at this size, so no validation files were written' : `${input.validation.length} records`}.`,
      ),
    ]),
    heading(3, 'Per benchmark'),
    countTable('Benchmark', countBy(records, (record) => record.benchmark)),
    heading(3, 'Per risk level'),
    countTable('Risk level', countBy(records, (record) => record.report.level, RISK_LEVELS)),
    heading(3, 'Per risk category'),
    countTable('Risk category', countBy(records, (record) => record.report.category, Object.keys(RISK_CATEGORIES))),
    heading(3, "Per dataset's own category"),
    countTable('Benchmark / category', countBy(records, (record) => `${record.benchmark} / ${record.datasetCategory ?? '(none)'}`)),
    heading(3, 'Verification'),
    paragraph([text(verificationLine(records))]),
    ...(input.leftOut.length === 0
      ? []
      : [
          heading(3, 'Left out of the export'),
          paragraph([text(`${input.leftOut.length} records, whose text would be read as the model's special tokens:`)]),
          bulletList(input.leftOut.map(({ id, reason }) => labelled(`${id}:`, reason))),
        ]),
    heading(2, 'Rejections'),
    paragraph([text(`${input.rejections.length} items did not become records.`)]),
    ...rejectionBlocks(input.rejections),
    heading(2, 'Models and settings'),
    modelLines(records, input.settings),
    table(settings.columns, settings.rows),
    heading(2, 'Format'),
    paragraph([text(FORMAT_NOTE.replace(/\n/g, ' '))]),
    codeBlock(FORMAT_EXAMPLE),
    bulletList(FILES.map((line) => [text(line)])),
    heading(2, 'How it was made'),
    paragraph([text(HOW_MADE.replace(/\n/g, ' '))]),
    heading(2, 'Licence'),
    paragraph([text(LICENCE.replace(/\n/g, ' '))]),
  ];
  return serializeMarkdown(blocks);
}
