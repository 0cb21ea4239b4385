// The formats `isolens scan --format` accepts: apart from scan.ts, so --help names them without loading the scan.
export const SCAN_FORMATS = ['table', 'json', 'sarif', 'html', 'markdown'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];
