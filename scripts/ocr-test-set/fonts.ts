/**
 * The typefaces of the OCR test set: TrueType files from npm packages (Google Fonts, OFL), never system fonts, so a
 * fresh CI machine renders the same images. `family` is the name Pango matches inside the file.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const TEST_FONTS = {
  sans: { family: 'Open Sans', packageName: '@expo-google-fonts/open-sans', file: '400Regular/OpenSans_400Regular.ttf' },
  'sans-bold': { family: 'Open Sans Bold', packageName: '@expo-google-fonts/open-sans', file: '700Bold/OpenSans_700Bold.ttf' },
  serif: { family: 'PT Serif', packageName: '@expo-google-fonts/pt-serif', file: '400Regular/PTSerif_400Regular.ttf' },
  // FigStep renders its images in a bold typewriter face (FreeMonoBold); Courier Prime Bold is the nearest here.
  mono: { family: 'Courier Prime Bold', packageName: '@expo-google-fonts/courier-prime', file: '700Bold/CourierPrime_700Bold.ttf' },
  condensed: { family: 'Oswald', packageName: '@expo-google-fonts/oswald', file: '400Regular/Oswald_400Regular.ttf' },
  display: { family: 'Anton', packageName: '@expo-google-fonts/anton', file: '400Regular/Anton_400Regular.ttf' },
} as const;

export type TestFont = keyof typeof TEST_FONTS;

export const TEST_FONT_NAMES = Object.keys(TEST_FONTS) as TestFont[];

const require = createRequire(import.meta.url);

/** The font file's path inside node_modules. */
export function fontFile(font: TestFont): string {
  const { packageName, file } = TEST_FONTS[font];
  return join(dirname(require.resolve(packageName)), file);
}
