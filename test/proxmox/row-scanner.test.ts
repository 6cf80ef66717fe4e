import { describe, expect, it } from 'vitest';
import {
  normalizeClusterResources,
  normalizeClusterResourcesSince,
  RESOURCE_MEMBERS,
  scanClusterResources,
  scanClusterResourcesSince,
} from '../../src/proxmox/normalize/cluster-resources.js';
import { RowScanner } from '../../src/proxmox/normalize/row-scanner.js';

/** A small seeded PRNG (mulberry32), so every run checks the same generated answers. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['name', 'vmid', 'cpu', 'flag', 'note'] as const;

/** scanAll returns the records a scan hands over (copied) and whether it completed. */
function scanAll(text: string, keys: readonly string[] = KEYS) {
  const scanner = new RowScanner(keys);
  const rows: Record<string, unknown>[] = [];
  const complete = scanner.scan(Buffer.from(text, 'utf8'), (row) => rows.push({ ...row }));
  return { complete, rows };
}

/** expected is what JSON.parse gives, reduced to `keys` (absent members undefined). */
function expected(text: string, keys: readonly string[] = KEYS): Record<string, unknown>[] {
  const data = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
  return data.map((row) => Object.fromEntries(keys.map((k) => [k, row[k]])));
}

const NUMBER_TEXTS = [
  '0',
  '-0',
  '7',
  '-12',
  '2048',
  '9007199254740991',
  '9007199254740993',
  '123456789012345678901234567890',
  '0.192130365013972',
  '0.0665675681307912',
  '3.47726673451418e+15',
  '1E-7',
  '-2.5e3',
  '1.50',
  '0.000123',
  '100.000000000000000000001',
  '1e400',
  '0.1',
  '0.3',
];
const STRING_VALUES = [
  '',
  'pve1',
  'dns-test-1000',
  'wébserver',
  'tag;with,seps and spaces',
  'quote " and backslash \\ and slash /',
  'tab\tnewline\n',
  '日本語 🚀',
  'a'.repeat(300),
];

function randomValue(next: () => number): unknown {
  const pick = next();
  if (pick < 0.45) return STRING_VALUES[Math.floor(next() * STRING_VALUES.length)];
  if (pick < 0.9) return { raw: NUMBER_TEXTS[Math.floor(next() * NUMBER_TEXTS.length)] };
  return [true, false, null][Math.floor(next() * 3)];
}

/** A `{"data":[…]}` answer of random rows: random member order, spacing and values. */
function randomAnswer(seed: number, rowCount: number): string {
  const next = prng(seed);
  const space = () => [' ', '', '', '\n', '\t', '\r\n'][Math.floor(next() * 6)]!;
  const names = [...KEYS, 'other', 'id', 'extra-member'];
  const rows: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const members: string[] = [];
    for (const name of names) {
      if (next() < 0.3) continue;
      const value = randomValue(next);
      const text =
        typeof value === 'object' && value !== null
          ? (value as { raw: string }).raw
          : JSON.stringify(value);
      members.push(`${space()}"${name}"${space()}:${space()}${text}${space()}`);
    }
    if (next() < 0.1) members.push(`"name":${JSON.stringify(`again-${r}`)}`); // repeated member
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    rows.push(`${space()}{${members.join(',')}}${space()}`);
  }
  return `${space()}{${space()}"data"${space()}:${space()}[${rows.join(',')}]${space()}}${space()}`;
}

describe('RowScanner', () => {
  it('reads the same values as JSON.parse from rows in any member order and spacing', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomAnswer(seed, 25);
      const { complete, rows } = scanAll(text);
      expect(complete, text).toBe(true);
      expect(rows).toStrictEqual(expected(text));
    }
  });

  it('converts numbers exactly as JSON.parse does, including -0 and long mantissas', () => {
    const text = `{"data":[${NUMBER_TEXTS.map((n) => `{"cpu":${n}}`).join(',')}]}`;
    const { complete, rows } = scanAll(text);
    expect(complete).toBe(true);
    const want = expected(text);
    rows.forEach((row, i) => {
      expect(Object.is(row.cpu, want[i]!.cpu), NUMBER_TEXTS[i]).toBe(true);
    });
  });

  it('reads an empty list and rows without members', () => {
    expect(scanAll('{"data":[]}')).toEqual({ complete: true, rows: [] });
    const { complete, rows } = scanAll('{"data":[{},{"vmid":1},{}]}');
    expect(complete).toBe(true);
    expect(rows.map((r) => r.vmid)).toEqual([undefined, 1, undefined]);
  });

  it.each([
    ['a nested object', '{"data":[{"name":{"a":1}}]}'],
    ['a nested list', '{"data":[{"other":[1,2]}]}'],
    ['a row that is not an object', '{"data":[{"vmid":1},null]}'],
    ['another envelope member', '{"total":1,"data":[{"vmid":1}]}'],
    ['a byte order mark', '\ufeff{"data":[{"vmid":1}]}'],
    ['an escaped member name', '{"data":[{"na\\u006de":"x"}]}'],
  ])('leaves valid JSON outside its subset to JSON.parse: %s', (_what, text) => {
    expect(() => JSON.parse(text.replace(/^\ufeff/, ''))).not.toThrow();
    expect(scanAll(text).complete).toBe(false);
  });

  it.each([
    ['a truncated answer', '{"data":[{"vmid":1},{"name":"x'],
    ['a trailing comma', '{"data":[{"vmid":1},]}'],
    ['a trailing comma in a row', '{"data":[{"vmid":1,}]}'],
    ['a leading zero', '{"data":[{"vmid":01}]}'],
    ['a bare decimal point', '{"data":[{"cpu":1.}]}'],
    ['a missing integer part', '{"data":[{"cpu":.5}]}'],
    ['an empty exponent', '{"data":[{"cpu":1e}]}'],
    ['a plus sign', '{"data":[{"cpu":+1}]}'],
    ['a raw control character in a string', '{"data":[{"name":"a\u0001b"}]}'],
    ['an invalid escape', '{"data":[{"name":"a\\xb"}]}'],
    ['a misspelt literal', '{"data":[{"flag":tru}]}'],
    ['garbage after the answer', '{"data":[{"vmid":1}]} x'],
    ['a missing colon', '{"data":[{"vmid" 1}]}'],
    ['two values without a comma', '{"data":[{"vmid":1 "name":"x"}]}'],
    ['an unknown member with a broken value', '{"data":[{"other":1.2.3}]}'],
    ['nothing', ''],
  ])('refuses malformed JSON (JSON.parse refuses it too): %s', (_what, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(scanAll(text).complete).toBe(false);
  });

  it('reads right through its cache of short strings when values collide and are evicted', () => {
    // 10,000 distinct short names (more than the cache holds), then the same again reversed.
    const names = Array.from({ length: 10_000 }, (_, i) => `vm-${(i * 7919) % 10_007}`);
    const rows = [...names, ...[...names].reverse()].map((name) => `{"name":"${name}"}`);
    const text = `{"data":[${rows.join(',')}]}`;
    const { complete, rows: scanned } = scanAll(text);
    expect(complete).toBe(true);
    expect(scanned.map((r) => r.name)).toEqual([...names, ...[...names].reverse()]);
  });

  it('hands over one reused record: members of the previous row never leak into the next', () => {
    const seen: unknown[] = [];
    new RowScanner(KEYS).scan(Buffer.from('{"data":[{"name":"a","vmid":1},{"cpu":2}]}'), (row) =>
      seen.push(row.name, row.vmid, row.cpu),
    );
    expect(seen).toEqual(['a', 1, undefined, undefined, undefined, 2]);
  });
});

/** A `/cluster/resources` answer built from the facts of API.md §3: every kind, loose types. */
function resourcesAnswer(seed: number): string {
  const next = prng(seed);
  const rows: Record<string, unknown>[] = [
    { id: '/pool/prod', type: 'pool', pool: 'prod', cpu: 0.5, maxcpu: 12, mem: 123, maxmem: 456 },
  ];
  for (let i = 0; i < 60; i++) {
    const vmid = 100 + i;
    const type = i % 3 === 0 ? 'lxc' : 'qemu';
    const running = next() < 0.7;
    const row: Record<string, unknown> = {
      id: `${type}/${vmid}`,
      type,
      vmid: next() < 0.2 ? String(vmid) : vmid,
      node: `pve${1 + (i % 4)}`,
      status: i === 7 ? 'unknown' : running ? 'running' : 'stopped',
    };
    if (i !== 7) {
      Object.assign(row, {
        name: `guest-${vmid}`,
        template: [0, 1, '', '0', '1'][i % 5],
        maxcpu: 2,
        maxmem: next() < 0.3 ? '4294967296' : 4294967296,
        maxdisk: 34359738368,
        cpu: running ? next() / 7 : 0,
        mem: Math.floor(next() * 2 ** 32),
        disk: 0,
        netin: Math.floor(next() * 2 ** 40),
        netout: '3.47726673451418e+15',
        diskread: 1,
        diskwrite: 2,
        uptime: running ? 12345 : 0,
      });
    }
    if (i % 4 === 0) row.tags = 'prod;web, db';
    if (i % 9 === 0) row.lock = 'backup';
    if (i % 6 === 0) row.hastate = 'started';
    if (i % 5 === 0) row.pool = 'prod';
    if (i % 8 === 0) row.memhost = 1234;
    rows.push(row);
  }
  for (let n = 1; n <= 4; n++) {
    rows.push(
      n === 4
        ? { id: 'node/pve4', type: 'node', node: 'pve4', status: 'offline' }
        : {
            id: `node/pve${n}`,
            type: 'node',
            node: `pve${n}`,
            status: 'online',
            level: n === 1 ? '' : 'c',
            maxcpu: 16,
            maxmem: 68719476736,
            maxdisk: 100000000000,
            cpu: 0.0312,
            mem: 1234567,
            disk: 7654321,
            uptime: 99999,
            'cgroup-mode': 2,
          },
    );
    rows.push({
      id: `storage/pve${n}/local`,
      type: 'storage',
      storage: 'local',
      node: `pve${n}`,
      plugintype: 'dir',
      status: n === 4 ? 'unknown' : 'available',
      shared: n % 2,
      content: 'iso,vztmpl,backup',
      disk: 12,
      maxdisk: 100,
    });
  }
  rows.push({ id: 'sdn/pve1/localnetwork', type: 'sdn', sdn: 'localnetwork', node: 'pve1' });
  const shuffle = (keys: string[]) => {
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    return keys;
  };
  const body = rows.map(
    (row) =>
      `{${shuffle(Object.keys(row))
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(row[k])}`)
        .join(',')}}`,
  );
  return `{"data":[${body.join(',')}]}`;
}

describe('scanClusterResources', () => {
  it('gives what JSON.parse and normalizeClusterResources give', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const text = resourcesAnswer(seed);
      const scanned = scanClusterResources(Buffer.from(text));
      expect(scanned).toBeDefined();
      expect(scanned).toStrictEqual(normalizeClusterResources(JSON.parse(text).data));
    }
  });

  it('returns undefined for a malformed row, so the ordinary path names the member', () => {
    const text = resourcesAnswer(3).replace('"vmid":101', '"vmid":"one hundred one"');
    expect(text).toContain('one hundred one');
    expect(scanClusterResources(Buffer.from(text))).toBeUndefined();
    expect(() => normalizeClusterResources(JSON.parse(text).data)).toThrow(/data\[\d+\]\.vmid/);
  });

  it('lists exactly the members the normalisers read (one left out would read as absent)', () => {
    const read = new Set<string>();
    const watched = (row: Record<string, unknown>) =>
      new Proxy(row, {
        get(target, key, receiver) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key, receiver);
        },
      });
    const data = (JSON.parse(resourcesAnswer(5)) as { data: Record<string, unknown>[] }).data;
    normalizeClusterResources(data.map(watched));
    expect([...read].sort()).toEqual([...RESOURCE_MEMBERS].sort());
  });
});

/** digestsOf scans `text` with `digestKeys` and returns each row's digest. */
function digestsOf(text: string, digestKeys: readonly (typeof KEYS)[number][]): number[] {
  const scanner = new RowScanner(KEYS, { digestKeys });
  const digests: number[] = [];
  expect(scanner.scan(Buffer.from(text), () => digests.push(scanner.digest))).toBe(true);
  return digests;
}

describe('RowScanner digests', () => {
  const DIGESTED = ['name', 'vmid', 'flag', 'note'] as const;

  it('are equal for the same values whatever the member order and whitespace', () => {
    const [a, b, c] = digestsOf(
      `{"data":[{"name":"web-1","vmid":101,"flag":true,"note":null},
        { "note" : null , "flag":true,"vmid":  101,"name":"web-1" },
        {"flag":true,"name":"web-1","note":null,"vmid":101}]}`,
      DIGESTED,
    );
    expect(a).toBeGreaterThan(0);
    expect(Number.isSafeInteger(a)).toBe(true);
    expect([b, c]).toEqual([a, a]);
  });

  it('change with any digested value, and not with the others', () => {
    const base = '{"name":"web-1","vmid":101,"cpu":0.5,"flag":true,"note":"x"}';
    const variants = [
      base,
      base.replace('web-1', 'web-2'),
      base.replace('101', '102'),
      base.replace('true', 'false'),
      base.replace('"x"', '"y"'),
      base.replace('"note":"x"', '"note":null'),
      base.replace(',"note":"x"', ''),
      // The same value spelled otherwise is a different row to a digest (never falsely equal).
      base.replace('web-1', 'web\\u002d1'),
    ];
    const digests = digestsOf(`{"data":[${variants.join(',')}]}`, DIGESTED);
    expect(new Set(digests).size).toBe(variants.length);
    const usageOnly = digestsOf(`{"data":[${base},${base.replace('0.5', '0.75')}]}`, DIGESTED);
    expect(usageOnly[1]).toBe(usageOnly[0]);
  });

  it('do not let two members swap values unnoticed', () => {
    const [a, b] = digestsOf(
      '{"data":[{"name":"a","note":"b"},{"name":"b","note":"a"}]}',
      DIGESTED,
    );
    expect(a).not.toBe(b);
  });

  it('are 0 without digest keys, and a digest key must be a key', () => {
    expect(digestsOf('{"data":[{"name":"web-1","vmid":101}]}', [])).toEqual([0]);
    expect(() => new RowScanner(KEYS, { digestKeys: ['nope' as 'name'] })).toThrow(/nope/);
  });
});

describe('scanClusterResourcesSince', () => {
  /** digestMap is what a caller would remember from a full read of `text`. */
  function digestMap(text: string): Map<string, number> {
    const full = scanClusterResourcesSince(Buffer.from(text), () => undefined)!;
    expect(full.unchangedGuests).toEqual([]);
    expect(full.guestDigests).toHaveLength(full.guests.length);
    return new Map(full.guests.map((g, i) => [`${g.type}/${g.vmid}`, full.guestDigests[i]!]));
  }

  /** reordered is `text` with every row's members in another order (as PVE sends them). */
  function reordered(text: string): string {
    const data = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    return JSON.stringify({
      data: data.map((row) => Object.fromEntries(Object.entries(row).reverse())),
    });
  }

  it('reads in full every guest it is given no digest for, as scanClusterResources does', () => {
    const text = resourcesAnswer(4);
    const read = scanClusterResourcesSince(Buffer.from(text), () => undefined)!;
    const { unchangedGuests, guestDigests, ...rest } = read;
    expect(rest).toStrictEqual(scanClusterResources(Buffer.from(text)));
    expect(unchangedGuests).toEqual([]);
  });

  it('gives unchanged guest rows as their usage only, and changed ones in full', () => {
    const text = resourcesAnswer(6);
    const known = digestMap(text);
    const renamedVmid = [...known.keys()][1]!.split('/')[1]!;
    const data = (JSON.parse(reordered(text)) as { data: Record<string, unknown>[] }).data;
    for (const row of data) {
      if (typeof row.cpu === 'number') row.cpu = row.cpu + 0.125;
      if (String(row.vmid) === renamedVmid) row.name = 'renamed';
    }
    const next = JSON.stringify({ data });
    const read = scanClusterResourcesSince(Buffer.from(next), (type, vmid) =>
      known.get(`${type}/${vmid}`),
    )!;
    const all = normalizeClusterResources(data);
    expect(read.guests.map((g) => g.name)).toEqual(['renamed']);
    expect(read.guestDigests).toHaveLength(1);
    expect(read.guestDigests[0]).not.toBe(known.get(`qemu/${renamedVmid}`));
    expect(read.unchangedGuests).toHaveLength(all.guests.length - 1);
    for (const unchanged of read.unchangedGuests) {
      const guest = all.guests.find((g) => g.vmid === unchanged.vmid)!;
      expect(unchanged).toStrictEqual(
        guest.usage
          ? { type: guest.type, vmid: guest.vmid, usage: guest.usage }
          : { type: guest.type, vmid: guest.vmid },
      );
    }
    expect(read.nodes).toStrictEqual(all.nodes);
    expect(read.storage).toStrictEqual(all.storage);
  });

  it('leaves an answer with a malformed usage member of an unchanged row to the ordinary path', () => {
    const text = resourcesAnswer(2);
    const known = digestMap(text);
    const data = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    const guest = data.find((row) => row.type === 'qemu' && typeof row.cpu === 'number')!;
    guest.cpu = 'busy';
    const bad = JSON.stringify({ data });
    expect(() => normalizeClusterResources(data)).toThrow(/cpu/);
    expect(
      scanClusterResourcesSince(Buffer.from(bad), (type, vmid) => known.get(`${type}/${vmid}`)),
    ).toBeUndefined();
  });

  it('has a parsed counterpart that lists every guest in full', () => {
    const text = resourcesAnswer(3);
    const parsed = normalizeClusterResourcesSince(JSON.parse(text).data);
    expect(parsed).toStrictEqual({
      ...normalizeClusterResources(JSON.parse(text).data),
      unchangedGuests: [],
      guestDigests: [],
    });
  });
});
