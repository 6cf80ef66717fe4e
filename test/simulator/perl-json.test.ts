import { describe, expect, it } from 'vitest';
import { encodePerlJson, formatG15, perlFloat, RawJson } from '../../src/simulator/perl-json.js';
import { Prng } from '../../src/simulator/prng.js';

describe('formatG15 prints numbers like Perl NVs through JSON::XS (%.15g, API.md §1.2)', () => {
  it.each([
    [3_477_266_734_514_176, '3.47726673451418e+15'],
    [2e15, '2e+15'],
    [0.024906019546946122, '0.0249060195469461'],
    [0.5, '0.5'],
    [123456789012345, '123456789012345'],
    [0.00001234, '1.234e-05'],
    [-1.5, '-1.5'],
    [0, '0'],
  ])('%d → %s', (value, text) => {
    expect(formatG15(value)).toBe(text);
  });
});

describe('encodePerlJson', () => {
  it('emits integers as integers, floats with 15 significant digits and omits undefined members', () => {
    const text = encodePerlJson({ a: 1, b: 0.12345678901234568, c: undefined, d: 'x"y', e: null });
    expect(JSON.parse(text)).toEqual({ a: 1, b: 0.123456789012346, d: 'x"y', e: null });
    expect(text).not.toContain('"c"');
  });

  it('emits RawJson verbatim so huge sizes keep the exponent form', () => {
    expect(encodePerlJson({ total: perlFloat(3_477_266_734_514_176) })).toBe(
      '{"total":3.47726673451418e+15}',
    );
    expect(encodePerlJson([new RawJson('{"x":1}')])).toBe('[{"x":1}]');
  });

  it('shuffles object keys with the given generator (different orders across calls)', () => {
    const order = new Prng('keys');
    const row = {
      id: 'qemu/100',
      vmid: 100,
      node: 'pve1',
      type: 'qemu',
      status: 'running',
      name: 'a',
    };
    const texts = new Set(Array.from({ length: 20 }, () => encodePerlJson(row, order)));
    expect(texts.size).toBeGreaterThan(5);
    for (const text of texts) expect(JSON.parse(text)).toEqual(row);
  });

  it('keeps insertion order without a generator', () => {
    expect(encodePerlJson({ b: 1, a: 2 })).toBe('{"b":1,"a":2}');
  });
});
