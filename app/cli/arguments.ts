// Argument parsers shared by the commands: what a container selector may be, and the hint when it selects nothing.
import { InvalidArgumentError } from 'commander';
import type { ContainerEngine } from '../engine/engine.js';
import { nameMatchesGlob } from '../model/name-glob.js';
import { neutralizeText as terminalText } from '../report/text.js';

/** A container name, a name glob (`web-*`) or an id prefix; an empty one would select everything, so it is refused. */
export function parseContainerSelector(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('needs a container name, a name glob such as "web-*", or an id prefix');
  return value;
}

/** "no running container…" and, when names contain the text, those names and the glob that selects them. */
export async function noMatchMessage(adapter: ContainerEngine, wanted: string): Promise<string> {
  const base = `no running container is named or has the id ${JSON.stringify(terminalText(wanted))}`;
  let names: string[] = [];
  try {
    names = await adapter.listRunningNames();
  } catch {
    return base;
  }
  const near = names.filter((name) => name.includes(wanted) && !nameMatchesGlob(wanted, name)).sort();
  if (near.length === 0) return base;
  const shown = near.slice(0, 5).map(terminalText).join(', ') + (near.length > 5 ? ` and ${near.length - 5} more` : '');
  return `${base}; running: ${shown} (a glob selects them: --container '*${terminalText(wanted)}*')`;
}
