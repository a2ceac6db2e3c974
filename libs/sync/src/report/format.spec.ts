import { formatCount } from './format.js';

describe('formatCount', () => {
  it("writes counts as toLocaleString('en-US') does, without loading ICU's number data", () => {
    for (const n of [0, 7, -7, 999, 1000, -1000, 1872, 12_345, 999_999, 1_000_000, -1_234_567, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const n of [1234.5678, -0.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
