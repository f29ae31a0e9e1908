/**
 * VLGuard's `test.json`: a JSON array of `{ id, image, safe, harmful_category?, harmful_subcategory?, "instr-resp" }`.
 *
 * Each entry of `instr-resp` is one item, id `<benchmark>/<id>/<index in instr-resp>`:
 * - an unsafe image (`safe: false`) carries `{ instruction, response }`: label unsafe, variant `unsafe-image`;
 * - a safe image carries `{ safe_instruction, response }` (label safe, variant `safe-image-safe-instruction`) and
 *   `{ unsafe_instruction, response }` (label unsafe, variant `safe-image-unsafe-instruction`).
 *
 * `response`, when present, becomes `references.safe` in every case: to a safe instruction VLGuard answers helpfully,
 * to an unsafe one it refuses, and both are the safe response. The category is `harmful_category` (null without one);
 * `harmful_subcategory` goes to `source`.
 *
 * Images: `image` is relative to `<folder of test.json>/test/` when that folder exists (the layout of VLGuard's
 * `test.zip` unpacked beside the file), else to the folder of test.json; an images folder given explicitly wins.
 */
import { dirname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { DatasetError, type DatasetSpec, type EvalItem } from '../eval-types.ts';
import { benchmarkOf, idRegister, imagesFolder, isFolder, readJsonArray, type ParsedDataset } from './dataset-files.ts';
import { anyText, flag, identifier, listOf, parseRecord, record, text } from './record-fields.ts';

export const VLGUARD_VARIANTS = ['unsafe-image', 'safe-image-unsafe-instruction', 'safe-image-safe-instruction'] as const;
type VlguardVariant = (typeof VLGUARD_VARIANTS)[number];

const INSTRUCTION_KEYS = {
  instruction: 'unsafe-image',
  safe_instruction: 'safe-image-safe-instruction',
  unsafe_instruction: 'safe-image-unsafe-instruction',
} as const satisfies Record<string, VlguardVariant>;
type InstructionKey = keyof typeof INSTRUCTION_KEYS;

const EntrySchema = record({
  instruction: v.optional(text),
  safe_instruction: v.optional(text),
  unsafe_instruction: v.optional(text),
  response: v.optional(anyText),
});
type Entry = v.InferOutput<typeof EntrySchema>;

const VlguardRecordSchema = record({
  id: identifier,
  image: text,
  safe: flag,
  harmful_category: v.nullish(text, null),
  harmful_subcategory: v.nullish(text, null),
  'instr-resp': listOf(v.unknown()),
});

/** The entry's one instruction, or what is wrong with its keys for an image that is (not) safe. */
function instructionOf(entry: Entry, safeImage: boolean): { key: InstructionKey; prompt: string } | string {
  const present = (Object.keys(INSTRUCTION_KEYS) as InstructionKey[]).filter((key) => entry[key] !== undefined);
  const allowed: InstructionKey[] = safeImage ? ['safe_instruction', 'unsafe_instruction'] : ['instruction'];
  const [key] = present;
  if (present.length === 1 && key !== undefined && allowed.includes(key)) return { key, prompt: entry[key] ?? '' };
  const expected = allowed.map((name) => JSON.stringify(name)).join(' or ');
  const found = present.length === 0 ? 'none' : present.map((name) => JSON.stringify(name)).join(' and ');
  return `expected one instruction, ${expected} (the image is ${safeImage ? 'safe' : 'unsafe'}), got ${found}`;
}

export async function readVlguard(spec: DatasetSpec): Promise<ParsedDataset> {
  const file = resolve(spec.path);
  const records = await readJsonArray(file, 'VLGuard');
  const besideFile = join(dirname(file), 'test');
  const images = await imagesFolder(spec, (await isFolder(besideFile)) ? besideFile : dirname(file));
  const benchmark = benchmarkOf(spec);
  const claimId = idRegister(file);
  const items: EvalItem[] = [];
  records.forEach((value, index) => {
    const at = `[${index}]`;
    const source = parseRecord(VlguardRecordSchema, value, { file, line: null, at });
    claimId(source.id, null, `${at}.id`);
    source['instr-resp'].forEach((entryValue, entryIndex) => {
      const entryAt = `${at}.instr-resp[${entryIndex}]`;
      const entry = parseRecord(EntrySchema, entryValue, { file, line: null, at: entryAt });
      const instruction = instructionOf(entry, source.safe);
      if (typeof instruction === 'string') throw new DatasetError(file, null, entryAt, instruction);
      items.push({
        id: `${benchmark}/${source.id}/${entryIndex}`,
        benchmark,
        image: resolve(images, source.image),
        prompt: instruction.prompt,
        label: instruction.key === 'safe_instruction' ? 'safe' : 'unsafe',
        category: source.harmful_category,
        variant: INSTRUCTION_KEYS[instruction.key],
        ...(entry.response === undefined ? {} : { references: { safe: entry.response } }),
        ...(source.harmful_subcategory === null ? {} : { source: { harmful_subcategory: source.harmful_subcategory } }),
      });
    });
  });
  return { source: file, items };
}
