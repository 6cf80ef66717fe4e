/**
 * splitTags turns PVE's one-string tag list into tags: split on `;`, `,` and whitespace like
 * PVE's own `split_list` (hand-edited configs use `,` or spaces), empty parts dropped,
 * duplicates dropped (first occurrence kept), order kept. Absent or `""` gives `[]`.
 */
export function splitTags(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(/[;,\s]+/).filter((tag) => tag !== ''))];
}
