import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PARENT_READ, type ParentRead } from './parent-read.js';

/**
 * ValuePlan is how one field's value is completed: a leaf serialised, a list of items, or an
 * object whose selection is executed. `nonNull` values that come out null are not planned for:
 * they make the plan give up (the standard executor then reports the error).
 */
export type ValuePlan =
  | { kind: 'leaf'; nonNull: boolean; serialize: (value: unknown) => unknown }
  | { kind: 'list'; nonNull: boolean; item: ValuePlan }
  | { kind: 'object'; nonNull: boolean; type: GraphQLObjectType; selection: SelectionPlan };

/**
 * SelectionPlan is a selection set on one object type: its fields in response order, and a
 * result object with every response key (null) that results are cloned from — objects of one
 * shape, built without a property-by-property growth of each.
 */
export interface SelectionPlan {
  fields: FieldPlan[];
  /** Makes a result object with every response key, in order, set to null. */
  create: () => Record<string, unknown>;
}

/** GraphQL names: what a response key can be (so it can be written into generated code). */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * resultFactory returns a function that makes result objects of one shape: one generated
 * constructor per selection set, so results are compact objects of one hidden class (a clone or
 * property-by-property growth may leave V8 with a dictionary-mode object per result).
 */
function resultFactory(keys: readonly string[]): () => Record<string, unknown> {
  for (const key of keys) if (!NAME.test(key)) throw new PlanNotApplicable();
  const body = keys.map((key) => `this[${JSON.stringify(key)}] = null;`).join('\n');
  const Result = new Function(body) as new () => Record<string, unknown>;
  return () => new Result();
}

/** FieldPlan is one response key of a selection set on an object type. */
export interface FieldPlan {
  responseKey: string;
  /** Set for `__typename`: the value to answer. */
  typename?: string;
  fieldName: string;
  /** Every field node of this response key (what `info.fieldNodes` carries). */
  fieldNodes: readonly FieldNode[];
  definition: GraphQLField<unknown, unknown>;
  parentType: GraphQLObjectType;
  /** The field's resolver; undefined for the default one (a plain property read). */
  resolve: GraphQLFieldResolver<unknown, unknown> | undefined;
  /** The field's {@link ParentRead}, tried before the resolver (not on root fields). */
  read: ParentRead<unknown> | undefined;
  /** The field defines arguments (so `args` must be computed for its resolver). */
  hasArgs: boolean;
  value: ValuePlan;
}

/** OperationPlan is a query operation compiled for {@link executePlan}. */
export interface OperationPlan {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  rootType: GraphQLObjectType;
  selection: SelectionPlan;
}

/**
 * PlanNotApplicable is thrown where a plan does not cover what it meets — at compile time (a
 * directive, an abstract type) or while executing (a null in a non-null field, an error): the
 * operation then runs through the standard executor, which answers it exactly.
 */
export class PlanNotApplicable extends Error {}

/** The tag graphql-js puts on each type class (identical across copies of the module). */
function tagOf(type: object): string {
  return (type as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] ?? '';
}

/**
 * BUILT_IN_LEAVES serialise the values resolvers return in the common case without calling the
 * scalar (same answer as its `serialize`); anything else goes to the scalar itself.
 */
const BUILT_IN_LEAVES: Record<string, (value: unknown) => boolean> = {
  String: (value) => typeof value === 'string',
  ID: (value) => typeof value === 'string',
  Boolean: (value) => typeof value === 'boolean',
  Int: (value) => typeof value === 'number' && (value | 0) === value,
  Float: (value) => typeof value === 'number' && Number.isFinite(value),
};

function leafSerializer(type: { name: string; serialize(value: unknown): unknown }) {
  const passes = BUILT_IN_LEAVES[type.name];
  const serialize = (value: unknown) => {
    const serialized = type.serialize(value);
    // graphql-js reports a serializer that returns nothing as a field error.
    if (serialized === null || serialized === undefined) throw new PlanNotApplicable();
    return serialized;
  };
  if (!passes) return serialize;
  return (value: unknown) => (passes(value) ? value : serialize(value));
}

/**
 * planOperation compiles the operation `operationName` of `document` for the fast executor, or
 * returns null when the operation is not a query or uses what the plan does not cover:
 * directives, abstract types, `isTypeOf` checks, introspection beyond `__typename`, a response
 * key `__proto__`. The document must be valid for `schema` (yoga validates before executing).
 */
export function planOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationPlan | null {
  const operation = getOperationAST(document, operationName ?? undefined);
  const rootType = schema.getQueryType();
  if (operation?.operation !== 'query' || !rootType) return null;
  if (operation.directives?.length) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  const planner = new Planner(schema, fragments);
  try {
    return {
      schema,
      operation,
      fragments,
      rootType,
      selection: planner.selection(rootType, [operation.selectionSet]),
    };
  } catch (err) {
    if (err instanceof PlanNotApplicable) return null;
    throw err;
  }
}

class Planner {
  readonly #schema: GraphQLSchema;
  readonly #fragments: Record<string, FragmentDefinitionNode>;

  constructor(schema: GraphQLSchema, fragments: Record<string, FragmentDefinitionNode>) {
    this.#schema = schema;
    this.#fragments = fragments;
  }

  /** The merged fields of selection sets on `type`, in response order (graphql's CollectFields). */
  selection(type: GraphQLObjectType, sets: readonly SelectionSetNode[]): SelectionPlan {
    const fields = this.#fields(type, sets);
    return { fields, create: resultFactory(fields.map((field) => field.responseKey)) };
  }

  #fields(type: GraphQLObjectType, sets: readonly SelectionSetNode[]): FieldPlan[] {
    if (type.isTypeOf) throw new PlanNotApplicable();
    const grouped = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    for (const set of sets) this.#collect(type, set, grouped, visited);
    const definitions = type.getFields();
    return [...grouped].map(([responseKey, fieldNodes]): FieldPlan => {
      if (responseKey === '__proto__') throw new PlanNotApplicable();
      const fieldName = fieldNodes[0]!.name.value;
      if (fieldName === '__typename') {
        return {
          responseKey,
          typename: type.name,
          fieldName,
          fieldNodes,
          definition: undefined as never,
          parentType: type,
          resolve: undefined,
          read: undefined,
          hasArgs: false,
          value: { kind: 'leaf', nonNull: true, serialize: (value) => value },
        };
      }
      const definition = definitions[fieldName];
      if (!definition) throw new PlanNotApplicable();
      const subSets = fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      return {
        responseKey,
        fieldName,
        fieldNodes,
        definition,
        parentType: type,
        resolve: definition.resolve,
        read:
          type === this.#schema.getQueryType()
            ? undefined
            : (definition.extensions?.[PARENT_READ] as ParentRead<unknown> | undefined),
        hasArgs: definition.args.length > 0,
        value: this.#value(definition.type, subSets),
      };
    });
  }

  #value(type: GraphQLOutputType, sets: readonly SelectionSetNode[], nonNull = false): ValuePlan {
    switch (tagOf(type)) {
      case 'GraphQLNonNull':
        return this.#value((type as { ofType: GraphQLOutputType }).ofType, sets, true);
      case 'GraphQLList':
        return {
          kind: 'list',
          nonNull,
          item: this.#value((type as { ofType: GraphQLOutputType }).ofType, sets),
        };
      case 'GraphQLScalarType':
      case 'GraphQLEnumType':
        return {
          kind: 'leaf',
          nonNull,
          serialize: leafSerializer(type as Parameters<typeof leafSerializer>[0]),
        };
      case 'GraphQLObjectType':
        return {
          kind: 'object',
          nonNull,
          type: type as GraphQLObjectType,
          selection: this.selection(type as GraphQLObjectType, sets),
        };
      default:
        throw new PlanNotApplicable();
    }
  }

  #collect(
    type: GraphQLObjectType,
    set: SelectionSetNode,
    grouped: Map<string, FieldNode[]>,
    visited: Set<string>,
  ): void {
    for (const selection of set.selections) {
      if (selection.directives?.length) throw new PlanNotApplicable();
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const nodes = grouped.get(key);
        if (nodes) nodes.push(selection);
        else grouped.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.#applies(type, selection.typeCondition?.name.value)) {
          this.#collect(type, selection.selectionSet, grouped, visited);
        }
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = this.#fragments[name];
        if (!fragment) throw new PlanNotApplicable();
        if (fragment.directives?.length) throw new PlanNotApplicable();
        if (this.#applies(type, fragment.typeCondition.name.value)) {
          this.#collect(type, fragment.selectionSet, grouped, visited);
        }
      }
    }
  }

  /** Whether a fragment with this type condition applies to objects of `type`. */
  #applies(type: GraphQLObjectType, condition: string | undefined): boolean {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = this.#schema.getType(condition);
    if (!conditionType) return false;
    const tag = tagOf(conditionType);
    if (tag !== 'GraphQLInterfaceType' && tag !== 'GraphQLUnionType') return false;
    return this.#schema.isSubType(conditionType as never, type);
  }
}
