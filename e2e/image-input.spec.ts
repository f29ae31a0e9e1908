import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { DEMO_CASES } from '../src/core/demo-cases.ts';
import { pngHeaderBomb, SVG_BYTES } from '../test/support/image-fixtures.ts';
import { drawPng, fillRewriteForm } from './support/app-page.ts';

/** Hands the page a File built from bytes, as a drop or a paste would. */
async function dispatchWithFile(page: Page, kind: 'drop' | 'paste', bytes: Buffer, name: string, type: string): Promise<void> {
  await page.evaluate(
    ([kind, base64, name, type]) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type }));
      if (kind === 'drop') {
        const zone = document.querySelector('[data-testid="drop-zone"]')!;
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      } else {
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }
    },
    [kind, bytes.toString('base64'), name, type] as const,
  );
}

test('an image can be picked, dropped or pasted, and the caption shows what the model will see', async ({ page }) => {
  await page.goto('/');
  const caption = page.getByTestId('image-caption');

  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'picked.png', mimeType: 'image/png', buffer: await drawPng(page, 1024, 768) });
  await expect(caption).toHaveText(/picked\.png · 1024×768 · the model sees 512×384/);
  await expect(page.getByTestId('chosen-file')).toHaveText('picked.png');

  await dispatchWithFile(page, 'drop', await drawPng(page, 300, 200), 'dropped.png', 'image/png');
  await expect(caption).toHaveText(/dropped\.png · 300×200 · the model sees it at full size/);
  // The file control says what is loaded, whatever its source, never "No file chosen".
  await expect(page.getByTestId('chosen-file')).toHaveText('dropped.png');

  await dispatchWithFile(page, 'paste', await drawPng(page, 640, 640), 'image.png', 'image/png');
  await expect(caption).toHaveText(/pasted-image\.png · 640×640/);
  await expect(page.getByRole('img', { name: /Selected image: pasted-image\.png/ })).toBeVisible();
  await expect(page.getByTestId('chosen-file')).toHaveText('pasted-image.png');
});

test('a demo case shows its file name in the image control, and the button opens the file picker', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('chosen-file')).toHaveText('No image chosen yet');
  const demo = DEMO_CASES[0]!;
  await page.getByRole('group', { name: 'Demo cases' }).getByRole('button', { name: demo.title }).click();
  await expect(page.getByTestId('chosen-file')).toHaveText(demo.imageName);
  await expect(page.getByTestId('image-caption')).toHaveText(new RegExp(`^${demo.imageName.replace('.', '\\.')} · `));

  // Keyboard users reach the picker through the button, which names what is loaded.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose another image…' }).click();
  await (await chooser).setFiles({ name: 'from-the-button.png', mimeType: 'image/png', buffer: await drawPng(page, 32, 32) });
  await expect(page.getByTestId('chosen-file')).toHaveText('from-the-button.png');
});

test('wrong, broken and oversized files get a clear message and the previous image stays', async ({ page }) => {
  await page.goto('/');
  const input = page.getByLabel('Image', { exact: true });
  await input.setInputFiles({ name: 'good.png', mimeType: 'image/png', buffer: await drawPng(page, 64, 64) });
  await page.getByLabel('Prompt', { exact: true }).fill('Keep this text');

  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await input.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: svg });
  await expect(page.getByRole('alert')).toHaveText(/logo\.svg is an SVG/);

  await input.setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
  await expect(page.getByRole('alert')).toHaveText(/not an image this app can read/);

  await input.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
  await expect(page.getByRole('alert')).toHaveText(/broken\.png could not be decoded/);

  await input.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(26 * 1024 * 1024) });
  await expect(page.getByRole('alert')).toHaveText(/huge\.png is 26\.0 MB; the limit is 25 MB/);

  await expect(page.getByTestId('image-caption')).toHaveText(/good\.png/);
  await expect(page.getByLabel('Prompt', { exact: true })).toHaveValue('Keep this text');
});

test('a photo taken sideways is read upright, as its EXIF orientation says', async ({ page }) => {
  await page.goto('/');
  // Stored 1200×600 with orientation 6 ("rotate 90° clockwise to display"): upright it is 600×1200.
  const sideways = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#888888' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'sideways.jpg', mimeType: 'image/jpeg', buffer: sideways });
  await expect(page.getByTestId('image-caption')).toHaveText(/sideways\.jpg · 600×1200 · the model sees 256×512/);
});

test('an SVG that claims to be a PNG and a header that claims 10 gigapixels are refused before decoding', async ({ page }) => {
  await page.goto('/');
  const input = page.getByLabel('Image', { exact: true });
  await input.setInputFiles({ name: 'good.png', mimeType: 'image/png', buffer: await drawPng(page, 64, 64) });

  await input.setInputFiles({ name: 'disguised.png', mimeType: 'image/png', buffer: Buffer.from(SVG_BYTES) });
  await expect(page.getByRole('alert')).toHaveText('disguised.png is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.');

  await input.setInputFiles({ name: 'bomb.png', mimeType: 'image/png', buffer: Buffer.from(pngHeaderBomb(100_000, 100_000)) });
  await expect(page.getByRole('alert')).toHaveText('bomb.png is 100000×100000 (10000 megapixels); the limit is 50 megapixels. Scale it down first.');

  await expect(page.getByTestId('image-caption')).toHaveText(/good\.png/);
});

test('a 4000×2 strip is accepted and rewrites: the model sees it padded to 512×28', async ({ page }) => {
  await page.goto('/');
  await fillRewriteForm(page, { prompt: 'What is written on the strip?', source: { kind: 'site-folder' }, maxNewTokens: 32 });
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'strip.png', mimeType: 'image/png', buffer: await drawPng(page, 4000, 2) });
  await expect(page.getByTestId('image-caption')).toHaveText(/strip\.png · 4000×2 · the model sees 512×28/);

  await page.getByRole('button', { name: 'Rewrite' }).click();
  const outcome = page.getByTestId('rewrite-outcome');
  const failure = page.getByText(/The rewrite failed/);
  await expect(outcome.or(failure)).toBeVisible({ timeout: 120_000 });
  await expect(failure).toHaveCount(0);
  await expect(outcome).toBeVisible();
});
