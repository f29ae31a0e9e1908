import { ANALYSIS_LABELS, shownAnalysisSections } from '../core/analysis-sections.ts';
import { REASONING_EXPLANATIONS, type ReasoningMode } from '../core/reasoning-mode.ts';
import { formatProbability } from '../core/rewrite-decision.ts';
import { RISK_CATEGORIES, RISK_LEVELS, type LevelProbabilities, type RiskAnalysis, type SectionName } from '../core/rewrite-format.ts';

interface RiskAnalysisViewProps {
  analysis: RiskAnalysis;
  /** Known after a constrained run. */
  levelProbabilities: LevelProbabilities | null;
  /** The section the model is writing now, for a live cursor. */
  openSection: SectionName | null;
  streaming: boolean;
  /** The analyses the model was asked for; null when unknown (a failed run), which shows only what it wrote. */
  reasoning: ReasoningMode | null;
}

export function RiskAnalysisView({ analysis, levelProbabilities, openSection, streaming, reasoning }: RiskAnalysisViewProps) {
  const sections = reasoning ? shownAnalysisSections(analysis, reasoning, streaming) : shownAnalysisSections(analysis, 'off');
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
      {reasoning && (
        <p className="muted reasoning-mode" data-testid="reasoning-mode">
          {REASONING_EXPLANATIONS[reasoning]}
        </p>
      )}
      {levelProbabilities && <RiskMeter probabilities={levelProbabilities} />}
      {sections.length > 0 && (
        <dl className="analysis-sections">
          {sections.map((name) => (
            <div key={name} className={openSection === name && streaming ? 'section open' : 'section'}>
              <dt>{ANALYSIS_LABELS[name]}</dt>
              <dd data-testid={`analysis-${name}`}>{analysis[name] || (streaming ? '…' : '—')}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** The model's probability of each level at the step where it chose one. */
function RiskMeter({ probabilities }: { probabilities: LevelProbabilities }) {
  return (
    <div className="risk-meter" role="group" aria-label="Risk score" data-testid="risk-meter">
      {RISK_LEVELS.map((level) => (
        <div key={level} className="risk-meter-row">
          <span className="risk-meter-label">P({level === 'none' ? 'no risk' : level})</span>
          <meter min={0} max={1} value={probabilities[level]} aria-label={`Probability of ${level}`} />
          <span className="risk-meter-value" data-testid={`probability-${level}`}>
            {formatProbability(probabilities[level])}
          </span>
        </div>
      ))}
    </div>
  );
}
