import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues, getVariableValues } from './execution/graphql-runtime.js';
import { OperationCache } from './execution/operation-cache.js';
import { isUsageField } from './usage-fields.js';

/**
 * AnswerScope is what the answer to a query depends on: the inventory of some clusters (or of
 * all), their usage metrics, the cluster rows. A change outside its scope cannot change the
 * answer (see DataGeneration).
 */
export interface AnswerScope {
  /** The clusters whose inventory it reads, or every cluster. */
  clusters: readonly number[] | 'all';
  /** It selects usage fields (rewritten by usage flushes, which make no event). */
  usage: boolean;
  /** It reads cluster rows (`PveCluster`: settings, sync status). */
  clusterRows: boolean;
}

/** Root fields never cached: the cluster list is edited by plain SQL too, which no event tells. */
const UNCACHED_ROOTS = new Set(['clusters', 'cluster']);

/**
 * The root fields whose answers stay within one cluster when given its id, and where the id is
 * in their arguments. From any object of a cluster, the schema only leads to the same cluster's
 * inventory (its nodes, guests, storage, templates, counts) and to cluster rows. A root field
 * missing here reads every cluster.
 */
const CLUSTER_ARGUMENT: Record<string, (args: Record<string, unknown>) => unknown> = {
  vms: (args) => (args.filter as { clusterId?: unknown } | null | undefined)?.clusterId,
  nodes: (args) => (args.filter as { clusterId?: unknown } | null | undefined)?.clusterId,
  storages: (args) => (args.filter as { clusterId?: unknown } | null | undefined)?.clusterId,
  vm: (args) => args.clusterId,
  templates: (args) => args.clusterId,
};

/** What one operation's selection reads, whatever its variables. */
interface OperationShape {
  operation: OperationDefinitionNode;
  roots: { name: string; node: Parameters<typeof getArgumentValues>[1] }[];
  usage: boolean;
  clusterRows: boolean;
}

/** The named type under lists and non-nulls (no `instanceof`: see graphql-runtime.ts). */
function namedType(type: GraphQLOutputType): GraphQLNamedType {
  let inner: unknown = type;
  while ((inner as { ofType?: unknown }).ofType) inner = (inner as { ofType: unknown }).ofType;
  return inner as GraphQLNamedType;
}

function clusterIdOf(value: unknown): number | undefined {
  const id = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * AnswerScopes works out the {@link AnswerScope} of query operations: what the selection reads
 * (usage fields, cluster rows) once per document and operation, which clusters from the root
 * fields' arguments per execution. Whatever it cannot bound reads everything.
 */
export class AnswerScopes {
  readonly #shapes = new OperationCache<OperationShape | null>();

  /**
   * scopeOf returns the scope of running `operationName` of `document` with these (raw)
   * variables, or null when its answer is never cached: not a query, the cluster list, or
   * variables that do not coerce (the execution fails).
   */
  scopeOf(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): AnswerScope | null {
    const shape = this.#shapes.get(document, operationName, () =>
      readShape(schema, document, operationName),
    );
    if (!shape) return null;
    const queryType = schema.getQueryType()!;
    const coerced = getVariableValues(
      schema,
      shape.operation.variableDefinitions ?? [],
      (variables ?? {}) as Record<string, unknown>,
      { maxErrors: 1 },
    );
    if (coerced.errors) return null;
    const clusters = new Set<number>();
    let all = false;
    for (const root of shape.roots) {
      if (root.name === '__typename') continue;
      const read = CLUSTER_ARGUMENT[root.name];
      const definition = queryType.getFields()[root.name];
      if (!read || !definition) {
        all = true;
        continue;
      }
      let id: number | undefined;
      try {
        id = clusterIdOf(read(getArgumentValues(definition, root.node, coerced.coerced)));
      } catch {
        return null;
      }
      if (id === undefined) all = true;
      else clusters.add(id);
    }
    return {
      clusters: all ? 'all' : [...clusters].sort((a, b) => a - b),
      usage: shape.usage,
      clusterRows: shape.clusterRows,
    };
  }
}

function readShape(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationShape | null {
  const operation = getOperationAST(document, operationName ?? undefined);
  const queryType = schema.getQueryType();
  if (operation?.operation !== 'query' || !queryType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const shape: OperationShape = { operation, roots: [], usage: false, clusterRows: false };
  const visit = (
    type: GraphQLNamedType,
    set: SelectionSetNode,
    root: boolean,
    seen: Set<string>,
  ) => {
    const fields =
      'getFields' in type
        ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)
        : {};
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (root) shape.roots.push({ name, node: selection });
        const field = fields[name];
        if (!field) continue;
        if (isUsageField(field)) shape.usage = true;
        const named = namedType(field.type);
        if (named.name === 'PveCluster') shape.clusterRows = true;
        if (selection.selectionSet) visit(named, selection.selectionSet, false, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : type;
        if (condition) visit(condition, selection.selectionSet, root, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition) {
          visit(condition, fragment.selectionSet, root, new Set([...seen, fragment.name.value]));
        }
      }
    }
  };
  visit(queryType, operation.selectionSet, true, new Set());
  if (shape.roots.some((root) => UNCACHED_ROOTS.has(root.name))) return null;
  return shape;
}
