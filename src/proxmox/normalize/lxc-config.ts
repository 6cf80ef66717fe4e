import { assignDefined } from './assign-defined.js';
import { configMac, readConfigNets } from './config-nets.js';
import { FieldReader } from './field-reader.js';
import type { PropertyString } from './property-string.js';
import { splitTags } from './tags.js';

/**
 * PveLxcNet is a container NIC from config `net<N>`: `id` (`net0`), interface `name` inside the
 * container, `hwaddr` in lower-case colon form, `ip`/`ip6` as configured (`dhcp`, `auto`,
 * `manual` or a CIDR) and `bridge`.
 */
export interface PveLxcNet {
  id: string;
  name?: string;
  hwaddr?: string;
  ip?: string;
  ip6?: string;
  bridge?: string;
}

/**
 * PveLxcConfig is what the inventory needs from `/nodes/{node}/lxc/{vmid}/config`: `hostname`,
 * `description`, `template`, `tags`, NICs ordered by index, and `digest`.
 */
export interface PveLxcConfig {
  hostname?: string;
  description?: string;
  template: boolean;
  tags: string[];
  nets: PveLxcNet[];
  digest?: string;
}

/** normalizeLxcConfig maps the `data` of an lxc config; throws PveBadResponseError when malformed. */
export function normalizeLxcConfig(data: unknown, at = 'data'): PveLxcConfig {
  const r = FieldReader.of(data, at);
  const config: PveLxcConfig = {
    template: r.boolean('template', false),
    tags: splitTags(r.optString('tags')),
    nets: readConfigNets(r, parseLxcNet),
  };
  return assignDefined(config, {
    hostname: r.optString('hostname'),
    description: r.optString('description'),
    digest: r.optString('digest'),
  });
}

function parseLxcNet(id: string, value: PropertyString, at: string): PveLxcNet {
  const get = (key: string) => value.values.get(key) || undefined;
  return assignDefined({ id } as PveLxcNet, {
    name: get('name'),
    hwaddr: configMac(get('hwaddr'), at),
    ip: get('ip'),
    ip6: get('ip6'),
    bridge: get('bridge'),
  });
}
