/**
 * The field schemas the benchmark report is built from (report-schema.ts), each with the words of its issue, and
 * the list of issues as `path: what is wrong`.
 */
import * as v from 'valibot';
import type { Dtype } from '../../src/core/model-catalog.ts';

/** valibot's object and record schemas take arrays too; no object in the report is one. */
const plainObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object',
);

/** A strict object's issues about its keys: one is missing, or one is not among its fields. */
const keyMessage = (issue: v.BaseIssue<unknown>) => (issue.expected === 'never' ? 'not in the schema' : 'missing');

export const shape = <TEntries extends v.ObjectEntries>(entries: TEntries) => v.pipe(plainObject, v.strictObject(entries, keyMessage));

const finiteMessage = (issue: v.BaseIssue<unknown>) => `expected a finite number, got ${JSON.stringify(issue.input)}`;
export const finiteNumber = v.pipe(v.number(finiteMessage), v.finite(finiteMessage));
export const nonNegative = v.pipe(
  finiteNumber,
  v.minValue(0, (issue) => `expected ≥ 0, got ${String(issue.input)}`),
);
export const text = v.string('expected a string');
export const flag = v.boolean('expected a boolean');

export const oneOf = <const TOptions extends readonly string[]>(options: TOptions) =>
  v.picklist(options, (issue) => `expected one of ${options.join(', ')}, got ${JSON.stringify(issue.input)}`);

export const listOf = <TItem extends v.GenericSchema>(item: TItem) => v.array(item, 'expected an array');
export const nonEmptyListOf = <TItem extends v.GenericSchema>(item: TItem) =>
  v.pipe(listOf(item), v.nonEmpty('expected at least one entry'));
export const recordOf = <TValue extends v.GenericSchema>(value: TValue) => v.pipe(plainObject, v.record(v.string(), value));

/** A measured value over repeated runs (stats.ts summarize()). */
export const summary = v.pipe(
  shape({
    n: v.pipe(
      nonNegative,
      v.check((n) => Number.isInteger(n) && n >= 1, 'expected a positive integer'),
    ),
    median: finiteNumber,
    min: finiteNumber,
    max: finiteNumber,
    q1: finiteNumber,
    q3: finiteNumber,
  }),
  v.check(({ min, q1, median, q3, max }) => min <= q1 && q1 <= median && median <= q3 && q3 <= max, 'expected min ≤ q1 ≤ median ≤ q3 ≤ max'),
);

const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const satisfies readonly Dtype[];
const dtype = oneOf(DTYPES);
/** SessionDtypes: the dtype of each ONNX session. */
export const dtypes = shape({ embed_tokens: dtype, vision_encoder: dtype, decoder_model_merged: dtype });

export const imageSize = shape({ width: nonNegative, height: nonNegative });

/** Every issue as `path: what is wrong`, with the path written as in code from `root`: `report.environments[0].name`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root: string): string[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => (item.type === 'array' ? `[${String(item.key)}]` : `.${String(item.key)}`)).join('');
    return `${root}${path}: ${issue.message}`;
  });
}
