import { RISK_CATEGORIES, type RiskAnalysis, type SectionName } from '../core/rewrite-format.ts';

const SECTIONS = [
  ['textual', 'Text risk'],
  ['visual', 'Image risk'],
  ['crossModal', 'Combined risk'],
] as const satisfies ReadonlyArray<readonly [SectionName, string]>;

interface RiskAnalysisViewProps {
  analysis: RiskAnalysis;
  /** The section the model is writing now, for a live cursor. */
  openSection: SectionName | null;
  streaming: boolean;
}

export function RiskAnalysisView({ analysis, openSection, streaming }: RiskAnalysisViewProps) {
  return (
    <section className="analysis" aria-label="Risk analysis">
      <div className="analysis-header">
        <h2>Risk analysis</h2>
        <span className={`level-badge level-${analysis.level ?? 'unknown'}`} data-testid="risk-level">
          {analysis.level ? `Risk: ${analysis.level}` : streaming ? 'Risk: …' : 'Risk: unknown'}
        </span>
        {analysis.category && analysis.category !== 'none' && (
          <span className="category" data-testid="risk-category">
            {RISK_CATEGORIES[analysis.category]}
          </span>
        )}
      </div>
      <dl className="analysis-sections">
        {SECTIONS.map(([name, label]) => (
          <div key={name} className={openSection === name && streaming ? 'section open' : 'section'}>
            <dt>{label}</dt>
            <dd data-testid={`analysis-${name}`}>{analysis[name] || (streaming ? '…' : '—')}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
