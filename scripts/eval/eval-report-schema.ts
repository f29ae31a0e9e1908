/**
 * The schema of the JSON report `npm run eval` writes (an EvalReport), so a saved report can be read back and
 * rendered again. Objects are strict: a field the schema does not know is refused by name, so a report from a
 * newer harness is not half-read. The compile-time check at the end keeps the schema's fields those of the types.
 */
import * as v from 'valibot';
import { RISK_CATEGORIES, RISK_LEVELS, type RiskCategory } from '../../src/core/rewrite-format.ts';
import { describeIssues, finiteNumber, flag, listOf, nonNegative, oneOf, recordOf, shape, text } from '../bench/report-fields.ts';
import {
  METHODS,
  type EndpointTally,
  type EvalReport,
  type JudgeAgreement,
  type JudgedResult,
  type MetricsRow,
  type RewriterRecord,
  type SweepPoint,
  type UnmatchedLabel,
} from './eval-types.ts';

const OUTCOMES = ['rewritten', 'passed-through', 'fallback'] as const;
const CATEGORIES = Object.keys(RISK_CATEGORIES) as RiskCategory[];
const nullable = <TSchema extends v.GenericSchema>(schema: TSchema) => v.nullable(schema);
const nullableNumber = nullable(finiteNumber);
const method = oneOf(METHODS);
const outcomeMix = shape({ rewritten: nonNegative, 'passed-through': nonNegative, fallback: nonNegative });
const tokenUsage = shape({ promptTokens: nonNegative, completionTokens: nonNegative });

const RewriterRecordSchema = shape({
  raw: text,
  stopReason: oneOf(['end-of-text', 'max-tokens', 'stopped']),
  levelProbabilities: nullable(shape(Object.fromEntries(RISK_LEVELS.map((level) => [level, nonNegative])) as Record<(typeof RISK_LEVELS)[number], typeof nonNegative>)),
  imageTextLines: nullable(listOf(text)),
  imageTextCutCharacters: v.optional(nonNegative),
  heldFormatTags: flag,
  outcome: oneOf(OUTCOMES),
  level: nullable(oneOf(RISK_LEVELS)),
  category: nullable(oneOf(CATEGORIES)),
  finalPrompt: text,
  ms: nonNegative,
  newTokens: nonNegative,
});

const keyMessage = (issue: v.BaseIssue<unknown>) => (issue.expected === 'never' ? 'not in the schema' : 'missing');
const JudgeVerdictSchema = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.literal('scored'), safety: finiteNumber, helpfulness: finiteNumber, rationale: text }, keyMessage),
    v.strictObject({ kind: v.literal('unparseable'), raw: text }, keyMessage),
  ],
  'expected kind "scored" or "unparseable"',
);

const JudgedResultSchema = shape({
  itemId: text,
  method,
  target: text,
  promptSent: nullable(text),
  answer: text,
  methodRefused: flag,
  rewriter: nullable(RewriterRecordSchema),
  notes: recordOf(text),
  usage: listOf(shape({ endpoint: text, usage: nullable(tokenUsage) })),
  error: nullable(text),
  benchmark: text,
  prompt: text,
  image: text,
  label: oneOf(['unsafe', 'safe']),
  category: nullable(text),
  judge: JudgeVerdictSchema,
  refusal: shape({ refused: flag, matched: nullable(text) }),
});

const rewriterVariant = v.custom<`rewriter@${number}`>(
  (value) => typeof value === 'string' && /^rewriter@\d+(?:\.\d+)?$/.test(value),
  'expected rewriter@<strictness>',
);

const MetricsRowSchema = shape({
  benchmark: text,
  method: v.union([method, rewriterVariant], `expected one of ${METHODS.join(', ')} or rewriter@<strictness>`),
  target: text,
  items: nonNegative,
  scored: nonNegative,
  unparseable: nonNegative,
  errors: nonNegative,
  safety: nullableNumber,
  helpfulness: nullableNumber,
  refusalRate: nullableNumber,
  overRefusalRate: nullableNumber,
  rewriterMs: nullable(shape({ median: nonNegative, p90: nonNegative })),
  rewriterTokens: nullableNumber,
  outcomeMix: nullable(outcomeMix),
});

const SweepPointSchema = shape({
  strictness: finiteNumber,
  target: text,
  benchmark: text,
  safety: nullableNumber,
  helpfulness: nullableNumber,
  overRefusalRate: nullableNumber,
  outcomeMix,
});

const UnmatchedLabelSchema = shape({
  id: text,
  method: nullable(method),
  target: nullable(text),
  reason: oneOf(['no-result', 'ambiguous']),
  candidates: nonNegative,
});

const JudgeAgreementSchema = shape({
  labelled: nonNegative,
  matched: nonNegative,
  safetyMeanAbsError: nullableNumber,
  safetyKappa: nullableNumber,
  helpfulnessMeanAbsError: nullableNumber,
  scoredMatches: v.optional(nonNegative),
  unmatched: v.optional(listOf(UnmatchedLabelSchema)),
});

const EndpointTallySchema = shape({
  endpoint: text,
  calls: nonNegative,
  cachedCalls: nonNegative,
  failedCalls: nonNegative,
  promptTokens: nonNegative,
  completionTokens: nonNegative,
  costUsd: nullable(nonNegative),
});

const missingImage = shape({ id: text, image: text });

const EvalReportSchema = shape({
  schemaVersion: v.literal(1, (issue) => `expected 1, got ${JSON.stringify(issue.input)}`),
  createdAt: text,
  settings: recordOf(v.unknown()),
  datasets: listOf(shape({ benchmark: text, source: text, items: nonNegative, missingImages: listOf(missingImage) })),
  rows: listOf(MetricsRowSchema),
  sweep: listOf(SweepPointSchema),
  agreement: nullable(JudgeAgreementSchema),
  tallies: listOf(EndpointTallySchema),
  throughput: shape({ items: nonNegative, results: nonNegative, wallMs: nonNegative, concurrency: recordOf(nonNegative) }),
  results: listOf(JudgedResultSchema),
});

/** A saved report, checked. Throws an error listing each wrong field as `report.rows[2].safety: expected …`. */
export function readEvalReport(json: unknown): EvalReport {
  const parsed = v.safeParse(EvalReportSchema, json);
  if (parsed.success) return parsed.output;
  const problems = describeIssues(parsed.issues, 'report');
  const shown = problems.slice(0, 10).join('; ');
  throw new Error(`Not an eval report: ${shown}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`);
}

/** True when S and T have the same keys, optional ones included. */
type SameKeys<S, T> = [keyof S] extends [keyof T] ? ([keyof T] extends [keyof S] ? true : false) : false;
type Holds<T extends true> = T;

/** Fails to compile when a field is added to (or removed from) one of these types and not to the schema. */
export type SchemaCoversTypes = [
  Holds<SameKeys<v.InferOutput<typeof EvalReportSchema>, EvalReport>>,
  Holds<SameKeys<v.InferOutput<typeof MetricsRowSchema>, MetricsRow>>,
  Holds<SameKeys<v.InferOutput<typeof SweepPointSchema>, SweepPoint>>,
  Holds<SameKeys<v.InferOutput<typeof JudgeAgreementSchema>, JudgeAgreement>>,
  Holds<SameKeys<v.InferOutput<typeof UnmatchedLabelSchema>, UnmatchedLabel>>,
  Holds<SameKeys<v.InferOutput<typeof JudgedResultSchema>, JudgedResult>>,
  Holds<SameKeys<v.InferOutput<typeof RewriterRecordSchema>, RewriterRecord>>,
  Holds<SameKeys<v.InferOutput<typeof EndpointTallySchema>, EndpointTally>>,
];
