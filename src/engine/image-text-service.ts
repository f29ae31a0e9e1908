import { errorMessage } from '../core/error-facts.ts';
import type { ImageTextReading } from '../core/image-text.ts';
import type { ImageTextApi, ImageTextLoaded, ImageTextLoadProgress, ImageTextLoadRequest } from '../core/rewriter-api.ts';
import type { Backend } from '../core/runtime-capabilities.ts';
import { ImageTextReader, type OcrModelFiles, type OcrRuntime } from './image-text-reader.ts';

export interface ImageTextServiceOptions {
  ort: OcrRuntime['ort'];
  /** Fetches (or reads from the cache) the OCR files. */
  fetchFiles: (onProgress: (progress: ImageTextLoadProgress) => void) => Promise<OcrModelFiles>;
  /** Drops the kept files after they failed to start, so a damaged copy is not reused. */
  forgetFiles?: () => Promise<void>;
}

const SESSION_OPTIONS = {
  webgpu: { executionProviders: ['webgpu'] },
  wasm: { executionProviders: ['wasm'] },
  cpu: { executionProviders: ['cpu'] },
} as const;

/** The worker's OCR: one reader, loaded once per backend, shared by every rewrite. */
export class ImageTextService implements ImageTextApi {
  readonly #options: ImageTextServiceOptions;
  #reader: Promise<{ reader: ImageTextReader; loaded: ImageTextLoaded }> | null = null;

  constructor(options: ImageTextServiceOptions) {
    this.#options = options;
  }

  async loadImageText(request: ImageTextLoadRequest, onProgress: (progress: ImageTextLoadProgress) => void): Promise<ImageTextLoaded> {
    const current = await this.#reader?.catch(() => null);
    if (current && current.loaded.backend === request.backend) return current.loaded;
    await current?.reader.dispose();
    this.#reader = this.#create(request, onProgress);
    // A failed load is not kept: the next call tries again.
    return (await this.#reader.catch((error: unknown) => {
      this.#reader = null;
      throw error;
    })).loaded;
  }

  async readImageText(image: Blob): Promise<ImageTextReading> {
    if (!this.#reader) throw new Error('OCR is not loaded.');
    const { reader } = await this.#reader;
    return reader.read(image);
  }

  async #create(request: ImageTextLoadRequest, onProgress: (progress: ImageTextLoadProgress) => void) {
    const started = performance.now();
    const files = await this.#options.fetchFiles(onProgress);
    const loadedOn = (backend: Backend, webGpuFailure?: string): ImageTextLoaded => ({
      backend,
      loadMs: performance.now() - started,
      ...(webGpuFailure !== undefined && { webGpuFailure }),
    });
    if (request.backend === 'webgpu') {
      try {
        return { reader: await this.#createReader(files, 'webgpu'), loaded: loadedOn('webgpu') };
      } catch (error) {
        const webGpuFailure = errorMessage(error);
        return { reader: await this.#createOrForget(files, 'wasm'), loaded: loadedOn('wasm', webGpuFailure) };
      }
    }
    return { reader: await this.#createOrForget(files, request.backend), loaded: loadedOn(request.backend) };
  }

  /** A failure here (not WebGPU's) means the files themselves are bad: they are not kept for the next try. */
  async #createOrForget(files: OcrModelFiles, backend: Backend): Promise<ImageTextReader> {
    try {
      return await this.#createReader(files, backend);
    } catch (error) {
      await this.#options.forgetFiles?.();
      throw new Error(`The OCR model could not start (${errorMessage(error)})`, { cause: error });
    }
  }

  #createReader(files: OcrModelFiles, backend: Backend): Promise<ImageTextReader> {
    // Each attempt gets its own copies of the model bytes: a failed session must not leave the next one without them.
    const copies = { detection: files.detection.slice(0), recognition: files.recognition.slice(0), dictionary: files.dictionary };
    return ImageTextReader.create(copies, { ort: this.#options.ort, sessionOptions: SESSION_OPTIONS[backend] });
  }
}
