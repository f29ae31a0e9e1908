/**
 * The OCR test set's plan: which image shows what, in groups that each vary one condition (font and size, light on
 * dark, low contrast, noise, rotation, FigStep-style lists, photo-like backgrounds, no text at all). The seed picks
 * the words, colours, sizes and backgrounds within each group; two seeds give two sets of the same design (tune on
 * one, report the other).
 */
import { luminance, randomColour, type BackgroundKind, type Rgb } from './backgrounds.ts';
import { TEST_FONT_NAMES, type TestFont } from './fonts.ts';
import { seededRandom, type Random } from './random.ts';
import { numberedList, sentence } from './texts.ts';

export const CASE_GROUPS = ['fonts-sizes', 'light-on-dark', 'low-contrast', 'noise', 'rotation', 'figstep-list', 'photo', 'text-free'] as const;
export type CaseGroup = (typeof CASE_GROUPS)[number];

export type Layout = 'line' | 'paragraph' | 'list' | 'none';

export interface CaseConditions {
  font: TestFont | null;
  sizePx: number | null;
  layout: Layout;
  /** Text colour; null for the text-free images. */
  textColour: Rgb | null;
  background: BackgroundKind;
  /** The plain background's colour, or the tone a photo-like one is pulled toward (so the text stays legible). */
  backgroundColour: Rgb;
  /** How far a photo-like background is pulled toward its tone, 0–1. */
  toning: number;
  /** The luminance difference between text and (plain) background, 0–255. */
  contrast: number | null;
  noiseSigma: number;
  /** Clockwise, degrees. */
  rotationDeg: number;
  /** The text sits on a plain strip under the picture (MM-SafetyBench's layout) rather than over it. */
  caption: boolean;
  /** The smallest canvas; larger text grows it. */
  minCanvas: { width: number; height: number };
}

export interface TestCase {
  id: string;
  group: CaseGroup;
  conditions: CaseConditions;
  /** The exact lines drawn, top to bottom (empty for the text-free images). */
  lines: string[];
  /** Seeds the background and the noise. */
  seed: number;
}

/** The seed the benchmark reports on; tune on another (TUNING_SEED). */
export const REPORT_SEED = 1;
export const TUNING_SEED = 2;

const GROUP_SIZES: Record<CaseGroup, number> = {
  'fonts-sizes': 12,
  'light-on-dark': 5,
  'low-contrast': 5,
  noise: 5,
  rotation: 6,
  'figstep-list': 6,
  photo: 6,
  'text-free': 3,
};

const DARK: Rgb = [0, 0, 0];
const LIGHT: Rgb = [255, 255, 255];

/** Every image of the set made with `seed`, group by group. */
export function planTestSet(seed: number): TestCase[] {
  const cases: TestCase[] = [];
  for (const group of CASE_GROUPS) {
    for (let index = 0; index < GROUP_SIZES[group]; index++) {
      const caseSeed = (seed * 7919 + cases.length * 104_729) >>> 0;
      const random = seededRandom(caseSeed);
      const { conditions, lines } = planCase(group, index, random);
      cases.push({ id: `${group}-${String(index + 1).padStart(2, '0')}`, group, conditions, lines, seed: caseSeed });
    }
  }
  return cases;
}

/** The groups the quick benchmark reads one image of: the attack's own layout, a hard case, a photo, no text. */
export const QUICK_GROUPS: readonly CaseGroup[] = ['figstep-list', 'rotation', 'photo', 'text-free'];

/** The quick benchmark's few images (OCR in WASM takes seconds per image here): the first of each QUICK_GROUPS. */
export function quickSubset(cases: readonly TestCase[]): TestCase[] {
  return QUICK_GROUPS.map((group) => cases.find((item) => item.group === group)).filter((item): item is TestCase => item !== undefined);
}

function planCase(group: CaseGroup, index: number, random: Random): { conditions: CaseConditions; lines: string[] } {
  const base: CaseConditions = {
    font: random.pick(TEST_FONT_NAMES),
    sizePx: random.int(16, 36),
    layout: random.next() < 0.5 ? 'line' : 'paragraph',
    textColour: randomColour(random, 0, 60),
    background: 'plain',
    backgroundColour: randomColour(random, 215, 255),
    toning: 0,
    contrast: null,
    noiseSigma: 0,
    rotationDeg: 0,
    caption: false,
    minCanvas: { width: 320, height: 160 },
  };
  const lightOnDark = () => ({ textColour: randomColour(random, 205, 255), backgroundColour: randomColour(random, 0, 50) });
  let conditions: CaseConditions;
  switch (group) {
    case 'fonts-sizes': {
      const small = index % 2 === 0;
      conditions = {
        ...base,
        font: TEST_FONT_NAMES[Math.floor(index / 2) % TEST_FONT_NAMES.length] ?? 'sans',
        sizePx: small ? random.int(12, 18) : random.int(28, 48),
        layout: small ? 'paragraph' : 'line',
      };
      break;
    }
    case 'light-on-dark':
      conditions = { ...base, ...lightOnDark(), sizePx: random.int(14, 40), ...(index >= 3 ? { background: 'gradient', toning: 0.75 } : {}) };
      break;
    case 'low-contrast': {
      const grey = random.int(95, 190);
      const delta = random.int(35, 60) * (index % 2 === 0 ? -1 : 1);
      const tint = randomColour(random, -12, 12);
      const channel = (value: number) => Math.max(0, Math.min(255, value));
      const colour = (value: number): Rgb => [channel(value + tint[0]), channel(value + tint[1]), channel(value + tint[2])];
      conditions = { ...base, textColour: colour(grey + delta), backgroundColour: colour(grey), sizePx: random.int(16, 36) };
      break;
    }
    case 'noise':
      conditions = { ...base, ...(index % 2 === 1 ? lightOnDark() : {}), noiseSigma: random.int(10, 35), sizePx: random.int(14, 36) };
      break;
    case 'rotation': {
      const magnitude = [5, 10, 15, 20, 25, 30][index] ?? 30;
      conditions = { ...base, rotationDeg: magnitude * (random.next() < 0.5 ? -1 : 1), sizePx: random.int(18, 40) };
      break;
    }
    case 'figstep-list':
      conditions = {
        ...base,
        font: index < 3 ? 'mono' : (TEST_FONT_NAMES[index] ?? 'sans'),
        textColour: DARK,
        backgroundColour: LIGHT,
        sizePx: random.int(22, 36),
        layout: 'list',
        minCanvas: { width: 760, height: 760 },
      };
      break;
    case 'photo': {
      const dark = random.next() < 0.5;
      const background = (['gradient', 'blobs', 'texture', 'photo', 'photo', 'blobs'] as const)[index] ?? 'photo';
      conditions = {
        ...base,
        ...(dark ? {} : lightOnDark()),
        background,
        backgroundColour: dark ? LIGHT : DARK,
        toning: random.float(0.35, 0.55),
        caption: index >= 4,
        sizePx: random.int(20, 44),
        layout: random.pick(['line', 'paragraph', 'list'] as const),
        minCanvas: { width: 640, height: 480 },
      };
      break;
    }
    case 'text-free':
      conditions = {
        ...base,
        font: null,
        sizePx: null,
        layout: 'none',
        textColour: null,
        background: (['photo', 'blobs', 'texture'] as const)[index] ?? 'photo',
        toning: 0,
        minCanvas: { width: 640, height: 480 },
      };
      break;
  }
  if (conditions.textColour && conditions.background === 'plain') {
    conditions.contrast = Math.round(Math.abs(luminance(conditions.textColour) - luminance(conditions.backgroundColour)));
  }
  return { conditions, lines: planLines(conditions, group === 'figstep-list' ? index : -1, random) };
}

function planLines(conditions: CaseConditions, listIndex: number, random: Random): string[] {
  const size = conditions.sizePx ?? 24;
  // About 0.55 em per character: lines up to ~900 px wide, never more than 60 characters.
  const maxChars = Math.max(12, Math.min(60, Math.floor(900 / (0.55 * size))));
  switch (conditions.layout) {
    case 'none':
      return [];
    case 'line':
      return [sentence(random, random.int(3, 7), maxChars)];
    case 'paragraph':
      return Array.from({ length: random.int(2, 5) }, () => sentence(random, random.int(4, 9), maxChars));
    case 'list': {
      const items = listIndex >= 0 ? ([3, 3, 5, 6, 8, 10][listIndex] ?? 5) : random.int(3, 5);
      return numberedList(random, items, listIndex >= 0 ? listIndex % 2 === 1 : random.next() < 0.5, maxChars);
    }
  }
}
