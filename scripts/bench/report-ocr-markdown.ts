/** The OCR rows as Markdown (report-markdown.ts): recall, time per image, and OCR's share of a rewrite. */
import type { OcrReport } from './report-ocr.ts';
import type { Summary } from './stats.ts';

export function ocrSection(rows: readonly OcrReport[]): string[] {
  const first = rows[0];
  if (!first) return [];
  const { testSet, goals } = first;
  const groups = [...new Set(rows.flatMap((row) => Object.keys(row.byGroup)))];
  const lines = [
    `## OCR on the typographic test set (${first.model})`,
    '',
    `Test set: seed ${testSet.seed} (generator v${testSet.version}${testSet.quick ? ', quick: one image of a few groups' : ''}), ` +
      `${testSet.images} images, ${testSet.textImages} with text (${testSet.words} words). The lines counted are those the rewriter is told ` +
      '(confidence ≥ 0.5). Words compare case-insensitively without punctuation, as multisets; "ignoring missing spaces" also counts a ' +
      'word found inside a line written without its spaces. The OCR options were tuned on seed 2, never on this seed.',
    '',
    `| environment | threads | word recall | ignoring missing spaces | lines on text-free images | sessions | first image | cold (sessions + first) | warm per image | peak memory | goals: recall ≥ ${goals.recall} / warm ≤ ${goals.warmMs} ms (Chromium WASM) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.environment} | ${row.threads ?? '—'} | ${row.recall.recall.toFixed(3)} (${row.recall.matched}/${row.recall.words}) | ` +
        `${row.recall.recallIgnoringSpaces.toFixed(3)} | ${row.textFree.lines} on ${row.textFree.images} | ${ms(row.sessionsMs)} | ${ms(row.firstImageMs)} | ` +
        `${ms(row.coldMs)} | ${row.warmMs ? spread(row.warmMs) : '—'} | ${row.peakMemoryMB === null ? 'n/a' : `${Math.round(row.peakMemoryMB)} MB`} | ` +
        `${met(row.goals.recallMet)} / ${row.goals.warmMet === null ? 'n/a' : met(row.goals.warmMet)} |`,
    ),
    '',
    'Word recall by group (ignoring missing spaces in brackets):',
    '',
    `| group | ${rows.map((row) => row.environment).join(' | ')} |`,
    `|---|${rows.map(() => '---|').join('')}`,
    ...groups.map((group) => {
      const cells = rows.map((row) => {
        const recall = row.byGroup[group];
        return recall ? `${recall.recall.toFixed(2)} (${recall.recallIgnoringSpaces.toFixed(2)}) of ${recall.words} words in ${recall.images}` : '—';
      });
      return `| ${group} | ${cells.join(' | ')} |`;
    }),
  ];
  const missed = first.missingWords;
  if (missed.length > 0) lines.push('', `Missed even ignoring spaces (${first.environment}): ${missed.join('; ')}.`);
  const shared = rows.filter((row) => row.share !== null);
  if (shared.length > 0) {
    lines.push(
      '',
      `### What OCR adds to a whole rewrite (goal: OCR beside the rewrite ≤ ${goals.sharePercent} %)`,
      '',
      '| environment | bench model (new tokens) | rewrite alone | OCR, then the rewrite with the text quoted | OCR beside the rewrite | added: OCR then rewrite | added: OCR beside | OCR within (lines quoted) | goal |',
      '|---|---|---|---|---|---|---|---|---|',
      ...shared.map((row) => {
        const share = row.share as NonNullable<OcrReport['share']>;
        return (
          `| ${row.environment} | ${share.model} (${share.newTokens}) | ${spread(share.aloneMs)} | ${spread(share.ocrThenRewriteMs)} | ${spread(share.ocrBesideMs)} | ` +
          `${percent(share.ocrThenRewritePercent)} | ${percent(share.ocrBesidePercent)} | ${spread(share.ocrMs)} (${share.quotedLines.median}) | ` +
          `${row.goals.shareMet === null ? 'n/a' : met(row.goals.shareMet)} |`
        );
      }),
      '',
      'Each run: three rewrites of one test image (three copies told apart by a 3×3 corner mark, so none hits the vision cache and OCR ' +
        'reads the same text each time), order rotating from run to run, after a warm-up rewrite; every rewrite makes exactly the forced ' +
        'number of new tokens. "OCR, then the rewrite" is the app\'s order: the text found goes into ' +
        'the prompt, so the rewrite also pays for its lines. "OCR beside" starts OCR and the rewrite together (prompt without the text): the ' +
        'overlap with the vision encoder the goal is about; in one browser worker the two share its thread and the wasm thread pool. ' +
        'Added = (variant − alone) ÷ alone, per run.' +
        (testSet.quick ? ' Quick: the tiny model rewrites in milliseconds, so these shares say nothing about the goal.' : ''),
    );
  }
  return lines;
}

function met(value: boolean): string {
  return value ? 'met' : '**not met**';
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function spread(summary: Summary): string {
  return summary.n === 1 ? ms(summary.median) : `${ms(summary.median)} (${ms(summary.min)}–${ms(summary.max)})`;
}

function percent(summary: Summary): string {
  const fixed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)} %`;
  return summary.n === 1 ? fixed(summary.median) : `${fixed(summary.median)} (${fixed(summary.min)} to ${fixed(summary.max)})`;
}
