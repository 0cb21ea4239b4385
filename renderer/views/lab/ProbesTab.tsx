// The drill-down's Probes tab: the harmless probes on a user's own container, each beside its predicted verdict; Run all or one by one.
import type { ProbeInfo } from '../../../app/api.js';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { useLabApi } from './lab-api.js';
import { outcomeText, outcomeTone, predictionCheck } from './lab-format.js';
import { PredictedCell } from './PredictedCell.js';
import { answerOutcome, useProbeCatalogue, useProbeRuns, type ProbeAnswer } from './probe-runs.js';

/** Why no probe can run on this container now, or null when they can. */
export function probesBlockedReason(container: ContainerIsolation, probes: readonly ProbeInfo[]): string | null {
  const unavailable = probes.find((probe) => probe.unavailable !== null)?.unavailable ?? null;
  if (unavailable !== null) return unavailable;
  if (container.state !== 'running') return `the container is ${container.state}: probes run inside a running container`;
  return null;
}

/** One answer as a line: the outcome (allowed chmod in plain grey, not alarm red) and the control that decided it. */
export function ProbeAnswerText({ answer, probe }: { answer: ProbeAnswer; probe: ProbeInfo }) {
  if ('failed' in answer) return <span className="gap">{answer.failed}</span>;
  if ('refused' in answer) return <span className="muted">refused: {answer.reason}</span>;
  return (
    <>
      <span className={`outcome outcome-${outcomeTone(answer.outcome, probe.operation)}`}>{outcomeText(answer)}</span> <span className="muted">— {answer.responsible}</span>
    </>
  );
}

export function ProbesTab({ container }: { container: ContainerIsolation }) {
  const api = useLabApi();
  const listed = useProbeCatalogue(api);
  const catalogue = listed.status === 'ok' ? listed.value : null;
  const listError = listed.status === 'error' ? listed.message : null;
  const { answers, running, queued, run } = useProbeRuns(api, container.id);
  // Destructive probes (fork, allocate) run only in the lab's own containers.
  const probes = (catalogue ?? []).filter((probe) => !probe.destructive);
  const blocked = catalogue ? probesBlockedReason(container, probes) : null;
  const busy = running !== null;
  const titles = new Map(container.findings.map((finding) => [finding.ruleId, finding.title]));

  return (
    <section className="probes-tab" data-testid="probes-panel">
      <p className="muted">
        Harmless actions run inside this container (docker exec), each beside what "What can it do?" predicts from the kernel's facts. Only the non-destructive ones run here, one at a time; the lab runs all of them on a throwaway container.
      </p>
      {listError ? <p className="gap">The probe catalogue could not be loaded: {listError}</p> : null}
      {catalogue === null && !listError ? <p className="muted">Loading the probes…</p> : null}
      {catalogue ? (
        <>
          <div className="probes-actions">
            <button type="button" className="primary" onClick={() => run(probes.map((probe) => probe.id))} disabled={busy || blocked !== null} aria-describedby={blocked ? 'probes-blocked' : undefined} data-testid="probes-run-all">
              {busy ? `Running ${queued.length + 1} more…` : `Run all ${probes.length}`}
            </button>
            {blocked ? (
              <span className="muted" id="probes-blocked" data-testid="probes-blocked">
                Probes are off: {blocked}.
              </span>
            ) : null}
          </div>
          <table className="plain probes-table">
            <thead>
              <tr>
                <th>Probe</th>
                <th>Predicted</th>
                <th>Observed</th>
                <th>
                  <span className="visually-hidden">Run</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {probes.map((probe) => {
                const answer = answers[probe.id];
                const observed = answer && 'outcome' in answer ? answer.outcome : null;
                // The prediction is shown before any run; whether it held, once the probe answered.
                const prediction = predictionCheck(container.operations, probe.operation, observed ?? 'error');
                const answered = probe.answers.filter((ruleId) => titles.has(ruleId));
                return (
                  <tr key={probe.id} data-testid="container-probe" data-probe={probe.id} data-outcome={answerOutcome(answer)} data-predicted={prediction?.predicted ?? ''} data-prediction-differs={prediction?.differs ?? false}>
                    <th scope="row">
                      {probe.title}
                      <div className="muted probe-description">{probe.description}</div>
                      {answered.length > 0 ? <div className="probe-answers">Tests: {answered.map((ruleId) => titles.get(ruleId)).join('; ')}</div> : null}
                    </th>
                    <PredictedCell check={prediction} />
                    <td data-testid="probe-observed">
                      {answer === undefined ? (queued.includes(probe.id) ? <span className="muted">queued</span> : null) : <ProbeAnswerText answer={answer} probe={probe} />}
                    </td>
                    <td>
                      <button type="button" onClick={() => run([probe.id])} disabled={busy || blocked !== null} aria-label={`Run probe: ${probe.title}`} data-testid="container-probe-run">
                        {running === probe.id ? 'Running…' : answer ? 'Run again' : 'Run'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
