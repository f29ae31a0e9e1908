/** The command line of `npm run synthesize`; every flag is in SYNTHESIZE_HELP with its default. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatasetArg } from '../eval/datasets/load-dataset.ts';
import { DEFAULT_RETRY_POLICY } from '../eval/endpoint.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_TIMEOUT_S, EvalArgumentError, parseEndpointArg } from '../eval/eval-options.ts';
import type { DatasetSpec, EndpointSpec } from '../eval/eval-types.ts';
import type { VerifyThresholds } from './stage-verify.ts';

export const DEFAULT_OUT_DIR = 'synthesis-results';
export const DEFAULT_TEACHER_MAX_TOKENS = 1024;
export const DEFAULT_THRESHOLDS: VerifyThresholds = { safetyMargin: 1, helpfulnessTolerance: 1 };

const ENDPOINT_SYNTAX = 'name=N,url=U,model=M[,key-env=VAR][,concurrency=4][,rpm=R][,price-in=$/Mtok][,price-out=$/Mtok]';

export const SYNTHESIZE_HELP = `Usage: npm run synthesize -- --dataset [NAME=]FORMAT:PATH --teacher ${ENDPOINT_SYNTAX} [options]

Makes supervised training data for a VLMGuard-R1-style rewriter, per item: (1) a safe and an unsafe response (the
dataset's, else the target's: the prompt as is, and inside the static defence), (2) the teacher's hindsight
analysis of them, (3) its multimodal causal analysis into a risk report, (4) its refined prompt, checked with the
app's own policy (items the dataset labels safe pass through: level none, the prompt unchanged), and optionally
(5) verification by the target and the judge. Writes records.jsonl, rejections.jsonl (each with its stage and
reason), settings.json, calls.jsonl and the trainer exports to --out. Re-run with the same flags to resume:
logged calls are reused, failed calls retried.

Data:
  --dataset [NAME=]FORMAT:PATH  a dataset (repeatable); FORMAT: vlguard, figstep, siuo, mm-safetybench, jsonl;
                                NAME names its items (default: the format)
  --limit N                     at most N items per dataset (default: all)

Endpoints (each: ${ENDPOINT_SYNTAX}; the key is read from the environment variable key-env names, never from a flag):
  --teacher SPEC                the teacher VLM that writes the analyses and the refined prompt (required)
  --target SPEC                 the VLM whose responses are analysed where the dataset ships none, and that
                                answers both prompts under --verify (default: none; items without both responses
                                are then rejected)
  --judge SPEC                  the judge that scores the target's answers under --verify (default: none)

Verification:
  --verify                      keep a rewritten record only when the judge scores the target's answer to the
                                refined prompt safer by the margin and about as helpful (needs --target and
                                --judge; pass-through records are not verified: their prompt is unchanged)
  --safety-margin X             the least safety gain, 0–10 (default: ${DEFAULT_THRESHOLDS.safetyMargin})
  --helpfulness-tolerance X     the most helpfulness lost, 0–10 (default: ${DEFAULT_THRESHOLDS.helpfulnessTolerance})

Records and calls:
  --ocr                         read the text in each image and quote its lines in the record's instruction, as
                                the app does with OCR on (default: off; the instruction then holds no image text)
  --max-tokens N                output limit of the target's answers (default: ${DEFAULT_MAX_TOKENS})
  --teacher-max-tokens N        output limit of each teacher reply (default: ${DEFAULT_TEACHER_MAX_TOKENS})
  --timeout-s S                 per-request timeout, each attempt (default: ${DEFAULT_TIMEOUT_S})
  --retries N                   retries after a 429, 408, 5xx, dropped connection or timeout (default: ${DEFAULT_RETRY_POLICY.retries})
  --out DIR                     where the records, the call log and the exports go (default: ${DEFAULT_OUT_DIR})
  --help                        this text

Exit status: 0 done, 2 bad arguments or a malformed dataset, 1 a failure (an endpoint refused the key, or items
whose calls failed after every retry: run again to retry them).`;

/** The flags, for parseArgs and for the test that every one of them is in SYNTHESIZE_HELP. */
export const SYNTHESIZE_FLAGS = {
  dataset: { type: 'string', multiple: true },
  limit: { type: 'string' },
  teacher: { type: 'string' },
  target: { type: 'string' },
  judge: { type: 'string' },
  verify: { type: 'boolean', default: false },
  'safety-margin': { type: 'string', default: String(DEFAULT_THRESHOLDS.safetyMargin) },
  'helpfulness-tolerance': { type: 'string', default: String(DEFAULT_THRESHOLDS.helpfulnessTolerance) },
  ocr: { type: 'boolean', default: false },
  'max-tokens': { type: 'string', default: String(DEFAULT_MAX_TOKENS) },
  'teacher-max-tokens': { type: 'string', default: String(DEFAULT_TEACHER_MAX_TOKENS) },
  'timeout-s': { type: 'string', default: String(DEFAULT_TIMEOUT_S) },
  retries: { type: 'string', default: String(DEFAULT_RETRY_POLICY.retries) },
  out: { type: 'string', default: DEFAULT_OUT_DIR },
  help: { type: 'boolean', default: false },
} as const;

export interface SynthesizeOptions {
  datasets: DatasetSpec[];
  limit: number | null;
  teacher: EndpointSpec;
  target: EndpointSpec | null;
  judge: EndpointSpec | null;
  /** Null: verification off. */
  verify: VerifyThresholds | null;
  ocr: boolean;
  targetMaxTokens: number;
  teacherMaxTokens: number;
  timeoutMs: number;
  retries: number;
  outDir: string;
}

/** Parses the command line (throwing EvalArgumentError, exit 2); 'help' when --help was given. */
export function parseSynthesizeOptions(args: string[]): SynthesizeOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args, options: SYNTHESIZE_FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new EvalArgumentError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';

  const datasets = (values.dataset ?? []).map((value) => {
    try {
      return parseDatasetArg(value);
    } catch (error) {
      throw new EvalArgumentError(error instanceof Error ? error.message : String(error));
    }
  });
  if (datasets.length === 0) throw new EvalArgumentError('--dataset is required: give at least one [NAME=]FORMAT:PATH.');
  if (values.teacher === undefined) throw new EvalArgumentError(`--teacher is required: the teacher writes every record (${ENDPOINT_SYNTAX}).`);
  const teacher = parseEndpointArg(values.teacher, '--teacher');
  const target = values.target === undefined ? null : parseEndpointArg(values.target, '--target');
  const judge = values.judge === undefined ? null : parseEndpointArg(values.judge, '--judge');
  if (values.verify && (!target || !judge)) {
    throw new EvalArgumentError('--verify needs --target (to answer both prompts) and --judge (to score the answers).');
  }
  const names = [teacher, target, judge].flatMap((endpoint) => (endpoint ? [endpoint.name] : []));
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new EvalArgumentError(`Endpoint names (name=…) must differ: ${repeated} is given twice.`);
  const score = (flag: 'safety-margin' | 'helpfulness-tolerance') => readNumber(values[flag], `--${flag}`, (n) => n >= 0 && n <= 10, 'a number from 0 to 10');

  return {
    datasets,
    limit: values.limit === undefined ? null : count(values.limit, '--limit', 1),
    teacher,
    target,
    judge,
    verify: values.verify ? { safetyMargin: score('safety-margin'), helpfulnessTolerance: score('helpfulness-tolerance') } : null,
    ocr: values.ocr,
    targetMaxTokens: count(values['max-tokens'], '--max-tokens', 1),
    teacherMaxTokens: count(values['teacher-max-tokens'], '--teacher-max-tokens', 1),
    timeoutMs: readNumber(values['timeout-s'], '--timeout-s', (n) => n > 0, 'a number > 0') * 1000,
    retries: count(values.retries, '--retries', 0),
    outDir: path.resolve(values.out),
  };
}

function readNumber(value: string, flag: string, valid: (n: number) => boolean, expected: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || !valid(number)) throw new EvalArgumentError(`${flag} ${value}: expected ${expected}.`);
  return number;
}

function count(value: string, flag: string, least: number): number {
  return readNumber(value, flag, (n) => Number.isInteger(n) && n >= least, `a whole number ≥ ${least}`);
}
