/**
 * Go's flavour of semantic versions (golang.org/x/mod/semver): `vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]`,
 * and its pseudo-versions (golang.org/x/mod/module.PseudoVersion).
 */
export interface ParsedSemver {
  major: string;
  minor: string;
  patch: string;
  prerelease: string; // with its leading '-', or ''
  build: string; // with its leading '+', or ''
  /** True when minor and patch were written out (`v1.2.3`, not `v1.2`). */
  full: boolean;
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(-${IDENT}(?:\\.${IDENT})*)?(\\+${IDENT}(?:\\.${IDENT})*)?)?)?$`);

export function parseSemver(v: string): ParsedSemver | null {
  const m = SEMVER.exec(v);
  if (!m) return null;
  const pre = m[4] ?? '';
  // Numeric prerelease identifiers must not have leading zeros.
  if (pre && pre.slice(1).split('.').some((id) => /^0[0-9]+$/.test(id))) return null;
  return { major: m[1], minor: m[2] ?? '0', patch: m[3] ?? '0', prerelease: pre, build: m[5] ?? '', full: m[3] !== undefined };
}

/** `vX.Y.Z[-pre]` without build metadata, or '' when invalid (semver.Canonical). */
export function canonicalSemver(v: string): string {
  const p = parseSemver(v);
  return p ? `v${p.major}.${p.minor}.${p.patch}${p.prerelease}` : '';
}

function compareNum(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const x = a.slice(1).split('.');
  const y = b.slice(1).split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const xn = /^[0-9]+$/.test(x[i]);
    const yn = /^[0-9]+$/.test(y[i]);
    if (xn && yn) return compareNum(x[i], y[i]);
    if (xn) return -1;
    if (yn) return 1;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** semver.Compare: an invalid version sorts below every valid one. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return compareNum(x.major, y.major) || compareNum(x.minor, y.minor) || compareNum(x.patch, y.patch) || comparePrerelease(x.prerelease, y.prerelease);
}

const PSEUDO = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-.]+)?$/;

export function isPseudoVersion(v: string): boolean {
  return (v.match(/-/g) ?? []).length >= 2 && parseSemver(v) !== null && PSEUDO.test(v);
}

/**
 * The major version a module path requires: `v2` for `example.com/m/v2` and
 * `gopkg.in/yaml.v2`, else '' (v0 or v1).
 */
export function pathMajor(modulePath: string): string {
  const gopkg = /^gopkg\.in\/.*\.(v[0-9]+)(-unstable)?$/.exec(modulePath);
  if (gopkg) return gopkg[1] === 'v0' || gopkg[1] === 'v1' ? '' : gopkg[1];
  const m = /\/(v[0-9]+)$/.exec(modulePath);
  return m && m[1] !== 'v0' && m[1] !== 'v1' ? m[1] : '';
}

/** Whether Go would take a tag as a version of the module: canonical semver, not a pseudo-version, right major. */
export function isAllowedTag(tag: string, modulePath: string): boolean {
  const p = parseSemver(tag);
  if (!p || canonicalSemver(tag) !== tag || isPseudoVersion(tag)) return false;
  const major = pathMajor(modulePath);
  return major === '' ? p.major === '0' || p.major === '1' : `v${p.major}` === major;
}

/** `yyyymmddhhmmss` of a time, in UTC. */
export function pseudoTimestamp(time: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(time.getUTCFullYear(), 4)}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}`;
}

function incDecimal(n: string): string {
  return (BigInt(n) + 1n).toString();
}

/**
 * module.PseudoVersion: `vMAJOR.0.0-TIME-HASH` with no base tag,
 * `vX.Y.(Z+1)-0.TIME-HASH` after release vX.Y.Z, `vX.Y.Z-PRE.0.TIME-HASH`
 * after a prerelease. `hash` is cut to 12 characters; time is the committer time.
 */
export function pseudoVersion(opts: { major?: string; base?: string | null; time: Date; hash: string }): string {
  const segment = `${pseudoTimestamp(opts.time)}-${opts.hash.slice(0, 12)}`;
  const base = opts.base ? parseSemver(opts.base) : null;
  const build = base?.build ?? '';
  const canonical = opts.base ? canonicalSemver(opts.base) : '';
  if (!base || canonical === '') return `${opts.major || 'v0'}.0.0-${segment}`;
  if (base.prerelease) return `${canonical}.0.${segment}${build}`;
  return `v${base.major}.${base.minor}.${incDecimal(base.patch)}-0.${segment}${build}`;
}
