// Limits of one container beside its live usage, then five minutes of live charts.
import { useDeferredValue } from 'react';
import type { ContainerIsolation } from '../../../app/model/schema.js';
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
  const chartSamples = useDeferredValue(samples);
  const last = samples.at(-1);
  const { cgroup } = container;
  const cpuLimitPercent = cgroup.cpuQuotaCores === null ? null : cgroup.cpuQuotaCores * 100;
  return (
    <div className="resources">
      <div className="gauges" data-testid="resource-gauges">
        <Gauge label="Memory" used={last?.memoryBytes} limit={cgroup.memoryLimitBytes} format={(v) => formatBytes(v)} testId="gauge-memory" />
        <Gauge label="Processes" used={last?.pids} limit={cgroup.pidsLimit} format={(v) => (v === null ? '—' : String(v))} testId="gauge-pids" />
        <Gauge label="CPU" used={last?.cpuPercent} limit={cpuLimitPercent} format={(v) => formatPercent(v, 0)} testId="gauge-cpu" />
        <p className="muted">
          cgroup v{cgroup.version ?? '?'} <span className="mono">{cgroup.path ?? ''}</span> · cpuset {cgroup.cpusetCpus ?? 'all CPUs'} <SourceTag source={sourceOf(container, 'cgroup')} />
        </p>
        <FactNotes container={container} fact="cgroup" />
      </div>
      <LiveCharts samples={chartSamples} cpuQuotaCores={cgroup.cpuQuotaCores} />
    </div>
  );
}
