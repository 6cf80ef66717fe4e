import { describe, expect, it } from 'vitest';
import { capturedFiles, findLeaks, registeredSecrets } from '../support/capture.js';

// Runs after the whole suite (test/run.ts, final phase): every secret any test used — PVE token
// secrets, simulator secrets, admin/read tokens, secret keys — against every log line of every
// test worker and every response body the test clients received.
describe('secrets over the whole test run', () => {
  it('were registered by the suite (the check below is not vacuous)', () => {
    expect(registeredSecrets().length).toBeGreaterThan(0);
    expect(capturedFiles('logs').length).toBeGreaterThan(0);
    expect(capturedFiles('responses').length).toBeGreaterThan(0);
  });

  it('appear in no log line and no response', () => {
    const leaks = findLeaks(registeredSecrets(), [
      ...capturedFiles('logs'),
      ...capturedFiles('responses'),
    ]);
    expect(leaks.map((leak) => `${leak.file}:${leak.line}`)).toEqual([]);
  });
});
