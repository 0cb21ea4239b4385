// Argument parsers shared by the commands: what a container selector may be, and the hint when it selects nothing.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ContainerEngine } from '../engine/engine.js';
import { nameMatchesGlob } from '../model/name-glob.js';
import { neutralizeText as terminalText } from '../report/text.js';

/** A container name, a name glob (`web-*`) or an id prefix; an empty one would select everything, so it is refused. */
export function parseContainerSelector(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('needs a container name, a name glob such as "web-*", or an id prefix');
  return value;
}

/** A compose project name (its com.docker.compose.project label); an empty one would match nothing useful, so it is refused. */
export function parseComposeProject(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('needs a compose project name (docker compose ls lists them)');
  return value;
}

/** "no running container…" and, when names contain the text, those names and the glob that selects them. */
export async function noMatchMessage(adapter: ContainerEngine, wanted: string): Promise<string> {
  const base = `no running container is named or has the id ${JSON.stringify(terminalText(wanted))}`;
  let names: string[] = [];
  try {
    names = (await adapter.listRunningNamed()).map((container) => container.name);
  } catch {
    return base;
  }
  const near = names.filter((name) => name.includes(wanted) && !nameMatchesGlob(wanted, name)).sort();
  if (near.length === 0) return base;
  const shown = near.slice(0, 5).map(terminalText).join(', ') + (near.length > 5 ? ` and ${near.length - 5} more` : '');
  return `${base}; running: ${shown} (a glob selects them: --container '*${terminalText(wanted)}*')`;
}

/** Add --kernel-source and --helper-image, the same on scan, serve, diff and fix. */
export function addKernelSourceOptions(command: Command): Command {
  for (const option of kernelSourceOptions()) command.addOption(option);
  return command;
}

function kernelSourceOptions(): Option[] {
  return [
    new Option(
      '--kernel-source <mode>',
      'where to read the kernel: local (this machine\'s /proc), helper (a short-lived helper container on the engine), auto (local when it shows the engine\'s containers and may read them, else helper)',
    )
      .choices(['auto', 'local', 'helper'])
      .default('auto'),
    new Option('--helper-image <image>', 'image for the helper container (needs sh, od, ls, readlink); default: busybox pinned by digest, pulled on first use').argParser((value: string) => {
      if (value.trim() === '' || /\s/.test(value)) throw new InvalidArgumentError('an image reference without spaces, e.g. busybox:1.36 or a local tag');
      return value;
    }),
  ];
}
