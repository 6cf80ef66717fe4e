import { assignDefined } from './assign-defined.js';
import { configMac, readConfigNets } from './config-nets.js';
import { badField, FieldReader } from './field-reader.js';
import { type PropertyString, parsePropertyString, parsePveBoolean } from './property-string.js';
import { splitTags } from './tags.js';

/**
 * PveQemuNet is a VM NIC from config `net<N>`: `id` (`net0`), NIC `model` (`virtio`, `e1000`,
 * …), `mac` in lower-case colon form, and `bridge` when attached to one.
 */
export interface PveQemuNet {
  id: string;
  model: string;
  mac?: string;
  bridge?: string;
}

/**
 * PveQemuConfig is what the inventory needs from `/nodes/{node}/qemu/{vmid}/config`: `name`,
 * `description` (verbatim), `agentEnabled` (the guest agent is enabled in config — not that it
 * runs), `template`, `tags`, the NICs ordered by index, and `digest` (changes with the file).
 */
export interface PveQemuConfig {
  name?: string;
  description?: string;
  agentEnabled: boolean;
  template: boolean;
  tags: string[];
  nets: PveQemuNet[];
  digest?: string;
}

/** Keys of a qemu net property string that are not the `<model>=<mac>` pair. */
const NET_OPTION_KEYS = new Set([
  'bridge',
  'firewall',
  'link_down',
  'mtu',
  'queues',
  'rate',
  'tag',
  'trunks',
  'macaddr',
  'model',
]);

/** normalizeQemuConfig maps the `data` of a qemu config; throws PveBadResponseError when malformed. */
export function normalizeQemuConfig(data: unknown, at = 'data'): PveQemuConfig {
  const r = FieldReader.of(data, at);
  const config: PveQemuConfig = {
    agentEnabled: readAgentEnabled(r),
    template: r.boolean('template', false),
    tags: splitTags(r.optString('tags')),
    nets: readConfigNets(r, parseQemuNet),
  };
  return assignDefined(config, {
    name: r.optString('name'),
    description: r.optString('description'),
    digest: r.optString('digest'),
  });
}

/**
 * readAgentEnabled reads config `agent`: `1`, `"1,fstrim_cloned_disks=1"`, `"enabled=1,…"`
 * enable it; `0`, `"enabled=0"`, options without the flag (`"type=virtio"`, the flag defaults
 * to 0) or no `agent` key disable it.
 */
function readAgentEnabled(r: FieldReader): boolean {
  const raw = r.raw('agent');
  if (raw === undefined || raw === null || raw === '') return false;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== 'string') throw badField(r.path('agent'), 'an agent property string', raw);
  const parsed = parsePropertyString(raw);
  const flag = parsed.values.get('enabled') ?? parsed.positional[0];
  if (flag === undefined) return false;
  const enabled = parsePveBoolean(flag);
  if (enabled === undefined) throw badField(r.path('agent'), 'an agent property string', raw);
  return enabled;
}

function parseQemuNet(id: string, value: PropertyString, at: string): PveQemuNet {
  const modelKey = value.order.find((key) => !NET_OPTION_KEYS.has(key));
  const model = value.values.get('model') ?? modelKey;
  if (model === undefined) throw badField(at, '"<model>=<mac>,…"', value.order.join(','));
  const mac = value.values.get('macaddr') ?? (modelKey ? value.values.get(modelKey) : undefined);
  return assignDefined({ id, model } as PveQemuNet, {
    mac: configMac(mac, at),
    bridge: value.values.get('bridge'),
  });
}
