/**
 * The OCR section's measurements, run the same way in Node and in the browser worker: the sessions, then every test
 * image read in turn (the first read is the cold one), then what OCR adds to a whole rewrite on the bench model.
 *
 * The rewrite share: after a warm-up rewrite, each run times three rewrites of one test image, in three copies that
 * differ only in a corner mark (bench-ocr-sections.ts), so OCR has the same work each time and no copy hits the
 * vision cache: the rewrite alone; OCR, then the rewrite with the text found quoted in its prompt, as the app's
 * rewrite gets it; and OCR started beside the rewrite (same prompt as alone), the overlap the issue asks about. The
 * three rotate their order from run to run, so a machine that speeds up or slows down favours none of them. Every
 * rewrite makes exactly `newTokens` tokens, so the only difference is OCR (and, in the second, its prompt lines).
 */
import { quoteImageText } from '../../src/core/image-text.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { ImageTextReader } from '../../src/engine/image-text-reader.ts';
import type { VlmEngine } from '../../src/engine/vlm-engine.ts';

export interface OcrSuiteOptions {
  createReader: () => Promise<ImageTextReader>;
  /** The test images, read in order. */
  images: ReadonlyArray<{ id: string; image: Blob }>;
  /** null: no rewrite-share runs. */
  share: OcrShareOptions | null;
  log?: (line: string) => void;
}

export interface OcrShareOptions {
  loadEngine: () => Promise<{ engine: VlmEngine; backend: string }>;
  /** The warm-up image, then three copies of one image per run (shareImageCount(runs) in all). */
  images: readonly Blob[];
  question: string;
  newTokens: number;
  runs: number;
}

export interface OcrReadRecord {
  id: string;
  /** Wall time of reader.read(): decoding, detection, recognition. */
  ms: number;
  lines: Array<{ text: string; confidence: number }>;
}

export type ShareVariant = 'alone' | 'ocrThenRewrite' | 'ocrBeside';
export const SHARE_VARIANTS: readonly ShareVariant[] = ['alone', 'ocrThenRewrite', 'ocrBeside'];

export interface OcrShareRun {
  order: ShareVariant[];
  /** Wall time of each variant: the rewrite, plus OCR before it or beside it. */
  ms: Record<ShareVariant, number>;
  /** OCR's own time within the two variants that run it. */
  ocrMs: { ocrThenRewrite: number; ocrBeside: number };
  /** Lines quoted into the ocrThenRewrite prompt. */
  quotedLines: number;
}

export interface OcrSuiteRecords {
  sessionsMs: number;
  reads: OcrReadRecord[];
  share: { backend: string; loadMs: number; runs: OcrShareRun[] } | null;
}

/** Images the share runs need: one warm-up rewrite and three per run. */
export function shareImageCount(runs: number): number {
  return 1 + SHARE_VARIANTS.length * runs;
}

export async function runOcrSuite(options: OcrSuiteOptions): Promise<OcrSuiteRecords> {
  const log = options.log ?? (() => undefined);
  let started = performance.now();
  const reader = await options.createReader();
  const sessionsMs = performance.now() - started;
  log(`OCR sessions: ${Math.round(sessionsMs)} ms`);
  const reads: OcrReadRecord[] = [];
  for (const { id, image } of options.images) {
    started = performance.now();
    const reading = await reader.read(image);
    const ms = performance.now() - started;
    reads.push({ id, ms, lines: reading.lines.map(({ text, confidence }) => ({ text, confidence })) });
    log(`read ${id}: ${reading.lines.length} lines in ${Math.round(ms)} ms`);
  }
  const share = options.share ? await measureShare(reader, options.share, log) : null;
  await reader.dispose();
  return { sessionsMs, reads, share };
}

async function measureShare(reader: ImageTextReader, options: OcrShareOptions, log: (line: string) => void): Promise<NonNullable<OcrSuiteRecords['share']>> {
  const images = [...options.images];
  if (images.length < shareImageCount(options.runs)) throw new Error(`the share runs need ${shareImageCount(options.runs)} distinct images, got ${images.length}`);
  const nextImage = () => images.shift() as Blob;
  let started = performance.now();
  const { engine, backend } = await options.loadEngine();
  const loadMs = performance.now() - started;
  const rewrite = (image: Blob, lines: Awaited<ReturnType<ImageTextReader['read']>>['lines'] | null) =>
    engine.generate(
      {
        image,
        messages: buildRewriteMessages(options.question, lines ? quoteImageText(lines) : null),
        maxNewTokens: options.newTokens,
        minNewTokens: options.newTokens,
        outputFormat: null,
      },
      () => undefined,
    );
  await rewrite(nextImage(), null);
  const runs: OcrShareRun[] = [];
  for (let run = 0; run < options.runs; run++) {
    const order = SHARE_VARIANTS.map((_, index) => SHARE_VARIANTS[(index + run) % SHARE_VARIANTS.length] as ShareVariant);
    const ms = { alone: 0, ocrThenRewrite: 0, ocrBeside: 0 };
    const ocrMs = { ocrThenRewrite: 0, ocrBeside: 0 };
    let quotedLines = 0;
    for (const variant of order) {
      const image = nextImage();
      started = performance.now();
      if (variant === 'alone') {
        await rewrite(image, null);
      } else if (variant === 'ocrThenRewrite') {
        const reading = await reader.read(image);
        ocrMs.ocrThenRewrite = performance.now() - started;
        quotedLines = quoteImageText(reading.lines)?.lines.length ?? 0;
        await rewrite(image, reading.lines);
      } else {
        const ocr = reader.read(image).then(() => (ocrMs.ocrBeside = performance.now() - started));
        await Promise.all([ocr, rewrite(image, null)]);
      }
      ms[variant] = performance.now() - started;
    }
    runs.push({ order, ms, ocrMs, quotedLines });
    log(
      `share run ${run + 1}/${options.runs}: alone ${Math.round(ms.alone)} ms, OCR then rewrite ${Math.round(ms.ocrThenRewrite)} ms ` +
        `(OCR ${Math.round(ocrMs.ocrThenRewrite)} ms, ${quotedLines} lines quoted), OCR beside ${Math.round(ms.ocrBeside)} ms`,
    );
  }
  await engine.dispose();
  return { backend, loadMs, runs };
}
