import { FieldReader } from './field-reader.js';

/**
 * PveVersion is `/version` of the node the client talks to: `release` (`9.1`), `version`
 * (the pve-manager version, `9.1.2`) and `repoid` (short git revision). Other members (the
 * `console` setting, datacenter keys of old releases) are dropped.
 */
export interface PveVersion {
  release: string;
  version: string;
  repoid: string;
}

/** normalizeVersion maps `/version`'s `data`; throws PveBadResponseError when a member is missing. */
export function normalizeVersion(data: unknown, at = 'data'): PveVersion {
  const r = FieldReader.of(data, at);
  return { release: r.string('release'), version: r.string('version'), repoid: r.string('repoid') };
}
