// Isolens' version and homepage from package.json: the one place the CLI and the reports read them.
import packageJson from '../package.json' with { type: 'json' };

const packageInfo = packageJson as { version?: string; homepage?: string };

export const ISOLENS_VERSION: string = packageInfo.version ?? '0.0.0';
/** Absent until the project has a public home; SARIF then leaves informationUri out. */
export const ISOLENS_HOMEPAGE: string | undefined = packageInfo.homepage;
