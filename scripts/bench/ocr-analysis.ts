/** From the OCR suite's records (ocr-suite.ts) and the test set's manifest to the report's OCR row (report-ocr.ts). */
import { OCR_MODEL } from '../../src/core/ocr-model.ts';
import { scoreReadings } from '../ocr-test-set/score.ts';
import type { TestSetManifest } from '../ocr-test-set/test-set.ts';
import { recallOf, type WordRecall } from '../ocr-test-set/word-recall.ts';
import type { OcrSuiteRecords } from './ocr-suite.ts';
import { OCR_GOALS, type OcrReport, type RecallRow } from './report-ocr.ts';
import { summarize } from './stats.ts';

export interface OcrRowContext {
  environment: OcrReport['environment'];
  backend: string;
  threads: number | null;
  manifest: TestSetManifest;
  /** The bench model's id and the share runs' forced new tokens. */
  modelId: string;
  newTokens: number;
  peakMemoryMB: number | null;
  memoryMeasure: string;
}

export function ocrReport(records: OcrSuiteRecords, context: OcrRowContext): OcrReport {
  const { manifest } = context;
  const score = scoreReadings(manifest.images, new Map(records.reads.map((read) => [read.id, read.lines])));
  const textImages = manifest.images.filter((image) => image.lines.length > 0);
  const recall = recallRow(score.total, textImages.length);
  const [first, ...later] = records.reads;
  if (!first) throw new Error('the OCR suite read no image');
  const warmMs = later.length > 0 ? summarize(later.map((read) => read.ms)) : null;
  const share = records.share && records.share.runs.length > 0 ? shareRow(records.share, context) : null;
  return {
    environment: context.environment,
    backend: context.backend,
    threads: context.threads,
    model: `${OCR_MODEL.name}, ${OCR_MODEL.source}`,
    testSet: {
      seed: manifest.seed,
      version: manifest.version,
      quick: manifest.quick,
      images: manifest.images.length,
      textImages: textImages.length,
      words: score.total.truthWords,
    },
    recall,
    byGroup: Object.fromEntries(Object.entries(score.byGroup).filter(([group]) => group !== 'text-free').map(([group, row]) => [group, recallRow(row, row.images)])),
    textFree: { images: score.textFreeImages, lines: score.textFreeLines },
    missingWords: score.images
      .filter((image) => image.recall.missing.length > 0)
      .slice(0, 40)
      .map((image) => `${image.id}: ${image.recall.missing.join(' ')}`),
    sessionsMs: records.sessionsMs,
    firstImageMs: first.ms,
    coldMs: records.sessionsMs + first.ms,
    warmMs,
    share,
    peakMemoryMB: context.peakMemoryMB,
    memoryMeasure: context.memoryMeasure,
    goals: {
      ...OCR_GOALS,
      recallMet: recall.recall >= OCR_GOALS.recall,
      warmMet: context.environment === 'chromium-wasm' && warmMs ? warmMs.median <= OCR_GOALS.warmMs : null,
      // The quick run's tiny model rewrites in milliseconds: no share of it says anything about the goal.
      shareMet: share && !manifest.quick ? share.ocrBesidePercent.median <= OCR_GOALS.sharePercent : null,
    },
  };
}

function recallRow(recall: WordRecall, images: number): RecallRow {
  return {
    images,
    words: recall.truthWords,
    matched: recall.matched,
    matchedIgnoringSpaces: recall.matchedIgnoringSpaces,
    recall: recallOf(recall),
    recallIgnoringSpaces: recallOf(recall, true),
  };
}

function shareRow(share: NonNullable<OcrSuiteRecords['share']>, context: OcrRowContext): NonNullable<OcrReport['share']> {
  const { runs } = share;
  const percent = (variant: 'ocrThenRewrite' | 'ocrBeside') => summarize(runs.map((run) => (100 * (run.ms[variant] - run.ms.alone)) / run.ms.alone));
  return {
    model: context.modelId,
    backend: share.backend,
    newTokens: context.newTokens,
    aloneMs: summarize(runs.map((run) => run.ms.alone)),
    ocrThenRewriteMs: summarize(runs.map((run) => run.ms.ocrThenRewrite)),
    ocrBesideMs: summarize(runs.map((run) => run.ms.ocrBeside)),
    ocrThenRewritePercent: percent('ocrThenRewrite'),
    ocrBesidePercent: percent('ocrBeside'),
    ocrMs: summarize(runs.map((run) => run.ocrMs.ocrThenRewrite)),
    quotedLines: summarize(runs.map((run) => run.quotedLines)),
  };
}
