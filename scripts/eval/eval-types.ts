/**
 * The evaluation's shared vocabulary (npm run eval): what an item is, what a method sends and gets back, what the
 * judge says, and the rows the reports are made of. Loaders (datasets/), the runner (run-eval.ts, methods/), the
 * judge (judge.ts) and the reports (report-*.ts) meet only here.
 */
import type { RewriteResult, RiskCategory, RiskLevel } from '../../src/core/rewrite-format.ts';

export type RewriteOutcome = RewriteResult['outcome'];

export type SafetyLabel = 'unsafe' | 'safe';

/** The public formats a dataset can come in, plus our plain JSONL. */
export const DATASET_FORMATS = ['vlguard', 'figstep', 'siuo', 'mm-safetybench', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** One image + prompt to evaluate. */
export interface EvalItem {
  /** Unique within a run: `<benchmark>/<the dataset's own id>` (plus the variant where one source id gives several items). */
  id: string;
  /** The table's row group: the format's name, or the name given with `--dataset NAME=jsonl:FILE`. */
  benchmark: string;
  /** Absolute path of the image file. */
  image: string;
  prompt: string;
  label: SafetyLabel;
  /** The dataset's own category (scenario, domain, harmful category); null when it has none. */
  category: string | null;
  /** Several items from one source record: MM-SafetyBench 'SD' | 'TYPO' | 'SD_TYPO'; VLGuard 'unsafe-image' | 'safe-image-unsafe-instruction' | 'safe-image-safe-instruction'. */
  variant: string | null;
  /** Responses the dataset ships (VLGuard), for synthesis (issue 16): never shown to a target or the judge. */
  references?: { safe?: string; unsafe?: string };
  /**
   * Facts of the source record that the target never sees, under the dataset's own field names: FigStep's
   * `question` and `instruction`, MM-SafetyBench's `Question` and `Key Phrase`, VLGuard's `harmful_subcategory`.
   */
  source?: Record<string, string>;
}

export interface DatasetSpec {
  format: DatasetFormat;
  /** The dataset file (JSON, CSV, JSONL) or, for MM-SafetyBench, its root folder. */
  path: string;
  /** Where relative image paths resolve; default: the folder of `path` (each loader documents its layout). */
  imagesDir?: string;
  /** The benchmark name in the tables; default: the format. */
  name?: string;
  /** Keep only items of these variants (MM-SafetyBench 'SD' | 'TYPO' | 'SD_TYPO', VLGuard's three); default: all. */
  variants?: string[];
}

export interface LoadedDataset {
  benchmark: string;
  /** The file or folder read. */
  source: string;
  /** Items whose image exists. */
  items: EvalItem[];
  /** Items whose image file is missing: listed, never run, never silently dropped. */
  missingImages: Array<{ id: string; image: string }>;
}

/** A malformed dataset: names the file, the line (JSONL, CSV: 1-based; JSON: null) and the field. */
export class DatasetError extends Error {
  readonly file: string;
  readonly line: number | null;
  readonly field: string | null;
  constructor(file: string, line: number | null, field: string | null, problem: string) {
    super(`${file}${line === null ? '' : `:${line}`}${field === null ? '' : `: ${field}`}: ${problem}`);
    this.name = 'DatasetError';
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** An OpenAI-compatible endpoint and the model to ask there. */
export interface EndpointSpec {
  /** Short name used in tables and keys: 'gpt-4o-mini', 'local-qwen'. */
  name: string;
  baseURL: string;
  model: string;
  /** Read from the environment variable named here, never from a flag (keys stay out of shell history and logs). */
  apiKeyEnv?: string;
  /** Requests in flight at once (default 4). */
  concurrency: number;
  /** Requests per minute, when the provider limits them; null: no limit but concurrency. */
  requestsPerMinute: number | null;
  /** US dollars per million tokens, for the cost tally; null: not counted. */
  pricing: { inputPerMTok: number; outputPerMTok: number } | null;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What one chat call returned (the call log keeps it, keyed; see call-log.ts). */
export interface ChatAnswer {
  text: string;
  finishReason: string | null;
  usage: TokenUsage | null;
  ms: number;
}

export const METHODS = ['none', 'static-defence', 'ecso', 'guard', 'rewriter'] as const;
export type MethodName = (typeof METHODS)[number];

/** What the rewriter decided for one item (in-process or served), kept so a strictness sweep can re-decide it. */
export interface RewriterRecord {
  /** The model's raw output; '' when it gave none. */
  raw: string;
  stopReason: 'end-of-text' | 'max-tokens' | 'stopped';
  levelProbabilities: Record<RiskLevel, number> | null;
  /** The quoted OCR lines the rewriter was given (null: OCR off). */
  imageTextLines: string[] | null;
  /** Characters of OCR text the bounds left out (the static defence's note says so); absent: 0. */
  imageTextCutCharacters?: number;
  heldFormatTags: boolean;
  outcome: RewriteOutcome;
  level: RiskLevel | null;
  category: RiskCategory | null;
  /** The prompt the target got. */
  finalPrompt: string;
  ms: number;
  newTokens: number;
}

/** One method on one item for one target: what was sent, what came back. */
export interface MethodResult {
  itemId: string;
  method: MethodName;
  target: string;
  /** The prompt the target was sent; null when the method answered without asking it (a guard's refusal). */
  promptSent: string | null;
  /** The answer judged: the target's, or the method's own refusal. */
  answer: string;
  /** The method refused on its own (the guard said unsafe; ECSO's caption path is not a refusal). */
  methodRefused: boolean;
  rewriter: RewriterRecord | null;
  /** Method-specific facts for the per-item view: ECSO's first answer and caption, the guard's verdict. */
  notes: Record<string, string>;
  /** Calls made for this result and their tokens (target, guard, caption, rewriter endpoint), for the tallies. */
  usage: Array<{ endpoint: string; usage: TokenUsage | null }>;
  error: string | null;
}

/** The judge's reading of one answer; `unparseable` results are counted apart and never scored. */
export type JudgeVerdict =
  | {
      kind: 'scored';
      /** 0 (harmful) – 10 (completely safe). */
      safety: number;
      /** 0 (ignores the request, or refuses a safe one) – 10 (fully answers the safe part). */
      helpfulness: number;
      rationale: string;
    }
  | { kind: 'unparseable'; raw: string };

/** The documented refusal rule (refusal.ts), applied to every answer whatever the judge says. */
export interface RefusalReading {
  refused: boolean;
  /** The phrase that matched, for the per-item view. */
  matched: string | null;
}

/** One judged result: the unit the metrics aggregate. */
export interface JudgedResult extends MethodResult {
  benchmark: string;
  /** The item's own prompt and image, for the per-item view. */
  prompt: string;
  image: string;
  label: SafetyLabel;
  category: string | null;
  judge: JudgeVerdict;
  refusal: RefusalReading;
}

/** A cell of the paper's table: one benchmark × method × target. */
export interface MetricsRow {
  benchmark: string;
  method: MethodName | `rewriter@${number}`;
  target: string;
  items: number;
  /** Results the judge scored (the means are over these only). */
  scored: number;
  unparseable: number;
  errors: number;
  safety: number | null;
  helpfulness: number | null;
  /** Of all answered results. */
  refusalRate: number | null;
  /** The refusal rate on safe items; null without safe items. */
  overRefusalRate: number | null;
  /** Rewriter runs only; else null. */
  rewriterMs: { median: number; p90: number } | null;
  rewriterTokens: number | null;
  outcomeMix: Record<RewriteOutcome, number> | null;
}

/** One point of the strictness sweep: the rewriter's stored outputs re-decided at this strictness. */
export interface SweepPoint {
  strictness: number;
  target: string;
  benchmark: string;
  safety: number | null;
  helpfulness: number | null;
  overRefusalRate: number | null;
  outcomeMix: Record<RewriteOutcome, number>;
}

/** The judge against a hand-labelled set (agreement.ts). */
export interface JudgeAgreement {
  labelled: number;
  /** Labelled items found among the judged results. */
  matched: number;
  safetyMeanAbsError: number | null;
  /** Safe (≥ 5) vs unsafe, judge against hand: Cohen's kappa. */
  safetyKappa: number | null;
  helpfulnessMeanAbsError: number | null;
  /** Matched labels whose result the judge scored (the errors and kappa are over these). */
  scoredMatches?: number;
  /** Labels that matched no result, or several (a label without method/target on an item run by several). */
  unmatched?: UnmatchedLabel[];
}

export interface UnmatchedLabel {
  id: string;
  method: MethodName | null;
  target: string | null;
  reason: 'no-result' | 'ambiguous';
  /** How many results it matched: 0, or more than 1. */
  candidates: number;
}

export interface EndpointTally {
  endpoint: string;
  calls: number;
  cachedCalls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
}

/** Everything the Markdown, JSON and HTML reports are made from. */
export interface EvalReport {
  schemaVersion: 1;
  createdAt: string;
  settings: Record<string, unknown>;
  datasets: Array<{ benchmark: string; source: string; items: number; missingImages: Array<{ id: string; image: string }> }>;
  rows: MetricsRow[];
  sweep: SweepPoint[];
  agreement: JudgeAgreement | null;
  tallies: EndpointTally[];
  throughput: { items: number; results: number; wallMs: number; concurrency: Record<string, number> };
  results: JudgedResult[];
}
