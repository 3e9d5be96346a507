/**
 * The seed of `converge-webhook verify`'s generated bodies: a tiny seeded PRNG (no test-only
 * dependency, since this ships with the package), so that the same seed sends the same bodies.
 * The bodies themselves are made in mutate.ts and judged by each contract's engine
 * (contract-plan.ts).
 */

export const DEFAULT_SEED = 20240902;
export const DEFAULT_CASE_COUNT = 200;

// ---------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32): plenty for test data, and identical on every platform.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  money(max: number): number {
    return Math.round(this.next() * max * 100) / 100;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(0, 15)];
    return out;
  }
}
