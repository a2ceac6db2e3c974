import { filterByLookups, when, whenBoth } from './local-disk.js';

describe('when and whenBoth: lookups answered at once stay synchronous', () => {
  test('values that are here give the result at once, not a promise', () => {
    expect(when(2, (n) => n * 3)).toBe(6);
    expect(whenBoth(2, 5, (a, b) => a + b)).toBe(7);
    // Nested, as the changed-during-copy check combines its two lookups.
    expect(when(2, (n) => when(n + 1, (m) => m * 10))).toBe(30);
  });

  test('a value still coming gives a promise of the same result', async () => {
    const later = when(Promise.resolve(2), (n) => n * 3);
    expect(typeof (later as Promise<number>).then).toBe('function');
    await expect(later).resolves.toBe(6);
    await expect(whenBoth(Promise.resolve(2), 5, (a, b) => a + b)).resolves.toBe(7);
    await expect(whenBoth(2, Promise.resolve(5), (a, b) => a * b)).resolves.toBe(10);
  });

  test('filterByLookups keeps the items whose test holds, in order, with synchronous and asynchronous tests alike', async () => {
    const items = Array.from({ length: 500 }, (_, i) => i);
    for (const localDisks of [true, false]) {
      expect(await filterByLookups(items, localDisks, (i) => i % 7 === 0)).toEqual(items.filter((i) => i % 7 === 0));
      expect(await filterByLookups(items, localDisks, async (i) => i % 11 === 0)).toEqual(items.filter((i) => i % 11 === 0));
    }
  });
});
