import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureResponse } from '../support/capture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
});

/** fetch that records every body the audits receive, for the whole-run secret check. */
const capturingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  captureResponse(await response.clone().text());
  return response;
};

// The audits are built before the app starts, so their URL is a function read at run time.
const audits = serverAudits({ url: () => app.url, fetchFn: capturingFetch });

describe('GraphQL over HTTP conformance (graphql-http server audits) on /graphql', () => {
  it('has the full audit list to run', () => {
    // graphql-http 1.23.1 has 61 audits; a different count means the pinned version changed.
    expect(audits).toHaveLength(61);
  });

  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      const detail =
        result.status === 'ok'
          ? ''
          : `${result.status}: ${result.reason} (HTTP ${result.response.status})`;
      expect(detail).toBe('');
    });
  }
});
