import { describe, expect, it } from 'vitest';
import {
  checkApiUrl,
  checkFingerprint,
  checkName,
  checkTokenId,
  problemsOfStoredCluster,
} from '../../src/db/cluster-settings.js';

describe('checkApiUrl', () => {
  it.each([
    ['https://pve.example.com:8006', 'https://pve.example.com:8006'],
    ['https://pve.example.com:8006/', 'https://pve.example.com:8006'],
    ['https://pve.example.com:8006/api2/json', 'https://pve.example.com:8006'],
    ['https://pve.example.com:8006/api2/json/', 'https://pve.example.com:8006'],
    ['  https://10.7.64.206:8006  ', 'https://10.7.64.206:8006'],
    ['https://[2001:db8::1]:8006', 'https://[2001:db8::1]:8006'],
    ['HTTPS://PVE.EXAMPLE.COM', 'https://pve.example.com'],
    ['http://127.0.0.1:8006', 'http://127.0.0.1:8006'],
    ['http://localhost:8006', 'http://localhost:8006'],
    ['http://[::1]:8006', 'http://[::1]:8006'],
  ])('accepts %s as %s', (input, origin) => {
    expect(checkApiUrl(input)).toEqual({ ok: true, value: origin });
  });

  it.each([
    ['', /absolute URL/],
    ['pve.example.com', /absolute URL/],
    ['ftp://pve.example.com', /https/],
    ['http://pve.example.com:8006', /loopback/],
    ['http://10.0.0.1:8006', /loopback/],
    ['https://u:p@pve.example.com', /credentials/],
    ['https://pve.example.com/?x=1', /query/],
    ['https://pve.example.com/#x', /fragment/],
    ['https://pve.example.com/api2', /base URL/],
    ['https://pve.example.com/api2/extjs', /base URL/],
  ])('refuses %s', (input, message) => {
    const result = checkApiUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('checkTokenId', () => {
  it.each(['root@pam!sync', 'api-user@pve!inventory', 'svc.x@my-ldap!t1', 'a@pv!tk'])(
    'accepts %s',
    (id) => {
      expect(checkTokenId(id)).toEqual({ ok: true, value: id });
    },
  );

  it('explains that user@realm is a user, not a token (the original documentation form)', () => {
    const result = checkTokenId('api-user@pve');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/is a user, not an API token id/);
  });

  it.each([
    'root!sync',
    '@pam!x',
    'a@b!tk',
    'a@pam!t',
    'root@pam!',
    'root@pam!sync!x',
    'ro ot@pam!x',
    'root@1pam!x',
  ])('refuses %s', (id) => {
    expect(checkTokenId(id).ok).toBe(false);
  });
});

describe('checkFingerprint', () => {
  const hex = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0'));
  it('accepts 32 colon-separated bytes in any case and upper-cases them', () => {
    expect(checkFingerprint(hex.join(':'))).toEqual({
      ok: true,
      value: hex.join(':').toUpperCase(),
    });
  });
  it.each([hex.slice(0, 20).join(':'), hex.join(''), hex.join('-'), `${hex.join(':')}:00`])(
    'refuses %s',
    (value) => {
      expect(checkFingerprint(value).ok).toBe(false);
    },
  );
});

describe('checkName', () => {
  it('trims and bounds the name', () => {
    expect(checkName('  prod  ')).toEqual({ ok: true, value: 'prod' });
    expect(checkName('x'.repeat(64)).ok).toBe(true);
    expect(checkName('x'.repeat(65)).ok).toBe(false);
    expect(checkName('').ok).toBe(false);
  });
});

describe('problemsOfStoredCluster', () => {
  it('names the SQL columns at fault for a row inserted by hand', () => {
    expect(
      problemsOfStoredCluster({ apiUrl: 'https://10.7.64.206:8006', tokenId: 'api-user@pve' }),
    ).toEqual([{ field: 'user_id', message: expect.stringMatching(/user@realm!tokenname/) }]);
    expect(problemsOfStoredCluster({ apiUrl: 'https://h:8006', tokenId: 'a@pve!tk' })).toEqual([]);
  });
});
