/**
 * Supply-chain checks run by `npm run lint:supply-chain` and by a unit test: the Docker base
 * image is pinned by digest, and every production dependency has a row in the dependency review
 * (docs/security/dependencies.md).
 */

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** One `FROM` whose image is not pinned by digest: its line number and the image as resolved. */
export interface UnpinnedFrom {
  line: number;
  image: string;
}

/**
 * The `FROM` lines of a Dockerfile whose image is neither an earlier stage, `scratch`, nor pinned
 * by `@sha256:` digest. `${ARG}` and `$ARG` are resolved with the default of a global `ARG`
 * (declared before the first `FROM`); an `ARG` without a default counts as unpinned.
 */
export function unpinnedBaseImages(dockerfile: string): UnpinnedFrom[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const out: UnpinnedFrom[] = [];
  let seenFrom = false;
  // Instructions continued over lines (a trailing backslash) are read whole, numbered by their first line.
  const instructions: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | null = null;
  dockerfile.split(/\r?\n/).forEach((text, i) => {
    const continued = /\\\s*$/.test(text);
    const body = text.replace(/\\\s*$/, ' ');
    pending = pending ? { line: pending.line, text: pending.text + body } : { line: i + 1, text: body };
    if (!continued) {
      instructions.push(pending);
      pending = null;
    }
  });
  for (const { line: lineNo, text: raw } of instructions) {
    const line = raw.trim();
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(line);
    if (arg && !seenFrom) {
      args.set(arg[1]!, (arg[2] ?? '').trim().replace(/^"(.*)"$/, '$1'));
      continue;
    }
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    seenFrom = true;
    const image = from[1]!.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => args.get((a ?? b)!) ?? '');
    if (!(stages.has(image) || image === 'scratch' || DIGEST.test(image))) out.push({ line: lineNo, image: image || from[1]! });
    if (from[2]) stages.add(from[2]);
  }
  return out;
}

/** The production dependencies of a package.json (`dependencies` and `optionalDependencies`). */
export function productionDependencies(pkg: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }): string[] {
  return [...new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})])].sort();
}

/** The names with no table row (a line starting with "| `name` |") in the dependency review. */
export function undocumentedDependencies(names: readonly string[], review: string): string[] {
  const rows = new Set<string>();
  for (const line of review.split(/\r?\n/)) {
    const m = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m) rows.add(m[1]!);
  }
  return names.filter((n) => !rows.has(n));
}
