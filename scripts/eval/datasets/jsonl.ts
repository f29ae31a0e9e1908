/**
 * Our plain format: one JSON object a line, `{ id, image, prompt, label: "unsafe" | "safe", category? }`; blank
 * lines are skipped. `image` is relative to the file's folder (or the images folder given), or absolute. The id is
 * `<benchmark>/<id>`; a second record with the same id is an error naming both lines.
 */
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import type { DatasetSpec, EvalItem } from '../eval-types.ts';
import { benchmarkOf, idRegister, imagesFolder, parseJson, readDatasetFile, type ParsedDataset } from './dataset-files.ts';
import { identifier, oneOf, parseRecord, record, text } from './record-fields.ts';

const JsonlRecordSchema = record({
  id: identifier,
  image: text,
  prompt: text,
  label: oneOf(['unsafe', 'safe']),
  category: v.nullish(text, null),
});

export async function readJsonl(spec: DatasetSpec): Promise<ParsedDataset> {
  const file = resolve(spec.path);
  const lines = (await readDatasetFile(file, 'JSONL')).split(/\r?\n/);
  const images = await imagesFolder(spec, dirname(file));
  const benchmark = benchmarkOf(spec);
  const claimId = idRegister(file);
  const items: EvalItem[] = [];
  lines.forEach((content, index) => {
    if (content.trim() === '') return;
    const line = index + 1;
    const source = parseRecord(JsonlRecordSchema, parseJson(content, file, line), { file, line, at: '' });
    claimId(source.id, line, 'id');
    items.push({
      id: `${benchmark}/${source.id}`,
      benchmark,
      image: resolve(images, source.image),
      prompt: source.prompt,
      label: source.label,
      category: source.category,
      variant: null,
    });
  });
  return { source: file, items };
}
