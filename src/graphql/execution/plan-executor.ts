import type { ExecutionArgs, ExecutionResult, GraphQLResolveInfo } from 'graphql';
import { getArgumentValues, getVariableValues } from './graphql-runtime.js';
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

/**
 * What every resolver call of one execution shares, and where the walk is: the response keys
 * from `base` down to the value being completed are a stack (pushed and popped, no allocation),
 * made into a {@link Path} only for a resolver's `info` or a value that completes later.
 */
interface Execution {
  plan: OperationPlan;
  context: unknown;
  rootValue: unknown;
  variableValues: Record<string, unknown>;
  signal: AbortSignal | undefined;
  keys: (string | number)[];
  typenames: (string | undefined)[];
  /** The path the current synchronous run starts from, and the index of its first key. */
  base: Path | undefined;
  start: number;
  /** The execution gave up: values still to come are not completed. */
  abandoned: boolean;
}

/** currentPath is the path of the value being completed. */
function currentPath(execution: Execution): Path | undefined {
  let path = execution.base;
  const { keys, typenames } = execution;
  for (let i = execution.start; i < keys.length; i++) {
    path = { prev: path, key: keys[i]!, typename: typenames[i] };
  }
  return path;
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
    keys: [],
    typenames: [],
    base: undefined,
    start: 0,
    abandoned: false,
  };
  let data: ReturnType<typeof executeFields>;
  try {
    data = executeFields(execution, plan.selection, args.rootValue);
  } catch (err) {
    execution.abandoned = true;
    throw err;
  }
  if (!isThenable(data)) return { data };
  return Promise.resolve(data).then(
    (value) => ({ data: value }),
    (err: unknown) => {
      execution.abandoned = true;
      throw err;
    },
  );
}

/**
 * A value still to come: where it goes (`target[key]`) and how it completes (from `path`). The
 * hot loops below hand promises here so that they capture nothing themselves (a closure in a
 * loop body costs a context allocation per iteration, even when it is never created).
 */
function settleLater(
  pending: Promise<unknown>[] | undefined,
  target: Record<string | number, unknown>,
  key: string | number,
  execution: Execution,
  plan: ValuePlan,
  value: unknown,
  resolved: boolean,
): Promise<unknown>[] {
  target[key] = null;
  const list = pending ?? [];
  const path = resolved ? undefined : currentPath(execution);
  const completed = resolved
    ? Promise.resolve(value)
    : Promise.resolve(value).then((settled) => {
        if (execution.abandoned) throw new PlanNotApplicable();
        execution.base = path;
        execution.start = execution.keys.length;
        return completeValue(execution, plan, settled);
      });
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
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const result = selection.create();
  let pending: Promise<unknown>[] | undefined;
  const { fields } = selection;
  const { keys, typenames } = execution;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const key = field.responseKey;
    if (field.typename !== undefined) {
      result[key] = field.typename;
      continue;
    }
    keys.push(key);
    typenames.push(field.parentType.name);
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
      value = field.resolve(
        source,
        field.hasArgs
          ? getArgumentValues(field.definition, field.fieldNodes[0]!, execution.variableValues)
          : {},
        execution.context,
        resolveInfo(execution, field, currentPath(execution)!),
      );
    }
    if (isThenable(value)) {
      pending = settleLater(pending, result, key, execution, field.value, value, false);
    } else {
      const completed = completeValue(execution, field.value, value);
      if (isThenable(completed)) {
        pending = settleLater(pending, result, key, execution, field.value, completed, true);
      } else {
        result[key] = completed;
      }
    }
    keys.pop();
    typenames.pop();
  }
  return pending ? Promise.all(pending).then(() => result) : result;
}

function completeValue(execution: Execution, plan: ValuePlan, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (plan.nonNull) throw new PlanNotApplicable();
    return null;
  }
  // A resolver may return an Error: graphql-js reports it as the field's error.
  if (value instanceof Error) throw new PlanNotApplicable();
  if (plan.kind === 'leaf') return plan.serialize(value);
  if (plan.kind === 'object') return executeFields(execution, plan.selection, value);
  return completeList(execution, plan.item, value);
}

function completeList(
  execution: Execution,
  item: ValuePlan,
  value: unknown,
): unknown[] | Promise<unknown[]> {
  if (!Array.isArray(value)) throw new PlanNotApplicable();
  const items: unknown[] = new Array(value.length);
  const target = items as unknown as Record<number, unknown>;
  let pending: Promise<unknown>[] | undefined;
  const { keys, typenames } = execution;
  for (let i = 0; i < value.length; i++) {
    keys.push(i);
    typenames.push(undefined);
    const element: unknown = value[i];
    if (isThenable(element)) {
      pending = settleLater(pending, target, i, execution, item, element, false);
    } else {
      const completed = completeValue(execution, item, element);
      if (isThenable(completed)) {
        pending = settleLater(pending, target, i, execution, item, completed, true);
      } else {
        items[i] = completed;
      }
    }
    keys.pop();
    typenames.pop();
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
