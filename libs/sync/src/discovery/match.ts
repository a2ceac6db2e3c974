/** Compiles a project pattern with `*` and `?` wildcards into an anchored regular expression. */
export function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

/** Patterns compiled once per process: a source of thousands of projects asked each of them for every name. */
const compiled = new Map<string, RegExp>();

export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    let re = compiled.get(p);
    if (re === undefined) compiled.set(p, (re = patternToRegExp(p)));
    return re.test(name);
  });
}
