/**
 * Subscription clients for the event tests: the official `graphql-ws` client (over `ws`) and the
 * `graphql-sse` client, each wrapped in a {@link Recording} of everything the server sent.
 * Every result is captured for the whole-run secret check.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLFormattedError, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { captureResponse } from '../support/capture.js';

/** Result is one `next` payload as a client received it. */
export interface Result<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

/**
 * Recording is one running subscription: the results so far, how it ended, and ways to wait.
 */
export interface Recording<T> {
  readonly results: Result<T>[];
  /** The data of every result that had data, in arrival order. */
  data(): T[];
  /** Set once the server completed the operation. */
  readonly completed: boolean;
  /** What the client reported as an error (an array of GraphQL errors, or a close event). */
  readonly error: unknown;
  /** waitFor resolves once `count` results arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** ended resolves once the operation completed or failed. */
  ended(timeoutMs?: number): Promise<void>;
  /** stop unsubscribes (the client sends `complete`) and closes the client. */
  stop(): Promise<void>;
}

interface Sink {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(what()));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

function record<T>(
  start: (sink: Sink) => () => void,
  close: () => Promise<void> | void,
): Recording<T> {
  const results: Result<T>[] = [];
  let completed = false;
  let failed = false;
  let error: unknown;
  const unsubscribe = start({
    next: (value) => {
      captureResponse(JSON.stringify(value));
      results.push(value as Result<T>);
    },
    error: (err) => {
      failed = true;
      error = err;
    },
    complete: () => {
      completed = true;
    },
  });
  return {
    results,
    data: () => results.flatMap((r) => (r.data ? [r.data] : [])),
    get completed() {
      return completed;
    },
    get error() {
      return error;
    },
    waitFor: (count, timeoutMs = 10_000) =>
      until(
        () => results.length >= count,
        timeoutMs,
        () =>
          `expected ${count} results within ${timeoutMs} ms, got ${results.length}${failed ? ` (failed: ${JSON.stringify(error)})` : ''}${completed ? ' (completed)' : ''}`,
      ),
    ended: (timeoutMs = 10_000) =>
      until(
        () => completed || failed,
        timeoutMs,
        () => `the subscription did not end within ${timeoutMs} ms`,
      ),
    async stop() {
      unsubscribe();
      await close();
    },
  };
}

/** WsOptions configure a graphql-ws subscription. */
export interface WsOptions {
  connectionParams?: Record<string, unknown>;
}

/**
 * WsSubscription is a graphql-ws subscription on its own socket; terminate() drops the socket
 * without a close handshake (what a network failure looks like to the server); socket() is the
 * `ws` WebSocket once connected (pause() it to stop reading).
 */
export interface WsSubscription<T> extends Recording<T> {
  terminate(): void;
  socket(): WebSocket | undefined;
}

/** subscribeWs runs one subscription over graphql-ws on a socket of its own. */
export function subscribeWs<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: WsOptions = {},
): WsSubscription<T> {
  let socket: WebSocket | undefined;
  const client = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    on: {
      connected: (connected) => {
        socket = connected as WebSocket;
      },
    },
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
  });
  const query = print(document);
  const recording = record<T>(
    (sink) => client.subscribe({ query, variables: variables as Record<string, unknown> }, sink),
    () => client.dispose(),
  );
  return Object.assign(recording, {
    terminate: () => client.terminate(),
    socket: () => socket,
  });
}

/** subscribeSse runs one subscription over GraphQL over SSE (a connection of its own). */
export function subscribeSse<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  headers: Record<string, string> = {},
): Recording<T> {
  const client = createSseClient({ url, headers, retryAttempts: 0 });
  const query = print(document);
  return record<T>(
    (sink) => client.subscribe({ query, variables: variables as Record<string, unknown> }, sink),
    () => client.dispose(),
  );
}

/** errorCodesOf lists the `extensions.code` of every error a recording received. */
export function errorCodesOf(recording: Recording<unknown>): unknown[] {
  const received = recording.results.flatMap((r) => r.errors ?? []);
  const reported = Array.isArray(recording.error)
    ? (recording.error as GraphQLFormattedError[])
    : [];
  return [...received, ...reported].map((e) => e.extensions?.code);
}
