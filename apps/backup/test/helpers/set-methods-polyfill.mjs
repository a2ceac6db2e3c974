// gitlab-ci-local (the GitLab CI validator used by scheduling-files.spec.ts) calls the ES2025 Set methods,
// which Node 20 lacks; Node >= 22 has them and this file then changes nothing.
const methods = {
  union(other) { return new Set([...this, ...other.keys()]); },
  intersection(other) { return new Set([...this].filter((v) => other.has(v))); },
  difference(other) { return new Set([...this].filter((v) => !other.has(v))); },
  symmetricDifference(other) { const out = new Set(this); for (const v of other.keys()) out.has(v) ? out.delete(v) : out.add(v); return out; },
  isSubsetOf(other) { return [...this].every((v) => other.has(v)); },
  isSupersetOf(other) { return [...other.keys()].every((v) => this.has(v)); },
  isDisjointFrom(other) { return [...this].every((v) => !other.has(v)); },
};
for (const [name, fn] of Object.entries(methods)) {
  if (!(name in Set.prototype)) Object.defineProperty(Set.prototype, name, { value: fn, writable: true, configurable: true });
}
