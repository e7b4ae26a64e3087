/**
 * The page's stylesheet, served from the app (no CDN, no build step). Colours keep at least 4.5:1 contrast for
 * text and 3:1 for borders and focus rings; layout is one column up to 56rem, then form and result side by side.
 */
export const PAGE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  line-height: 1.5; color: #1b1b1b; background: #f6f7f9; -webkit-text-size-adjust: 100%;
}
body { margin: 0; }
a { color: #0b57d0; }
a:hover { color: #083f99; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; }
h1 { font-size: 1.75rem; }
h2 { font-size: 1.3rem; }
h3 { font-size: 1.05rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
.hash { overflow-wrap: anywhere; }

.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: #fff; padding: 0.5rem 1rem; z-index: 1; }
.skip-link:focus { top: 0.5rem; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
.site-header { background: #12355b; color: #fff; }
.site-header .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 1.5rem; padding-block: 0.6rem; }
.brand { color: #fff; font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.site-header ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0; padding: 0; }
.site-header a:not(.brand) { color: #fff; text-underline-offset: 0.2em; }
.site-header a[aria-current="page"] { font-weight: 700; }
.site-header :focus-visible { outline-color: #fff; }
main.wrap { padding-block: 1.5rem 2rem; }
main:focus { outline: none; }
.lead { max-width: 48rem; margin: 0 0 1.5rem; }
.site-footer { border-top: 1px solid #c9ced6; color: #4a4f57; font-size: 0.9rem; padding-block: 1rem; }

.panel { background: #fff; border: 1px solid #c9ced6; border-radius: 0.5rem; padding: 1rem; margin-bottom: 1.5rem; }
.columns { display: grid; gap: 0 1.5rem; }
@media (min-width: 56rem) {
  .columns { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); align-items: start; }
}

.fields { display: grid; gap: 1rem; margin-bottom: 1.25rem; }
@media (min-width: 40rem) { .fields { grid-template-columns: 1fr 1fr; } }
.field { display: flex; flex-direction: column; gap: 0.25rem; }
.field label { font-weight: 600; }
.unit { font-weight: 400; color: #4a4f57; }
.tag { font-size: 0.8rem; font-weight: 600; color: #3c4148; background: #e8eaee; border-radius: 0.25rem; padding: 0 0.35rem; margin-left: 0.25rem; white-space: nowrap; }
.hint { margin: 0; font-size: 0.875rem; color: #4a4f57; }
.field input, .field select { font: inherit; width: 100%; max-width: 14rem; padding: 0.45rem 0.6rem; border: 1px solid #6b7280; border-radius: 0.3rem; background: #fff; color: inherit; margin-top: auto; }
.field.has-error input, .field.has-error select { border: 2px solid #b3261e; }
.field-error { margin: 0; color: #b3261e; font-weight: 600; font-size: 0.9rem; }
.form-note { margin: 0 0 1rem; font-size: 0.9rem; color: #4a4f57; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
button { font: inherit; font-weight: 600; border-radius: 0.3rem; padding: 0.55rem 1.1rem; cursor: pointer; border: 2px solid #0b57d0; }
button.primary { background: #0b57d0; color: #fff; }
button.primary:hover { background: #083f99; border-color: #083f99; }
button.secondary { background: #fff; color: #0b57d0; }
button[aria-disabled="true"] { opacity: 0.6; cursor: progress; }

.error-summary { border: 3px solid #b3261e; border-radius: 0.4rem; padding: 0.75rem 1rem; margin-bottom: 1rem; }
.error-summary h3 { color: #b3261e; }
.error-summary ul { margin: 0; padding-left: 1.2rem; }
.error-summary a { color: #b3261e; font-weight: 600; }

.placeholder { color: #4a4f57; margin: 0; }
.probability { margin: 0 0 0.5rem; }
.result-value { display: block; font-size: 2.5rem; font-weight: 700; line-height: 1.1; overflow-wrap: anywhere; }
.interval { margin: 0 0 0.5rem; }
.risk { font-weight: 700; border-radius: 0.3rem; padding: 0.05rem 0.5rem; }
.risk-low { background: #e6f4ea; color: #0d652d; }
.risk-medium { background: #fef7e0; color: #7a4f01; }
.risk-high { background: #fce8e6; color: #a50e0e; }
.scale { display: block; width: 100%; max-width: 24rem; height: auto; margin: 0.75rem 0; }
.scale .zone-low { fill: #cfe9d6; }
.scale .zone-medium { fill: #fbe7b0; }
.scale .zone-high { fill: #f6c9c4; }
.scale .zone-range { fill: #e3ecfa; }
.scale .zone-interval { fill: #9fbff0; }
.scale .marker { stroke: #1b1b1b; stroke-width: 3; }
.class-bars { list-style: none; margin: 0.75rem 0; padding: 0; display: grid; gap: 0.35rem; max-width: 24rem; }
.class-bars li { display: grid; grid-template-columns: minmax(5rem, auto) 1fr 3.5rem; align-items: center; gap: 0.5rem; }
.class-bars li.predicted { font-weight: 700; }
.class-bars .bar { display: block; width: 100%; height: 0.9rem; }
.class-bars .track { fill: #e8eaee; }
.class-name { overflow-wrap: anywhere; }
.class-share { text-align: right; font-variant-numeric: tabular-nums; }
.scale text { font-size: 11px; fill: #3c4148; }
.facts { display: grid; grid-template-columns: 1fr; margin: 0.75rem 0 0; font-size: 0.9rem; }
.facts dt { color: #4a4f57; }
.facts dd { margin: 0 0 0.4rem; overflow-wrap: anywhere; }
@media (min-width: 40rem) {
  .facts { grid-template-columns: auto 1fr; gap: 0.15rem 1rem; }
  .facts dd { margin: 0; }
}

.charts { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); list-style: none; margin: 1rem 0 0; padding: 0; }
.chart { margin: 0; border: 1px solid #dfe2e7; border-radius: 0.4rem; padding: 0.5rem 0.6rem; background: #fff; }
.chart figcaption { font-size: 0.875rem; }
.chart figcaption strong { display: block; font-size: 0.95rem; }
.chart svg { display: block; width: 100%; height: auto; }
.chart .band { fill: #e3ecfa; }
.chart .axis { stroke: #6b7280; stroke-width: 1; }
.chart .threshold { stroke: #8a6d1f; stroke-width: 1; stroke-dasharray: 4 3; }
.chart .curve, .legend .curve { fill: none; stroke-width: 2.5; stroke-linejoin: round; }
.chart .mark { stroke-width: 3; }
.series-0 { stroke: #0b57d0; fill: #0b57d0; }
.series-1 { stroke: #b3261e; fill: #b3261e; stroke-dasharray: 6 3; }
.series-2 { stroke: #0d652d; fill: #0d652d; stroke-dasharray: 2 3; }
.series-3 { stroke: #7a4f01; fill: #7a4f01; stroke-dasharray: 8 3 2 3; }
.series-4 { stroke: #6a1b9a; fill: #6a1b9a; stroke-dasharray: 10 4; }
.series-5 { stroke: #3c4148; fill: #3c4148; stroke-dasharray: 1 2; }
.class-bars .fill { stroke: none; }
.legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; margin: 0.5rem 0 0; padding: 0; font-size: 0.9rem; }
.legend li { display: flex; align-items: center; gap: 0.4rem; }
.legend svg { width: 2rem; height: 0.6rem; }
.chart .now { fill: #1b1b1b; stroke: #fff; stroke-width: 1.5; }
.chart text { font-size: 10px; fill: #3c4148; }

.table-scroll { overflow-x: auto; margin-bottom: 1rem; }
table { border-collapse: collapse; font-size: 0.9rem; min-width: 100%; }
.table-title { font-weight: 600; margin: 0 0 0.4rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid #dfe2e7; }
thead th { border-bottom: 2px solid #6b7280; white-space: nowrap; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.figures figure { margin: 0; max-width: 20rem; }
.figures img { display: block; max-width: 100%; height: auto; border: 1px solid #dfe2e7; }
.figures figcaption { font-size: 0.875rem; color: #3c4148; }
.status { font-weight: 600; }
.status-ok { color: #0d652d; }
.status-drift { color: #a50e0e; }
.confusion td.diagonal { font-weight: 700; background: #e6f4ea; }
`;
