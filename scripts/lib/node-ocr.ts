import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OCR_MODEL } from '../../src/core/ocr-model.ts';
import { ImageTextReader, type OcrModelFiles } from '../../src/engine/image-text-reader.ts';
import { ocrAssetsFolder } from './ocr-assets.ts';

export async function readOcrFiles(folder = ocrAssetsFolder()): Promise<OcrModelFiles> {
  const bytes = async (name: string) => {
    const buffer = await readFile(join(folder, name));
    return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  };
  const { detection, recognition, dictionary } = OCR_MODEL.files;
  return {
    detection: await bytes(detection.name),
    recognition: await bytes(recognition.name),
    dictionary: await readFile(join(folder, dictionary.name), 'utf8'),
  };
}

/** The app's OCR on onnxruntime-node (the CLI, the evaluation, the benchmark and the tests). */
export async function createNodeImageTextReader(folder?: string): Promise<ImageTextReader> {
  return ImageTextReader.create(await readOcrFiles(folder), { ort, sessionOptions: { executionProviders: ['cpu'] } });
}
