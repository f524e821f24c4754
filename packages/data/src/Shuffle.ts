/**
 * Seeded permutations. An epoch's order depends only on (seed, epoch), so a run resumed at
 * epoch e sees exactly the batches it would have seen without the interruption.
 */
import { Random } from "@vicinal/core"

type Rng = Random.Rng

/** A uniformly random permutation of 0..n-1 (Fisher-Yates), drawn from `rng`. */
export const permutation = (n: number, rng: Rng): Int32Array => {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  return shuffleInPlace(order, rng)
}

/** Shuffles a fresh array the caller owns; returns it for chaining. */
export const shuffleInPlace = <T extends { [i: number]: number; readonly length: number }>(
  values: T,
  rng: Rng,
): T => {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const tmp = values[i]!
    values[i] = values[j]!
    values[j] = tmp
  }
  return values
}

// murmur3's 32-bit finaliser: nearby (seed, epoch) pairs give unrelated generator seeds.
const mix32 = (h: number): number => {
  let z = h | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** The generator of one epoch of a seeded run (a pure function of seed and epoch). */
export const epochRng = (seed: number, epoch: number): Rng => {
  const high = Math.floor(seed / 0x100000000)
  return Random.make(mix32(mix32(seed ^ mix32(high + 0x632be5ab)) + Math.imul(epoch + 1, 0x9e3779b9)))
}
