/**
 * The OCR section of `npm run bench`: the app's OCR reads the typographic test set (scripts/ocr-test-set/, the
 * report seed) in Node (onnxruntime-node, a fresh process) and in the benchmark page's worker (onnxruntime-web,
 * WASM, a fresh worker), then times what it adds to a whole rewrite on the bench model (ocr-suite.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { ocrReport } from './ocr-analysis.ts';
import type { OcrSuiteRecords } from './ocr-suite.ts';
import type { BenchCollector, BenchContext } from './bench-context.ts';
import { NODE_RECIPE_DTYPES, WASM_RECIPE_DTYPES } from './bench-model.ts';
import { callPage, type BrowserSession } from './browser-bench.ts';
import { runNodeJob } from './node-bench.ts';

type BenchPageHandle = Awaited<ReturnType<BrowserSession['page']>>;

/** Share runs: one per image with text at most; one in a quick run (its tiny model says nothing about the goal). */
function shareRuns(context: BenchContext, wanted: number): number {
  const textImages = context.ocrTestSet?.manifest.images.filter((image) => image.lines.length > 0).length ?? 0;
  return Math.min(context.options.quick ? 1 : wanted, textImages);
}

/**
 * The share runs' images (ocr-suite.ts): a warm-up (the set's last image), then for each run three copies of one
 * image with text (spread over the groups), each with its own 3×3 grey mark in the top-left corner: the vision
 * cache keys on the encoder's pixels, so no copy hits it, while OCR sees the same text (a mark that small is below
 * the detector's smallest box). Written under the set's folder, share/; returns the file names relative to it.
 */
async function writeShareImages(context: BenchContext, runs: number): Promise<string[]> {
  const { dir, manifest } = testSet(context);
  const withText = manifest.images.filter((image) => image.lines.length > 0);
  const last = manifest.images.at(-1);
  if (!last || withText.length === 0) throw new Error('the OCR test set has no images with text');
  await mkdir(join(dir, 'share'), { recursive: true });
  const files = [last.file];
  for (let run = 0; run < runs; run++) {
    // A stride prime to the set's size visits the groups in turn rather than the first group's images.
    const image = withText[(run * 7) % withText.length] ?? last;
    for (let copy = 0; copy < 3; copy++) {
      const file = `share/${image.id}-copy-${copy}.png`;
      const grey = 40 + 80 * copy;
      const mark = await sharp({ create: { width: 3, height: 3, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toBuffer();
      await sharp(join(dir, image.file)).composite([{ input: mark, left: 0, top: 0 }]).png().toFile(join(dir, file));
      files.push(file);
    }
  }
  return files;
}

function testSet(context: BenchContext): NonNullable<BenchContext['ocrTestSet']> {
  if (!context.ocrTestSet) throw new Error('the OCR section needs the test set (run-bench writes it)');
  return context.ocrTestSet;
}

export async function runNodeOcr(context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, log } = context;
  const { dir, manifest } = testSet(context);
  const runs = shareRuns(context, options.settings.runs);
  log(`node: OCR on ${manifest.images.length} test images, then ${runs} share runs (rewrite alone / OCR then rewrite / OCR beside)…`);
  const paths = manifest.images.map((image) => ({ id: image.id, path: join(dir, image.file) }));
  const job = await runNodeJob(
    {
      kind: 'ocr',
      images: paths,
      share:
        runs > 0
          ? {
              modelId: model.id,
              dtypes: NODE_RECIPE_DTYPES,
              question: context.question,
              newTokens: options.settings.newTokens,
              runs,
              images: (await writeShareImages(context, runs)).map((file) => join(dir, file)),
            }
          : null,
    },
    log,
  );
  const row = ocrReport(job.records as OcrSuiteRecords, {
    environment: 'node',
    backend: 'cpu',
    threads: null,
    manifest,
    modelId: model.id,
    newTokens: options.settings.newTokens,
    peakMemoryMB: job.maxRssBytes / 2 ** 20,
    memoryMeasure: 'peak RSS of a process with the OCR sessions and, for the share runs, the bench model',
  });
  collector.ocr.push(row);
  log(`node: OCR word recall ${row.recall.recall.toFixed(3)} (ignoring missing spaces ${row.recall.recallIgnoringSpaces.toFixed(3)})`);
}

export async function runBrowserOcr(session: BrowserSession, page: BenchPageHandle, context: BenchContext, collector: BenchCollector): Promise<void> {
  const { options, model, log } = context;
  const { manifest } = testSet(context);
  const runs = shareRuns(context, Math.min(options.settings.runs, options.browserRuns));
  log(`chromium: OCR on ${manifest.images.length} test images, then ${runs} share runs, in a fresh worker…`);
  await callPage(page, 'reset');
  const urls = manifest.images.map((image) => ({ id: image.id, url: session.ocrTestImageUrl(image.file) }));
  const shareUrls = runs > 0 ? (await writeShareImages(context, runs)).map(session.ocrTestImageUrl) : [];
  const { result, peakRendererMB } = await session.sampled(() =>
    callPage(page, 'ocr', {
      modelId: model.id,
      dtypes: WASM_RECIPE_DTYPES,
      images: urls,
      share:
        runs > 0
          ? {
              question: context.question,
              newTokens: options.settings.newTokens,
              runs,
              imageUrls: shareUrls,
            }
          : null,
    }),
  );
  await callPage(page, 'reset');
  const row = ocrReport(result.records, {
    environment: 'chromium-wasm',
    backend: 'wasm',
    threads: result.threads,
    manifest,
    modelId: model.id,
    newTokens: options.settings.newTokens,
    peakMemoryMB: peakRendererMB,
    memoryMeasure: 'peak RSS of the renderer processes (page + worker + wasm heap), OCR and, for the share runs, the bench model',
  });
  collector.ocr.push(row);
  log(`chromium: OCR word recall ${row.recall.recall.toFixed(3)} (ignoring missing spaces ${row.recall.recallIgnoringSpaces.toFixed(3)})`);
}

