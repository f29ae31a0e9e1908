import { PaddleOcrService, type OrtModule, type PaddleOptions } from 'paddleocr';
import { planImageFit } from '../core/image-fit.ts';
import type { ImageTextReading, Point, TextLine } from '../core/image-text.ts';
import { prepareImage } from './prepare-image.ts';

/** The OCR files' contents: the two ONNX models and the recogniser's character list (one per line). */
export interface OcrModelFiles {
  detection: ArrayBuffer;
  recognition: ArrayBuffer;
  dictionary: string;
}

/** The onnxruntime the reader runs on (onnxruntime-web in the worker, onnxruntime-node in Node) and its session options. */
export interface OcrRuntime {
  ort: OrtModule & { InferenceSession: { create(model: ArrayBuffer, options?: object): Promise<unknown> } };
  sessionOptions: object;
}

/** Detection resizes to 960 px anyway; a larger input only gives the recogniser sharper crops of each line. */
export const OCR_MAX_IMAGE_SIDE = 2048;

/**
 * PP-OCRv4's pre-processing, as PaddleOCR's own configuration has it: BGR input, ImageNet normalisation for
 * detection, 48-px-high line crops for recognition, CTC output over the dictionary plus a space. Two detection
 * settings differ from PaddleOCR's, tuned on the typographic test set's seed 2 (scripts/ocr-test-set/, reported on
 * seed 1): unclipRatio 2.0 (not 1.5) gives each line's crop more margin, and the recogniser then keeps the spaces
 * between words (word recall 0.87 → 0.96); boxScoreThreshold 0.5 (not 0.6) keeps the fainter boxes of rotated
 * lines (→ 0.98).
 */
const PP_OCR_V4_OPTIONS = {
  detection: { channelOrder: 'bgr', maxSideLength: 960, limitType: 'max', textPixelThreshold: 0.3, boxScoreThreshold: 0.5, unclipRatio: 2.0 },
  recognition: { channelOrder: 'bgr', imageHeight: 48, imageWidth: 320, outputSelectionStrategy: 'ctc-logits' },
} as const satisfies { detection: Partial<PaddleOptions['detection']>; recognition: Partial<PaddleOptions['recognition']> };

/** Reads the lines of text in an image with PP-OCR (`paddleocr` runs the pipeline on the given onnxruntime). */
export class ImageTextReader {
  readonly #service: PaddleOcrService;

  private constructor(service: PaddleOcrService) {
    this.#service = service;
  }

  /** Creates the detection and recognition sessions; rejects when a file is not the model it should be. */
  static async create(files: OcrModelFiles, runtime: OcrRuntime): Promise<ImageTextReader> {
    const ort: OrtModule = {
      Tensor: runtime.ort.Tensor,
      InferenceSession: { create: (model) => runtime.ort.InferenceSession.create(model, runtime.sessionOptions) as never },
    };
    const service = await PaddleOcrService.createInstance({
      ort,
      detection: { ...PP_OCR_V4_OPTIONS.detection, modelBuffer: files.detection },
      // The model has one class more than the file has lines: the space, which PaddleOCR appends itself.
      recognition: { ...PP_OCR_V4_OPTIONS.recognition, modelBuffer: files.recognition, charactersDictionary: [...dictionaryLines(files.dictionary), ' '] },
    });
    return new ImageTextReader(service);
  }

  async read(image: Blob): Promise<ImageTextReading> {
    const started = performance.now();
    const prepared = await prepareImage(image, OCR_MAX_IMAGE_SIDE);
    const { data, width, height } = prepared.image;
    const found = await this.#service.recognize({ width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    const toOriginal = boxMapping(prepared.original);
    const lines: TextLine[] = found
      .filter((line) => line.text.trim() !== '')
      .map((line) => ({
        text: line.text,
        confidence: line.confidence,
        box: (line.box.points ?? corners(line.box)).map(toOriginal),
      }));
    return { lines, imageSize: prepared.original, ms: performance.now() - started };
  }

  async dispose(): Promise<void> {
    await this.#service.destroy();
  }
}

function dictionaryLines(text: string): string[] {
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

function corners(box: { x: number; y: number; width: number; height: number }): Point[] {
  const { x, y, width, height } = box;
  return [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ];
}

/** From the scaled (and perhaps padded) pixels OCR saw back to the image as uploaded. */
function boxMapping(original: { width: number; height: number }): (point: Point) => Point {
  const { content, offset } = planImageFit(original.width, original.height, OCR_MAX_IMAGE_SIDE);
  const sx = original.width / content.width;
  const sy = original.height / content.height;
  const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));
  return (point) => ({
    x: Math.round(clamp((point.x - offset.x) * sx, original.width)),
    y: Math.round(clamp((point.y - offset.y) * sy, original.height)),
  });
}
