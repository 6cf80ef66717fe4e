/**
 * assignDefined copies the members of `values` that are not undefined onto `target`, so
 * normalised objects carry no `undefined` members.
 */
export function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}
