// The hardening lab: pick an image, flip hardening options, run a throwaway container, watch each probe flip against the previous run.
import { useMemo, useState } from 'react';
import type { LabRun } from '../../../app/lab/lab.js';
import type { ProbeResult } from '../../../app/lab/probes.js';
import { allCapabilityNames } from '../../../app/model/capabilities.js';
import { GradeBadge } from '../../components/badges.js';
import { DiffTable, ScoreDelta } from '../compare/CompareView.js';
import { useEngineStatus } from '../../state/hooks.js';
import { useProbeCatalogue } from './probe-runs.js';
import { useLabApi } from './lab-api.js';
import { useLoaded } from '../../state/use-loaded.js';
import { errorText } from '../../state/format.js';
import { INITIAL_LAB_FORM, labHeadline, labOptionsFromForm, outcomeText, outcomeTone, predictionCheck, signedDelta, type LabForm } from './lab-format.js';
import { PredictedCell } from './PredictedCell.js';
import { CopyButton } from '../../components/CopyButton.js';
import { OPERATION_TEXT } from '../../../app/model/operations.js';
import type { OperationId } from '../../../app/model/schema.js';

const DEFAULT_IMAGE = 'isolens-test/busybox:latest';

type RunState =
  | { status: 'idle' }
  | { status: 'running'; startedAtMs: number }
  | { status: 'done'; run: LabRun; elapsedMs: number }
  | { status: 'failed'; reason: string };

function Toggle({ name, label, checked, onChange, hint }: { name: keyof LabForm; label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  return (
    <label className="lab-toggle" title={hint}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={`lab-toggle-${name}`} /> {label}
    </label>
  );
}

/** Each probe's operation, from the catalogue the lab view loaded (null until it arrives or where a probe checks none). */
type OperationOf = (probeId: ProbeResult['probeId']) => OperationId | null;

function ProbeTable({ run, operationOf }: { run: LabRun; operationOf: OperationOf }) {
  const previous = new Map<string, ProbeResult>((run.previous?.probes ?? []).map((p) => [p.probeId, p]));
  const hasPrevious = run.previous !== null;
  return (
    <table className="plain probe-table">
      <thead>
        <tr>
          <th>Probe</th>
          <th>
            Predicted <span className="muted">(What can it do?)</span>
          </th>
          <th>Observed</th>
          <th>Why</th>
          {hasPrevious ? <th>Previous run</th> : null}
        </tr>
      </thead>
      <tbody>
        {run.probes.map((probe) => {
          const before = previous.get(probe.probeId);
          const changed = before !== undefined && before.outcome !== probe.outcome;
          const operation = operationOf(probe.probeId);
          const check = predictionCheck(run.container.operations, operation, probe.outcome);
          return (
            <tr
              key={probe.probeId}
              className={changed ? 'probe-changed' : undefined}
              data-testid="probe-row"
              data-probe={probe.probeId}
              data-outcome={probe.outcome}
              data-predicted={check?.predicted ?? ''}
              data-prediction-differs={check?.differs ?? false}
              data-previous-outcome={before?.outcome ?? ''}
              data-changed={changed}
            >
              <th scope="row">
                {probe.title}
                {probe.destructive ? <span className="muted"> · lab only</span> : null}
              </th>
              <PredictedCell check={check} />
              <td data-testid="probe-observed">
                <span className={`outcome outcome-${outcomeTone(probe.outcome, operation)}`}>{outcomeText(probe)}</span>
              </td>
              <td title={probe.output || undefined}>{probe.responsible}</td>
              {hasPrevious ? (
                <td>
                  {before ? (
                    <>
                      <span className={`outcome outcome-${outcomeTone(before.outcome, operation)}`}>{outcomeText(before)}</span>
                      {changed ? <span className="probe-flip"> → {probe.outcome}</span> : null}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What a run changed and what is left: the headline a reviewer reads before the score. */
function LabHeadlineView({ run, operationOf }: { run: LabRun; operationOf: OperationOf }) {
  const headline = labHeadline(run.probes, run.previous?.probes ?? null, operationOf);
  const tone = headline.delta === null || headline.delta === 0 ? 'tone-muted' : headline.delta > 0 ? 'tone-good' : 'tone-bad';
  return (
    <div className="lab-headline" data-testid="lab-headline" data-blocked={headline.blocked} data-total={headline.total} data-delta={headline.delta ?? ''}>
      <h2 className="lab-headline-main">
        Probes blocked {headline.blocked}/{headline.total}
        {headline.delta !== null ? (
          <span className={`lab-headline-delta ${tone}`} data-testid="lab-blocked-delta">
            {' '}
            {headline.delta === 0 ? '±0' : signedDelta(headline.delta)} <span className="muted">since the previous run</span>
          </span>
        ) : null}
      </h2>
      {headline.stillAllowed.length === 0 ? (
        <p className="tone-good" data-testid="lab-left">
          Nothing the probes try is left allowed.
        </p>
      ) : (
        <div data-testid="lab-left">
          <p className="lab-left-title">Still allowed ({headline.stillAllowed.length}), and the flag that blocks each:</p>
          <ul className="compact lab-left-list">
            {headline.stillAllowed.map((probe) => {
              const operation = operationOf(probe.probeId);
              return (
                <li key={probe.probeId} data-testid="lab-left-item" data-probe={probe.probeId}>
                  {probe.title} <span className="muted">—</span> <code>{operation ? OPERATION_TEXT[operation].block : ''}</code>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}

function LabResultView({ run, elapsedMs, operationOf }: { run: LabRun; elapsedMs: number; operationOf: OperationOf }) {
  const container = run.container;
  const flips = run.previous ? run.probes.filter((p) => run.previous!.probes.some((q) => q.probeId === p.probeId && q.outcome !== p.outcome)).length : 0;
  return (
    <section className="lab-result" data-testid="lab-result" data-container={run.containerName}>
      <LabHeadlineView run={run} operationOf={operationOf} />
      <header className="lab-result-head">
        <div className="lab-grade" data-testid="lab-grade" data-grade={container.grade ?? ''}>
          <GradeBadge grade={container.grade} score={container.score} large />
          <div>
            <div className="lab-score">score {container.score === null ? '—' : Math.round(container.score)}/100</div>
            <div className="muted mono">{run.containerName}</div>
          </div>
        </div>
        {run.previous ? (
          <div className="lab-previous">
            <span className="muted">previous run</span> <GradeBadge grade={run.previous.container.grade} score={run.previous.container.score} />
            <ScoreDelta delta={run.diff?.scoreDelta ?? null} from={run.previous.container.grade} to={container.grade} testId="lab-score-delta" />
            <span className="muted">{flips === 0 ? 'no probe changed' : `${flips} probe${flips > 1 ? 's' : ''} changed`}</span>
          </div>
        ) : (
          <span className="muted">First run: change an option and run again to see what it changes.</span>
        )}
        <div className="lab-time" data-testid="lab-elapsed" data-ms={Math.round(elapsedMs)}>
          {(elapsedMs / 1000).toFixed(1)} s <span className="muted">click to result · start {Math.round(run.timings.startMs)} ms, grade {Math.round(run.timings.collectMs)} ms, probes {Math.round(run.timings.probesMs)} ms</span>
        </div>
      </header>
      <section className="fix-block" data-testid="lab-docker-run-block">
        <div className="fix-block-head">
          <h3>This run as docker run</h3>
          <CopyButton text={run.dockerRun} label="Copy command" />
        </div>
        <pre className="fix-code" data-testid="lab-docker-run">
          {run.dockerRun}
        </pre>
      </section>
      <ProbeTable run={run} operationOf={operationOf} />
      {run.diff ? (
        <details className="lab-diff" open>
          <summary>What changed in the container's facts since the previous run ({run.diff.rows.filter((r) => r.changed).length})</summary>
          <DiffTable diff={run.diff} labelA="Previous run" labelB="This run" sides={{ a: 'previous run', b: 'this run' }} onlyChanged />
        </details>
      ) : null}
    </section>
  );
}

export function LabView() {
  const api = useLabApi();
  const [chosen, setForm] = useState<LabForm>(INITIAL_LAB_FORM);
  const [state, setState] = useState<RunState>({ status: 'idle' });
  const [closeMessage, setCloseMessage] = useState<string | null>(null);
  const capabilityNames = useMemo(() => allCapabilityNames().map((name) => name.replace(/^CAP_/, '')), []);
  const update = (patch: Partial<LabForm>) => setForm((old) => ({ ...old, ...patch }));

  // The images are listed again when the engine comes back: with it away the picker says why instead of "loading…".
  const engineStatus = useEngineStatus();
  const catalogue = useProbeCatalogue(api);
  const probes = catalogue.status === 'ok' ? catalogue.value : [];
  const listed = useLoaded(() => api.listLabImages(), [api], [engineStatus === 'connected']);
  const images = listed.status === 'ok' ? listed.value : listed.status === 'error' ? [] : null;
  const imagesError = listed.status === 'error' ? listed.message : null;
  // Until one is picked, the image is the test image when it is listed, else the first one.
  const form = chosen.image !== '' || images === null ? chosen : { ...chosen, image: images.includes(DEFAULT_IMAGE) ? DEFAULT_IMAGE : (images[0] ?? '') };

  const run = () => {
    const options = labOptionsFromForm(form);
    if (!options.ok) return setState({ status: 'failed', reason: options.reason });
    const startedAtMs = performance.now();
    setCloseMessage(null);
    setState({ status: 'running', startedAtMs });
    api.runLab(options.options).then(
      (result) => setState(result.ok ? { status: 'done', run: result.run, elapsedMs: performance.now() - startedAtMs } : { status: 'failed', reason: result.reason }),
      (error: unknown) => setState({ status: 'failed', reason: errorText(error) }),
    );
  };

  const close = () => {
    api.closeLab().then(
      (removed) => {
        setState({ status: 'idle' });
        setCloseMessage(`Lab closed: ${removed} lab container${removed === 1 ? '' : 's'} removed.`);
      },
      (error: unknown) => setCloseMessage(`The lab could not be closed: ${errorText(error)}`),
    );
  };

  const operations = new Map(probes.map((probe) => [probe.id, probe.operation]));
  const operationOf: OperationOf = (probeId) => operations.get(probeId) ?? null;
  // serve --read-only lists the catalogue with the reason nothing runs: the lab says so instead of offering a dead button.
  const unavailable = probes.find((probe) => probe.unavailable !== null)?.unavailable ?? null;
  const running = state.status === 'running';
  return (
    <div className="lab" data-testid="lab-view">
      <header className="lab-head">
        <h1>Hardening lab</h1>
        <p className="muted">
          Start a throwaway container from a local image with the options below, grade it, and run {probes.length > 0 ? probes.length : 'the'} harmless probes inside it. Each run is compared with the previous one. Lab containers are labelled as Isolens' own and removed when the lab closes.
        </p>
      </header>
      <form
        className="lab-form card"
        onSubmit={(event) => {
          event.preventDefault();
          run();
        }}
      >
        <label className="lab-field">
          Image{' '}
          <select value={form.image} onChange={(e) => update({ image: e.target.value })} data-testid="lab-image" disabled={images === null}>
            {images === null ? <option value="">loading…</option> : null}
            {images !== null && images.length === 0 ? <option value="">{imagesError ? 'images not available' : 'no local image'}</option> : null}
            {(images ?? []).map((image) => (
              <option key={image} value={image}>
                {image}
              </option>
            ))}
          </select>
        </label>
        {imagesError && unavailable === null ? (
          <p className="gap" role="alert" data-testid="lab-images-error">
            The local images could not be listed: {imagesError}
          </p>
        ) : null}
        <fieldset>
          <legend>Capabilities</legend>
          <Toggle name="dropAllCapabilities" label="--cap-drop ALL" checked={form.dropAllCapabilities} onChange={(v) => update({ dropAllCapabilities: v })} />
          <label className="lab-field">
            add back{' '}
            <select multiple size={4} value={form.addCapabilities} onChange={(e) => update({ addCapabilities: [...e.target.selectedOptions].map((o) => o.value) })} data-testid="lab-toggle-addCapabilities" aria-label="Capabilities to add back" title="Ctrl- or Cmd-click to choose several">
              {capabilityNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Filesystem and privileges</legend>
          <Toggle name="readOnly" label="--read-only" checked={form.readOnly} onChange={(v) => update({ readOnly: v })} />
          <label className="lab-field">
            tmpfs{' '}
            <input type="text" value={form.tmpfsText} onChange={(e) => update({ tmpfsText: e.target.value })} disabled={!form.readOnly} data-testid="lab-toggle-tmpfs" placeholder="/tmp /run" size={12} />
          </label>
          <Toggle name="noNewPrivileges" label="no-new-privileges" checked={form.noNewPrivileges} onChange={(v) => update({ noNewPrivileges: v })} />
          <label className="lab-field">
            seccomp{' '}
            <select value={form.seccomp} onChange={(e) => update({ seccomp: e.target.value === 'unconfined' ? 'unconfined' : 'default' })} data-testid="lab-toggle-seccomp">
              <option value="default">default profile</option>
              <option value="unconfined">unconfined</option>
            </select>
          </label>
          <label className="lab-field">
            user{' '}
            <input type="text" value={form.user} onChange={(e) => update({ user: e.target.value })} placeholder="image's user" data-testid="lab-toggle-user" size={10} />
          </label>
        </fieldset>
        <fieldset>
          <legend>Limits and network</legend>
          <label className="lab-field">
            memory MiB <input type="number" min={6} value={form.memoryMebibytesText} onChange={(e) => update({ memoryMebibytesText: e.target.value })} placeholder="none" data-testid="lab-toggle-memoryBytes" className="lab-number" />
          </label>
          <label className="lab-field">
            CPUs <input type="number" min={0.01} step={0.1} value={form.cpusText} onChange={(e) => update({ cpusText: e.target.value })} placeholder="none" data-testid="lab-toggle-cpus" className="lab-number" />
          </label>
          <label className="lab-field">
            pids limit <input type="number" min={8} step={1} value={form.pidsLimitText} onChange={(e) => update({ pidsLimitText: e.target.value })} placeholder="none" data-testid="lab-toggle-pidsLimit" className="lab-number" />
          </label>
          <Toggle name="networkNone" label="--network none" checked={form.networkNone} onChange={(v) => update({ networkNone: v })} />
        </fieldset>
        <div className="lab-actions">
          <button type="submit" className="primary" disabled={running || form.image === '' || unavailable !== null} data-testid="lab-run" aria-describedby={unavailable !== null ? 'lab-unavailable' : undefined}>
            {running ? 'Running…' : 'Run'}
          </button>
          {unavailable !== null ? (
            <span className="muted" id="lab-unavailable" data-testid="lab-unavailable">
              The lab is off here: {unavailable}.
            </span>
          ) : null}
          {running ? (
            <span role="status" className="muted">
              <span className="spinner" aria-hidden="true" /> Starting the container, grading it and running the probes…
            </span>
          ) : null}
          <button type="button" onClick={close} disabled={running} data-testid="lab-close">
            Close lab
          </button>
          {closeMessage ? (
            <span className="muted" data-testid="lab-closed">
              {closeMessage}
            </span>
          ) : null}
        </div>
      </form>
      {state.status === 'failed' ? (
        <p className="gap" data-testid="lab-error">
          The lab run failed: {state.reason}
        </p>
      ) : null}
      {state.status === 'done' ? <LabResultView run={state.run} elapsedMs={state.elapsedMs} operationOf={operationOf} /> : null}
    </div>
  );
}
