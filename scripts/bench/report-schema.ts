/**
 * The JSON report `npm run bench` writes (bench-results/bench-<mode>.json): its schema, the types derived from it,
 * and its check. Times are milliseconds, speeds tokens per second, sizes bytes unless a name says otherwise. Every
 * measured value is a Summary over repeated runs; ratios of paired runs are Summaries of the per-pair ratios.
 */
import * as v from 'valibot';
import {
  BandwidthComparisonSchema,
  OfficialComparisonSchema,
  OptimisationReportSchema,
  RawLoopComparisonSchema,
} from './report-comparisons.ts';
import { ConstrainedGenerationReportSchema } from './report-constrained.ts';
import { OcrReportSchema } from './report-ocr.ts';
import { RecipeReportSchema, SessionOptionReportSchema } from './report-recipes.ts';
import { RewriteReportSchema } from './report-rewrite.ts';
import { BundleReportSchema } from './bundle-size.ts';
import { EnvironmentReportSchema, MachineInfoSchema, ModelInfoSchema } from './report-environments.ts';
import { describeIssues, imageSize, listOf, nonEmptyListOf, nonNegative, oneOf, shape, text } from './report-fields.ts';

export { CONSTRAINED_GOALS, type ConstrainedGenerationReport } from './report-constrained.ts';
export { OCR_GOALS, type OcrReport } from './report-ocr.ts';
export type { RecipeReport, SessionOptionReport } from './report-recipes.ts';
export type { RewriteReport } from './report-rewrite.ts';
export type { BundleReport } from './bundle-size.ts';
export type { BandwidthComparison, OfficialComparison, OfficialSide, OptimisationReport, RawLoopComparison } from './report-comparisons.ts';
export type { ConfigReport, EnvironmentReport, LongTaskCount, MachineInfo, ModelInfo } from './report-environments.ts';

/**
 * 2: `sections` and the `constrained` rows; still 2 with the `ocr`, `recipes`, `sessionOptions`, `rewrites` and
 * `bundle` rows, which a report may lack (written before them).
 */
export const REPORT_SCHEMA_VERSION = 2;

/**
 * The parts of the benchmark (`--only` picks one): everything but the rows of the others; the constrained rows; the
 * OCR rows; the recipe and session-option sweeps and the whole rewrite per reasoning mode ('speed').
 */
export const BENCH_SECTIONS = ['standard', 'constrained', 'ocr', 'speed'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

const BenchReportFieldsSchema = shape({
  schemaVersion: v.literal(REPORT_SCHEMA_VERSION, (issue) => `expected one of ${REPORT_SCHEMA_VERSION}, got ${JSON.stringify(issue.input)}`),
  createdAt: text,
  command: text,
  mode: oneOf(['quick', 'full']),
  /** The sections that ran; without `standard`, environments and comparisons are empty. */
  sections: nonEmptyListOf(oneOf(BENCH_SECTIONS)),
  durationS: nonNegative,
  machine: MachineInfoSchema,
  model: ModelInfoSchema,
  settings: shape({ runs: nonNegative, loads: nonNegative, newTokens: nonNegative, cacheTokens: nonNegative, image: imageSize }),
  environments: listOf(EnvironmentReportSchema),
  comparisons: shape({
    rawLoop: listOf(RawLoopComparisonSchema),
    officialConfig: listOf(OfficialComparisonSchema),
    bandwidth: listOf(BandwidthComparisonSchema),
  }),
  optimisations: listOf(OptimisationReportSchema),
  /** Constrained against unconstrained generation, one row per environment. */
  constrained: listOf(ConstrainedGenerationReportSchema),
  /** OCR on the typographic test set, one row per environment (absent from reports written before OCR). */
  ocr: v.optional(listOf(OcrReportSchema), []),
  /** The raw loop on each dtype recipe, one row per environment and recipe. */
  recipes: v.optional(listOf(RecipeReportSchema), []),
  /** The raw loop on the CPU recipe under each swept session option, one row per environment and option. */
  sessionOptions: v.optional(listOf(SessionOptionReportSchema), []),
  /** A whole rewrite per reasoning mode, one row per environment and mode. */
  rewrites: v.optional(listOf(RewriteReportSchema), []),
  /** The page's main-thread JavaScript, gzipped (standard section, full mode); null where it was not measured. */
  bundle: v.optional(v.nullable(BundleReportSchema), null),
  /** What this run could not measure, and why (e.g. WebGPU without a GPU). */
  missing: listOf(shape({ what: text, why: text })),
});

/** Each section that ran has rows: the environments for the standard one, a constrained row for the other. */
const BenchReportSchema = v.pipe(
  BenchReportFieldsSchema,
  v.forward(
    v.partialCheck(
      [['sections'], ['environments']],
      (report) => !report.sections.includes('standard') || report.environments.length > 0,
      'expected at least one entry',
    ),
    ['environments'],
  ),
  v.forward(
    v.partialCheck(
      [['sections'], ['constrained']],
      (report) => !report.sections.includes('constrained') || report.constrained.length > 0,
      'expected at least one entry',
    ),
    ['constrained'],
  ),
  v.forward(
    v.partialCheck(
      [['sections'], ['ocr']],
      (report) => !report.sections.includes('ocr') || report.ocr.length > 0,
      'expected at least one entry',
    ),
    ['ocr'],
  ),
  v.forward(
    v.partialCheck(
      [['sections'], ['recipes'], ['rewrites']],
      (report) => !report.sections.includes('speed') || (report.recipes.length > 0 && report.rewrites.length > 0),
      'expected at least one entry',
    ),
    ['recipes'],
  ),
);

export type BenchReport = v.InferOutput<typeof BenchReportSchema>;

/** Every way `value` departs from BenchReport; empty when it conforms. */
export function validateBenchReport(value: unknown): string[] {
  const result = v.safeParse(BenchReportSchema, value);
  return result.success ? [] : describeIssues(result.issues, 'report');
}

/** `value` as a BenchReport, the rows a report written before them lacks filled in empty; throws what is wrong. */
export function parseBenchReport(value: unknown): BenchReport {
  const result = v.safeParse(BenchReportSchema, value);
  if (!result.success) throw new Error(describeIssues(result.issues, 'report').join('\n'));
  return result.output;
}
