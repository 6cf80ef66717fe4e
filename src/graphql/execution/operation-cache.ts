import type { DocumentNode } from 'graphql';

/**
 * OperationCache keeps one value per parsed document and operation name: what is worked out
 * once per operation (an execution plan, an answer's scope). Documents come from yoga's parser
 * cache, so a repeated query finds its entry; a document no longer referenced is collected with
 * its entries.
 */
export class OperationCache<T> {
  readonly #entries = new WeakMap<DocumentNode, Map<string, T>>();

  /**
   * get returns the value of `operationName` in `document`, computing it with `compute` when
   * there is none yet or when `stale(value)` says the one kept no longer applies.
   */
  get(
    document: DocumentNode,
    operationName: string | null | undefined,
    compute: () => T,
    stale?: (value: T) => boolean,
  ): T {
    let byName = this.#entries.get(document);
    if (!byName) {
      byName = new Map();
      this.#entries.set(document, byName);
    }
    const name = operationName ?? '';
    let value = byName.get(name);
    if (value === undefined || stale?.(value)) {
      value = compute();
      byName.set(name, value);
    }
    return value;
  }
}
