/** The report's rows of constrained generation against free generation (report-schema.ts). */
import * as v from 'valibot';
import { dtypes, flag, nonNegative, recordOf, shape, summary, text } from './report-fields.ts';

/** What constrained generation must cost at most (the goals). */
export const CONSTRAINED_GOALS = Object.freeze({ setupMs: 300, overheadPercent: 5 });

const perRun = shape({ constrained: summary, unconstrained: summary });

/**
 * Constrained generation (the app's default) against free generation of the same length, on one engine (the app's
 * configuration). Each pair: a constrained run, which ends with the format's end token after N tokens, and an
 * unconstrained run forced to exactly N tokens (min = max = N; a forced minimum cannot apply to a format that ends
 * in the end token); same photo, same prompt, every run cold. The first pair runs the constrained one first (to learn
 * N), later pairs alternate which goes first.
 */
export const ConstrainedGenerationReportSchema = v.pipe(
  shape({
    environment: text,
    config: text,
    dtypes,
    /** The vocabulary table: ids, ids with text, ids allowed anywhere in free text, ids that can close a section. */
    vocabulary: shape({ size: nonNegative, writable: nonNegative, freeText: nonNegative, closing: nonNegative }),
    /** The format plan, as the app builds it for the benchmark question and this output limit. */
    plan: shape({ maxNewTokens: nonNegative, tokenBound: nonNegative, budgets: recordOf(nonNegative), refinedPromptMaxChars: nonNegative }),
    /** LoadedModel.constraintSetupMs (building the table, part of the load) over every load. */
    setupMs: summary,
    /** The first load in a fresh process or worker: what the app pays once per page, before anything is warm. */
    firstSetupMs: nonNegative,
    /** N: the constrained runs' lengths, end token included (the unconstrained runs had the same). */
    newTokens: summary,
    /** Measured pairs, and constrained runs among them whose output reached [END] and the end token. */
    runs: nonNegative,
    completeRuns: nonNegative,
    constrainedDecodeTokensPerSecond: summary,
    unconstrainedDecodeTokensPerSecond: summary,
    /** Constrained ÷ unconstrained decode tokens/s, per pair. */
    decodeRatio: summary,
    /** 100 × (1 − decodeRatio), per pair: the decode slowdown. */
    overheadPercent: summary,
    /** Time inside the mask (ConstrainedDecoder.maskLogits + accept) per generated token, per constrained run. */
    maskMsPerToken: summary,
    /**
     * The slowdown the mask alone causes, in %: maskMsPerToken ÷ (the constrained run's time per decoded token − the
     * mask's), each run on its own, so a busy phase of the machine during the other run of a pair does not move it.
     */
    maskSharePercent: summary,
    /**
     * Per generated token, in each run of the pairs: transformers.js' whole logits-processor step (the mask, or the
     * min-new-tokens processor of a forced length) and the tokenizer's decoding (TextStreamer re-decodes all text since
     * its last newline, and constrained free text has none until its section ends).
     */
    perTokenMs: shape({ processors: perRun, textDecode: perRun }),
    /**
     * maskLogits per kind of step, over every measured constrained run: 'free' (an analysis), 'free-bounded' (the
     * refined prompt, under a character bound), 'literal' (a tag), 'level', 'category', 'end-of-text'.
     */
    maskBySegment: recordOf(shape({ steps: nonNegative, msPerStep: nonNegative })),
    /**
     * setupMet: every load's setup within the goal, the first included. overheadMet: the median decode overhead within
     * it. maskShareMet: the median mask share within it, a steadier estimate than two noisy decode rates.
     */
    goals: shape({ setupMs: nonNegative, overheadPercent: nonNegative, setupMet: flag, overheadMet: flag, maskShareMet: flag }),
  }),
  v.forward(
    v.partialCheck([['runs'], ['completeRuns']], (row) => row.completeRuns <= row.runs, 'more than runs'),
    ['completeRuns'],
  ),
);

export type ConstrainedGenerationReport = v.InferOutput<typeof ConstrainedGenerationReportSchema>;
