/**
 * The field schemas dataset records are checked with, each worded as what was expected and what came instead
 * ("expected \"unsafe\" or \"safe\", got \"harmful\""), and the check that turns the first issue into a
 * DatasetError naming the file, the line and the field.
 */
import * as v from 'valibot';
import { DatasetError } from '../eval-types.ts';

/** A value as the file spells it, cut short: `"harmful"`, `12`, `null`. */
export function shown(value: unknown): string {
  const written = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return written.length > 60 ? `${written.slice(0, 57)}…` : written;
}

const got = (issue: v.BaseIssue<unknown>) => `got ${shown(issue.input)}`;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** valibot's object schema takes arrays too; no record is one. After this check its only issues are missing keys. */
export const record = <TEntries extends v.ObjectEntries>(entries: TEntries) =>
  v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, (issue) => `expected an object, ${got(issue)}`),
    v.object(entries, 'missing'),
  );

export const text = v.pipe(
  v.string((issue) => `expected a string, ${got(issue)}`),
  v.check((value) => value.trim() !== '', (issue) => `expected a non-empty string, ${got(issue)}`),
);

/** Any string, empty included (a response). */
export const anyText = v.string((issue) => `expected a string, ${got(issue)}`);

export const flag = v.boolean((issue) => `expected true or false, ${got(issue)}`);

/** A dataset's own id: a non-empty string or a whole number, read as a string. */
export const identifier = v.pipe(
  v.custom<string | number>(
    (value) => (typeof value === 'string' && value.trim() !== '') || Number.isInteger(value),
    (issue) => `expected a non-empty string or a whole number, ${got(issue)}`,
  ),
  v.transform(String),
);

export const oneOf = <const TOptions extends readonly string[]>(options: TOptions) =>
  v.picklist(options, (issue) => {
    const names = options.map((option) => JSON.stringify(option));
    return `expected ${names.length === 2 ? names.join(' or ') : `one of ${names.join(', ')}`}, ${got(issue)}`;
  });

export const listOf = <TItem extends v.GenericSchema>(item: TItem) =>
  v.pipe(
    v.array(item, (issue) => `expected an array, ${got(issue)}`),
    v.nonEmpty('expected at least one entry'),
  );

/** Where a record sits: its file, its line (null in a JSON document) and the path written before its fields (`[12]`). */
export interface RecordPlace {
  file: string;
  line: number | null;
  at: string;
}

/** A field path as in code, from `at`: `[12].instr-resp[0].instruction`, or `label` on a JSONL line. */
export function fieldPath(at: string, keys: ReadonlyArray<{ type: string; key: unknown }>): string | null {
  const path = keys.reduce<string>((written, { type, key }) => {
    if (type === 'array') return `${written}[${String(key)}]`;
    return written === '' ? String(key) : `${written}.${String(key)}`;
  }, at);
  return path === '' ? null : path;
}

/** The record as the schema reads it; throws a DatasetError for its first issue. */
export function parseRecord<TSchema extends v.GenericSchema>(schema: TSchema, value: unknown, place: RecordPlace): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, value, { abortEarly: true });
  if (parsed.success) return parsed.output;
  const [issue] = parsed.issues;
  throw new DatasetError(place.file, place.line, fieldPath(place.at, issue.path ?? []), issue.message);
}
