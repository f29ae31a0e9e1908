import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { cp, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import {
  connectSourcesFromEnv,
  contentSecurityPolicy,
  CROSS_ORIGIN_ISOLATION_HEADERS,
  staticHostHeadersFile,
} from './scripts/lib/security-headers.ts';
import { isDeployableModelPath } from './scripts/lib/deployable-model-path.ts';
import { sendModelFile } from './scripts/lib/send-model-file.ts';
import { ocrAssetsFolder } from './scripts/lib/ocr-assets.ts';
import { OCR_FILE_ROLES, OCR_MODEL, OCR_URL_PATH } from './src/core/ocr-model.ts';

const MODELS_DIR = fileURLToPath(new URL('./models/', import.meta.url));
const MODELS_URL_PREFIX = '/models/';

/** Serves models/ at /models/ in dev and preview, and copies it into the build for static hosting. */
function modelFolder(): Plugin {
  const middleware: Connect.NextHandleFunction = (req: IncomingMessage, res: ServerResponse, next) => {
    const pathname = new URL(req.url ?? '/', 'http://app').pathname;
    if (!pathname.startsWith(MODELS_URL_PREFIX)) return next();
    sendModelFile(req, res, MODELS_DIR, pathname.slice(MODELS_URL_PREFIX.length)).catch(next);
  };
  let outDir = 'dist';
  let mode = 'production';
  return {
    name: 'vlmguard:model-folder',
    configResolved: (config) => {
      outDir = config.build.outDir;
      mode = config.mode;
    },
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    async closeBundle() {
      if (await stat(MODELS_DIR).catch(() => null)) {
        await cp(MODELS_DIR, `${outDir}/models`, {
          recursive: true,
          filter: (source) => isDeployableModelPath(relative(MODELS_DIR, source).split(sep).join('/'), mode),
        });
      }
    },
  };
}

/**
 * Serves the OCR files from the installed package at /ocr/<id>/ in dev and preview, and copies them into the build,
 * so they come from this site's own origin like everything else.
 */
function ocrFiles(): Plugin {
  const folder = ocrAssetsFolder();
  const prefix = `/${OCR_URL_PATH}`;
  const middleware: Connect.NextHandleFunction = (req: IncomingMessage, res: ServerResponse, next) => {
    const pathname = new URL(req.url ?? '/', 'http://app').pathname;
    if (!pathname.startsWith(prefix)) return next();
    sendModelFile(req, res, folder, pathname.slice(prefix.length)).catch(next);
  };
  return {
    name: 'vlmguard:ocr-files',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      for (const role of OCR_FILE_ROLES) {
        const { name } = OCR_MODEL.files[role];
        this.emitFile({ type: 'asset', fileName: `${OCR_URL_PATH}${name}`, source: readFileSync(`${folder}/${name}`) });
      }
    },
  };
}

/**
 * The app shell works offline after the first visit. Model files and the 27 MB onnxruntime wasm
 * are not precached: transformers.js keeps both in its own Cache Storage once downloaded.
 */
function offlineShell() {
  return VitePWA({
    registerType: 'autoUpdate',
    injectRegister: 'script-defer',
    manifest: {
      name: 'VLMGuard Web',
      short_name: 'VLMGuard',
      description: 'Rewrites image prompts for safety, on your device.',
      theme_color: '#2459c4',
      background_color: '#f6f7f9',
      display: 'standalone',
      icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
    },
    workbox: {
      globPatterns: ['**/*.{js,mjs,css,html,svg,png,webmanifest}'],
      globIgnores: ['models/**', 'ocr/**'],
      navigateFallbackDenylist: [/^\/models\//, /^\/ocr\//],
      maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
    },
  });
}

/** Remote-VLM hosts this deployment may call, beyond the presets: VLMGUARD_CONNECT_SRC="https://a https://b". */
const CSP = contentSecurityPolicy(connectSourcesFromEnv(process.env.VLMGUARD_CONNECT_SRC));

/** Writes dist/_headers so a static host sends the same isolation headers and CSP as `vite preview`. */
function staticHostHeaders(): Plugin {
  return {
    name: 'vlmguard:static-host-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: staticHostHeadersFile(CSP) });
    },
  };
}

export default defineConfig({
  plugins: [react(), modelFolder(), ocrFiles(), offlineShell(), staticHostHeaders()],
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS },
  },
  preview: {
    host: '127.0.0.1',
    headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS, 'Content-Security-Policy': CSP },
  },
  build: {
    target: 'es2022',
    // The worker chunk carries transformers.js + the onnxruntime glue; it loads once, off the main thread.
    chunkSizeWarningLimit: 1024,
  },
});
