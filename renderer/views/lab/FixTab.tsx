// The drill-down's Fix tab: the hardened docker run command and compose service, each flag with the findings it answers.
import type { GeneratedFix } from '../../../app/lab/fix.js';
import type { ComposeOverride } from '../../../app/lab/compose-override.js';
import { COMPOSE_PROJECT_LABEL } from '../../../app/model/compose.js';
import { AttackerText } from '../../components/AttackerText.js';
import { DownloadButton } from '../../components/DownloadButton.js';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { CopyButton } from '../../components/CopyButton.js';
import { useLabApi } from './lab-api.js';
import { useLoaded } from '../../state/use-loaded.js';
import { routeHref } from '../../state/route.js';

/** A generated text (command or compose service) with its copy button. */
function CodeBlock({ title, code, copyLabel, testId }: { title: string; code: string; copyLabel: string; testId: string }) {
  return (
    <section className="fix-block">
      <div className="fix-block-head">
        <h3>{title}</h3>
        <CopyButton text={code} label={copyLabel} />
      </div>
      <pre className="fix-code" data-testid={testId}>
        {code}
      </pre>
    </section>
  );
}

/**
 * For a container of a compose project: one compose.override.yml for every service of the project, the same file
 * `isolens fix --compose-project NAME` prints, to copy or save next to the project's compose.yml.
 */
function ProjectOverride({ container, project }: { container: ContainerIsolation; project: string }) {
  const api = useLabApi();
  const load = useLoaded<ComposeOverride>(() => api.generateComposeOverride(container.id), [api, container.id]);
  return (
    <section className="fix-block" data-testid="fix-project" aria-labelledby="fix-project-title">
      <div className="fix-block-head">
        <h3 id="fix-project-title">
          Whole compose project <span className="mono"><AttackerText text={project} limit={256} /></span>: compose.override.yml
        </h3>
        {load.status === 'ok' ? (
          <>
            <CopyButton text={load.value.yaml} label="Copy override" />
            <DownloadButton text={load.value.yaml} filename="compose.override.yml" type="application/yaml" label="Save compose.override.yml" testId="fix-project-download" />
          </>
        ) : null}
      </div>
      {load.status === 'loading' ? (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Generating the project's override…
        </p>
      ) : null}
      {load.status === 'error' ? <p className="gap" data-testid="fix-project-error">The project's override could not be generated: {load.message}</p> : null}
      {load.status === 'ok' ? (
        <>
          <p className="muted" data-testid="fix-project-services">
            Hardens {load.value.services.length === 1 ? 'its one service' : `all ${load.value.services.length} services`} (
            {load.value.services.map((s, index) => (
              <span key={s.service}>
                {index > 0 ? ', ' : ''}
                <AttackerText text={s.service} limit={64} />
              </span>
            ))}
            ), each from its first replica. Save it next to compose.yml; <code>docker compose up -d</code> reads both. What an override cannot remove is a comment to act on in compose.yml.
          </p>
          <pre className="fix-code" data-testid="fix-project-yaml">
            {load.value.yaml}
          </pre>
        </>
      ) : null}
    </section>
  );
}

export function FixTab({ container }: { container: ContainerIsolation }) {
  const api = useLabApi();
  const load = useLoaded<GeneratedFix>(() => api.generateFix(container.id), [api, container.id]);

  const titles = new Map(container.findings.map((f) => [f.ruleId, f.title]));
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  return (
    <div className="fix" data-testid="fix-panel">
      {load.status === 'loading' ? (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Generating the hardened command…
        </p>
      ) : null}
      {load.status === 'error' ? <p className="gap" data-testid="fix-error">The fix could not be generated: {load.message}</p> : null}
      {load.status === 'ok' ? (
        <>
          <p className="muted">Recreate this container with the hardening that answers its findings. Environment values are never copied: fill in the placeholders.</p>
          {/* Compose recreates a project's containers from its files: for them the project's override comes first. */}
          {project !== undefined ? <ProjectOverride container={container} project={project} /> : null}
          <CodeBlock title="docker run" code={load.value.dockerRun} copyLabel="Copy command" testId="fix-command" />
          <CodeBlock title="compose service" code={load.value.compose} copyLabel="Copy service" testId="fix-compose" />
          <section>
            <h3>What each flag answers</h3>
            <ul className="fix-flags">
              {load.value.flags.map((flag, index) => (
                <li key={`${flag.flag}-${index}`} data-testid="fix-flag" data-flag={flag.flag}>
                  <code>{flag.flag}</code>
                  {flag.answers.length > 0 ? (
                    <span className="fix-answers">
                      {' '}
                      answers{' '}
                      {flag.answers.map((ruleId) => (
                        <span key={ruleId} className="ref" title={titles.get(ruleId) ?? ruleId}>
                          {ruleId}
                        </span>
                      ))}
                    </span>
                  ) : null}
                  <p className="muted">{flag.why}</p>
                </li>
              ))}
            </ul>
          </section>
          {load.value.unanswered.length > 0 ? (
            <section data-testid="fix-unanswered">
              <h3>Not answered by the command</h3>
              <ul>
                {load.value.unanswered.map((item) => (
                  <li key={item.ruleId}>
                    <code className="rule-id">{item.ruleId}</code> {item.why}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {load.value.notes.length > 0 ? (
            <section data-testid="fix-notes">
              <h3>Notes</h3>
              <ul>
                {load.value.notes.map((note, index) => (
                  <li key={index}>{note}</li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
      <p className="fix-probes-link">
        To see what this container's isolation stops today, <a href={routeHref({ view: 'container', id: container.id, tab: 'probes' })}>run the probes</a> on it.
      </p>
    </div>
  );
}
