// Two containers side by side: every fact as a row (changed rows marked, the better side named), findings by side, the score delta.
import { useState } from 'react';
import type { ContainerDiff, DiffRow, DiffSide } from '../../../app/lab/diff.js';
import { factText, GROUP_LABELS } from './fact-text.js';
import type { Finding, Snapshot } from '../../../app/model/schema.js';
import { GradeBadge, SeverityBadge } from '../../components/badges.js';
import { sortFindings } from '../../state/derive.js';
import { shortId } from '../../state/format.js';
import { navigate, routeHref } from '../../state/route.js';
import { useLabApi } from '../lab/lab-api.js';
import { useLoaded } from '../../state/use-loaded.js';
import { signedDelta } from '../lab/lab-format.js';

function SideHead({ side, label }: { side: DiffSide; label: string }) {
  return (
    <div className="compare-side">
      <GradeBadge grade={side.grade} score={side.score} large />
      <div>
        <div className="muted">{label}</div>
        <a href={routeHref({ view: 'container', id: side.id, tab: 'findings' })} className="compare-name">
          {side.name}
        </a>
        <div className="muted mono">
          {side.image} · {shortId(side.id)} · score {side.score === null ? '—' : Math.round(side.score)}
        </div>
      </div>
    </div>
  );
}

/** The score and grade change from A to B, as the header reads it. */
export function ScoreDelta({ delta, from, to, testId = 'score-delta' }: { delta: number | null; from: DiffSide['grade']; to: DiffSide['grade']; testId?: string }) {
  const tone = delta === null || Math.round(delta) === 0 ? 'tone-muted' : delta > 0 ? 'tone-good' : 'tone-bad';
  return (
    <div className={`score-delta ${tone}`} data-testid={testId} data-delta={delta === null ? '' : Math.round(delta)}>
      <span className="score-delta-value">{signedDelta(delta)}</span>
      <span className="muted">
        {' '}
        score · grade {from ?? '?'} → {to ?? '?'}
      </span>
    </div>
  );
}

/** What each side is called in the table: "A" and "B" in the compare view, "previous run" and "this run" in the lab. */
export interface SideNames {
  a: string;
  b: string;
}

function DiffRowView({ row, sides }: { row: DiffRow; sides: SideNames }) {
  const text = factText(row.fact);
  return (
    <tr className={row.changed ? 'diff-changed' : undefined} data-testid="diff-row" data-fact={row.fact} data-changed={row.changed} data-better={row.better ?? ''}>
      <th scope="row">
        {text.label}
        <div className="muted mono diff-fact-path">{row.fact}</div>
      </th>
      <td className={row.better === 'a' ? 'diff-better' : undefined}>{text.format(row.a)}</td>
      <td className={row.better === 'b' ? 'diff-better' : undefined}>{text.format(row.b)}</td>
      <td className="diff-verdict">{row.better === null ? (row.changed ? <span className="muted">differs</span> : null) : <span className="tone-good">{sides[row.better]} isolates better</span>}</td>
    </tr>
  );
}

function FindingList({ title, findings, testId }: { title: string; findings: Finding[]; testId: string }) {
  return (
    <section className="card compare-findings" data-testid={testId}>
      <h3>
        {title} ({findings.length})
      </h3>
      {findings.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul>
          {sortFindings(findings).map((finding, index) => (
            <li key={`${finding.ruleId}-${index}`} data-rule={finding.ruleId}>
              <SeverityBadge severity={finding.severity} /> {finding.title} <code className="rule-id">{finding.ruleId}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The side-by-side diff table, also used by the lab for "previous run vs this run". */
export function DiffTable({ diff, labelA, labelB, sides, onlyChanged }: { diff: ContainerDiff; labelA: string; labelB: string; sides: SideNames; onlyChanged: boolean }) {
  const rows = onlyChanged ? diff.rows.filter((row) => row.changed) : diff.rows;
  const groups = [...new Set(rows.map((row) => row.group))];
  return (
    <table className="plain diff-table" data-testid="diff-table">
      <colgroup>
        <col className="diff-col-fact" />
        <col className="diff-col-side" />
        <col className="diff-col-side" />
        <col className="diff-col-verdict" />
      </colgroup>
      <thead>
        <tr>
          <th>Fact</th>
          <th>{labelA}</th>
          <th>{labelB}</th>
          <th className="diff-verdict">Better</th>
        </tr>
      </thead>
      {groups.map((group) => (
        <tbody key={group}>
          <tr className="diff-group">
            <th colSpan={4}>{GROUP_LABELS[group] ?? group}</th>
          </tr>
          {rows
            .filter((row) => row.group === group)
            .map((row) => (
              <DiffRowView key={row.fact} row={row} sides={sides} />
            ))}
        </tbody>
      ))}
      {rows.length === 0 ? (
        <tbody>
          <tr>
            <td colSpan={4} className="muted">
              No fact differs.
            </td>
          </tr>
        </tbody>
      ) : null}
    </table>
  );
}

/** One side's container: every running one, plus the chosen id marked as gone when it no longer runs. */
function ContainerPicker({ value, containers, onPick, testId }: { value: string; containers: Snapshot['containers']; onPick: (id: string) => void; testId: string }) {
  return (
    <select value={value} onChange={(e) => onPick(e.target.value)} data-testid={testId}>
      {containers.some((c) => c.id === value) ? null : <option value={value}>{shortId(value)} (gone)</option>}
      {containers.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </select>
  );
}

export function CompareView({ snapshot, idA, idB }: { snapshot: Snapshot; idA: string; idB: string }) {
  const api = useLabApi();
  // The diff is computed from the latest scan: asked again when a new snapshot arrives, the old one shown meanwhile.
  const load = useLoaded(() => api.diffContainers(idA, idB), [api, idA, idB], [snapshot.generatedAt]);
  const [onlyChanged, setOnlyChanged] = useState(false);

  const others = snapshot.containers;
  return (
    <div className="compare" data-testid="compare-view">
      <nav className="crumbs">
        <a href={routeHref({ view: 'containers' })}>← All containers</a>
      </nav>
      <div className="compare-pickers">
        <label>
          A{' '}
          <ContainerPicker value={idA} containers={others} onPick={(id) => navigate({ view: 'compare', idA: id, idB })} testId="compare-pick-a" />
        </label>
        <button type="button" onClick={() => navigate({ view: 'compare', idA: idB, idB: idA })} data-testid="compare-swap">
          Swap ⇄
        </button>
        <label>
          B{' '}
          <ContainerPicker value={idB} containers={others} onPick={(id) => navigate({ view: 'compare', idA, idB: id })} testId="compare-pick-b" />
        </label>
      </div>
      {load.status === 'loading' ? (
        <p className="state-message" role="status">
          <span className="spinner" aria-hidden="true" /> Comparing…
        </p>
      ) : null}
      {load.status === 'error' ? <p className="gap" data-testid="compare-error">The two containers could not be compared: {load.message}</p> : null}
      {load.status === 'ok' ? (
        <>
          <header className="compare-head">
            <SideHead side={load.value.a} label="A" />
            <ScoreDelta delta={load.value.scoreDelta} from={load.value.a.grade} to={load.value.b.grade} />
            <SideHead side={load.value.b} label="B" />
          </header>
          <p className="compare-legend" data-testid="compare-legend">
            <strong>A</strong> is <span className="mono">{load.value.a.name}</span>, <strong>B</strong> is <span className="mono">{load.value.b.name}</span>.
          </p>
          <p className="muted">
            {load.value.rows.filter((r) => r.changed).length} of {load.value.rows.length} facts differ. The score delta is B minus A: positive when B isolates better.{' '}
            <label>
              <input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} data-testid="compare-only-changed" /> only differences
            </label>
          </p>
          <div className="compare-findings-grid">
            <FindingList title={`Only in A (${load.value.a.name})`} findings={load.value.findings.onlyInA} testId="findings-only-a" />
            <FindingList title="In both" findings={load.value.findings.inBoth.map((pair) => pair.a)} testId="findings-both" />
            <FindingList title={`Only in B (${load.value.b.name})`} findings={load.value.findings.onlyInB} testId="findings-only-b" />
          </div>
          <DiffTable diff={load.value} labelA={`A · ${load.value.a.name}`} labelB={`B · ${load.value.b.name}`} sides={{ a: 'A', b: 'B' }} onlyChanged={onlyChanged} />
        </>
      ) : null}
    </div>
  );
}
