import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDemoImages } from './demo/render-demo-images.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Draws the demo gallery's pictures (src/core/demo-cases.ts) into public/demo/, which is committed.
const { values } = parseArgs({
  options: { out: { type: 'string', default: resolve(repoRoot, 'public/demo') } },
});

const written = await writeDemoImages(resolve(values.out));
for (const image of written) {
  console.log(`Wrote ${relative(process.cwd(), image.path) || image.path} (${(image.bytes / 1024).toFixed(1)} KiB)`);
}
