/**
 * Seeded, checkpointable randomness for everything vicinal draws.
 *
 * A `Rng` is a small mutable generator (xoroshiro128+ from `pure-rand`): hot paths
 * call it synchronously, and its `state()` can be saved in a checkpoint and restored
 * with `fromState`, which Effect's built-in `Random` does not allow. At the
 * orchestration level the generator is an Effect service, `Random`, provided once
 * per run from a seed.
 */
import { Context, Effect, Layer } from "effect"
import { type xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus"
import { InvalidArgument } from "./Errors.ts"
import { log } from "./Portable.ts"

/** The full state of a generator: plain numbers, safe to put in JSON. */
export type RngState = ReadonlyArray<number>

export interface Rng {
  /** Uniform in [0, 1), 53 random bits. */
  readonly uniform: () => number
  /** Uniform integer in [0, n). */
  readonly int: (n: number) => number
  /** Standard normal (Marsaglia's polar method; no cached spare, so `state()` is complete). */
  readonly normal: () => number
  /** The generator's state now; `fromState(rng.state())` continues the same sequence. */
  readonly state: () => RngState
  /**
   * A generator for an independent stream (2^64 steps ahead), so that adding draws in one
   * consumer (e.g. augmentation) never shifts another (e.g. lambda sampling).
   * Advances this generator too.
   */
  readonly split: () => Rng
}

const TWO_POW_26 = 67108864
const TWO_POW_53 = 9007199254740992

const wrap = (gen: ReturnType<typeof xoroshiro128plus>): Rng => {
  const uniform = (): number => {
    const hi = gen.next() >>> 5
    const lo = gen.next() >>> 6
    return (hi * TWO_POW_26 + lo) / TWO_POW_53
  }
  const int = (n: number): number => Math.floor(uniform() * n)
  const normal = (): number => {
    for (;;) {
      const u = 2 * uniform() - 1
      const v = 2 * uniform() - 1
      const s = u * u + v * v
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * log(s)) / s)
    }
  }
  const split = (): Rng => {
    const child = gen.clone() as ReturnType<typeof xoroshiro128plus>
    child.jump()
    // Advance the parent too, so that consecutive splits give distinct children.
    gen.next()
    return wrap(child)
  }
  return { uniform, int, normal, state: () => [...gen.getState()], split }
}

// splitmix32: spreads a small integer seed over the 128-bit state; seeding xoroshiro128+
// with the raw integer makes its first outputs nearly identical for nearby seeds.
const splitmix32 = (seed: number): (() => number) => {
  let s = seed | 0
  return () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) | 0
  }
}

/**
 * A generator from an integer seed (the same seed gives the same sequence on Bun and Deno).
 * Throws the tagged `InvalidArgument` for a seed that is not a safe integer.
 */
export const make = (seed: number): Rng => {
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgument({ argument: "seed", value: seed, expected: "must be a safe integer" })
  const next = splitmix32(seed)
  const state: Array<number> = [next(), next(), next(), next()]
  // xoroshiro128+ must not start from the all-zero state.
  if (state[0] === 0 && state[1] === 0 && state[2] === 0 && state[3] === 0) state[0] = 1
  return wrap(xoroshiro128plusFromState(state))
}

/** A generator that continues from a saved `state()`. */
export const fromState = (state: RngState): Rng => wrap(xoroshiro128plusFromState(state))

// An explicitly typed base, as for the tagged errors (see Errors.TaggedErrorClass).
const RandomService: Context.ServiceClass<Random, "@vicinal/core/Random", Rng> = Context.Service<
  Random,
  Rng
>()("@vicinal/core/Random")
/** The run's random generator, as an Effect service. */
export class Random extends RandomService {}

/** Provide `Random` from a seed. */
export const layer = (seed: number): Layer.Layer<Random> => Layer.sync(Random)(() => make(seed))

/** Provide `Random` from a seed to one effect. */
export const withSeed =
  (seed: number) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, Random>> =>
    Effect.provideService(self, Random, make(seed))

/** Access the run's generator. */
export const rng: Effect.Effect<Rng, never, Random> = Effect.service(Random)
