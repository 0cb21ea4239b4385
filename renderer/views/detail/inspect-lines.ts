// Flattens an inspect document into "Path.To[0].Key = value" lines, so a filtered line still says where it sits.

export function inspectLines(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${path} = []`];
    return value.flatMap((item, index) => inspectLines(item, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [`${path} = {}`];
    // Keys are attacker text too (labels): quote any that would make the path ambiguous.
    return entries.flatMap(([key, item]) => inspectLines(item, /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`));
  }
  return [`${path || '(root)'} = ${JSON.stringify(value) ?? 'undefined'}`];
}
