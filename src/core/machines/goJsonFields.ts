import { isJsonObject } from './strictJson';

/** A field of the wrong JSON type: docker-machine's Go decoder refuses the whole file for it. */
export class FieldTypeError extends Error {}

/**
 * Fields of a JSON object read the way Go's encoding/json fills a struct:
 * names match exactly or else case-insensitively, a missing field or `null`
 * is the zero value, and a value of the wrong type is an error naming the
 * field (docker-machine then fails to load the machine).
 */
export class GoFields {
  constructor(readonly raw: Readonly<Record<string, unknown>>, private readonly where: string) {}

  /** The raw value, exact name first, then case-insensitively, as encoding/json matches. */
  get(name: string): unknown {
    if (name in this.raw) return this.raw[name];
    const lower = name.toLowerCase();
    const key = Object.keys(this.raw).find((k) => k.toLowerCase() === lower);
    return key === undefined ? undefined : this.raw[key];
  }

  has(name: string): boolean {
    const v = this.get(name);
    return v !== undefined && v !== null;
  }

  string(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new FieldTypeError(`${this.where}${name} must be a string, not ${JSON.stringify(v)}`);
    return v;
  }

  int(name: string): number {
    const v = this.get(name);
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldTypeError(`${this.where}${name} must be a whole number, not ${JSON.stringify(v)}`);
    return v;
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new FieldTypeError(`${this.where}${name} must be true or false, not ${JSON.stringify(v)}`);
    return v;
  }

  /** A nested object (HostOptions.AuthOptions…); absent or null is an empty one. */
  object(name: string): GoFields {
    const v = this.get(name);
    if (v === undefined || v === null) return new GoFields({}, `${this.where}${name}.`);
    if (!isJsonObject(v)) throw new FieldTypeError(`${this.where}${name} must be an object, not ${JSON.stringify(v)}`);
    return new GoFields(v, `${this.where}${name}.`);
  }
}

/** Go's filepath.Dir on a slash path: "" and a bare name give ".", trailing separators are dropped after the cut. */
export function goDir(p: string): string {
  const cut = p.lastIndexOf('/');
  let dir = cut < 0 ? '' : p.slice(0, cut + 1);
  while (dir.length > 1 && dir.endsWith('/')) dir = dir.slice(0, -1);
  return dir || '.';
}
