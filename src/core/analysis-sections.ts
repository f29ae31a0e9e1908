import type { ReasoningMode } from './reasoning-mode.ts';
import { ANALYSIS_SECTIONS_BY_REASONING, type AnalysisSection, type RiskAnalysis } from './rewrite-format.ts';

/** What the app, the reports and the command line call each analysis. */
export const ANALYSIS_LABELS: Readonly<Record<AnalysisSection, string>> = Object.freeze({
  textual: 'Text risk',
  visual: 'Image risk',
  crossModal: 'Combined risk',
  summary: 'Brief analysis',
});

const ALL_SECTIONS: readonly AnalysisSection[] = ['textual', 'visual', 'crossModal', 'summary'];

/**
 * The analyses to show for a result: in full, the three it asks for (an empty one says so) and any other the model
 * wrote; in brief and off, only those the model wrote, so a mode that asks for less never shows empty boxes. While a
 * run streams, the mode's own sections are shown from the start, to fill as they arrive.
 */
export function shownAnalysisSections(analysis: RiskAnalysis, reasoning: ReasoningMode, streaming = false): AnalysisSection[] {
  const asked = ANALYSIS_SECTIONS_BY_REASONING[reasoning];
  const alwaysShown = reasoning === 'full' || streaming;
  return ALL_SECTIONS.filter((section) => (alwaysShown && asked.includes(section)) || (analysis[section] ?? '').trim() !== '');
}
