/**
 * Re-exports existing SFT records for the trainers (trainer-exports.ts) without synthesizing anything:
 * `npx tsx scripts/synthesize/export-records.ts --records DIR/records.jsonl --out DIR`. Flags: EXPORT_HELP.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as v from 'valibot';
import { isFile, parseJson, readDatasetFile } from '../eval/datasets/dataset-files.ts';
import { isPlainObject, parseRecord } from '../eval/datasets/record-fields.ts';
import { DatasetError } from '../eval/eval-types.ts';
import { REJECTIONS_FILE, SETTINGS_FILE } from './synthesis-runner.ts';
import { DEFAULT_VALIDATION_FRACTION, TrainerExportError, writeTrainerExports } from './trainer-exports.ts';
import { SftRecordSchema, SftRejectionSchema } from './trainer-schemas.ts';

const EXPORT_HELP = `Usage: npx tsx scripts/synthesize/export-records.ts --records FILE --out DIR [options]

Writes the records as TRL and LLaMA-Factory datasets with their images and a dataset card (README.md) into --out.

  --records FILE              records.jsonl as npm run synthesize writes it (required)
  --rejections FILE           rejections.jsonl, counted in the card (default: rejections.jsonl beside --records,
                              if there is one; else none)
  --settings FILE             a JSON object of the settings the records were made with, shown in the card
                              (default: settings.json beside --records, if there is one; else none)
  --validation-fraction X     the share of each label held out for validation, 0 to below 1
                              (default: ${DEFAULT_VALIDATION_FRACTION})
  --out DIR                   the export folder (required)
  --help                      this text

Exit status: 0 done, 2 bad arguments or a malformed or missing input, 1 a failure.`;

class ArgumentError extends Error {}

const FLAGS = {
  records: { type: 'string' },
  rejections: { type: 'string' },
  settings: { type: 'string' },
  'validation-fraction': { type: 'string', default: String(DEFAULT_VALIDATION_FRACTION) },
  out: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

async function readJsonl<TSchema extends v.GenericSchema>(file: string, schema: TSchema, what: string): Promise<Array<v.InferOutput<TSchema>>> {
  const lines = (await readDatasetFile(file, what)).split(/\r?\n/);
  return lines.flatMap((content, index) =>
    content.trim() === '' ? [] : [parseRecord(schema, parseJson(content, file, index + 1), { file, line: index + 1, at: '' })],
  );
}

/** The file a flag names, or the default file beside the records when it exists, or null. */
async function besideRecords(given: string | undefined, records: string, name: string): Promise<string | null> {
  if (given !== undefined) return given;
  const beside = path.join(path.dirname(records), name);
  return (await isFile(beside)) ? beside : null;
}

async function readSettings(file: string | null): Promise<Record<string, unknown>> {
  if (file === null) return {};
  const settings = parseJson(await readFile(file, 'utf8'), file);
  if (!isPlainObject(settings)) throw new DatasetError(file, null, null, 'expected a JSON object of settings');
  return settings;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: FLAGS, strict: true });
  if (values.help) return void console.log(EXPORT_HELP), 0;
  if (values.records === undefined) throw new ArgumentError('--records is required.');
  if (values.out === undefined) throw new ArgumentError('--out is required.');
  const fraction = Number(values['validation-fraction']);
  if (!(fraction >= 0 && fraction < 1)) {
    throw new ArgumentError(`--validation-fraction ${JSON.stringify(values['validation-fraction'])}: expected a number from 0 to below 1.`);
  }
  const records = await readJsonl(values.records, SftRecordSchema, 'records JSONL');
  const rejectionsFile = await besideRecords(values.rejections, values.records, REJECTIONS_FILE);
  const rejections = rejectionsFile === null ? [] : await readJsonl(rejectionsFile, SftRejectionSchema, 'rejections JSONL');
  const settings = await readSettings(await besideRecords(values.settings, values.records, SETTINGS_FILE));
  const written = await writeTrainerExports({ records, rejections, settings, outDir: values.out, validationFraction: fraction });
  console.error(`${records.length} records exported to ${values.out}: ${written.map((file) => path.relative(values.out ?? '', file)).join(', ')}.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const isInputError = error instanceof ArgumentError || error instanceof DatasetError || error instanceof TrainerExportError;
    const isArgsError = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true;
    const isMissing = /does not exist|is a folder|ENOENT/.test(message);
    console.error(isArgsError || error instanceof ArgumentError ? `${message}\n\nSee --help.` : message);
    process.exit(isInputError || isArgsError || isMissing ? 2 : 1);
  },
);
