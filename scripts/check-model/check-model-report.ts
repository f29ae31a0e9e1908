/** The report of `npm run check-model`: one object (printed as is with --json) and its text for a terminal. */
import type { SessionDtypes } from '../../src/core/model-catalog.ts';
import type { ModelFamily } from '../../src/core/model-families.ts';
import type { Backend } from '../../src/core/runtime-capabilities.ts';
import { formatBytes, formatMs } from '../../src/core/units.ts';
import type { ModelFiles, RecipeFit } from './model-files.ts';
import { SESSIONS } from './model-files.ts';
import { PROBE_MODES, type LevelSpread, type ModeSummary, type ProbeMode, type ProbeRun } from './probe-summary.ts';
import { USABLE_MODES, VERDICT_THRESHOLDS, type Verdict } from './verdict.ts';

export interface CheckModelReport {
  model: { given: string; id: string; family: ModelFamily; folder: string | null };
  /** Null when they could not be listed (filesNote says why). */
  files: (ModelFiles & { recipes: RecipeFit[] }) | null;
  filesNote: string | null;
  load: { ms: number; backend: Backend; dtypes: SessionDtypes };
  settings: { maxNewTokens: number; strictness: number; ocr: boolean };
  thresholds: typeof VERDICT_THRESHOLDS;
  modes: Record<ProbeMode, ModeSummary>;
  levelSpread: LevelSpread;
  verdict: Verdict;
  probes: ProbeRun[];
}

const VERDICT_TITLES: Record<Verdict['format'], string> = {
  'drops-in': 'DROPS IN',
  'constrained-only': 'DROPS IN WITH CONSTRAINED DECODING ONLY',
  'does-not-drop-in': 'DOES NOT DROP IN',
};

const percent = (value: number) => `${Math.round(value * 100)} %`;
const pad = (text: string, width: number) => text.padEnd(width);
const fixed = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));

function filesSection(report: CheckModelReport): string[] {
  const { files } = report;
  if (!files) return [`Files: not listed (${report.filesNote ?? 'unknown'}).`];
  const sessions = SESSIONS.map((session) => {
    const variants = files.sessions[session].map(
      (file) => `${file.dtype} ${formatBytes(file.bytes + file.externalDataBytes)}${file.externalDataBytes > 0 ? ' (external data)' : ''}`,
    );
    return `  ${pad(session, 22)}${variants.length > 0 ? variants.join(', ') : 'none'}`;
  });
  const recipes = files.recipes.map((fit) => {
    const dtypes = SESSIONS.map((session) => `${session} ${fit.dtypes[session]}`).join(', ');
    return `  ${pad(fit.label, 22)}${fit.loadable ? `loads (${dtypes})` : `cannot load: missing ${fit.missing.join(', ')}`}`;
  });
  return [
    `Files in ${files.where}:`,
    ...sessions,
    ...(files.missingSupportFiles.length > 0 ? [`  missing: ${files.missingSupportFiles.join(', ')}`] : []),
    ...(files.otherOnnxFiles.length > 0 ? [`  other ONNX files (no session or dtype of transformers.js): ${files.otherOnnxFiles.join(', ')}`] : []),
    'Recipes of the catalog for this model:',
    ...recipes,
  ];
}

function modesTable(modes: Record<ProbeMode, ModeSummary>): string[] {
  const rows: Array<[string, (mode: ModeSummary) => string]> = [
    ['parsed completely', (mode) => `${mode.parsedComplete}/${mode.runs}`],
    ['reached [END] (constraint)', (mode) => (mode.constraintComplete === null ? '—' : `${mode.constraintComplete}/${mode.runs}`)],
    ['rewritten', (mode) => String(mode.outcomes.rewritten)],
    ['passed through', (mode) => String(mode.outcomes['passed-through'])],
    ['fallback', (mode) => `${mode.outcomes.fallback}${describeReasons(mode)}`],
    ['safe passed through', (mode) => `${mode.safe.passedThrough}/${mode.safe.runs}`],
    ['unsafe held back', (mode) => `${mode.unsafe.runs - mode.unsafe.passedThrough}/${mode.unsafe.runs}`],
    ['median per rewrite', (mode) => (mode.medianMs === null ? '—' : formatMs(mode.medianMs))],
    ['tokens/s', (mode) => fixed(mode.tokensPerSecond, 0)],
  ];
  return [
    `  ${pad('', 28)}${PROBE_MODES.map((mode) => pad(mode, 26)).join('')}`,
    ...rows.map(([name, cell]) => `  ${pad(name, 28)}${PROBE_MODES.map((mode) => pad(cell(modes[mode]), 26)).join('')}`),
  ];
}

function describeReasons(mode: ModeSummary): string {
  const reasons = Object.entries(mode.fallbackReasons).map(([reason, count]) => `${reason} ×${count}`);
  return reasons.length > 0 ? ` (${reasons.join(', ')})` : '';
}

function spreadLine(spread: LevelSpread): string {
  const side = (name: string, values: LevelSpread['safe']) =>
    values ? `${name} ${fixed(values.min, 2)}/${fixed(values.median, 2)}/${fixed(values.max, 2)} (n ${values.n})` : `${name} —`;
  const separates = spread.separates === null ? 'no scores' : spread.separates ? 'yes' : 'no';
  return `P(none) under the constraint, min/median/max: ${side('safe', spread.safe)}; ${side('unsafe', spread.unsafe)}; separates: ${separates}`;
}

function probeLine(runs: readonly ProbeRun[], probe: string): string {
  const cells = runs
    .filter((run) => run.probe === probe)
    .map((run) => {
      const decided = run.outcome === 'fallback' ? `fallback (${run.fallbackReason})` : run.outcome;
      const score = run.pNone === null ? '' : ` P(none) ${run.pNone.toFixed(2)}`;
      return `${run.mode}: ${decided}, ${run.level ?? 'no level'}${score}`;
    });
  const label = runs.find((run) => run.probe === probe)?.label;
  return `  ${pad(`${probe} (${label})`, 32)}${cells.join(' · ')}`;
}

export function renderCheckModelText(report: CheckModelReport): string {
  const { model, load, settings, thresholds, verdict } = report;
  const probeIds = [...new Set(report.probes.map((run) => run.probe))];
  const safe = report.modes.constrained.safe.runs;
  const unsafe = report.modes.constrained.unsafe.runs;
  return [
    `Candidate: ${model.given} (${model.family})`,
    '',
    ...filesSection(report),
    '',
    `Loaded on ${load.backend} in ${formatMs(load.ms)} (${SESSIONS.map((session) => `${session} ${load.dtypes[session]}`).join(', ')}).`,
    '',
    `Probes: ${probeIds.length} (${safe} safe, ${unsafe} unsafe), each unconstrained and constrained; ` +
      `at most ${settings.maxNewTokens} new tokens, strictness ${settings.strictness}, OCR ${settings.ocr ? 'on' : 'off'}.`,
    ...modesTable(report.modes),
    spreadLine(report.levelSpread),
    '',
    ...probeIds.map((probe) => probeLine(report.probes, probe)),
    '',
    `Thresholds: unconstrained parsed completely ≥ ${percent(thresholds.unconstrainedAdherenceMin)}, constrained reached [END] ≥ ` +
      `${percent(thresholds.constrainedCompleteMin)}, used by the decision ≥ ${percent(thresholds.usableMin)}, ` +
      `label agreement ≥ ${percent(thresholds.labelAgreementMin)}.`,
    '',
    `Verdict: ${VERDICT_TITLES[verdict.format]}`,
    ...verdict.formatReasons.map((reason) => `  - ${reason}`),
    ...PROBE_MODES.flatMap((mode) => [
      `Labels ${mode}: ${verdict.labels[mode].respected ? 'respected' : 'not respected'}` +
        (USABLE_MODES[verdict.format].includes(mode) ? '' : ' (its format is not usable in this mode, so these count little)'),
      ...verdict.labels[mode].reasons.map((reason) => `  - ${reason}`),
    ]),
    '',
    verdict.summary,
  ].join('\n');
}
