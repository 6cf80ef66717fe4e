/**
 * PropertyString is a parsed PVE property string (`virtio=BC:24:11:…,bridge=vmbr0,tag=30`):
 * `values` maps each `key=value`, `positional` lists the parts without `=` (the default key,
 * as in agent `1,fstrim_cloned_disks=1`), `order` lists the keys as they appeared.
 */
export interface PropertyString {
  values: Map<string, string>;
  positional: string[];
  order: string[];
}

/** parsePropertyString splits a PVE property string on `,` into keys and positional values. */
export function parsePropertyString(text: string): PropertyString {
  const parsed: PropertyString = { values: new Map(), positional: [], order: [] };
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      parsed.positional.push(item);
      continue;
    }
    const key = item.slice(0, eq).trim();
    parsed.values.set(key, item.slice(eq + 1).trim());
    parsed.order.push(key);
  }
  return parsed;
}

/**
 * parsePveBoolean reads a boolean the way PVE's property parser does: `1|on|yes|true` and
 * `0|off|no|false` (case-insensitive); anything else is undefined.
 */
export function parsePveBoolean(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (['1', 'on', 'yes', 'true'].includes(value)) return true;
  if (['0', 'off', 'no', 'false'].includes(value)) return false;
  return undefined;
}
