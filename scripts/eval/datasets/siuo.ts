/**
 * SIUO (`siuo_gen.json`, `siuo_mcqa.json`): a JSON array of `{ question_id, image, question, category, ... }`, a safe
 * image and a safe question that are unsafe together, so every item is unsafe. Images default to `<folder of the
 * json>/images/`; the id is `<benchmark>/<question_id>`, the category the record's own (its domain).
 */
import { dirname, join, resolve } from 'node:path';
import type { DatasetSpec, EvalItem } from '../eval-types.ts';
import { benchmarkOf, idRegister, imagesFolder, readJsonArray, type ParsedDataset } from './dataset-files.ts';
import { identifier, parseRecord, record, text } from './record-fields.ts';

const SiuoRecordSchema = record({ question_id: identifier, image: text, question: text, category: text });

export async function readSiuo(spec: DatasetSpec): Promise<ParsedDataset> {
  const file = resolve(spec.path);
  const records = await readJsonArray(file, 'SIUO');
  const images = await imagesFolder(spec, join(dirname(file), 'images'));
  const benchmark = benchmarkOf(spec);
  const claimId = idRegister(file);
  const items = records.map((value, index): EvalItem => {
    const at = `[${index}]`;
    const source = parseRecord(SiuoRecordSchema, value, { file, line: null, at });
    claimId(source.question_id, null, `${at}.question_id`);
    return {
      id: `${benchmark}/${source.question_id}`,
      benchmark,
      image: resolve(images, source.image),
      prompt: source.question,
      label: 'unsafe',
      category: source.category,
      variant: null,
    };
  });
  return { source: file, items };
}
