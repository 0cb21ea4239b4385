// Limits of one container beside its live usage, then five minutes of live charts.
import { useDeferredValue, useMemo } from 'react';
import type { ContainerIsolation, EffectiveLimit } from '../../../app/model/schema.js';
import { appliedLimit, limitIsInherited } from '../../../app/model/limits.js';
import { LiveCharts } from '../../charts/LiveCharts.js';
import { FactNotes } from '../../components/FactNotes.js';
import { Gauge } from '../../components/Gauge.js';
import { SourceTag } from '../../components/badges.js';
import { sourceOf } from '../../state/derive.js';
import { formatBytes, formatPercent } from '../../state/format.js';
import { useStats } from '../../state/hooks.js';

export function ResourcesTab({ container }: { container: ContainerIsolation }) {
  const samples = useStats(container.id);
  // The five charts re-render every second; as a deferred value that render is interruptible (time-sliced by React),
  // so a new sample never blocks input or scrolling for the tens of milliseconds recharts needs.
  const deferred = useDeferredValue(samples);
  const last = samples.at(-1);
  const { cgroup } = container;
  // Gauges against the limit that applies (the tightest over the container's cgroup and its ancestors).
  const memory = appliedLimit(container, 'memoryLimitBytes');
  const pids = appliedLimit(container, 'pidsLimit');
  const cpu = appliedLimit(container, 'cpuQuotaCores');
  // The sampler reads the container's own limit each second; an ancestor's (from the scan) caps it when tighter.
  const chartSamples = useMemo(() => {
    if (!limitIsInherited(container, memory) && !limitIsInherited(container, pids)) return deferred;
    const tighter = (own: number | null, above: EffectiveLimit) => (limitIsInherited(container, above) && above.value !== null && (own === null || above.value < own) ? above.value : own);
    return deferred.map((sample) => ({ ...sample, memoryLimitBytes: tighter(sample.memoryLimitBytes, memory), pidsLimit: tighter(sample.pidsLimit, pids) }));
  }, [deferred, container, memory, pids]);
  const cpuLimitPercent = cpu.value === null ? null : cpu.value * 100;
  return (
    <div className="resources">
      <div className="gauges" data-testid="resource-gauges">
        <Gauge label="Memory (working set)" used={last?.memoryBytes} limit={memory.value} format={(v) => formatBytes(v)} testId="gauge-memory" />
        <Gauge label="Processes" used={last?.pids} limit={pids.value} format={(v) => (v === null ? '—' : String(v))} testId="gauge-pids" />
        <Gauge label="CPU" used={last?.cpuPercent} limit={cpuLimitPercent} format={(v) => formatPercent(v, 0)} testId="gauge-cpu" />
        <p className="muted">
          cgroup v{cgroup.version ?? '?'} <span className="mono">{cgroup.path ?? ''}</span> · cpuset {cgroup.cpusetCpus ?? 'all CPUs'} <SourceTag source={sourceOf(container, 'cgroup')} />
        </p>
        <FactNotes container={container} fact="cgroup" />
      </div>
      <table className="plain limits-table" data-testid="effective-limits">
        <caption>Limits that apply, and which cgroup sets each (a parent&apos;s limit caps all its children)</caption>
        <tbody>
          <LimitRow container={container} label="Memory" limit={memory} own={cgroup.memoryLimitBytes} format={(v) => formatBytes(v)} />
          <LimitRow container={container} label="CPU" limit={cpu} own={cgroup.cpuQuotaCores} format={(v) => `${v} core${v === 1 ? '' : 's'}`} />
          <LimitRow container={container} label="Processes" limit={pids} own={cgroup.pidsLimit} format={(v) => String(v)} />
          <tr data-testid="limit-hits">
            <th scope="row">Hits</th>
            <td colSpan={2}>
              OOM kills {last?.oomKills ?? '—'} · forks refused at the process limit {last?.pidsMaxHits ?? '—'}
            </td>
          </tr>
        </tbody>
      </table>
      <LiveCharts samples={chartSamples} cpuQuotaCores={cpu.value} />
    </div>
  );
}

function LimitRow({ container, label, limit, own, format }: { container: ContainerIsolation; label: string; limit: EffectiveLimit; own: number | null; format: (value: number) => string }) {
  const inherited = limitIsInherited(container, limit);
  return (
    <tr data-limit={label}>
      <th scope="row">{label}</th>
      <td className={limit.value === null ? 'tone-warn' : 'tone-good'}>{limit.value === null ? 'no limit at any level' : format(limit.value)}</td>
      <td>
        {limit.setBy === null ? null : inherited ? (
          <>
            set by the ancestor <span className="mono">{limit.setBy}</span>
            {own === null ? ' (none of its own)' : ` (its own: ${format(own)})`}
          </>
        ) : (
          'set by its own cgroup'
        )}
      </td>
    </tr>
  );
}
