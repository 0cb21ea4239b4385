// The HTML report: one self-contained, script-free file a reviewer attaches to a ticket; every text node escaped.
import { ISOLENS_VERSION } from '../version.js';
import { SEVERITIES, type ContainerIsolation, type Finding, type Gap, type Grade, type Snapshot } from '../model/schema.js';
import {
  GRADES,
  countBySeverity,
  describeEngine,
  gradeDistribution,
  isAssessed,
  keyFacts,
  sortFindings,
  sortWorstFirst,
  type SeverityCounts,
} from './facts.js';
import { displayValue, escapeHtml } from './text.js';
import { describeGroupFacts, groupGaps, permissionHeadline } from './gaps.js';
import { boundText } from '../model/text.js';

/** No network, no script, no frames: styles inline, images only as data: URIs (there are none today). */
export const HTML_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Markup built by the `html` tag; the only way text reaches the page unescaped. */
class Markup {
  constructor(readonly text: string) {}
}

/** Template tag: every interpolated value goes through escapeHtml unless it is already Markup (or a list of it). */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let text = strings[0]!;
  values.forEach((value, index) => {
    text += interpolate(value) + strings[index + 1]!;
  });
  return new Markup(text);
}

function interpolate(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

const version = ISOLENS_VERSION;

export function renderHtml(snapshot: Snapshot): string {
  const containers = sortWorstFirst(snapshot.containers);
  const assessed = isAssessed(snapshot);
  const anchors = new Map(containers.map((container, index) => [container, `container-${index + 1}`]));
  const allFindings = [...snapshot.host.findings, ...containers.flatMap((c) => c.findings)];
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${new Markup(HTML_CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="Isolens ${version}">
<title>Isolens report: ${containers.length} container${containers.length === 1 ? '' : 's'}, ${snapshot.generatedAt}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<header>
<h1>Isolens isolation report</h1>
<p class="meta">Scanned ${snapshot.generatedAt} · ${containers.length} running container${containers.length === 1 ? '' : 's'} · Isolens ${version}</p>
</header>
<main>
${summarySection(snapshot, containers, assessed, allFindings)}
${overviewSection(containers, anchors, assessed)}
${assessed ? hostSection(snapshot) : null}
<section aria-labelledby="containers-heading">
<h2 id="containers-heading">Containers, worst first</h2>
${containers.length === 0 ? html`<p>No running containers.</p>` : containers.map((container) => containerSection(container, anchors.get(container)!, assessed))}
</section>
${gapsSection(snapshot, containers, anchors)}
</main>
<footer><p>Isolens reads the engine's configuration and the kernel's view of each container (/proc, cgroupfs); it changes nothing. Facts marked <em>kernel</em> are what the kernel applied; <em>config</em> is what the engine was asked for.</p></footer>
</body>
</html>
`;
  return page.text;
}

function gradeBadge(grade: Grade | null, score: number | null): Markup {
  if (grade === null) return html`<span class="grade grade-none" title="not graded">–</span>`;
  return html`<span class="grade grade-${grade}" title="grade ${grade}${score === null ? '' : `, score ${score} of 100`}">${grade}</span>`;
}

/** Severities that count: info findings cost nothing and are not counted, as in the app. */
const COUNTED = SEVERITIES.filter((s) => s !== 'info');

function severityChips(counts: SeverityCounts, withZero = false): Markup {
  return html`<span class="chips">${COUNTED.filter((s) => withZero || counts[s] > 0).map(
    (severity) => html`<span class="chip sev-${severity}${counts[severity] === 0 ? ' zero' : ''}">${counts[severity]} ${severity}</span>`,
  )}</span>`;
}

function counted(findings: readonly Finding[]): number {
  return findings.filter((f) => f.severity !== 'info').length;
}

function summarySection(snapshot: Snapshot, containers: readonly ContainerIsolation[], assessed: boolean, allFindings: readonly Finding[]): Markup {
  const engine = snapshot.engine;
  const distribution = gradeDistribution(containers);
  const total = containers.length || 1;
  const yesNo = (value: boolean | null, yes = 'yes', no = 'no') => (value === null ? 'unknown' : value ? yes : no);
  return html`<section class="summary" aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<div class="cards">
<div class="card">
<h3>Host</h3>
${assessed
    ? html`<p class="big">${gradeBadge(snapshot.host.grade, snapshot.host.score)} <span>${snapshot.host.score === null ? 'not scored' : html`score <strong>${snapshot.host.score}</strong> / 100`}</span></p>
<p>${counted(snapshot.host.findings)} host finding${counted(snapshot.host.findings) === 1 ? '' : 's'} ${severityChips(countBySeverity(snapshot.host.findings))}</p>`
    : html`<p>Risk not assessed: this snapshot has facts only.</p>`}
</div>
<div class="card">
<h3>Containers by grade</h3>
<div class="bar" role="img" aria-label="${GRADES.map((g) => `${distribution[g]} ${g}`).join(', ')}">${[...GRADES, 'none' as const]
    .filter((g) => distribution[g] > 0)
    .map((g) => html`<span class="grade-${g}" style="width:${((distribution[g] / total) * 100).toFixed(2)}%"></span>`)}</div>
<p class="legend">${[...GRADES, ...(distribution.none > 0 ? (['none'] as const) : [])].map((g) => html`<span><span class="swatch grade-${g}"></span>${g === 'none' ? 'not graded' : g} <strong>${distribution[g]}</strong></span> `)}</p>
</div>
<div class="card">
<h3>Findings</h3>
<p class="big"><strong>${counted(allFindings)}</strong> finding${counted(allFindings) === 1 ? '' : 's'}${allFindings.length > counted(allFindings) ? html` <span class="score">and ${allFindings.length - counted(allFindings)} for information</span>` : ''}</p>
<p>${severityChips(countBySeverity(allFindings), true)}</p>
</div>
</div>
<details class="engine" open>
<summary>Engine: ${describeEngine(engine).join(' · ')}</summary>
<dl class="facts">
<dt>Kind</dt><dd>${engine.kind ?? 'unknown'} ${engine.version ?? ''}${engine.name ? ` on ${engine.name}` : ''}</dd>
<dt>API</dt><dd>${engine.apiVersion ?? 'unknown'}</dd>
<dt>Endpoint</dt><dd><code>${engine.endpoint}</code> (${engine.endpointSource}${engine.tls ? ', TLS' : ', no TLS'})</dd>
<dt>Operating system</dt><dd>${engine.os ?? 'unknown'}, kernel ${engine.kernelVersion ?? 'unknown'}</dd>
<dt>Rootless</dt><dd>${yesNo(engine.rootless)}</dd>
<dt>User namespace remap</dt><dd>${yesNo(engine.userNamespaceRemap, 'on', 'off')}</dd>
<dt>cgroup</dt><dd>${engine.cgroupVersion === null ? 'unknown' : `v${engine.cgroupVersion}`}${engine.cgroupDriver ? ` (${engine.cgroupDriver} driver)` : ''}</dd>
<dt>Security options</dt><dd>${engine.securityOptions.length === 0 ? 'none reported' : engine.securityOptions.map((option) => html`<code>${option}</code> `)}</dd>
<dt>Live restore</dt><dd>${yesNo(engine.liveRestore, 'on', 'off')}</dd>
<dt>Inter-container traffic on the default bridge</dt><dd>${yesNo(engine.iccOnDefaultBridge, 'allowed', 'blocked')}</dd>
<dt>Default runtime</dt><dd>${engine.defaultRuntime ?? 'unknown'}</dd>
<dt>Kernel facts</dt><dd>${engine.local ? 'read from this host (/proc, cgroupfs)' : 'not readable: the engine is remote or in a VM, facts come from its configuration only'}</dd>
</dl>
</details>
</section>`;
}

function overviewSection(containers: readonly ContainerIsolation[], anchors: Map<ContainerIsolation, string>, assessed: boolean): Markup {
  if (containers.length === 0) return html``;
  return html`<section aria-labelledby="overview-heading">
<h2 id="overview-heading">Overview</h2>
<table class="overview">
<colgroup><col class="c-grade"><col class="c-score"><col class="c-name"><col class="c-image">${COUNTED.map(() => html`<col class="c-count">`)}</colgroup>
<thead><tr><th>Grade</th><th>Score</th><th>Container</th><th>Image</th>${COUNTED.map((s) => html`<th class="num">${s}</th>`)}</tr></thead>
<tbody>
${containers.map((container) => {
    const counts = countBySeverity(container.findings);
    return html`<tr><td>${gradeBadge(container.grade, container.score)}</td><td class="num">${container.score ?? '–'}</td><td><a href="#${anchors.get(container)!}">${container.name}</a></td><td><code>${container.image}</code></td>${COUNTED.map(
      (s) => html`<td class="num${counts[s] > 0 ? ` sev-text-${s}` : ' zero'}">${assessed ? counts[s] : '–'}</td>`,
    )}</tr>
`;
  })}</tbody>
</table>
</section>`;
}

function hostSection(snapshot: Snapshot): Markup {
  return html`<section aria-labelledby="host-heading">
<h2 id="host-heading">Host findings ${gradeBadge(snapshot.host.grade, snapshot.host.score)}</h2>
${snapshot.host.findings.length === 0 ? html`<p>No host findings.</p>` : sortFindings(snapshot.host.findings).map(findingBlock)}
</section>`;
}

function containerSection(container: ContainerIsolation, anchor: string, assessed: boolean): Markup {
  const counts = countBySeverity(container.findings);
  const facts = keyFacts(container);
  const labels = Object.entries(container.labels);
  return html`<section class="container" id="${anchor}">
<details open>
<summary><h3>${gradeBadge(container.grade, container.score)} <span class="name">${container.name}</span> ${container.score === null ? '' : html`<span class="score">${container.score} / 100</span>`} ${severityChips(counts)}</h3></summary>
<dl class="facts">
<dt>Image</dt><dd><code>${container.image}</code></dd>
<dt>Id</dt><dd><code>${container.id.slice(0, 12)}</code> · ${container.state}${container.pid === null ? '' : `, pid ${container.pid}`}</dd>
<dt>Command</dt><dd>${boundedCode(container.command.join(' '))}</dd>
${facts.map((fact) => html`<dt>${fact.label}</dt><dd${fact.weakens ? html` class="weak"` : ''}>${fact.value}</dd>`)}
${container.mismatches.length > 0 ? html`<dt>Engine vs kernel</dt><dd class="weak">${container.mismatches.map((m) => html`<span class="mismatch"><code>${m.fact}</code>: kernel ${m.kernel}, engine ${m.config}</span> `)}</dd>` : null}
</dl>
${labels.length > 0
    ? html`<details class="labels"><summary>Labels (${labels.length}): text set by whoever started the container</summary><table><tbody>${labels.map(([key, value]) => html`<tr><th>${boundedCode(key)}</th><td>${boundedCode(value)}</td></tr>`)}</tbody></table></details>`
    : null}
${assessed
    ? container.findings.length === 0
      ? html`<p class="none">No findings.</p>`
      : html`<h4>Findings (${container.findings.length})</h4>${sortFindings(container.findings).map(findingBlock)}`
    : null}
${container.gaps.length > 0 ? html`<h4>Not read</h4>${gapList(container.gaps)}` : null}
</details>
</section>`;
}

function findingBlock(finding: Finding): Markup {
  const { text, dockerRun, compose } = finding.remediation;
  const open = finding.severity === 'critical' || finding.severity === 'high';
  return html`<details class="finding sev-border-${finding.severity}"${open ? html` open` : ''}>
<summary><span class="chip sev-${finding.severity}">${finding.severity}</span> <span class="title">${finding.title}</span> <code class="rule">${finding.ruleId}</code></summary>
<div class="body">
<p>${finding.rationale}</p>
${finding.evidence.length > 0
    ? html`<table class="evidence"><thead><tr><th>Evidence</th><th>Value</th><th>Source</th></tr></thead><tbody>${finding.evidence.map(
        (e) => html`<tr><td><code>${e.fact}</code></td><td>${boundedCode(displayValue(e.value))}</td><td><span class="source source-${e.source}">${e.source}</span></td></tr>`,
      )}</tbody></table>`
    : null}
<p class="refs">${finding.cis ? html`<span>CIS Docker Benchmark v1.6.0 <strong>${finding.cis}</strong></span>` : html`<span>No CIS control</span>`}${finding.attack.length > 0 ? html` · <span>MITRE ATT&amp;CK ${finding.attack.map((t, i) => html`${i > 0 ? ', ' : ''}<strong>${t}</strong>`)}</span>` : ''}</p>
<div class="fix"><p><strong>Fix:</strong> ${text}</p>
${dockerRun || compose
    ? html`<dl>${dockerRun ? html`<dt>docker run</dt><dd><code>${dockerRun}</code></dd>` : null}${compose ? html`<dt>compose</dt><dd><code>${compose}</code></dd>` : null}</dl>`
    : null}
</div>
</div>
</details>
`;
}

/** Attacker text as code, at most SHOWN_TEXT_LIMIT code points, saying how much was left out. */
function boundedCode(text: string): Markup {
  const bounded = boundText(text);
  return bounded.omitted === 0 ? html`<code>${text}</code>` : html`<code>${bounded.text}</code><span class="omitted"> … ${bounded.omitted.toLocaleString('en-US')} more characters</span>`;
}

function gapList(gaps: readonly Gap[]): Markup {
  return html`<ul class="gaps">${gaps.map((gap) => html`<li><code>${gap.fact}</code>: ${gap.reason}</li>`)}</ul>`;
}

function gapsSection(snapshot: Snapshot, containers: readonly ContainerIsolation[], anchors: Map<ContainerIsolation, string>): Markup {
  const groups = groupGaps({ gaps: snapshot.gaps, containers });
  if (groups.length === 0) return html``;
  const limited = permissionHeadline({ gaps: snapshot.gaps, containers });
  const byName = new Map(containers.map((container) => [container.name, container]));
  const link = (name: string) => {
    const container = byName.get(name);
    return container ? html`<a href="#${anchors.get(container)!}">${name}</a>` : html`${name}`;
  };
  return html`<section aria-labelledby="gaps-heading">
<h2 id="gaps-heading">What was not read, and why</h2>
${limited ? html`<p class="limited"><strong>Limited:</strong> ${limited}</p>` : null}
<table class="gaps-table"><thead><tr><th>Where</th><th>Fact</th><th>Reason</th></tr></thead><tbody>
${groups.map((group) => html`<tr><td>${group.scan ? 'the scan' : group.containers.map((name, index) => html`${index > 0 ? ', ' : ''}${link(name)}`)}</td><td><code>${describeGroupFacts(group)}</code></td><td>${group.reason}</td></tr>`)}
</tbody></table>
</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--card:#f6f8fa;--line:#d0d7de;--code:#eff1f3;
--critical:#9f1239;--high:#c81e1e;--medium:#92400e;--low:#1d4ed8;--info:#5d6673;
--fill-critical:#9f1239;--fill-high:#dc2626;--fill-medium:#b45309;--fill-low:#2563eb;--fill-info:#6b7280;
--A:#15803d;--B:#4d7c0f;--C:#a16207;--D:#c2410c;--E:#dc2626;--F:#9f1239;--none:#6b7280}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--card:#161b22;--line:#30363d;--code:#1f242c;
--critical:#fb7185;--high:#f87171;--medium:#fbbf24;--low:#93c5fd;--info:#9ca3af}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:1.5rem;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
h1{margin:0 0 .25rem;font-size:1.6rem}h2{margin:2rem 0 .75rem;font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{margin:0;font-size:1.05rem;display:inline-flex;flex-wrap:wrap;align-items:center;gap:.5rem}h4{margin:1rem 0 .5rem;font-size:.95rem}
.meta,footer{color:var(--muted)}footer{margin-top:3rem;font-size:.85rem;border-top:1px solid var(--line);padding-top:.75rem}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:.05rem .3rem;border-radius:4px;white-space:pre-wrap}
a{color:var(--low)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem}.card h3{font-size:.9rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card p{margin:.5rem 0}.big{font-size:1.2rem;display:flex;align-items:center;gap:.6rem}
.grade{display:inline-grid;place-items:center;min-width:1.9em;height:1.9em;border-radius:6px;color:#fff;font-weight:700;font-size:1rem;line-height:1}
.big .grade{font-size:1.6rem}
.grade-A{background:var(--A)}.grade-B{background:var(--B)}.grade-C{background:var(--C)}.grade-D{background:var(--D)}.grade-E{background:var(--E)}.grade-F{background:var(--F)}.grade-none{background:var(--none)}
.bar{display:flex;height:.9rem;border-radius:4px;overflow:hidden;background:var(--line);margin:.75rem 0 .5rem}.bar span{display:block;height:100%}
.legend{display:flex;flex-wrap:wrap;gap:.25rem .9rem;font-size:.85rem}.swatch{display:inline-block;width:.7em;height:.7em;border-radius:2px;margin-right:.3em}
.chips{display:inline-flex;flex-wrap:wrap;gap:.3rem;vertical-align:middle}
.chip{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.78rem;font-weight:600;color:#fff;white-space:nowrap;text-transform:uppercase;letter-spacing:.02em}
.chip.zero{opacity:.35}
.sev-critical{background:var(--fill-critical)}.sev-high{background:var(--fill-high)}.sev-medium{background:var(--fill-medium)}.sev-low{background:var(--fill-low)}.sev-info{background:var(--fill-info)}
.sev-text-critical{color:var(--critical);font-weight:700}.sev-text-high{color:var(--high);font-weight:700}.sev-text-medium{color:var(--medium);font-weight:600}.sev-text-low{color:var(--low)}.sev-text-info{color:var(--info)}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);white-space:nowrap}.num{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:var(--muted)}
.overview{table-layout:fixed}.overview th{text-transform:capitalize}.overview td{overflow-wrap:anywhere}
.c-grade{width:4.5rem}.c-score{width:4rem}.c-name{width:34%}.c-count{width:5rem}
details>summary{cursor:pointer}
details.engine{margin-top:1rem;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.5rem 1rem}
details.engine>summary{font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:.75rem 0}dl.facts dt{color:var(--muted)}dl.facts dt::first-letter{text-transform:uppercase}dl.facts dd{margin:0;overflow-wrap:anywhere}
dd.weak{color:var(--high);font-weight:600}
section.container{border:1px solid var(--line);border-radius:8px;margin:0 0 1rem;padding:.6rem 1rem;break-inside:auto}
section.container>details>summary{list-style-position:outside;margin-left:1rem}
.score{color:var(--muted);font-weight:400;font-size:.9rem}
details.finding{border-left:4px solid var(--line);background:var(--card);border-radius:0 6px 6px 0;margin:.5rem 0;padding:.4rem .75rem;break-inside:avoid}
details.finding>summary{display:list-item}details.finding .title{font-weight:600}code.rule{font-size:12px;color:var(--muted)}
.sev-border-critical{border-left-color:var(--critical)!important}.sev-border-high{border-left-color:var(--high)!important}.sev-border-medium{border-left-color:var(--medium)!important}.sev-border-low{border-left-color:var(--low)!important}.sev-border-info{border-left-color:var(--info)!important}
.finding .body p{margin:.5rem 0}.evidence{margin:.5rem 0;background:var(--bg);table-layout:fixed}.evidence th:first-child{width:32%}.evidence th:last-child{width:6.5rem}.evidence td{overflow-wrap:anywhere}.refs{color:var(--muted);font-size:.88rem}
.source{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;padding:0 .35rem;border:1px solid var(--line);border-radius:4px}.source-kernel{border-color:var(--A);color:var(--A)}
.fix{border:1px dashed var(--A);border-radius:6px;padding:.25rem .75rem;margin:.5rem 0 .25rem;background:var(--bg)}
.fix dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem .75rem;margin:.25rem 0 .5rem}.fix dt{color:var(--muted)}.fix dd{margin:0;overflow-wrap:anywhere}
details.labels{margin:.5rem 0}details.labels>summary{color:var(--muted);font-size:.88rem}
ul.gaps{margin:.25rem 0;padding-left:1.25rem}.omitted{color:var(--muted)}.none{color:var(--muted)}
@media print{
:root{color-scheme:light}body{max-width:none;padding:0;font-size:11pt;background:#fff;color:#000}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}details>summary::-webkit-details-marker{display:none}
section.container{break-inside:auto;border:none;border-top:2px solid #888;border-radius:0;padding:.5rem 0}
a{color:inherit;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
