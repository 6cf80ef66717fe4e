import { filterInterfaces, normalizeMac } from '../agent-ips.js';
import { badField, FieldReader, isRecord, readList } from './field-reader.js';

/** IpFamily is the address family of a guest IP. */
export type IpFamily = 'ipv4' | 'ipv6';

/** PveIpAddress is one guest address with its prefix length. */
export interface PveIpAddress {
  address: string;
  prefix: number;
  family: IpFamily;
}

/**
 * PveInterface is one guest network interface: its name inside the guest, its MAC in
 * lower-case colon form (absent when the guest reports none), and its usable addresses.
 */
export interface PveInterface {
  name: string;
  mac?: string;
  addresses: PveIpAddress[];
}

/**
 * PveUnavailableReason says why no IPs are known: the agent is configured but does not answer,
 * no agent is configured, the guest is not running, or the agent command failed (QGA error or
 * timeout).
 */
export type PveUnavailableReason =
  | 'agent-not-running'
  | 'agent-not-configured'
  | 'guest-not-running'
  | 'agent-error';

/**
 * PveInterfacesResult is the answer to "which IPs does this guest have": either the filtered
 * interfaces (`lo`, 127/8, ::1 and fe80::/10 removed), or `unavailable` — a normal outcome for
 * stopped guests and guests without an agent, not an error. `message` is PVE's text.
 */
export type PveInterfacesResult =
  | { kind: 'interfaces'; interfaces: PveInterface[] }
  | { kind: 'unavailable'; reason: PveUnavailableReason; message: string };

const UNAVAILABLE_PATTERNS: ReadonlyArray<[RegExp, PveUnavailableReason]> = [
  [/guest agent is not running/i, 'agent-not-running'],
  [/no qemu guest agent configured/i, 'agent-not-configured'],
  [/^(VM|CT) \d+ (is )?not running/i, 'guest-not-running'],
  [/qga command .* failed/i, 'agent-error'],
];

/**
 * classifyUnavailable maps the message of a PVE 500 from an interfaces call to the reason no
 * IPs are known, or undefined when the 500 means something else (a real failure).
 */
export function classifyUnavailable(message: string): PveUnavailableReason | undefined {
  return UNAVAILABLE_PATTERNS.find(([pattern]) => pattern.test(message))?.[1];
}

/**
 * normalizeAgentInterfaces maps the `data` of `…/agent/network-get-interfaces`
 * (`{"result":[…]}`, the raw QGA list). A QGA error object in `result` (PVE 6.2 answered
 * those with HTTP 200) becomes `unavailable`/`agent-error`.
 */
export function normalizeAgentInterfaces(data: unknown, at = 'data'): PveInterfacesResult {
  const r = FieldReader.of(data, at);
  const result = r.raw('result');
  if (isRecord(result) && isRecord(result.error)) {
    const desc = result.error.desc;
    return {
      kind: 'unavailable',
      reason: 'agent-error',
      message: typeof desc === 'string' ? desc : 'guest agent error',
    };
  }
  const interfaces = readList(result, r.path('result'), (item, itemAt) => {
    const i = FieldReader.of(item, itemAt);
    const addresses = i.has('ip-addresses')
      ? readList(i.raw('ip-addresses'), i.path('ip-addresses'), readAgentAddress)
      : [];
    return withMac(i.string('name'), i.optString('hardware-address'), addresses);
  });
  return { kind: 'interfaces', interfaces: filterInterfaces(interfaces) };
}

/**
 * normalizeLxcInterfaces maps the `data` list of `/nodes/{node}/lxc/{vmid}/interfaces`, reading
 * both the PVE 7/8 members (`hwaddr`, `inet` "a.b.c.d/nn", `inet6`) and the QGA-like ones of the
 * current schema (`hardware-address`, `ip-addresses`), addresses de-duplicated. `data: null`
 * (no namespace to read: the container is not running) is `unavailable`/`guest-not-running`.
 */
export function normalizeLxcInterfaces(data: unknown, at = 'data'): PveInterfacesResult {
  if (data === null) {
    // The handler returns nothing when it cannot enter the container's network namespace.
    return { kind: 'unavailable', reason: 'guest-not-running', message: 'container not running' };
  }
  const interfaces = readList(data, at, (item, itemAt) => {
    const i = FieldReader.of(item, itemAt);
    const addresses = i.has('ip-addresses')
      ? readList(i.raw('ip-addresses'), i.path('ip-addresses'), readAgentAddress)
      : [];
    for (const key of ['inet', 'inet6'] as const) {
      for (const cidr of (i.optString(key) ?? '').split(/[\s,]+/)) {
        if (cidr !== '') addresses.push(parseCidr(cidr, key === 'inet' ? 'ipv4' : 'ipv6'));
      }
    }
    return withMac(
      i.string('name'),
      i.optString('hwaddr') ?? i.optString('hardware-address'),
      addresses,
    );
  });
  return { kind: 'interfaces', interfaces: filterInterfaces(interfaces) };
}

function readAgentAddress(item: unknown, at: string): PveIpAddress {
  const a = FieldReader.of(item, at);
  const address = a.string('ip-address');
  const type = a.optString('ip-address-type');
  if (type !== undefined && type !== 'ipv4' && type !== 'ipv6') {
    throw badField(a.path('ip-address-type'), '"ipv4" or "ipv6"', type);
  }
  const family: IpFamily = type ?? (address.includes(':') ? 'ipv6' : 'ipv4');
  return { address, prefix: a.optInteger('prefix') ?? fullPrefix(family), family };
}

function parseCidr(cidr: string, family: IpFamily): PveIpAddress {
  const [address = '', prefix] = cidr.split('/');
  const length = prefix === undefined ? fullPrefix(family) : Number(prefix);
  return { address, prefix: Number.isInteger(length) ? length : fullPrefix(family), family };
}

function fullPrefix(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

function withMac(name: string, mac: string | undefined, addresses: PveIpAddress[]): PveInterface {
  const normalized = mac === undefined ? undefined : (normalizeMac(mac) ?? mac.toLowerCase());
  return normalized === undefined ? { name, addresses } : { name, mac: normalized, addresses };
}
