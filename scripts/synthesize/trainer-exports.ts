/**
 * Writes the SFT records as datasets existing trainers read as they are: TRL's conversational vision JSONL and
 * LLaMA-Factory's ShareGPT JSON with its dataset_info.json, the images beside them under stable names, and a dataset
 * card. Everything is relative to the export folder, so it can be moved to a GPU machine whole.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { renderDatasetCard } from './dataset-card.ts';
import type { SftRecord, SftRejection } from './sft-record.ts';
import { LLAMA_FACTORY_IMAGE_PLACEHOLDER, type LlamaFactoryDatasetInfo, type LlamaFactoryRow, type TrlRow } from './trainer-schemas.ts';

export const DEFAULT_VALIDATION_FRACTION = 0.05;
export const LLAMA_FACTORY_TRAIN_DATASET = 'vlmguard_r1_sft';
export const LLAMA_FACTORY_VALIDATION_DATASET = 'vlmguard_r1_sft_validation';

export interface TrainerExportInput {
  records: SftRecord[];
  rejections: SftRejection[];
  settings: Record<string, unknown>;
  outDir: string;
  /** The share of each label held out for validation, 0–1 (default DEFAULT_VALIDATION_FRACTION). */
  validationFraction?: number;
}

/** An input the export cannot use (a missing image, a bad fraction): the CLI exits 2 on it. */
export class TrainerExportError extends Error {
  override readonly name = 'TrainerExportError';
}

/** Text the SmolVLM tokenizer would read as special tokens, so a trainer would miscount the images or the turns. */
const SPECIAL_TOKEN_TEXT = /<\|[^<>]*\|>|<\/?(?:image|end_of_utterance|fake_token_around_image|global-img|row_\d+_col_\d+)>/i;

function specialTokenIn(record: SftRecord): string | null {
  for (const [field, value] of [['instruction', record.instruction], ['output', record.output]] as const) {
    const found = SPECIAL_TOKEN_TEXT.exec(value);
    if (found) return `its ${field} holds ${JSON.stringify(found[0])}`;
  }
  return null;
}

function rank(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Holds out round(fraction × n) records of each label, those whose id hashes lowest: the same records for the same
 * ids, whatever their order, and new records do not move old ones between splits unless they outrank them.
 */
export function splitForValidation(records: readonly SftRecord[], fraction: number): { train: SftRecord[]; validation: SftRecord[] } {
  const held = new Set<SftRecord>();
  for (const label of ['unsafe', 'safe'] as const) {
    const ofLabel = records.filter((record) => record.label === label).sort((a, b) => (rank(a.id) < rank(b.id) ? -1 : 1));
    for (const record of ofLabel.slice(0, Math.round(ofLabel.length * fraction))) held.add(record);
  }
  return { train: records.filter((record) => !held.has(record)), validation: records.filter((record) => held.has(record)) };
}

/** The fixed instructions the app puts before the image; the rest of the instruction (the question) comes after it. */
const FIXED_INSTRUCTIONS = (() => {
  const first = buildRewriteMessages('')[0]?.content[0];
  if (first?.type !== 'text') throw new Error('buildRewriteMessages no longer starts with the fixed instructions.');
  return first.text;
})();

/**
 * The user turn around the image, as the app sends it: the fixed instructions, the image, the request. An instruction
 * that does not start with this build's instructions (written by another version) gets the image first.
 */
export function userTurnParts(instruction: string): { beforeImage: string; afterImage: string } {
  if (instruction.startsWith(FIXED_INSTRUCTIONS) && instruction.length > FIXED_INSTRUCTIONS.length) {
    return { beforeImage: FIXED_INSTRUCTIONS, afterImage: instruction.slice(FIXED_INSTRUCTIONS.length) };
  }
  return { beforeImage: '', afterImage: instruction };
}

export function trlRow(record: SftRecord, imagePath: string): TrlRow {
  const { beforeImage, afterImage } = userTurnParts(record.instruction);
  const content: TrlRow['messages'][0]['content'] = [
    ...(beforeImage === '' ? [] : [{ type: 'text' as const, text: beforeImage }]),
    { type: 'image' },
    { type: 'text', text: afterImage },
  ];
  return {
    messages: [
      { role: 'user', content },
      { role: 'assistant', content: [{ type: 'text', text: record.output }] },
    ],
    images: [imagePath],
  };
}

export function llamaFactoryRow(record: SftRecord, imagePath: string): LlamaFactoryRow {
  const { beforeImage, afterImage } = userTurnParts(record.instruction);
  return {
    messages: [
      { role: 'user', content: `${beforeImage}${LLAMA_FACTORY_IMAGE_PLACEHOLDER}${afterImage}` },
      { role: 'assistant', content: record.output },
    ],
    images: [imagePath],
  };
}

function llamaFactoryEntry(fileName: string): LlamaFactoryDatasetInfo[string] {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images' },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
  };
}

async function linkOrCopy(source: string, destination: string): Promise<void> {
  try {
    await link(source, destination);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    await copyFile(source, destination);
  }
}

/**
 * Puts each distinct image once under images/, named by its content's hash (so the names stay the same from one
 * export to the next), and returns each source path's path relative to the export folder.
 */
async function placeImages(records: readonly SftRecord[], outDir: string): Promise<Map<string, string>> {
  await mkdir(path.join(outDir, 'images'), { recursive: true });
  const placed = new Map<string, string>();
  for (const record of records) {
    if (placed.has(record.image)) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(record.image);
    } catch (error) {
      throw new TrainerExportError(`${record.id}: cannot read its image ${record.image} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
    const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${path.extname(record.image).toLowerCase()}`;
    await linkOrCopy(record.image, path.join(outDir, 'images', name));
    placed.set(record.image, `images/${name}`);
  }
  return placed;
}

const jsonl = (rows: readonly unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes the export into `outDir` and returns the files written (the images folder counts as one). */
export async function writeTrainerExports(input: TrainerExportInput): Promise<string[]> {
  const fraction = input.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
  if (!(fraction >= 0 && fraction < 1)) throw new TrainerExportError(`The validation fraction must be at least 0 and below 1, got ${fraction}.`);
  const leftOut: Array<{ id: string; reason: string }> = [];
  const usable = input.records.filter((record) => {
    const reason = specialTokenIn(record);
    if (reason !== null) leftOut.push({ id: record.id, reason });
    return reason === null;
  });
  const { train, validation } = splitForValidation(usable, fraction);
  const { outDir } = input;
  const images = await placeImages(usable, outDir);
  const imageOf = (record: SftRecord) => images.get(record.image) ?? '';

  const files = new Map<string, string>([
    ['trl/train.jsonl', jsonl(train.map((record) => trlRow(record, imageOf(record))))],
    ['llama-factory/data.json', json(train.map((record) => llamaFactoryRow(record, imageOf(record))))],
  ]);
  const datasetInfo: LlamaFactoryDatasetInfo = { [LLAMA_FACTORY_TRAIN_DATASET]: llamaFactoryEntry('data.json') };
  const validationFiles = ['trl/validation.jsonl', 'llama-factory/validation.json'];
  if (validation.length > 0) {
    files.set('trl/validation.jsonl', jsonl(validation.map((record) => trlRow(record, imageOf(record)))));
    files.set('llama-factory/validation.json', json(validation.map((record) => llamaFactoryRow(record, imageOf(record)))));
    datasetInfo[LLAMA_FACTORY_VALIDATION_DATASET] = llamaFactoryEntry('validation.json');
  } else {
    await Promise.all(validationFiles.map((file) => rm(path.join(outDir, file), { force: true })));
  }
  files.set('llama-factory/dataset_info.json', json(datasetInfo));
  files.set(
    'README.md',
    renderDatasetCard({
      train,
      validation,
      leftOut,
      rejections: input.rejections,
      settings: input.settings,
      validationFraction: fraction,
      imageFiles: new Set(images.values()).size,
    }),
  );

  const written: string[] = [];
  for (const [name, content] of files) {
    const file = path.join(outDir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(file);
  }
  written.push(path.join(outDir, 'images'));
  return written;
}

