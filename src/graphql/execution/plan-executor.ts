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
  type SelectionPlan,
  type ValuePlan,
} from './operation-plan.js';
import { READ_DECLINED } from './parent-read.js';

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
  const data = executeFields(execution, plan.selection, args.rootValue, undefined);
  return isThenable(data)
    ? Promise.resolve(data).then((value) => ({ data: value as Record<string, unknown> }))
    : { data };
}

/**
 * A value still to come: where it goes (`target[key]`) and how it completes. The hot loops below
 * hand promises to {@link settleLater} so that they capture nothing themselves (a closure in a
 * loop body costs a context allocation per iteration, even when it is never created).
 */
function settleLater(
  pending: Promise<unknown>[] | undefined,
  target: Record<string | number, unknown>,
  key: string | number,
  execution: Execution,
  plan: ValuePlan,
  value: unknown,
  path: Path | undefined,
  resolved: boolean,
): Promise<unknown>[] {
  target[key] = null;
  const list = pending ?? [];
  const completed = resolved
    ? Promise.resolve(value)
    : Promise.resolve(value).then((settled) => completeValue(execution, plan, settled, path));
  list.push(
    completed.then((done) => {
      target[key] = done;
    }),
  );
  return list;
}

function executeFields(
  execution: Execution,
  selection: SelectionPlan,
  source: unknown,
  path: Path | undefined,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const result = selection.create();
  let pending: Promise<unknown>[] | undefined;
  const fields = selection.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const key = field.responseKey;
    if (field.typename !== undefined) {
      result[key] = field.typename;
      continue;
    }
    let fieldPath: Path | undefined =
      field.value.kind === 'leaf'
        ? undefined
        : { prev: path, key, typename: field.parentType.name };
    let value: unknown = field.read === undefined ? READ_DECLINED : field.read(source);
    if (value !== READ_DECLINED) {
      // Read from the parent (a ParentRead).
    } else if (field.resolve === undefined) {
      // graphql's defaultFieldResolver, minus methods (which it would call).
      value =
        source !== null && (typeof source === 'object' || typeof source === 'function')
          ? (source as Record<string, unknown>)[field.fieldName]
          : undefined;
      if (typeof value === 'function') throw new PlanNotApplicable();
    } else {
      fieldPath ??= { prev: path, key, typename: field.parentType.name };
      value = field.resolve(
        source,
        field.hasArgs
          ? getArgumentValues(field.definition, field.fieldNodes[0]!, execution.variableValues)
          : {},
        execution.context,
        resolveInfo(execution, field, fieldPath),
      );
    }
    if (isThenable(value)) {
      pending = settleLater(pending, result, key, execution, field.value, value, fieldPath, false);
      continue;
    }
    const completed = completeValue(execution, field.value, value, fieldPath);
    if (isThenable(completed)) {
      pending = settleLater(
        pending,
        result,
        key,
        execution,
        field.value,
        completed,
        fieldPath,
        true,
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
  if (plan.kind === 'leaf') return plan.serialize(value);
  if (plan.kind === 'object') return executeFields(execution, plan.selection, value, path);
  return completeList(execution, plan.item, value, path);
}

function completeList(
  execution: Execution,
  item: ValuePlan,
  value: unknown,
  path: Path | undefined,
): unknown[] | Promise<unknown[]> {
  if (!Array.isArray(value)) throw new PlanNotApplicable();
  const items: unknown[] = new Array(value.length);
  let pending: Promise<unknown>[] | undefined;
  const leaf = item.kind === 'leaf';
  for (let i = 0; i < value.length; i++) {
    const itemPath: Path | undefined = leaf
      ? undefined
      : { prev: path, key: i, typename: undefined };
    const element: unknown = value[i];
    if (isThenable(element)) {
      pending = settleLater(
        pending,
        items as unknown as Record<number, unknown>,
        i,
        execution,
        item,
        element,
        itemPath,
        false,
      );
      continue;
    }
    const completed = completeValue(execution, item, element, itemPath);
    if (isThenable(completed)) {
      pending = settleLater(
        pending,
        items as unknown as Record<number, unknown>,
        i,
        execution,
        item,
        completed,
        itemPath,
        true,
      );
    } else {
      items[i] = completed;
    }
  }
  return pending ? Promise.all(pending).then(() => items) : items;
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
    signal: execution.signal,
  } as GraphQLResolveInfo;
}
