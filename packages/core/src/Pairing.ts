/**
 * Who mixes with whom: pairings as plain values, turned into a partner index per example.
 *
 * Every pairing works for any batch size >= 1 (odd sizes and the last short batch included):
 * flip's middle example and a batch of one simply keep themselves as partner.
 */
import { Context } from "effect"
import { EmptyBatch, InvalidArgument } from "./Errors.ts"
import type { Rng } from "./Random.ts"
import * as Rules from "./Rules.ts"

export type Pairing =
  | { readonly _tag: "RandomPermutation" }
  | { readonly _tag: "Flip" }
  | { readonly _tag: "Roll"; readonly shift: number }
  | { readonly _tag: "SameClass" }
  | { readonly _tag: "Knn"; readonly k: number; readonly sameClass: boolean }
  | { readonly _tag: "Custom"; readonly name: string }

/** What a pairing may look at; labels and features are only read by SC and KNN. */
export interface PairingInput {
  readonly n: number
  /** Class per example (argmax of the targets). */
  readonly labels?: Int32Array | undefined
  /** Inputs flattened row-major, `n * features` values. */
  readonly features?: Float32Array | Uint8Array | undefined
}

/** A user pairing: returns a partner index in [0, n) for every example. */
export type PairingFunction = (input: PairingInput, rng: Rng) => Int32Array

/** Custom pairings by name, so that a strategy stays plain, serialisable data. */
export type Registry = Readonly<Record<string, PairingFunction>>

/** The paper's: partner = the batch shuffled by a uniform random permutation (RP). */
export const randomPermutation: Pairing = { _tag: "RandomPermutation" }
/** timm's: partner of i is n - 1 - i (an involution, so "pair" granularity is symmetric). */
export const flip: Pairing = { _tag: "Flip" }
/** torchvision's: partner of i is i - 1 (the batch rolled by one). */
export const roll: Pairing = { _tag: "Roll", shift: 1 }
/** Rolled by `shift`. */
export const rollBy = (shift: number): Pairing => ({ _tag: "Roll", shift })
/** SC: a partner of the same class whenever the batch has one; otherwise any other example. */
export const sameClass: Pairing = { _tag: "SameClass" }
/** KNN: a partner drawn uniformly among the k nearest neighbours (squared L2 on inputs) in the batch. */
export const knn = (options: { readonly k: number; readonly sameClass?: boolean }): Pairing => ({
  _tag: "Knn",
  k: options.k,
  sameClass: options.sameClass ?? false,
})
/** A custom pairing looked up by `name` in the registry given to `plan` / `apply`. */
export const custom = (name: string): Pairing => ({ _tag: "Custom", name })

export const validate = (pairing: Pairing, path = "pairing"): InvalidArgument | undefined => {
  switch (pairing._tag) {
    case "Roll":
      return Rules.check(Rules.integer, `${path}.shift`, pairing.shift)
    case "Knn":
      return Rules.check(Rules.count, `${path}.k`, pairing.k)
    default:
      return undefined
  }
}

/** A uniform random permutation of 0..n-1 (Fisher–Yates). */
export const permutation = (n: number, rng: Rng): Int32Array => {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = p[i]!
    p[i] = p[j]!
    p[j] = t
  }
  return p
}

// Pair the members of `group` along one shuffled cycle: a bijection on the group without
// self-pairs when it has >= 2 members (a uniform permutation of a pair is the identity half the time).
const cycleWithin = (group: ReadonlyArray<number>, partner: Int32Array, rng: Rng): void => {
  const m = group.length
  const order = permutation(m, rng)
  for (let k = 0; k < m; k++) partner[group[order[k]!]!] = group[order[(k + 1) % m]!]!
}

const requireLabels = (input: PairingInput, name: string): Int32Array => {
  if (input.labels === undefined || input.labels.length !== input.n)
    throw new InvalidArgument({
      argument: `labels (for ${name} pairing)`,
      value: input.labels?.length,
      expected: `must be given with one label per example (n = ${input.n})`,
    })
  return input.labels
}

const groupBy = (labels: Int32Array): Map<number, Array<number>> => {
  const groups = new Map<number, Array<number>>()
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!
    const g = groups.get(c)
    if (g === undefined) groups.set(c, [i])
    else g.push(i)
  }
  return groups
}

const sameClassPartners = (input: PairingInput, rng: Rng): Int32Array => {
  const labels = requireLabels(input, "sameClass")
  const n = input.n
  const partner = new Int32Array(n)
  const singles: Array<number> = []
  for (const group of groupBy(labels).values()) {
    if (group.length >= 2) cycleWithin(group, partner, rng)
    else singles.push(group[0]!)
  }
  // No same-class partner exists for these: fall back to any other example.
  if (singles.length >= 2) cycleWithin(singles, partner, rng)
  else if (singles.length === 1) {
    const i = singles[0]!
    partner[i] = n === 1 ? i : (i + 1 + rng.int(n - 1)) % n
  }
  return partner
}

const knnPartners = (input: PairingInput, k: number, sameClass: boolean, rng: Rng): Int32Array => {
  const { n, features } = input
  if (features === undefined || n === 0 || features.length % n !== 0)
    throw new InvalidArgument({
      argument: "features (for knn pairing)",
      value: features?.length,
      expected: `must be given as n * d values (n = ${n})`,
    })
  const labels = sameClass ? requireLabels(input, "knn sameClass") : undefined
  const d = features.length / n
  const dist = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0
      const oi = i * d
      const oj = j * d
      for (let t = 0; t < d; t++) {
        const diff = features[oi + t]! - features[oj + t]!
        s += diff * diff
      }
      dist[i * n + j] = s
      dist[j * n + i] = s
    }
  }
  const partner = new Int32Array(n)
  const candidates: Array<number> = []
  for (let i = 0; i < n; i++) {
    candidates.length = 0
    for (let j = 0; j < n; j++)
      if (j !== i && (labels === undefined || labels[j] === labels[i])) candidates.push(j)
    // SC+KNN with no same-class neighbour falls back to all classes.
    if (candidates.length === 0) for (let j = 0; j < n; j++) if (j !== i) candidates.push(j)
    if (candidates.length === 0) {
      partner[i] = i
      continue
    }
    const row = i * n
    candidates.sort((l, r) => dist[row + l]! - dist[row + r]! || l - r)
    partner[i] = candidates[rng.int(Math.min(k, candidates.length))]!
  }
  return partner
}

const checkPartners = (partner: Int32Array, n: number, name: string): Int32Array => {
  if (!(partner instanceof Int32Array) || partner.length !== n)
    throw new InvalidArgument({
      argument: `custom pairing "${name}" result`,
      value: (partner as { length?: number } | undefined)?.length,
      expected: `must be an Int32Array of length ${n}`,
    })
  for (let i = 0; i < n; i++) {
    const p = partner[i]!
    if (p < 0 || p >= n)
      throw new InvalidArgument({
        argument: `custom pairing "${name}" result[${i}]`,
        value: p,
        expected: `must be an index in [0, ${n})`,
      })
  }
  return partner
}

/**
 * Partner index per example. Throws `EmptyBatch` for no examples and `InvalidArgument` when a
 * pairing lacks what it needs (labels for SC, features for KNN, an unknown custom name).
 */
export const partners = (
  pairing: Pairing,
  input: PairingInput,
  rng: Rng,
  registry: Registry = {},
): Int32Array => {
  const n = input.n
  if (!Number.isInteger(n) || n < 1) throw new EmptyBatch({ argument: "input.n" })
  switch (pairing._tag) {
    case "RandomPermutation":
      return permutation(n, rng)
    case "Flip": {
      const p = new Int32Array(n)
      for (let i = 0; i < n; i++) p[i] = n - 1 - i
      return p
    }
    case "Roll": {
      const p = new Int32Array(n)
      const s = ((pairing.shift % n) + n) % n
      for (let i = 0; i < n; i++) p[i] = (i - s + n) % n
      return p
    }
    case "SameClass":
      return sameClassPartners(input, rng)
    case "Knn":
      return knnPartners(input, pairing.k, pairing.sameClass, rng)
    case "Custom": {
      const f = registry[pairing.name]
      if (f === undefined)
        throw new InvalidArgument({
          argument: "pairing.name",
          value: pairing.name,
          expected: `must name a registered custom pairing (known: ${Object.keys(registry).join(", ") || "none"})`,
        })
      return checkPartners(f(input, rng), n, pairing.name)
    }
  }
}

/**
 * The custom pairings `Strategy.apply` can use, as an Effect reference (empty by default):
 * `Effect.provideService(Pairing.CustomPairings, { mine: (input, rng) => ... })`.
 */
export const CustomPairings: Context.Reference<Registry> = Context.Reference<Registry>(
  "@vicinal/core/Pairing/CustomPairings",
  {
    defaultValue: () => ({}),
  },
)
