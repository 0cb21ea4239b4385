// Small, information-carrying badges: grade, severity, risk flags, fact source.
import type { Grade, Severity } from '../../app/model/schema.js';
import type { RiskFlag } from '../state/derive.js';

export function GradeBadge({ grade, score, large = false }: { grade: Grade | null; score: number | null; large?: boolean }) {
  const label = grade ?? '?';
  const title = score === null ? 'Not graded: facts missing' : `Grade ${label}, score ${Math.round(score)} of 100`;
  return (
    <span className={`grade grade-${label}${large ? ' grade-large' : ''}`} title={title} aria-label={title} data-testid="grade">
      {label}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`severity severity-${severity}`}>{severity}</span>;
}

/**
 * Risk flags, worst first (riskFlags orders them). In the table only the worst `limit` show, and a "+n" names the
 * rest; every flag's sentence is in the text for screen readers, not only in the tooltip.
 */
export function RiskFlags({ flags, limit }: { flags: readonly RiskFlag[]; limit?: number }) {
  if (flags.length === 0) return <span className="muted">none</span>;
  const shown = limit === undefined ? flags : flags.slice(0, limit);
  const hidden = flags.slice(shown.length);
  return (
    <span className="flags">
      {shown.map((flag) => (
        <span key={flag.kind} className={`flag flag-${flag.severity}`} title={flag.detail} data-flag={flag.kind} data-severity={flag.severity}>
          {flag.label}
          <span className="sr-only">: {flag.detail}.</span>
        </span>
      ))}
      {hidden.length > 0 ? (
        <span className="flag flag-more" title={hidden.map((f) => f.detail).join('\n')} data-testid="flags-more">
          +{hidden.length}
          <span className="sr-only"> more: {hidden.map((f) => f.detail).join('; ')}.</span>
        </span>
      ) : null}
    </span>
  );
}

/** The drill-down's flags, each with its sentence in view (no tooltip needed). */
export function RiskFlagList({ flags }: { flags: readonly RiskFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <ul className="flag-list" aria-label="Risk flags, worst first" data-testid="flag-list">
      {flags.map((flag) => (
        <li key={flag.kind} data-flag={flag.kind}>
          <span className={`flag flag-${flag.severity}`}>{flag.label}</span> <span className="muted">{flag.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export function SourceTag({ source }: { source: 'kernel' | 'config' | null }) {
  if (source === null) return null;
  const title = source === 'kernel' ? 'Read from the kernel (/proc, cgroupfs): what is actually in force' : 'Read from the engine\'s configuration (inspect): what was asked for';
  return (
    <span className={`source source-${source}`} title={title}>
      {source}
    </span>
  );
}
