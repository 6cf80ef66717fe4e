import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient } from '../../src/proxmox/client.js';
import { PveError } from '../../src/proxmox/errors.js';
import { type FactSample, loadFacts, type PveFact } from '../facts/index.js';
import { registerSecret } from '../support/capture.js';
import { callFact, factUrlPath } from './support/fact-call.js';
import { ReplayServer } from './support/replay-server.js';

const TOKEN_ID = 'inventory@pve!sync';
const SECRET = registerSecret('8f2d4b6a-1c3e-4f5a-9b7d-0e2c4a6b8d1f');
const ORIGIN = 'https://pve.test:8006';

const facts = await loadFacts();

/** settle runs a client call and returns its value or its error. */
async function settle(call: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await call };
  } catch (error) {
    return { error };
  }
}

/**
 * expectOutcome compares a call's outcome with a sample's expectation. `reasonPhrase` is false
 * for MockAgent, which cannot send PVE's custom reason phrases: a message that only PVE's
 * reason phrase carries is then not checked.
 */
function expectOutcome(
  outcome: { value?: unknown; error?: unknown },
  sample: FactSample,
  reasonPhrase: boolean,
): void {
  const expected = sample.expected;
  if (expected.kind === 'value') {
    expect(outcome.error).toBeUndefined();
    expect(outcome.value).toEqual(expected.value);
    return;
  }
  expect(outcome.error).toBeInstanceOf(PveError);
  const error = outcome.error as PveError & { field?: string };
  expect(error.code).toBe(expected.code);
  expect(error.retryable).toBe(expected.retryable);
  if (expected.field !== undefined) expect(error.field).toBe(expected.field);
  const phraseOnly =
    sample.raw.statusText !== undefined &&
    !sample.raw.body.includes(expected.messageIncludes ?? '');
  if (expected.messageIncludes !== undefined && (reasonPhrase || !phraseOnly)) {
    expect(error.message).toContain(expected.messageIncludes);
  }
  expect(JSON.stringify(error)).not.toContain(SECRET);
  expect(error.message).not.toContain(SECRET);
}

/**
 * needsReasonPhrase is true for a sample whose meaning is only in PVE's reason phrase (error
 * bodies before libpve-http-server-perl 5.2.0) and whose expected outcome depends on it.
 */
function needsReasonPhrase(sample: FactSample): boolean {
  const phrase = sample.raw.statusText;
  return (
    phrase !== undefined && !sample.raw.body.includes(phrase) && sample.expected.kind === 'value'
  );
}

function casesOf(fact: PveFact, reasonPhrase: boolean): Array<[string, FactSample]> {
  return fact.samples
    .filter((sample) => reasonPhrase || !needsReasonPhrase(sample))
    .map((sample) => [`${sample.era}: ${sample.name}`, sample]);
}

describe('PveClient against the PVE facts table, through MockAgent', () => {
  let agent: MockAgent;
  let client: PveClient;

  beforeAll(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = new PveClient({
      baseUrl: ORIGIN,
      tokenId: TOKEN_ID,
      secret: SECRET,
      dispatcher: agent,
    });
  });
  afterEach(() => {
    agent.assertNoPendingInterceptors();
  });
  afterAll(async () => {
    await client.close();
    await agent.close();
  });

  // MockAgent always sends the standard reason phrase; samples that depend on PVE's own phrase
  // run only in the real-HTTP suite below.
  for (const fact of facts.filter((f) => casesOf(f, false).length > 0)) {
    describe(`${fact.id} (${fact.section})`, () => {
      it.each(casesOf(fact, false))('%s', async (_name, sample) => {
        agent
          .get(ORIGIN)
          .intercept({
            path: `/api2/json${factUrlPath(fact)}`,
            method: 'GET',
            headers: { authorization: `PVEAPIToken=${TOKEN_ID}=${SECRET}` },
          })
          .reply(sample.raw.status, sample.raw.body, { headers: sample.raw.headers ?? {} });
        expectOutcome(await settle(callFact(client, fact)), sample, false);
      });
    });
  }
});

describe('PveClient against the PVE facts table, through real HTTP answers', () => {
  let server: ReplayServer;
  let client: PveClient;

  beforeAll(async () => {
    server = await ReplayServer.start();
    client = new PveClient({
      baseUrl: `${server.url}/api2/json`,
      tokenId: TOKEN_ID,
      secret: SECRET,
    });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  for (const fact of facts) {
    describe(`${fact.id} (${fact.section})`, () => {
      it.each(casesOf(fact, true))('%s', async (_name, sample) => {
        server.requests.length = 0;
        server.enqueue(sample.raw);
        expectOutcome(await settle(callFact(client, fact)), sample, true);
        expect(server.pending).toBe(0);
        expect(server.requests).toHaveLength(1);
        expect(server.requests[0]?.url).toBe(`/api2/json${factUrlPath(fact)}`);
        expect(server.requests[0]?.headers.authorization).toBe(`PVEAPIToken=${TOKEN_ID}=${SECRET}`);
      });
    });
  }
});
