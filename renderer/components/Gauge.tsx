// Usage against a limit as a bar; an absent limit is shown as such, because "unlimited" is itself a finding.
export function Gauge({ label, used, limit, format, testId }: {
  label: string;
  used: number | null | undefined;
  limit: number | null;
  format: (value: number | null) => string;
  testId?: string;
}) {
  const fraction = used !== null && used !== undefined && limit ? Math.min(1, used / limit) : null;
  const level = fraction === null ? 'none' : fraction > 0.9 ? 'critical' : fraction > 0.7 ? 'warn' : 'ok';
  return (
    <div className="gauge" data-testid={testId}>
      <div className="gauge-label">
        <span>{label}</span>
        <span>
          {format(used ?? null)} {limit === null ? <span className="unlimited">· no limit</span> : <><span className="muted">of</span> {format(limit)}</>}
          {fraction !== null ? <span className="muted"> ({Math.round(fraction * 100)} %)</span> : null}
        </span>
      </div>
      <div className="gauge-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit ?? undefined} aria-valuenow={used ?? undefined}>
        {fraction !== null ? <div className={`gauge-fill gauge-${level}`} style={{ width: `${fraction * 100}%` }} /> : <div className="gauge-unlimited" />}
      </div>
    </div>
  );
}
