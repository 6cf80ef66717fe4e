import { normalizeMac } from '../agent-ips.js';
import { badField, type FieldReader } from './field-reader.js';
import { type PropertyString, parsePropertyString } from './property-string.js';

/**
 * readConfigNets parses every `net<N>` member of a guest config with `parse`, ordered by N
 * (net0, net1, net2, …, net10) — not by key order, which PVE randomises.
 */
export function readConfigNets<T>(
  r: FieldReader,
  parse: (id: string, value: PropertyString, at: string) => T,
): T[] {
  return r
    .keys()
    .map((key) => ({ key, index: /^net(\d+)$/.exec(key)?.[1] }))
    .filter((entry): entry is { key: string; index: string } => entry.index !== undefined)
    .sort((a, b) => Number(a.index) - Number(b.index))
    .map(({ key }) => parse(key, parsePropertyString(r.string(key)), r.path(key)));
}

/**
 * configMac reads a MAC from a config property string; PVE validates MACs on write, so a value
 * that is not one makes the answer malformed.
 */
export function configMac(value: string | undefined, at: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const mac = normalizeMac(value);
  if (mac === undefined) throw badField(at, 'a MAC address', value);
  return mac;
}
