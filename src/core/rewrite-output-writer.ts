import { RISK_CATEGORIES, RISK_LEVELS, SECTION_TAGS, type RiskCategory, type RiskLevel, type SectionName } from './rewrite-format.ts';
import { unwrapPrompt } from './rewrite-parser-fields.ts';

/*
 * Writing the rewriter's output format, the inverse of rewrite-parser.ts: what a fine-tuned rewriter should write for
 * a report and a refined prompt (the synthesis pipeline's training targets). Free text gets what constrained
 * generation allows it: one line of non-blank text without `[`, `]`, `<`, control or format characters.
 */

/** A finished risk report: the three analyses, the level and the category (none exactly when the level is none). */
export interface RiskReportFields {
  textual: string;
  visual: string;
  crossModal: string;
  level: RiskLevel;
  category: RiskCategory;
}

/** Text the format cannot hold; `section` names the field. */
export class RewriteFormatError extends Error {
  override readonly name = 'RewriteFormatError';
  readonly section: SectionName;
  constructor(section: SectionName, problem: string) {
    super(`${SECTION_TAGS[section]}: ${problem}`);
    this.section = section;
  }
}

const LINE_BREAKS = /[\r\n\t\v\f\u0085\u2028\u2029]+/g;
const FORBIDDEN = /[[\]<\p{Cc}\p{Cf}]/u;

/** The field on one line (line breaks become spaces, outer spaces go), or a RewriteFormatError. */
function freeText(section: SectionName, text: string): string {
  const line = text.replace(LINE_BREAKS, ' ').replace(/ {2,}/g, ' ').trim();
  if (line === '') throw new RewriteFormatError(section, 'the text is empty.');
  const forbidden = FORBIDDEN.exec(line);
  if (forbidden) {
    const code = forbidden[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    throw new RewriteFormatError(section, `U+${code} (${JSON.stringify(forbidden[0])}) cannot stand in the format's free text.`);
  }
  // The parser reads "[TAG]: text" as the tag with a colon after it.
  if (line.startsWith(':')) throw new RewriteFormatError(section, 'the text cannot start with ":".');
  return line;
}

function refinedText(refinedPrompt: string): string {
  const line = freeText('refined', refinedPrompt);
  if (unwrapPrompt(line) !== line) {
    throw new RewriteFormatError('refined', 'the whole prompt is wrapped in quotes or backticks, which the parser would take off.');
  }
  return line;
}

function checkVerdict(level: RiskLevel, category: RiskCategory): void {
  if (!(RISK_LEVELS as readonly string[]).includes(level)) throw new RewriteFormatError('level', `${JSON.stringify(level)} is not one of ${RISK_LEVELS.join(', ')}.`);
  if (!Object.hasOwn(RISK_CATEGORIES, category)) throw new RewriteFormatError('category', `${JSON.stringify(category)} is not a category of the format.`);
  if ((level === 'none') !== (category === 'none')) {
    throw new RewriteFormatError('category', `the category is ${category} with the level ${level}: it is none exactly when the level is none.`);
  }
}

/** The report's five sections, one a line, as the rewriter writes them before its refined prompt. */
export function formatRiskReport(report: RiskReportFields): string {
  checkVerdict(report.level, report.category);
  return [
    `${SECTION_TAGS.textual} ${freeText('textual', report.textual)}`,
    `${SECTION_TAGS.visual} ${freeText('visual', report.visual)}`,
    `${SECTION_TAGS.crossModal} ${freeText('crossModal', report.crossModal)}`,
    `${SECTION_TAGS.level} ${report.level}`,
    `${SECTION_TAGS.category} ${report.category}`,
  ].join('\n');
}

/**
 * The whole output for a report and its refined prompt, ending with [END]: what parseRewriteOutput reads back to the
 * same fields. Throws a RewriteFormatError for text the format cannot hold.
 */
export function formatRewriteOutput(report: RiskReportFields, refinedPrompt: string): string {
  return [formatRiskReport(report), `${SECTION_TAGS.refined} ${refinedText(refinedPrompt)}`, SECTION_TAGS.end].join('\n');
}
