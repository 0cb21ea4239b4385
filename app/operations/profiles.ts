// The engines' default seccomp profiles by engine and version: data files in assets/data/seccomp (see its README for the sources).
import docker2010 from '../../assets/data/seccomp/docker-20.10.24.json' with { type: 'json' };
import podman43 from '../../assets/data/seccomp/podman-4.3.1.json' with { type: 'json' };
import type { EngineInfo } from '../model/schema.js';
import type { SeccompProfileDocument } from './seccomp.js';

export interface DefaultProfile {
  engine: 'docker' | 'podman';
  /** The versions this profile is exactly the engine's default for, inclusive. */
  from: string;
  to: string;
  /** Where the file came from, for the evidence a reviewer can check. */
  source: string;
  profile: SeccompProfileDocument;
}

/**
 * A profile from Isolens' own data files, used as it is: operations.test.ts checks each against the profile schema,
 * so a scan neither pays for parsing it nor loads zod. Extra keys the schema does not name (archMap, errnoRet) stay on
 * the object and are never read.
 */
function ownProfile(entry: Omit<DefaultProfile, 'profile'>, document: unknown): DefaultProfile {
  return { ...entry, profile: document as SeccompProfileDocument };
}

export const DEFAULT_PROFILES: readonly DefaultProfile[] = [
  ownProfile({ engine: 'docker', from: '20.10.18', to: '20.10.24', source: 'moby/moby profiles/seccomp/default.json at v20.10.24' }, docker2010),
  ownProfile(
    { engine: 'podman', from: '4.3.0', to: '4.3.99', source: 'containers/common 0.50.1 seccomp.json (/usr/share/containers/seccomp.json of Debian 12)' },
    podman43,
  ),
];

function versionParts(version: string): number[] | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? match.slice(1).map(Number) : null;
}

function within(version: string, from: string, to: string): boolean {
  const v = versionParts(version);
  const a = versionParts(from);
  const b = versionParts(to);
  if (!v || !a || !b) return false;
  const cmp = (x: number[], y: number[]) => x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  return cmp(v, a) >= 0 && cmp(v, b) <= 0;
}

/** The engine's own default profile, or null when Isolens has none for this engine version (then it is unknown). */
export function defaultProfileFor(engine: Pick<EngineInfo, 'kind' | 'version'>): DefaultProfile | null {
  if (engine.kind === null || engine.version === null) return null;
  // Asked for every container and seccomp question of a scan, of one or two engines: the answer is kept per version.
  const key = `${engine.kind} ${engine.version}`;
  let found = PROFILE_BY_ENGINE.get(key);
  if (found === undefined) {
    found = DEFAULT_PROFILES.find((p) => p.engine === engine.kind && within(engine.version!, p.from, p.to)) ?? null;
    // Engine versions are engine-reported text: the map stays small whatever a hostile engine answers.
    if (PROFILE_BY_ENGINE.size >= 64) PROFILE_BY_ENGINE.clear();
    PROFILE_BY_ENGINE.set(key, found);
  }
  return found;
}

const PROFILE_BY_ENGINE = new Map<string, DefaultProfile | null>();
