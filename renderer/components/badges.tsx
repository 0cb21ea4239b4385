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

export function RiskFlags({ flags }: { flags: readonly RiskFlag[] }) {
  if (flags.length === 0) return <span className="muted">none</span>;
  return (
    <span className="flags">
      {flags.map((flag) => (
        <span key={flag.kind} className={`flag flag-${flag.kind}`} title={flag.detail} aria-label={flag.detail} data-flag={flag.kind}>
          {flag.label}
        </span>
      ))}
    </span>
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
