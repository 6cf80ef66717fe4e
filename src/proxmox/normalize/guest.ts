import { badField, FieldReader } from './field-reader.js';
import { splitTags } from './tags.js';

/** GuestType is the kind of a PVE guest: a QEMU VM or an LXC container. */
export type GuestType = 'qemu' | 'lxc';

/**
 * PveGuestUsage is a guest's changing usage metrics (they never make an inventory event by
 * themselves): cpu as a fraction of `maxcpu`, bytes for mem/disk/net/disk I/O, uptime in s.
 */
export interface PveGuestUsage {
  cpu: number;
  mem: number;
  disk: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  uptime: number;
}

/**
 * PveGuest is a VM or container as a list endpoint reports it (`/cluster/resources` or
 * `/nodes/{node}/qemu|lxc`). Members PVE did not send are undefined, never invented: a guest
 * of a node that has been offline for more than 5 minutes is `status: 'unknown'` with no
 * `name`, `template`, `max*` or `usage` — a sync keeps the last known values.
 * - `vmid`: cluster-wide unique id (sent as number or string; always a number here).
 * - `status`: `running`, `stopped`, QMP states (`paused`, `prelaunch`, …) or `unknown`.
 * - `template`: from 0/1/""/"0"/"1"; on per-node lists absent means false; on
 *   `/cluster/resources` absent means "not known" (undefined).
 * - `maxcpu`: `/cluster/resources` `maxcpu`, per-node lists `cpus`. `maxmem`/`maxdisk` bytes.
 * - `tags`: split on `[;,\s]+`, de-duplicated, in PVE's order; `[]` when none.
 * - `lock` (`migrate`, `backup`, …), `hastate` and `pool`: only when set.
 * - `usage`: present when the row carries any usage member; missing ones are 0.
 */
export interface PveGuest {
  vmid: number;
  type: GuestType;
  node: string;
  name?: string;
  status: string;
  template?: boolean;
  maxcpu?: number;
  maxmem?: number;
  maxdisk?: number;
  tags: readonly string[];
  lock?: string;
  hastate?: string;
  pool?: string;
  usage?: PveGuestUsage;
}

/** GUEST_USAGE_KEYS are the usage members of a guest row (PveGuestUsage). */
export const GUEST_USAGE_KEYS = [
  'cpu',
  'mem',
  'disk',
  'netin',
  'netout',
  'diskread',
  'diskwrite',
  'uptime',
] as const;

/**
 * normalizeResourceGuest maps a `/cluster/resources` row of type `qemu` or `lxc` (`at` is its
 * path for error messages) to a PveGuest. Throws PveBadResponseError naming the member when the
 * row is malformed.
 */
export function normalizeResourceGuest(row: unknown, at = 'row'): PveGuest {
  const r = FieldReader.of(row, at);
  const type = r.string('type');
  if (type !== 'qemu' && type !== 'lxc') throw badField(r.path('type'), '"qemu" or "lxc"', type);
  return readGuest(r, type, r.string('node'), 'maxcpu', r.optBoolean('template'));
}

/**
 * normalizeNodeGuest maps a row of `/nodes/{node}/qemu` (type `qemu`) or `/nodes/{node}/lxc`
 * (type `lxc`) to a PveGuest; `node` is the one in the URL (the rows carry none). An absent
 * `template` means false there.
 */
export function normalizeNodeGuest(
  row: unknown,
  type: GuestType,
  node: string,
  at = 'row',
): PveGuest {
  const r = FieldReader.of(row, at);
  return readGuest(r, type, node, 'cpus', r.boolean('template', false));
}

function readGuest(
  r: FieldReader,
  type: GuestType,
  node: string,
  maxcpuKey: 'maxcpu' | 'cpus',
  template: boolean | undefined,
): PveGuest {
  const guest: PveGuest = {
    vmid: r.vmid(),
    type,
    node,
    status: r.string('status'),
    tags: splitTags(r.optString('tags')),
  };
  // Member by member rather than assignDefined: this runs for every guest of every poll, and
  // the members come in one order, so guests share few hidden classes.
  const name = r.optString('name');
  if (name !== undefined) guest.name = name;
  if (template !== undefined) guest.template = template;
  const maxcpu = r.optNumber(maxcpuKey);
  if (maxcpu !== undefined) guest.maxcpu = maxcpu;
  const maxmem = r.optNumber('maxmem');
  if (maxmem !== undefined) guest.maxmem = maxmem;
  const maxdisk = r.optNumber('maxdisk');
  if (maxdisk !== undefined) guest.maxdisk = maxdisk;
  const lock = r.optString('lock');
  if (lock !== undefined) guest.lock = lock;
  const hastate = r.optString('hastate');
  if (hastate !== undefined) guest.hastate = hastate;
  const pool = r.optString('pool');
  if (pool !== undefined) guest.pool = pool;
  const usage = r.usage(GUEST_USAGE_KEYS);
  if (usage) guest.usage = usage;
  return guest;
}
