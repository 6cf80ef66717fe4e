import type { IpAddressRecord } from '../db/inventory-records.js';
import { sharedStrings } from '../lib/string-pool.js';
import { stableJson } from './stable-json.js';

declare const packed: unique symbol;

/**
 * PackedIpAddresses is a guest's address list as the in-memory inventory holds it (the state the
 * informers cache, the details the fetcher keeps): one string — a JSON array of
 * `[nicName, macAddress, ipAddress, ipVersion, prefixLength, configNic]` tuples in the list's
 * canonical order (sortIpAddresses) — instead of an array of record objects. A record with its
 * MAC and address strings, and the array around it, cost ~200 bytes per address on the V8 heap;
 * the tuple text of one address ~75 (issue 7: a cached guest must cost little). Equal lists pack
 * to equal strings, so comparing two lists is one `===`; records are unpacked only where they
 * leave the cache (a write, an event) or make a hash.
 */
export type PackedIpAddresses = string & { readonly [packed]: true };

/** NO_IP_ADDRESSES is the empty list (every stopped guest's, and every guest's until fetched). */
export const NO_IP_ADDRESSES = '[]' as PackedIpAddresses;

type Tuple = [string, string | null, string, 4 | 6, number | null, string | null];

/** packIpAddresses packs a list of records (in canonical order: it is packed as given). */
export function packIpAddresses(records: readonly IpAddressRecord[]): PackedIpAddresses {
  if (records.length === 0) return NO_IP_ADDRESSES;
  const tuples = records.map(
    (r): Tuple => [r.nicName, r.macAddress, r.ipAddress, r.ipVersion, r.prefixLength, r.configNic],
  );
  return JSON.stringify(tuples) as PackedIpAddresses;
}

/** unpackIpAddresses is the list as records (new objects each call; NIC names pooled). */
export function unpackIpAddresses(list: PackedIpAddresses): IpAddressRecord[] {
  if (list === NO_IP_ADDRESSES) return [];
  return (JSON.parse(list) as Tuple[]).map(
    ([nicName, macAddress, ipAddress, ipVersion, prefixLength, configNic]) => ({
      nicName: sharedStrings.intern(nicName),
      macAddress,
      ipAddress,
      ipVersion,
      prefixLength,
      configNic: sharedStrings.intern(configNic),
    }),
  );
}

/**
 * ipAddressesJson is the list's stableJson as records: what a state's hash is made of, the same
 * text as before the lists were packed, so stored hashes stay valid.
 */
export function ipAddressesJson(list: PackedIpAddresses): string {
  return list === NO_IP_ADDRESSES ? '[]' : stableJson(unpackIpAddresses(list));
}
