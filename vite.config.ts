import react from '@vitejs/plugin-react';
import { cp, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { CROSS_ORIGIN_ISOLATION_HEADERS, contentSecurityPolicy } from './scripts/lib/security-headers.ts';
import { sendModelFile } from './scripts/lib/send-model-file.ts';

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
  return {
    name: 'vlmguard:model-folder',
    configResolved: (config) => {
      outDir = config.build.outDir;
    },
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    async closeBundle() {
      if (await stat(MODELS_DIR).catch(() => null)) {
        await cp(MODELS_DIR, `${outDir}/models`, { recursive: true, filter: (source) => !/\/\.[^/]+$/.test(source) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), modelFolder()],
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS },
  },
  preview: {
    host: '127.0.0.1',
    headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS, 'Content-Security-Policy': contentSecurityPolicy() },
  },
  build: {
    target: 'es2022',
    // The worker chunk carries transformers.js + the onnxruntime glue; it loads once, off the main thread.
    chunkSizeWarningLimit: 1024,
  },
});
