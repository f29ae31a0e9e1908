/**
 * Loads a dataset of any supported format (one reader per format in this folder), keeps the variants asked for and
 * sets apart the items whose image is missing; and reads the `--dataset` flag.
 */
import { DATASET_FORMATS, DatasetError, type DatasetFormat, type DatasetSpec, type EvalItem, type LoadedDataset } from '../eval-types.ts';
import { benchmarkOf, isFile, type ParsedDataset } from './dataset-files.ts';
import { readFigstep } from './figstep.ts';
import { readJsonl } from './jsonl.ts';
import { MM_SAFETYBENCH_VARIANTS, readMmSafetybench } from './mm-safetybench.ts';
import { readSiuo } from './siuo.ts';
import { readVlguard, VLGUARD_VARIANTS } from './vlguard.ts';

const READERS: Record<DatasetFormat, (spec: DatasetSpec) => Promise<ParsedDataset>> = {
  vlguard: readVlguard,
  figstep: readFigstep,
  siuo: readSiuo,
  'mm-safetybench': readMmSafetybench,
  jsonl: readJsonl,
};

const FORMAT_VARIANTS: Record<DatasetFormat, readonly string[]> = {
  vlguard: VLGUARD_VARIANTS,
  figstep: [],
  siuo: [],
  'mm-safetybench': MM_SAFETYBENCH_VARIANTS,
  jsonl: [],
};

function checkVariants(spec: DatasetSpec): Set<string> | null {
  if (spec.variants === undefined) return null;
  const known = FORMAT_VARIANTS[spec.format];
  if (known.length === 0) throw new Error(`${spec.path}: ${spec.format} items have no variants to choose from.`);
  const unknown = spec.variants.filter((variant) => !known.includes(variant));
  if (unknown.length > 0 || spec.variants.length === 0) {
    const named = unknown.length > 0 ? `unknown ${spec.format} variant ${unknown.map((name) => JSON.stringify(name)).join(', ')}` : 'no variant chosen';
    throw new Error(`${spec.path}: ${named}; the variants are ${known.join(', ')}.`);
  }
  return new Set(spec.variants);
}

/** Reads the dataset `spec` names. Malformed input throws a DatasetError; a missing file or folder an Error naming it. */
export async function loadDataset(spec: DatasetSpec): Promise<LoadedDataset> {
  const variants = checkVariants(spec);
  const { source, items: read } = await READERS[spec.format](spec);
  if (read.length === 0) throw new DatasetError(source, null, null, 'the dataset holds no items');
  const chosen = variants === null ? read : read.filter((item) => item.variant !== null && variants.has(item.variant));
  if (chosen.length === 0) throw new DatasetError(source, null, null, `the dataset holds no items of the variants ${[...variants ?? []].join(', ')}`);
  const present = new Map(await Promise.all([...new Set(chosen.map((item) => item.image))].map(async (image) => [image, await isFile(image)] as const)));
  const items: EvalItem[] = [];
  const missingImages: LoadedDataset['missingImages'] = [];
  for (const item of chosen) {
    if (present.get(item.image) === true) items.push(item);
    else missingImages.push({ id: item.id, image: item.image });
  }
  return { benchmark: benchmarkOf(spec), source, items, missingImages };
}

const NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Reads a `--dataset` value: `FORMAT:PATH`, or `NAME=FORMAT:PATH` to name the benchmark in the tables (letters,
 * digits, `.`, `_`, `-`). The images folder is not part of it. Throws an Error naming the value and what is wrong.
 */
export function parseDatasetArg(value: string): DatasetSpec {
  const problem = (what: string) => new Error(`--dataset ${JSON.stringify(value)}: ${what}`);
  const named = /^([^=:]*)=(.*)$/s.exec(value);
  const name = named?.[1];
  const rest = named?.[2] ?? value;
  if (name !== undefined && !NAME.test(name)) {
    throw problem(`the name ${JSON.stringify(name)} must start with a letter or digit and hold only letters, digits, ".", "_" and "-".`);
  }
  const colon = rest.indexOf(':');
  if (colon < 0) throw problem(`expected FORMAT:PATH or NAME=FORMAT:PATH, where FORMAT is one of ${DATASET_FORMATS.join(', ')}.`);
  const format = rest.slice(0, colon);
  const path = rest.slice(colon + 1);
  if (!isDatasetFormat(format)) throw problem(`unknown format ${JSON.stringify(format)}; the formats are ${DATASET_FORMATS.join(', ')}.`);
  if (path.trim() === '') throw problem(`no path after "${format}:".`);
  return { format, path, ...(name === undefined ? {} : { name }) };
}

function isDatasetFormat(value: string): value is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(value);
}
