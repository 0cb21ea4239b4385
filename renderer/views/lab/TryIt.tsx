// A finding's "Try it": the probes that put the finding to the test, run on the container from the card, the answer shown there.
import type { ContainerIsolation, Finding } from '../../../app/model/schema.js';
import { routeHref } from '../../state/route.js';
import { useLabApi } from './lab-api.js';
import { answerOutcome, useProbeCatalogue, useProbeRuns } from './probe-runs.js';
import { ProbeAnswerText, probesBlockedReason } from './ProbesTab.js';

/** The probes that can run on a user's container (not destructive) and answer one of these findings. */
function useProbesFor(findings: readonly Finding[]) {
  const api = useLabApi();
  const listed = useProbeCatalogue(api);
  const catalogue = listed.status === 'ok' ? listed.value : [];
  return catalogue.filter((probe) => !probe.destructive && findings.some((finding) => probe.answers.includes(finding.ruleId)));
}

/** The link to the Probes tab, where all the probes run; null when no probe answers these findings. */
export function AllProbesLink({ container, findings }: { container: ContainerIsolation; findings: readonly Finding[] }) {
  if (useProbesFor(findings).length === 0) return null;
  return (
    <a href={routeHref({ view: 'container', id: container.id, tab: 'probes' })} className="try-it-all" data-testid="try-it-all">
      All probes
    </a>
  );
}

/** `allProbesLink`: false where the card holding several findings shows one AllProbesLink for all of them. */
export function TryIt({ container, finding, allProbesLink = true }: { container: ContainerIsolation; finding: Finding; allProbesLink?: boolean }) {
  const api = useLabApi();
  const { answers, running, run } = useProbeRuns(api, container.id);
  const probes = useProbesFor([finding]);
  if (probes.length === 0) return null;
  const blocked = probesBlockedReason(container, probes);
  return (
    <div className="try-it" data-testid="try-it">
      {probes.map((probe) => {
        const answer = answers[probe.id];
        return (
          <div key={probe.id} className="try-it-line" data-testid="try-it-probe" data-probe={probe.id} data-outcome={answerOutcome(answer)}>
            <button type="button" onClick={() => run([probe.id])} disabled={running !== null || blocked !== null} title={blocked ?? probe.description} data-testid="try-it-run">
              {running === probe.id ? 'Trying…' : `Try it: ${probe.title.replace(/^./, (c) => c.toLowerCase())}`}
            </button>{' '}
            {answer ? <ProbeAnswerText answer={answer} probe={probe} /> : blocked ? <span className="muted">{blocked}</span> : null}
          </div>
        );
      })}
      {allProbesLink ? <AllProbesLink container={container} findings={[finding]} /> : null}
    </div>
  );
}
