// Container name globs, as --ignore, the ignore file and --container accept them: `*` any run, `?` one character.

/** Does the text use glob syntax at all? */
export function isNameGlob(text: string): boolean {
  return /[*?]/.test(text);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

/** Does this name match the glob (the whole name; a glob without `*` or `?` matches only itself)? */
export function nameMatchesGlob(glob: string, name: string): boolean {
  return globToRegExp(glob).test(name);
}
