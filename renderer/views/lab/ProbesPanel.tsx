// Probes on a user's own container: only the non-destructive ones, one at a time, each on an explicit click.
import { useEffect, useState } from 'react';
import type { ProbeInfo } from '../../../app/api.js';
import type { ProbeResult, RunProbeRefusal } from '../../../app/lab/probes.js';
import type { ProbeId } from '../../../app/model/lab.js';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { errorText, useLabApi } from './lab-api.js';
import { outcomeText } from './lab-format.js';

type Answer = ProbeResult | RunProbeRefusal | { failed: string };

export function ProbesPanel({ container }: { container: ContainerIsolation }) {
  const api = useLabApi();
  const [probes, setProbes] = useState<ProbeInfo[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [running, setRunning] = useState<ProbeId | null>(null);
  const [answers, setAnswers] = useState<Partial<Record<ProbeId, Answer>>>({});
  useEffect(() => {
    let current = true;
    api.listProbes().then(
      (list) => current && setProbes(list.filter((probe) => !probe.destructive)),
      (error: unknown) => current && setListError(errorText(error)),
    );
    return () => {
      current = false;
    };
  }, [api]);
  // Answers belong to one container.
  useEffect(() => setAnswers({}), [container.id]);

  const run = (probeId: ProbeId) => {
    setRunning(probeId);
    api.runProbe(container.id, probeId).then(
      (answer) => setAnswers((old) => ({ ...old, [probeId]: answer })),
      (error: unknown) => setAnswers((old) => ({ ...old, [probeId]: { failed: errorText(error) } })),
    ).finally(() => setRunning(null));
  };

  return (
    <section className="probes-panel" data-testid="probes-panel">
      <h3>Probes</h3>
      <p className="muted">
        Harmless actions run inside this container (docker exec) to show whether its isolation stops them. Only the non-destructive ones are offered here, one at a time; the lab runs them all on a throwaway container.
      </p>
      {listError ? <p className="gap">The probe catalogue could not be loaded: {listError}</p> : null}
      {probes === null && !listError ? <p className="muted">Loading the probes…</p> : null}
      {probes ? (
        <table className="plain probes-table">
          <tbody>
            {probes.map((probe) => {
              const answer = answers[probe.id];
              return (
                <tr key={probe.id} data-testid="container-probe" data-probe={probe.id} data-outcome={answer && 'outcome' in answer ? answer.outcome : ''}>
                  <th scope="row">{probe.title}</th>
                  <td>
                    <button type="button" onClick={() => run(probe.id)} disabled={running !== null || container.state !== 'running'} data-testid="container-probe-run">
                      {running === probe.id ? 'Running…' : answer ? 'Run again' : 'Run'}
                    </button>
                  </td>
                  <td>
                    {answer === undefined ? null : 'failed' in answer ? (
                      <span className="gap">{answer.failed}</span>
                    ) : 'refused' in answer ? (
                      <span className="muted">refused: {answer.reason}</span>
                    ) : (
                      <>
                        <span className={`outcome outcome-${answer.outcome}`}>{outcomeText(answer)}</span> <span className="muted">— {answer.responsible}</span>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
