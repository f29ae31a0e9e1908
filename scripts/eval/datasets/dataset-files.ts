/**
 * What every loader does with files: read the dataset, parse JSON with the position of a syntax error, find the
 * images folder, refuse a second record with the same id.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DatasetError, type DatasetSpec, type EvalItem } from '../eval-types.ts';
import { shown } from './record-fields.ts';

/** What a loader read: every item, before their images are checked. */
export interface ParsedDataset {
  source: string;
  items: EvalItem[];
}

export const benchmarkOf = (spec: DatasetSpec): string => spec.name ?? spec.format;

async function kindOf(path: string): Promise<'file' | 'folder' | null> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return null;
  }
}

export async function isFolder(path: string): Promise<boolean> {
  return (await kindOf(path)) === 'folder';
}

export async function isFile(path: string): Promise<boolean> {
  return (await kindOf(path)) === 'file';
}

/** The text of a dataset file; an Error naming the path when it is missing or a folder. */
export async function readDatasetFile(path: string, format: string): Promise<string> {
  const kind = await kindOf(path);
  if (kind === null) throw new Error(`The ${format} dataset file ${path} does not exist.`);
  if (kind === 'folder') throw new Error(`The ${format} dataset ${path} is a folder; expected its file.`);
  return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
}

/** A folder the dataset needs; an Error naming the path when it is missing. */
export async function requireFolder(path: string, what: string): Promise<string> {
  if (!(await isFolder(path))) throw new Error(`The ${what} ${path} does not exist or is not a folder.`);
  return path;
}

/** The images folder: `spec.imagesDir` when given, else the format's default; an Error naming it when it is missing. */
export async function imagesFolder(spec: DatasetSpec, defaultFolder: string): Promise<string> {
  const folder = spec.imagesDir === undefined ? defaultFolder : resolve(spec.imagesDir);
  if (await isFolder(folder)) return folder;
  const why = spec.imagesDir === undefined ? `the ${spec.format} default; name the folder the images are in` : 'as given';
  throw new Error(`The images folder ${folder} of ${spec.path} does not exist or is not a folder (${why}).`);
}

/** JSON.parse, with a syntax error as a DatasetError that adds the line and column of the position V8 reports. */
export function parseJson(content: string, file: string, line: number | null = null): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = line === null && position !== undefined ? ` (${lineAndColumn(content, Number(position))})` : '';
    throw new DatasetError(file, line, null, `not valid JSON: ${message}${where}`);
  }
}

function lineAndColumn(content: string, position: number): string {
  const before = content.slice(0, position);
  const lineStart = before.lastIndexOf('\n') + 1;
  return `line ${before.split('\n').length}, column ${position - lineStart + 1}`;
}

/** Records ids as they are read; a second use throws a DatasetError at the second place naming the first. */
export function idRegister(file: string): (id: string, line: number | null, field: string) => void {
  const seen = new Map<string, string>();
  return (id, line, field) => {
    const first = seen.get(id);
    if (first !== undefined) throw new DatasetError(file, line, field, `${shown(id)} is already the id ${first}`);
    seen.set(id, line === null ? `at ${field}` : `on line ${line}`);
  };
}

/** The records of a dataset that is one JSON array (VLGuard, SIUO). */
export async function readJsonArray(path: string, format: string): Promise<unknown[]> {
  const json = parseJson(await readDatasetFile(path, format), path);
  if (!Array.isArray(json)) {
    throw new DatasetError(path, null, null, `expected a JSON array of records, got ${json === null ? 'null' : typeof json === 'object' ? 'an object' : shown(json)}`);
  }
  return json;
}
