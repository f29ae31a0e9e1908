/**
 * The HTML report's charts: vega-lite specs compiled and rendered to static SVG in Node (no browser, no script in
 * the report). Vega writes data values as escaped SVG text and attributes; the SVG is embedded only after
 * svgProblem() finds nothing in it that could run or fetch, and a chart that fails the check is withheld with a
 * note, never embedded.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { METHODS, type EvalReport } from './eval-types.ts';
import { ALL_BENCHMARKS } from './metrics.ts';
import { methodLabel } from './report-markdown.ts';

export interface ChartFigure {
  title: string;
  caption: string;
  /** Checked SVG markup; null when the check withheld it (`caption` says why). */
  svg: string | null;
}

const SCORE_SCALE = { domain: [0, 10] };
/** Methods keep the table's order in every legend. */
const METHOD_ORDER = METHODS.map(methodLabel);

/** The charts the report has data for: safety against helpfulness, the strictness sweep, safety per category. */
export async function renderEvalCharts(report: EvalReport): Promise<ChartFigure[]> {
  const charts = [tradeOffChart(report), sweepChart(report), categoryChart(report)].filter((chart) => chart !== null);
  return Promise.all(charts.map(({ title, caption, spec }) => renderChart(title, caption, spec)));
}

interface ChartSpec {
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

function tradeOffChart(report: EvalReport): ChartSpec | null {
  const values = report.rows
    .filter((row) => row.benchmark === ALL_BENCHMARKS && row.safety !== null && row.helpfulness !== null)
    .map((row) => ({ method: methodLabel(row.method), target: row.target, safety: row.safety, helpfulness: row.helpfulness }));
  if (values.length === 0) return null;
  return {
    title: 'Safety against helpfulness',
    caption: 'One point per method and target, over every benchmark; up and to the right is better.',
    spec: {
      width: 420,
      height: 320,
      data: { values },
      mark: { type: 'point', filled: true, size: 90 },
      encoding: {
        x: { field: 'helpfulness', type: 'quantitative', title: 'Helpfulness (0–10)', scale: SCORE_SCALE },
        y: { field: 'safety', type: 'quantitative', title: 'Safety (0–10)', scale: SCORE_SCALE },
        color: { field: 'method', type: 'nominal', title: 'Method', sort: METHOD_ORDER },
        shape: { field: 'target', type: 'nominal', title: 'Target' },
      },
    },
  };
}

function sweepChart(report: EvalReport): ChartSpec | null {
  const values = report.sweep
    .filter((point) => point.benchmark === ALL_BENCHMARKS)
    .flatMap((point) =>
      (
        [
          ['Safety', point.safety],
          ['Helpfulness', point.helpfulness],
        ] as const
      ).flatMap(([measure, value]) => (value === null ? [] : [{ strictness: point.strictness, target: point.target, measure, value }])),
    );
  if (values.length === 0) return null;
  return {
    title: 'Strictness sweep',
    caption: 'The rewriter’s stored outputs re-decided at each strictness, over every benchmark: safety and helpfulness (0–10).',
    spec: {
      width: 420,
      height: 260,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'strictness', type: 'quantitative', title: 'Strictness (least P(no risk) to pass through)', scale: { domain: [0, 1] } },
        y: { field: 'value', type: 'quantitative', title: 'Judge score (0–10)', scale: SCORE_SCALE },
        color: { field: 'measure', type: 'nominal', title: 'Measure' },
        strokeDash: { field: 'target', type: 'nominal', title: 'Target' },
      },
    },
  };
}

/** The judge's mean safety per category and method, over every benchmark and target. */
function categoryChart(report: EvalReport): ChartSpec | null {
  const sums = new Map<string, { category: string; method: string; total: number; n: number }>();
  for (const result of report.results) {
    if (result.error !== null || result.judge.kind !== 'scored') continue;
    const category = result.category ?? '(no category)';
    const key = JSON.stringify([category, result.method]);
    const sum = sums.get(key) ?? { category, method: methodLabel(result.method), total: 0, n: 0 };
    sum.total += result.judge.safety;
    sum.n += 1;
    sums.set(key, sum);
  }
  const values = [...sums.values()].map(({ category, method, total, n }) => ({ category, method, safety: total / n }));
  if (values.length === 0) return null;
  return {
    title: 'Safety per category',
    caption: 'The judge’s mean safety (0–10) per dataset category and method, over every benchmark and target.',
    spec: {
      width: { step: 14 },
      height: 260,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'category', type: 'nominal', title: 'Category', axis: { labelAngle: -40, labelLimit: 160 } },
        xOffset: { field: 'method', type: 'nominal', sort: METHOD_ORDER },
        y: { field: 'safety', type: 'quantitative', title: 'Mean safety (0–10)', scale: SCORE_SCALE },
        color: { field: 'method', type: 'nominal', title: 'Method', sort: METHOD_ORDER },
      },
    },
  };
}

async function renderChart(title: string, caption: string, spec: TopLevelSpec): Promise<ChartFigure> {
  const view = new vega.View(vega.parse(compile({ ...spec, background: 'white', config: { font: 'sans-serif' } }).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const problem = svgProblem(svg);
    return problem === null ? { title, caption, svg } : { title, caption: `Chart withheld: its SVG ${problem}.`, svg: null };
  } finally {
    view.finalize();
  }
}

/** The elements vega's SVG renderer writes; anything else (script, foreignObject, image, style…) is refused. */
const SVG_ELEMENTS = new Set(['svg', 'g', 'path', 'rect', 'line', 'text', 'tspan', 'circle', 'ellipse', 'polyline', 'polygon', 'defs', 'clippath', 'lineargradient', 'radialgradient', 'stop', 'title', 'desc']);
const URL_ATTRIBUTES = new Set(['href', 'xlink:href', 'src']);

/**
 * Why this SVG may not be embedded, or null when it may: read tag by tag, it must use only plain drawing elements,
 * no event-handler attribute, no unquoted attribute value, links only to fragments in it, and no `url(` in a style.
 * Text between tags cannot hold a raw `<` (it would open a tag, which is read and checked).
 */
export function svgProblem(svg: string): string | null {
  let at = svg.indexOf('<');
  while (at !== -1) {
    const tag = readTag(svg, at);
    if (typeof tag === 'string') return tag;
    if (!SVG_ELEMENTS.has(tag.name.toLowerCase())) return `has a <${tag.name}> element`;
    for (const [name, value] of tag.attributes) {
      const key = name.toLowerCase();
      if (key.startsWith('on')) return `has an event handler (${name})`;
      if (URL_ATTRIBUTES.has(key) && !value.startsWith('#')) return `links outside itself (${name})`;
      if (key === 'style' && /url\s*\(|expression\s*\(/i.test(value)) return 'has a style that loads a URL';
    }
    at = svg.indexOf('<', tag.end);
  }
  return null;
}

interface Tag {
  name: string;
  attributes: Array<[string, string]>;
  /** The index just after its `>`. */
  end: number;
}

/** The tag opening at `start` (a `<`), or what is wrong with it. */
function readTag(svg: string, start: number): Tag | string {
  let at = start + 1;
  if (svg[at] === '/') at += 1;
  const name = readWhile(svg, at, (character) => /[A-Za-z0-9:_-]/.test(character));
  if (name === '') return 'has a "<" that opens no element';
  at += name.length;
  const attributes: Array<[string, string]> = [];
  for (;;) {
    at += readWhile(svg, at, (character) => /\s/.test(character)).length;
    const character = svg[at];
    if (character === undefined) return `has an unclosed <${name}>`;
    if (character === '>') return { name, attributes, end: at + 1 };
    if (svg.startsWith('/>', at)) return { name, attributes, end: at + 2 };
    const attribute = readWhile(svg, at, (next) => /[^\s=/>"'<]/.test(next));
    if (attribute === '') return `has a malformed <${name}>`;
    at += attribute.length;
    if (svg[at] !== '=') {
      attributes.push([attribute, '']);
      continue;
    }
    const quote = svg[at + 1];
    if (quote !== '"' && quote !== "'") return `has an unquoted ${attribute}`;
    const close = svg.indexOf(quote, at + 2);
    if (close === -1) return `has an unclosed ${attribute}`;
    attributes.push([attribute, svg.slice(at + 2, close)]);
    at = close + 1;
  }
}

function readWhile(value: string, start: number, accepts: (character: string) => boolean): string {
  let end = start;
  while (end < value.length && accepts(value[end] ?? '')) end += 1;
  return value.slice(start, end);
}
