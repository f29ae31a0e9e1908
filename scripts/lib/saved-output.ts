import { readLevelProbabilities } from '../../src/core/history-record.ts';
import type { LevelProbabilities } from '../../src/core/rewrite-format.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';

/** A model output saved earlier, with what the decision needs besides the prompt. */
export interface SavedOutput {
  rawOutput: string;
  stopReason: StopReason | null;
  levelProbabilities: LevelProbabilities | null;
  /** The prompt the output was generated for, when the file says. */
  prompt: string | null;
}

const STOP_REASONS: readonly StopReason[] = ['end-of-text', 'max-tokens', 'stopped'];

/**
 * Reads a saved output: plain text (the raw output itself), this command's --json output, or one history record as
 * the app exports it (a JSON export file must hold exactly one record). Throws with a message naming what is wrong.
 */
export function readSavedOutput(content: string, fileName: string): SavedOutput {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { rawOutput: content, stopReason: null, levelProbabilities: null, prompt: null };
  }
  if (!isObject(json)) throw new Error(`${fileName}: expected a JSON object, a record or plain text.`);
  const record = Array.isArray(json.records) ? onlyRecord(json.records, fileName) : json;
  const generation = isObject(record.generation) ? record.generation : null;
  const rewrite = isObject(record.rewrite) ? record.rewrite : record;
  const rawOutput = generation?.text ?? record.rawOutput;
  if (typeof rawOutput !== 'string') {
    throw new Error(`${fileName}: no raw output found (expected "generation.text" or "rawOutput").`);
  }
  return {
    rawOutput,
    stopReason: readStopReason(generation?.stopReason ?? record.stopReason, fileName),
    levelProbabilities: readProbabilities(rewrite.levelProbabilities, generation?.constraint, fileName),
    prompt: typeof record.prompt === 'string' ? record.prompt : null,
  };
}

function onlyRecord(records: unknown[], fileName: string): Record<string, unknown> {
  const [record] = records;
  if (records.length !== 1 || !isObject(record)) {
    throw new Error(`${fileName}: the export holds ${records.length} records; export the one to re-decide on its own.`);
  }
  return record;
}

function readStopReason(value: unknown, fileName: string): StopReason | null {
  if (value === undefined || value === null) return null;
  if (STOP_REASONS.includes(value as StopReason)) return value as StopReason;
  throw new Error(`${fileName}: stopReason must be one of ${STOP_REASONS.join(', ')}.`);
}

function readProbabilities(decided: unknown, constraint: unknown, fileName: string): LevelProbabilities | null {
  const fromConstraint = isObject(constraint) ? constraint.levelProbabilities : undefined;
  const [value, field] = decided !== undefined && decided !== null ? [decided, 'levelProbabilities'] : [fromConstraint, 'generation.constraint.levelProbabilities'];
  try {
    return readLevelProbabilities(value, field);
  } catch (error) {
    throw new Error(`${fileName}: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
