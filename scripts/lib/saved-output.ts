import * as v from 'valibot';
import { describeIssue, ImageTextSchema, LevelProbabilitiesSchema } from '../../src/core/history-record-schema.ts';
import type { ImageTextOutcome } from '../../src/core/image-text.ts';
import type { LevelProbabilities } from '../../src/core/rewrite-format.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';

/** A model output saved earlier, with what the decision needs besides the prompt. */
export interface SavedOutput {
  rawOutput: string;
  stopReason: StopReason | null;
  levelProbabilities: LevelProbabilities | null;
  /** The prompt the output was generated for, when the file says. */
  prompt: string | null;
  /** What OCR had found in the image ('off' when the file does not say): the decision and the static defence use it. */
  imageText: ImageTextOutcome;
}

/** An object schema whose own issues read as the end of a sentence about the field: "rawOutput is missing". */
function fields<TEntries extends v.ObjectEntries>(entries: TEntries, missing = 'is missing') {
  return v.object(entries, (issue) => (issue.path?.at(-1)?.origin === 'key' ? missing : 'is not an object'));
}

const STOP_REASONS = ['end-of-text', 'max-tokens', 'stopped'] as const satisfies readonly StopReason[];
const stopReason = v.nullish(v.picklist(STOP_REASONS, `must be one of ${STOP_REASONS.join(', ')}`), null);
const prompt = v.optional(v.fallback(v.nullable(v.string()), null), null);
const decided = v.nullish(fields({ levelProbabilities: LevelProbabilitiesSchema }), null);
const imageText = v.optional(ImageTextSchema, { kind: 'off' });

/** This command's --json output: the generation as the engine returned it, and the decision. */
const CliOutputSchema = fields({
  prompt,
  generation: fields({
    text: v.string('is not a string'),
    stopReason,
    constraint: v.nullish(fields({ levelProbabilities: LevelProbabilitiesSchema }), null),
  }),
  rewrite: decided,
  imageText,
});

/** One history record, as the app stores and exports it. */
const HistoryRecordOutputSchema = fields(
  { prompt, rawOutput: v.string('is not a string'), stopReason, rewrite: decided, imageText },
  'is missing (expected "generation.text" or "rawOutput")',
);

const ExportFileSchema = v.object({ records: v.array(v.unknown()) });

/**
 * Reads a saved output: plain text (the raw output itself), this command's --json output, or one history record as
 * the app exports it (a JSON export file must hold exactly one record). Throws with a message naming what is wrong.
 */
export function readSavedOutput(content: string, fileName: string): SavedOutput {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { rawOutput: content, stopReason: null, levelProbabilities: null, prompt: null, imageText: { kind: 'off' } };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${fileName}: expected a JSON object, a record or plain text.`);
  }
  const exported = v.safeParse(ExportFileSchema, json);
  const record: unknown = exported.success ? onlyRecord(exported.output.records, fileName) : json;
  if (typeof record === 'object' && record !== null && 'generation' in record) {
    const { generation, rewrite, prompt, imageText } = parseOrThrow(CliOutputSchema, record, fileName);
    return {
      rawOutput: generation.text,
      stopReason: generation.stopReason,
      levelProbabilities: rewrite?.levelProbabilities ?? generation.constraint?.levelProbabilities ?? null,
      prompt,
      imageText,
    };
  }
  const { rawOutput, stopReason, rewrite, prompt, imageText } = parseOrThrow(HistoryRecordOutputSchema, record, fileName);
  return { rawOutput, stopReason, levelProbabilities: rewrite?.levelProbabilities ?? null, prompt, imageText };
}

function onlyRecord(records: unknown[], fileName: string): unknown {
  if (records.length !== 1) {
    throw new Error(`${fileName}: the export holds ${records.length} records; export the one to re-decide on its own.`);
  }
  return records[0];
}

function parseOrThrow<TSchema extends v.GenericSchema>(schema: TSchema, value: unknown, fileName: string): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, value, { abortEarly: true });
  if (!parsed.success) throw new Error(`${fileName}: ${describeIssue(parsed.issues)}.`);
  return parsed.output;
}
