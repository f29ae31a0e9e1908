/**
 * The JavaScript the app's page runs on the main thread when it opens: index.html's module scripts and the chunks it
 * preloads, from a production build, gzipped. The rewriter's worker and the chunks loaded later (on a click) are not
 * counted: they load off the main thread or after the first paint.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as v from 'valibot';
import { REPO_ROOT } from './bench-paths.ts';
import { flag, listOf, nonNegative, shape, text } from './report-fields.ts';

/** The budget for the page's own JavaScript. */
export const MAIN_THREAD_JS_GOAL_GZIP_BYTES = 150 * 1024;

export const BundleReportSchema = shape({
  files: listOf(shape({ file: text, bytes: nonNegative, gzipBytes: nonNegative })),
  gzipBytes: nonNegative,
  goalGzipBytes: nonNegative,
  goalMet: flag,
});

export type BundleReport = v.InferOutput<typeof BundleReportSchema>;

/** The same-origin script and modulepreload paths of a built index.html, in the order the page names them. */
export function mainThreadScripts(html: string): string[] {
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  const paths = tags.flatMap((tag) => {
    const isScript = tag.startsWith('<script');
    if (!isScript && !/\brel="modulepreload"/.test(tag)) return [];
    const url = new RegExp(`\\b${isScript ? 'src' : 'href'}="([^"]+)"`).exec(tag)?.[1];
    return url?.startsWith('/') && !url.startsWith('//') ? [url] : [];
  });
  return [...new Set(paths)];
}

/**
 * Builds the app as `vite build` does (production mode, the repository's vite.config.ts; in its own process, since the
 * PWA plugin cannot load under this script's TypeScript loader) into a temporary folder, and sizes its page scripts.
 */
export async function measureMainThreadBundle(): Promise<BundleReport> {
  const outDir = await mkdtemp(join(tmpdir(), 'vlmguard-bundle-'));
  try {
    await promisify(execFile)(join(REPO_ROOT, 'node_modules/.bin/vite'), ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO_ROOT });
    const scripts = mainThreadScripts(await readFile(join(outDir, 'index.html'), 'utf8'));
    if (scripts.length === 0) throw new Error('the built index.html names no script');
    const files = await Promise.all(
      scripts.map(async (file) => {
        const content = await readFile(join(outDir, file));
        return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
      }),
    );
    const gzipBytes = files.reduce((sum, file) => sum + file.gzipBytes, 0);
    return { files, gzipBytes, goalGzipBytes: MAIN_THREAD_JS_GOAL_GZIP_BYTES, goalMet: gzipBytes <= MAIN_THREAD_JS_GOAL_GZIP_BYTES };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
