/**
 * Seeded 2-D datasets for pictures and quick checks: two moons, concentric circles, spirals,
 * and the mixup paper's GAN toy data (Gaussians on a ring, Gaussians on a grid). Classes are
 * balanced (example i belongs to class i mod K before the final shuffle). Sines and cosines
 * are core's portable ones, so a seed gives the same points on every engine.
 */
import { Portable, Random } from "@vicinal/core"
import { Effect } from "effect"
import * as Check from "./Check.ts"
import { type Dataset, gather, make } from "./Dataset.ts"
import type { InvalidArgument, LabelOutOfRange } from "./Errors.ts"
import { permutation } from "./Shuffle.ts"

type Rng = Random.Rng

export interface CommonOptions {
  /** number of points */
  readonly n: number
  readonly seed: number
  /** standard deviation of the Gaussian noise added to each coordinate */
  readonly noise?: number
}

/** A class-balanced point cloud: `point(k, t, rng)` gives class k's point for position t in [0, 1). */
const generate = (
  name: string,
  options: CommonOptions,
  numClasses: number,
  defaultNoise: number,
  point: (k: number, t: number, rng: Rng) => readonly [number, number],
  extra: ReadonlyArray<InvalidArgument | undefined> = [],
): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> =>
  Effect.suspend(() => {
    const noise = options.noise ?? defaultNoise
    const error = Check.first(
      Check.integerAtLeast("n", options.n, 1),
      Check.seed("seed", options.seed),
      Check.nonNegative("noise", noise),
      ...extra,
    )
    if (error !== undefined) return Effect.fail(error)
    const rng = Random.make(options.seed)
    const x = new Float32Array(options.n * 2)
    const labels = new Int32Array(options.n)
    for (let i = 0; i < options.n; i++) {
      const k = i % numClasses
      const [a, b] = point(k, rng.uniform(), rng)
      x[2 * i] = a + noise * rng.normal()
      x[2 * i + 1] = b + noise * rng.normal()
      labels[i] = k
    }
    return Effect.map(make({ name, x, shape: [options.n, 2], labels, numClasses }), (ordered) =>
      gather(ordered, permutation(options.n, rng), name),
    )
  })

/** Two interleaving half circles (as scikit-learn's make_moons). */
export const twoMoons = (options: CommonOptions): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> =>
  generate("two-moons", options, 2, 0.1, (k, t) => {
    const angle = Math.PI * t
    return k === 0
      ? [Portable.cos(angle), Portable.sin(angle)]
      : [1 - Portable.cos(angle), 0.5 - Portable.sin(angle)]
  })

export interface CirclesOptions extends CommonOptions {
  /** radius of the inner circle relative to the outer one (default 0.5) */
  readonly factor?: number
}

/** Two concentric circles: class 0 outer (radius 1), class 1 inner (radius `factor`). */
export const circles = (
  options: CirclesOptions,
): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> => {
  const factor = options.factor ?? 0.5
  return generate(
    "circles",
    options,
    2,
    0.05,
    (k, t) => {
      const r = k === 0 ? 1 : factor
      return [r * Portable.cos(2 * Math.PI * t), r * Portable.sin(2 * Math.PI * t)]
    },
    [Check.inRange("factor", factor, 0, 1)],
  )
}

export interface SpiralsOptions extends CommonOptions {
  /** number of arms, one class each (default 2) */
  readonly arms?: number
  /** turns of each arm (default 1) */
  readonly turns?: number
}

/** Interleaved spiral arms from the origin to radius 1. */
export const spirals = (
  options: SpiralsOptions,
): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> => {
  const arms = options.arms ?? 2
  const turns = options.turns ?? 1
  return generate(
    "spirals",
    options,
    arms,
    0.02,
    (k, t) => {
      const angle = 2 * Math.PI * (turns * t + k / arms)
      return [t * Portable.cos(angle), t * Portable.sin(angle)]
    },
    [Check.integerAtLeast("arms", arms, 1), Check.nonNegative("turns", turns)],
  )
}

export interface RingOptions extends CommonOptions {
  /** number of Gaussian modes (default 8) */
  readonly modes?: number
  /** radius of the ring (default 2) */
  readonly radius?: number
}

/** Gaussians evenly spaced on a circle (the paper's 8-mode GAN data); the class is the mode. */
export const gaussianRing = (
  options: RingOptions,
): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> => {
  const modes = options.modes ?? 8
  const radius = options.radius ?? 2
  return generate(
    "gaussian-ring",
    options,
    modes,
    0.02,
    (k) => [
      radius * Portable.cos((2 * Math.PI * k) / modes),
      radius * Portable.sin((2 * Math.PI * k) / modes),
    ],
    [Check.integerAtLeast("modes", modes, 1), Check.nonNegative("radius", radius)],
  )
}

export interface GridOptions extends CommonOptions {
  /** modes per side (default 5, i.e. the paper's 25 modes) */
  readonly side?: number
  /** distance between neighbouring modes (default 2: centres at -4, -2, 0, 2, 4) */
  readonly spacing?: number
}

/** Gaussians on a square grid centred at the origin; the class is the mode (row-major). */
export const gaussianGrid = (
  options: GridOptions,
): Effect.Effect<Dataset, InvalidArgument | LabelOutOfRange> => {
  const side = options.side ?? 5
  const spacing = options.spacing ?? 2
  const centre = (i: number): number => (i - (side - 1) / 2) * spacing
  return generate(
    "gaussian-grid",
    options,
    side * side,
    0.05,
    (k) => [centre(k % side), centre(Math.floor(k / side))],
    [Check.integerAtLeast("side", side, 1), Check.nonNegative("spacing", spacing)],
  )
}
