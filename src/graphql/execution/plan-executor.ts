import {
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLResolveInfo,
  getArgumentValues,
  getVariableValues,
} from 'graphql';
import {
  type FieldPlan,
  type OperationPlan,
  PlanNotApplicable,
  type ValuePlan,
} from './operation-plan.js';

/** A position in the result, as graphql-js builds it for `info.path`. */
interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
  readonly typename: string | undefined;
}

/** What every resolver call of one execution shares. */
interface Execution {
  plan: OperationPlan;
  context: unknown;
  rootValue: unknown;
  variableValues: Record<string, unknown>;
  signal: AbortSignal | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * executePlan runs a planned query: resolvers are called as graphql-js calls them (same
 * arguments, same `info`, siblings before awaiting, so DataLoaders batch alike), but fields read
 * with the default resolver and leaves of built-in scalars cost a property read, not a trip
 * through the general executor. It returns the result (`{ data }`), a promise of it, or throws
 * (or rejects with) {@link PlanNotApplicable} when the answer would carry an error — a resolver
 * threw, a non-null field is null, invalid variables: the caller then runs the operation through
 * the standard executor, which reports it. Queries only: running one twice is harmless.
 */
export function executePlan(
  plan: OperationPlan,
  args: ExecutionArgs,
): ExecutionResult | Promise<ExecutionResult> {
  const coerced = getVariableValues(
    plan.schema,
    plan.operation.variableDefinitions ?? [],
    (args.variableValues ?? {}) as Record<string, unknown>,
    { maxErrors: 1 },
  );
  if (coerced.errors) throw new PlanNotApplicable();
  const execution: Execution = {
    plan,
    context: args.contextValue,
    rootValue: args.rootValue,
    variableValues: coerced.coerced,
    signal: (args as { signal?: AbortSignal }).signal,
  };
  const data = executeFields(execution, plan.fields, args.rootValue, undefined);
  return isThenable(data)
    ? Promise.resolve(data).then((value) => ({ data: value as Record<string, unknown> }))
    : { data };
}

function executeFields(
  execution: Execution,
  fields: readonly FieldPlan[],
  source: unknown,
  path: Path | undefined,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  let pending: Promise<unknown>[] | undefined;
  for (const field of fields) {
    const key = field.responseKey;
    if (field.typename !== undefined) {
      result[key] = field.typename;
      continue;
    }
    const composite = field.value.kind !== 'leaf';
    const fieldPath: Path | undefined =
      composite || field.resolve ? { prev: path, key, typename: field.parentType.name } : undefined;
    let value: unknown;
    if (field.resolve === undefined) {
      // graphql's defaultFieldResolver, minus methods (which it would call).
      value =
        source !== null && (typeof source === 'object' || typeof source === 'function')
          ? (source as Record<string, unknown>)[field.fieldName]
          : undefined;
      if (typeof value === 'function') throw new PlanNotApplicable();
    } else {
      value = field.resolve(
        source,
        field.hasArgs
          ? getArgumentValues(field.definition, field.fieldNodes[0]!, execution.variableValues)
          : {},
        execution.context,
        resolveInfo(execution, field, fieldPath!),
      );
    }
    const completed = isThenable(value)
      ? Promise.resolve(value).then((resolved) =>
          completeValue(execution, field.value, resolved, fieldPath),
        )
      : completeValue(execution, field.value, value, fieldPath);
    if (isThenable(completed)) {
      result[key] = null;
      pending ??= [];
      pending.push(
        Promise.resolve(completed).then((done) => {
          result[key] = done;
        }),
      );
    } else {
      result[key] = completed;
    }
  }
  return pending ? Promise.all(pending).then(() => result) : result;
}

function completeValue(
  execution: Execution,
  plan: ValuePlan,
  value: unknown,
  path: Path | undefined,
): unknown {
  if (value === null || value === undefined) {
    if (plan.nonNull) throw new PlanNotApplicable();
    return null;
  }
  // A resolver may return an Error: graphql-js reports it as the field's error.
  if (value instanceof Error) throw new PlanNotApplicable();
  switch (plan.kind) {
    case 'leaf':
      return plan.serialize(value);
    case 'object':
      return executeFields(execution, plan.fields, value, path);
    case 'list': {
      if (!Array.isArray(value)) throw new PlanNotApplicable();
      const items: unknown[] = new Array(value.length);
      let pending: Promise<unknown>[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const itemPath: Path | undefined =
          plan.item.kind === 'leaf' ? undefined : { prev: path, key: i, typename: undefined };
        const item: unknown = value[i];
        const completed = isThenable(item)
          ? Promise.resolve(item).then((resolved) =>
              completeValue(execution, plan.item, resolved, itemPath),
            )
          : completeValue(execution, plan.item, item, itemPath);
        if (isThenable(completed)) {
          items[i] = null;
          pending ??= [];
          pending.push(
            Promise.resolve(completed).then((done) => {
              items[i] = done;
            }),
          );
        } else {
          items[i] = completed;
        }
      }
      return pending ? Promise.all(pending).then(() => items) : items;
    }
  }
}

function resolveInfo(execution: Execution, field: FieldPlan, path: Path): GraphQLResolveInfo {
  const { plan } = execution;
  return {
    fieldName: field.fieldName,
    fieldNodes: field.fieldNodes,
    returnType: field.definition.type,
    parentType: field.parentType,
    path,
    schema: plan.schema,
    fragments: plan.fragments,
    rootValue: execution.rootValue,
    operation: plan.operation,
    variableValues: execution.variableValues,
    ...(execution.signal ? { signal: execution.signal } : {}),
  };
}
