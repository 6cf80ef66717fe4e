import type { IncomingHttpHeaders } from 'node:http';
import { type ExecutionResult, getOperationAST } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';
import type { ServerContext } from './yoga.js';

/** DirectAnswer is the HTTP answer to a query run by {@link DirectQueries}. */
export interface DirectAnswer {
  status: number;
  headers: [string, string][];
  /** The body (a string: written to the socket as it is, without a copy into a Buffer first). */
  body: Buffer | string;
  /** The `request` of the operation's context (what the response cache marks). */
  request: object;
}

/** The fields a GraphQL-over-HTTP JSON body may carry (yoga refuses any other). */
const PARAMS = new Set(['query', 'variables', 'operationName']);

interface Params {
  query: string;
  variables: Record<string, unknown> | null | undefined;
  operationName: string | null | undefined;
}

function readParams(body: string): Params | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const params = parsed as Record<string, unknown>;
  for (const key in params) if (!PARAMS.has(key)) return undefined;
  const { query, variables, operationName } = params;
  if (typeof query !== 'string') return undefined;
  if (variables !== undefined && variables !== null) {
    if (typeof variables !== 'object' || Array.isArray(variables)) return undefined;
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return undefined;
  }
  return {
    query,
    variables: variables as Params['variables'],
    operationName: operationName as Params['operationName'],
  };
}

/** The media types yoga's result processors offer, in the order yoga tries them. */
const PROCESSORS = [
  { regular: false, types: ['text/event-stream'] },
  { regular: false, types: ['multipart/mixed'] },
  { regular: true, types: ['application/graphql-response+json', 'application/json'] },
];

/** Whether an asked media type (possibly with wildcards) covers a processor's type. */
function matches(processorType: string, askedType: string): boolean {
  const [pre, suf] = processorType.split('/');
  const [askedPre, askedSuf] = askedType.split('/');
  return (askedPre === '*' || askedPre === pre) && (askedSuf === '*' || askedSuf === suf);
}

/**
 * regularMediaType is the content type yoga answers a plain (not streamed) result with for this
 * `Accept` header — its own negotiation: the last match wins — or undefined when yoga would pick
 * a streaming format or none (406).
 */
export function regularMediaType(accept: string | undefined): string | undefined {
  const asked: string[] = [];
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [type, ...parameters] = entry.split(';');
    if (type === undefined) continue;
    const charset = parameters.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset === 'charset=utf-8') asked.push(type);
  }
  asked.reverse();
  let chosen: { regular: boolean; type: string } | undefined;
  for (const processor of PROCESSORS) {
    for (const askedType of asked) {
      for (const type of processor.types) {
        if (matches(type, askedType)) chosen = { regular: processor.regular, type };
      }
    }
  }
  return chosen?.regular ? chosen.type : undefined;
}

function headersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const name in incoming) {
    const value = incoming[name];
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * DirectQueries answers GraphQL queries posted as JSON without yoga's HTTP layer (WHATWG
 * Request/Response objects, body streams, result processors: a third of the CPU time of an
 * uncached page): the body is parsed here and run through `yoga.getEnveloped` — the same
 * parse/validation caches, context, plugins (auth, metrics, response-cache marks, masked errors)
 * and executor — and a result without errors is answered as yoga answers it (status 200, the
 * content type yoga's negotiation picks, the JSON body). Everything else is left to yoga by
 * returning undefined: another body shape, an `Origin` (CORS) or a streaming `Accept`, a parse
 * or validation error, a mutation or subscription — before anything executed — and a query
 * whose result carries errors, which yoga runs again to answer it with its status and format
 * (running a query twice is harmless).
 */
export class DirectQueries {
  readonly #yoga: YogaServerInstance<ServerContext, GraphQLContext>;

  constructor(yoga: YogaServerInstance<ServerContext, GraphQLContext>) {
    this.#yoga = yoga;
  }

  /** answer runs the query posted as `body` with these headers, or returns undefined (see class). */
  async answer(
    incoming: IncomingHttpHeaders,
    url: string,
    body: string,
  ): Promise<DirectAnswer | undefined> {
    if (incoming.origin !== undefined) return undefined;
    const mediaType = regularMediaType(incoming.accept);
    if (mediaType === undefined) return undefined;
    const params = readParams(body);
    if (!params) return undefined;
    const request = { method: 'POST', url, headers: headersOf(incoming) } as unknown as Request;
    const enveloped = this.#yoga.getEnveloped({ request, params } as never);
    let document: ReturnType<typeof enveloped.parse>;
    try {
      document = enveloped.parse(params.query);
    } catch {
      return undefined;
    }
    if (enveloped.validate(enveloped.schema, document).length > 0) return undefined;
    const operation = getOperationAST(document, params.operationName ?? undefined);
    if (operation?.operation !== 'query') return undefined;
    let result: ExecutionResult;
    try {
      const contextValue = await enveloped.contextFactory();
      result = (await enveloped.execute({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: params.variables,
        operationName: params.operationName,
      })) as ExecutionResult;
    } catch {
      return undefined;
    }
    if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) {
      return undefined;
    }
    if (result.errors?.length || (result.extensions as { http?: unknown } | undefined)?.http) {
      return undefined;
    }
    const json = JSON.stringify(result);
    return {
      status: 200,
      headers: [
        ['content-type', `${mediaType}; charset=utf-8`],
        ['content-length', String(Buffer.byteLength(json))],
      ],
      body: json,
      request,
    };
  }
}
