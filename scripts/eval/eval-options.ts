/** The command line of `npm run eval` and the settings it derives; every flag is in EVAL_HELP with its default. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { recommendModel } from '../../src/core/model-catalog.ts';
import { HUGGING_FACE_HUB_URL, normalizeHubUrl } from '../../src/core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { parseDatasetArg } from './datasets/load-dataset.ts';
import { DEFAULT_RETRY_POLICY } from './endpoint.ts';
import { METHODS, type DatasetSpec, type EndpointSpec, type MethodName } from './eval-types.ts';
import { REWRITER_CONSTRAINTS, type RewriterConstraint } from './rewrite-format-regex.ts';

export const DEFAULT_OUT_DIR = 'eval-results';
export const DEFAULT_MAX_TOKENS = 512;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TIMEOUT_S = 120;

const ENDPOINT_SYNTAX = 'name=N,url=U,model=M[,key-env=VAR][,concurrency=4][,rpm=R][,price-in=$/Mtok][,price-out=$/Mtok]';

export const EVAL_HELP = `Usage: npm run eval -- --dataset [NAME=]FORMAT:PATH --target ${ENDPOINT_SYNTAX} --judge … [options]

Runs every item × method × target, judges every answer and writes calls.jsonl, report.json, report.md and
report.html to --out. Re-run with the same flags to resume: logged answers are reused, failed calls retried.

Data:
  --dataset [NAME=]FORMAT:PATH  a benchmark (repeatable); FORMAT: vlguard, figstep, siuo, mm-safetybench, jsonl;
                                NAME names its rows (default: the format)
  --limit N                     at most N items per dataset (default: all)

Methods and endpoints (each endpoint: ${ENDPOINT_SYNTAX};
the key is read from the environment variable key-env names, never from a flag):
  --methods LIST                comma-separated, of ${METHODS.join(', ')} (default: all five)
  --target SPEC                 a target VLM (repeatable, at least one)
  --judge SPEC                  the judge VLM that scores every answer (required)
  --guard SPEC                  the classifier guard of the guard method (Llama Guard 3 Vision style; needed by guard)
  --rewriter MODEL              the rewriter in this process: catalog id, Hub id (with --rewriter-family) or model
                                folder (default: ${recommendModel({ runtime: 'node' }).modelId})
  --rewriter-family NAME        the family of a Hub id outside the catalog
  --rewriter-endpoint SPEC      the rewriter served behind an endpoint instead (vLLM and the like)
  --rewriter-constraint KIND    how the served rewriter is held to the format: structured-outputs (vLLM's
                                structured_outputs.regex), guided-regex (the older guided_regex), none
                                (default: structured-outputs)
  --no-constrain                no constrained decoding (in-process: free generation; served: no constraint sent)
  --no-ocr                      do not read the text in the images (default: OCR on; the rewriter and the static
                                defence get the lines as quoted data)
  --strictness X                the rewriter's least P(no risk) to pass a prompt through, 0–1 (default: ${DEFAULT_STRICTNESS})
  --sweep LIST                  also re-decide the rewriter's outputs at each strictness, e.g. 0,0.5,0.8,0.9,0.95
                                (no rewriter call; default: no sweep)

Judging and output:
  --hand-labels FILE            hand labels to measure the judge against (default: none)
  --max-tokens N                output limit of the targets' answers (default: ${DEFAULT_MAX_TOKENS})
  --timeout-s S                 per-request timeout, each attempt (default: ${DEFAULT_TIMEOUT_S})
  --retries N                   retries after a 429, 408, 5xx, dropped connection or timeout (default: ${DEFAULT_RETRY_POLICY.retries})
  --out DIR                     where the call log and the reports go (default: ${DEFAULT_OUT_DIR})
  --offline                     the in-process rewriter uses only models/ and local folders
  --hub-url URL                 the hub the in-process rewriter downloads from (default: ${HUGGING_FACE_HUB_URL})
  --help                        this text

Exit status: 0 done, 2 bad arguments or a malformed dataset, 1 a failure (an endpoint refused the key, …).`;

/** The flags, for parseArgs and for the test that every one of them is in EVAL_HELP. */
export const EVAL_FLAGS = {
  dataset: { type: 'string', multiple: true },
  limit: { type: 'string' },
  methods: { type: 'string', default: METHODS.join(',') },
  target: { type: 'string', multiple: true },
  judge: { type: 'string' },
  guard: { type: 'string' },
  rewriter: { type: 'string' },
  'rewriter-family': { type: 'string' },
  'rewriter-endpoint': { type: 'string' },
  'rewriter-constraint': { type: 'string', default: 'structured-outputs' },
  'no-constrain': { type: 'boolean', default: false },
  'no-ocr': { type: 'boolean', default: false },
  strictness: { type: 'string', default: String(DEFAULT_STRICTNESS) },
  sweep: { type: 'string' },
  'hand-labels': { type: 'string' },
  'max-tokens': { type: 'string', default: String(DEFAULT_MAX_TOKENS) },
  'timeout-s': { type: 'string', default: String(DEFAULT_TIMEOUT_S) },
  retries: { type: 'string', default: String(DEFAULT_RETRY_POLICY.retries) },
  out: { type: 'string', default: DEFAULT_OUT_DIR },
  offline: { type: 'boolean', default: false },
  'hub-url': { type: 'string', default: HUGGING_FACE_HUB_URL },
  help: { type: 'boolean', default: false },
} as const;

export type RewriterChoice =
  | { kind: 'in-process'; model: string; family: string | undefined }
  | { kind: 'served'; endpoint: EndpointSpec };

export interface EvalOptions {
  datasets: DatasetSpec[];
  limit: number | null;
  methods: MethodName[];
  targets: EndpointSpec[];
  judge: EndpointSpec;
  guard: EndpointSpec | null;
  /** Null when neither the rewriter method nor a sweep needs one. */
  rewriter: RewriterChoice | null;
  rewriterConstraint: RewriterConstraint;
  constrained: boolean;
  ocr: boolean;
  strictness: number;
  sweep: number[];
  handLabels: string | null;
  maxTokens: number;
  timeoutMs: number;
  retries: number;
  outDir: string;
  /** The hub the in-process rewriter may download from; null: offline. */
  hubUrl: string | null;
}

/** A bad command line (exit 2); the message names the flag and what is wrong. */
export class EvalArgumentError extends Error {
  override readonly name = 'EvalArgumentError';
}

/** Parses the command line; 'help' when --help was given (nothing else is checked then). */
export function parseEvalOptions(args: string[]): EvalOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args, options: EVAL_FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new EvalArgumentError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';

  const datasets = (values.dataset ?? []).map((value) => attempt(() => parseDatasetArg(value)));
  if (datasets.length === 0) throw new EvalArgumentError('--dataset is required: give at least one [NAME=]FORMAT:PATH.');
  const methods = parseMethods(values.methods);
  const targets = (values.target ?? []).map((value) => parseEndpointArg(value, '--target'));
  if (targets.length === 0) throw new EvalArgumentError(`--target is required: give at least one ${ENDPOINT_SYNTAX}.`);
  if (values.judge === undefined) throw new EvalArgumentError(`--judge is required: every answer is judged (${ENDPOINT_SYNTAX}).`);
  const guard = values.guard === undefined ? null : parseEndpointArg(values.guard, '--guard');
  if (methods.includes('guard') && !guard) {
    throw new EvalArgumentError('--methods includes guard: give --guard SPEC, or leave guard out of --methods.');
  }
  const constraint = values['rewriter-constraint'];
  if (!(REWRITER_CONSTRAINTS as readonly string[]).includes(constraint)) {
    throw new EvalArgumentError(`--rewriter-constraint ${constraint}: expected one of ${REWRITER_CONSTRAINTS.join(', ')}.`);
  }
  const sweep = values.sweep === undefined ? [] : values.sweep.split(',').map((value) => fraction(value.trim(), '--sweep'));
  const hubUrl = normalizeHubUrl(values['hub-url']);
  if (!hubUrl.ok) throw new EvalArgumentError(`--hub-url: ${hubUrl.message}`);

  const judge = parseEndpointArg(values.judge, '--judge');
  const rewriter = methods.includes('rewriter') || sweep.length > 0 ? parseRewriterChoice(values) : null;
  const served = rewriter?.kind === 'served' ? [rewriter.endpoint] : [];
  // The tallies and the call log name endpoints by these names.
  unique([...targets, judge, ...(guard ? [guard] : []), ...served].map((endpoint) => endpoint.name), 'Endpoint names (name=…)');

  return {
    datasets,
    limit: values.limit === undefined ? null : positiveInteger(values.limit, '--limit'),
    methods,
    targets,
    judge,
    guard,
    rewriter,
    rewriterConstraint: values['no-constrain'] ? 'none' : (constraint as RewriterConstraint),
    constrained: !values['no-constrain'],
    ocr: !values['no-ocr'],
    strictness: fraction(values.strictness, '--strictness'),
    sweep: [...new Set(sweep)],
    handLabels: values['hand-labels'] ?? null,
    maxTokens: positiveInteger(values['max-tokens'], '--max-tokens'),
    timeoutMs: positiveNumber(values['timeout-s'], '--timeout-s') * 1000,
    retries: nonNegativeInteger(values.retries, '--retries'),
    outDir: path.resolve(values.out),
    hubUrl: values.offline ? null : hubUrl.url,
  };
}

function parseRewriterChoice(values: { rewriter?: string; 'rewriter-family'?: string; 'rewriter-endpoint'?: string }): RewriterChoice {
  if (values['rewriter-endpoint'] !== undefined) {
    if (values.rewriter !== undefined) throw new EvalArgumentError('Give --rewriter or --rewriter-endpoint, not both.');
    return { kind: 'served', endpoint: parseEndpointArg(values['rewriter-endpoint'], '--rewriter-endpoint') };
  }
  return { kind: 'in-process', model: values.rewriter ?? recommendModel({ runtime: 'node' }).modelId, family: values['rewriter-family'] };
}

function parseMethods(value: string): MethodName[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(METHODS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new EvalArgumentError(`--methods: unknown ${unknown.join(', ')}; the methods are ${METHODS.join(', ')}.`);
  if (names.length === 0) throw new EvalArgumentError(`--methods: name at least one of ${METHODS.join(', ')}.`);
  return [...new Set(names)] as MethodName[];
}

const ENDPOINT_FIELDS = ['name', 'url', 'model', 'key-env', 'concurrency', 'rpm', 'price-in', 'price-out'] as const;

/** `name=N,url=U,model=M[,key-env=VAR][,concurrency=4][,rpm=R][,price-in=…][,price-out=…]` as an EndpointSpec. */
export function parseEndpointArg(value: string, flag: string): EndpointSpec {
  const fields = new Map<string, string>();
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at).trim();
    if (at < 0 || !(ENDPOINT_FIELDS as readonly string[]).includes(field)) {
      throw new EvalArgumentError(`${flag} ${JSON.stringify(value)}: ${JSON.stringify(pair)} is not one of ${ENDPOINT_FIELDS.map((name) => `${name}=…`).join(', ')}.`);
    }
    if (fields.has(field)) throw new EvalArgumentError(`${flag} ${JSON.stringify(value)}: ${field} is given twice.`);
    fields.set(field, pair.slice(at + 1).trim());
  }
  const required = (field: string) => {
    const given = fields.get(field);
    if (!given) throw new EvalArgumentError(`${flag} ${JSON.stringify(value)}: ${field}=… is missing.`);
    return given;
  };
  const url = required('url');
  if (!/^https?:\/\/[^/]/.test(url)) throw new EvalArgumentError(`${flag} ${JSON.stringify(value)}: url=${url} is not an http(s) URL.`);
  const optional = (field: string, read: (given: string, what: string) => number) => {
    const given = fields.get(field);
    return given === undefined ? null : read(given, `${flag} ${field}`);
  };
  const priceIn = optional('price-in', nonNegativeNumber);
  const priceOut = optional('price-out', nonNegativeNumber);
  if ((priceIn === null) !== (priceOut === null)) {
    throw new EvalArgumentError(`${flag} ${JSON.stringify(value)}: give both price-in and price-out, or neither.`);
  }
  const keyEnv = fields.get('key-env');
  return {
    name: required('name'),
    baseURL: url.replace(/\/+$/, ''),
    model: required('model'),
    ...(keyEnv ? { apiKeyEnv: keyEnv } : {}),
    concurrency: optional('concurrency', positiveInteger) ?? DEFAULT_CONCURRENCY,
    requestsPerMinute: optional('rpm', positiveInteger),
    pricing: priceIn === null || priceOut === null ? null : { inputPerMTok: priceIn, outputPerMTok: priceOut },
  };
}

function attempt<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new EvalArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function unique(names: string[], what: string): void {
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new EvalArgumentError(`${what} must differ: ${repeated} is given twice.`);
}

function readNumber(value: string, what: string, valid: (n: number) => boolean, expected: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!valid(number)) throw new EvalArgumentError(`${what} ${value}: expected ${expected}.`);
  return number;
}

function positiveInteger(value: string, what: string): number {
  return readNumber(value, what, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
}

function nonNegativeInteger(value: string, what: string): number {
  return readNumber(value, what, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
}

function positiveNumber(value: string, what: string): number {
  return readNumber(value, what, (n) => Number.isFinite(n) && n > 0, 'a number > 0');
}

function nonNegativeNumber(value: string, what: string): number {
  return readNumber(value, what, (n) => Number.isFinite(n) && n >= 0, 'a number ≥ 0');
}

function fraction(value: string, what: string): number {
  return readNumber(value, what, (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
}
