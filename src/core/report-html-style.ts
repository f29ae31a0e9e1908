/**
 * The HTML report's only style sheet, inline (the report is one file, and its Content-Security-Policy allows
 * inline styles and nothing else). Light on screen and on paper; in print each case starts a new page.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1a1d23; --muted: #5b6270; --line: #d5d9e0; --soft: #f3f5f8; --accent: #1f4fd1;
  --added: #d9f2df; --added-ink: #0d5a24; --removed: #fbe1e1; --removed-ink: #8a1c1c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.25rem 4rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; overflow-wrap: break-word; }
h1 { font-size: 1.8rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.5rem; }
h4 { font-size: 0.95rem; margin: 0 0 0.25rem; color: var(--muted); }
p { margin: 0.4rem 0; }
a { color: var(--accent); }
.muted, .legend { color: var(--muted); font-size: 0.9rem; }
pre, dd { overflow-wrap: anywhere; }
pre { white-space: pre-wrap; font: 0.95rem/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; background: var(--soft);
  border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.75rem; margin: 0.25rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll > table { margin: 0; }
.table-scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.excerpt { min-width: 14rem; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.summary { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.case-head { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: flex-start; }
figure { margin: 0; max-width: 20rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.9rem; margin: 0; flex: 1 1 16rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.outcome { display: inline-block; font-weight: 700; padding: 0.1rem 0.55rem; border-radius: 999px; border: 1px solid currentColor; }
.outcome-rewritten { color: #8a4b00; }
.outcome-passed-through { color: #0d5a24; }
.outcome-fallback { color: #6b2aa8; }
.bar { display: inline-block; height: 0.7rem; min-width: 1px; background: var(--accent); vertical-align: middle; }
.bar-track { display: inline-block; width: 8rem; background: var(--soft); border: 1px solid var(--line); line-height: 0; }
.diff { line-height: 1.9; }
ins { text-decoration: underline 2px; background: var(--added); color: var(--added-ink); padding: 0 0.15rem; border-radius: 3px; }
del { text-decoration: line-through 2px; background: var(--removed); color: var(--removed-ink); padding: 0 0.15rem; border-radius: 3px; }
del + ins { margin-left: 0.2rem; }
.side-by-side, .answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
.side-by-side > div, .answers > div { border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.75rem; }
.error { color: var(--removed-ink); }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@page { margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; background: #fff; color: #000; }
  .case { break-before: page; }
  .table-scroll { overflow: visible; }
  h2, h3, h4 { break-after: avoid; }
  pre, figure, table, .side-by-side > div, .answers > div { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  ins, del, .bar, th { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;
