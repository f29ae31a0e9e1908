/** The command line of `npm run bench` and the settings it derives: how many runs, loads and tokens, which sections. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_NEW_TOKENS } from '../../src/core/rewrite-prompt.ts';
import { RESULTS_DIR } from './bench-paths.ts';
import { BENCH_SECTIONS, type BenchSection } from './report-schema.ts';

export const BENCH_HELP = `npm run bench -- [--quick] [--runs N] [--loads N] [--tokens N] [--cache-tokens N] [--official-runs N]
  [--browser-runs N] [--no-browser] [--no-node] [--no-fp32] [--browser-official] [--gpu] [--out DIR]
  [--only standard|constrained|ocr|speed] [--constrained-runs N] [--constrained-loads N] [--constrained-tokens N]
--quick: the tiny test model, two runs of everything, in well under a minute (CI).
--only: run one section: 'standard' (everything but the constrained and OCR rows), 'constrained' (constrained vs
  unconstrained generation) or 'ocr' (OCR on the typographic test set: word recall, time per image, share of a
  rewrite) or 'speed' (the raw loop on each dtype recipe and
  under each swept session option, and a whole rewrite per reasoning mode); the report is then
  bench-<mode>-<section>.{json,md}, beside the full one.
OCR reads the whole test set (seed 1, 48 images; --quick: 4 of them), and times --runs
  share runs (Chromium: at most --browser-runs) of three rewrites each.
--gpu: also time the engine on WebGPU in Chromium on this machine's GPU (shader-f16 noted where present); a machine
  with no GPU, or only SwiftShader, gets the reason in the report instead. scripts/gpu-check.sh runs it from a clean checkout.
--no-node: Chromium alone (the report is then bench-<mode>[-<section>]-chromium.{json,md}).
--constrained-runs / --constrained-loads: pairs (a constrained run, an unconstrained one of the same length) and loads (each
  timing the vocabulary table) of the constrained section; the browser runs at most --browser-runs pairs.
--constrained-tokens: the output limit the format plan is built for (default ${DEFAULT_MAX_NEW_TOKENS}, the app's).`;

/** Runs, loads and new tokens of the standard section (the report's `settings`, less the image size). */
export interface SuiteSettings {
  runs: number;
  loads: number;
  newTokens: number;
  cacheTokens: number;
}

export interface ConstrainedSettings {
  /** Pairs: a constrained run and an unconstrained one of the same length. */
  runs: number;
  /** Loads, each timing the vocabulary table. */
  loads: number;
  /** The output limit the format plan is built for. */
  maxNewTokens: number;
}

export interface BenchOptions {
  /** The tiny test model and two runs of everything. */
  quick: boolean;
  settings: SuiteSettings;
  constrained: ConstrainedSettings;
  /** The one section --only asked for, or undefined for all of them. */
  only: BenchSection | undefined;
  sections: ReadonlySet<BenchSection>;
  officialRuns: number;
  /** At most this many measured runs (and constrained pairs) in Chromium. */
  browserRuns: number;
  node: boolean;
  browser: boolean;
  fp32: boolean;
  browserOfficial: boolean;
  gpu: boolean;
  outDir: string;
}

/** Parses the command line; 'help' when --help was given (nothing else is checked then). */
export function parseBenchOptions(args: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      loads: { type: 'string' },
      tokens: { type: 'string' },
      'cache-tokens': { type: 'string' },
      'official-runs': { type: 'string' },
      'browser-runs': { type: 'string' },
      'no-browser': { type: 'boolean', default: false },
      'no-node': { type: 'boolean', default: false },
      'no-fp32': { type: 'boolean', default: false },
      'browser-official': { type: 'boolean', default: false },
      gpu: { type: 'boolean', default: false },
      only: { type: 'string' },
      'constrained-runs': { type: 'string' },
      'constrained-loads': { type: 'string' },
      'constrained-tokens': { type: 'string' },
      out: { type: 'string', default: RESULTS_DIR },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';

  const quick = values.quick;
  if (values.only !== undefined && !(BENCH_SECTIONS as readonly string[]).includes(values.only)) {
    throw new Error(`--only ${values.only}: expected one of ${BENCH_SECTIONS.join(', ')}`);
  }
  const only = values.only as BenchSection | undefined;
  return {
    quick,
    settings: {
      runs: integer(values.runs, quick ? 2 : 5),
      loads: integer(values.loads, quick ? 1 : 2),
      newTokens: integer(values.tokens, quick ? 8 : 64),
      cacheTokens: integer(values['cache-tokens'], quick ? 4 : 8),
    },
    constrained: {
      runs: integer(values['constrained-runs'], quick ? 2 : 3),
      loads: integer(values['constrained-loads'], quick ? 2 : 3),
      maxNewTokens: integer(values['constrained-tokens'], DEFAULT_MAX_NEW_TOKENS),
    },
    only,
    sections: new Set<BenchSection>(only === undefined ? BENCH_SECTIONS : [only]),
    officialRuns: integer(values['official-runs'], quick ? 2 : 3),
    browserRuns: integer(values['browser-runs'], quick ? 2 : 3),
    node: !values['no-node'],
    browser: !values['no-browser'],
    fp32: !values['no-fp32'],
    browserOfficial: values['browser-official'],
    gpu: values.gpu,
    outDir: resolve(values.out),
  };
}

function integer(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Math.max(1, Number.parseInt(value, 10));
}
