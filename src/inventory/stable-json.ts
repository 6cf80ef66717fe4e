/**
 * stableJson is JSON with object keys sorted, so equal values always serialise alike whatever
 * order their keys were built in.
 */
export function stableJson(value: unknown): string {
  // The common cases first, without an intermediate array per value: this runs for every field
  // of every state a poll builds (the first sync of 10,000 guests hashes 10,000 states).
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableJson(value[i]);
    return `${out}]`;
  }
  if (typeof value === 'object') {
    // Keys in code-unit order (sort()'s default), undefined members left out, as JSON does.
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let out = '{';
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${stableJson(member)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}
