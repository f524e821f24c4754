/** Parameter validation (named by path), the children of a combinator, and what pairings read. */
import type * as Box from "../Box.ts"
import { InvalidParameter } from "../Errors.ts"
import * as Lambda from "../Lambda.ts"
import * as Pairing from "../Pairing.ts"
import type { Granularity, Mixers, Strategy } from "./Algebra.ts"

const invalid = (argument: string, value: unknown, reason: string) =>
  new InvalidParameter({ argument, value, reason })

const probability = (argument: string, p: number): InvalidParameter | undefined =>
  Number.isFinite(p) && p >= 0 && p <= 1 ? undefined : invalid(argument, p, "must be a probability in [0, 1]")

const firstOf = <A>(
  items: ReadonlyArray<A>,
  check: (a: A, i: number) => InvalidParameter | undefined,
): InvalidParameter | undefined => {
  for (let i = 0; i < items.length; i++) {
    const e = check(items[i]!, i)
    if (e !== undefined) return e
  }
  return undefined
}

const granularities: ReadonlyArray<string> = ["batch", "pair", "element"]

const pairingAndGranularity = (
  strategy: {
    readonly pairing: Pairing.Pairing
    readonly granularity: Granularity
    readonly layout?: Box.Layout
  },
  here: string,
): InvalidParameter | undefined =>
  Pairing.validate(strategy.pairing, `${here}.pairing`) ??
  (granularities.includes(strategy.granularity)
    ? undefined
    : invalid(`${here}.granularity`, strategy.granularity, 'must be "batch", "pair" or "element"')) ??
  (strategy.layout === undefined || strategy.layout === "NHWC" || strategy.layout === "NCHW"
    ? undefined
    : invalid(`${here}.layout`, strategy.layout, 'must be "NHWC" or "NCHW"'))

const boxRange = (
  minMax: readonly [number, number] | undefined,
  here: string,
): InvalidParameter | undefined =>
  minMax === undefined ||
  (minMax.length === 2 &&
    Number.isFinite(minMax[0]) &&
    minMax[0] >= 0 &&
    minMax[0] <= minMax[1] &&
    minMax[1] <= 1)
    ? undefined
    : invalid(`${here}.minMax`, minMax, "must be [min, max] with 0 <= min <= max <= 1")

/** The first invalid parameter of `strategy`, named by its path (e.g. `oneOf.options[1].mixup.lambda.alpha`). */
export const validate = (strategy: Strategy, path = ""): InvalidParameter | undefined => {
  const at = (name: string) => (path === "" ? name : `${path}.${name}`)
  switch (strategy._tag) {
    case "Erm":
      return undefined
    case "Mixup":
    case "CutMix": {
      const here = at(
        strategy._tag === "Mixup" ? (strategy.labels === "keepFirst" ? "mixImages" : "mixup") : "cutmix",
      )
      return (
        Lambda.validate(strategy.lambda, `${here}.lambda`) ??
        (strategy._tag === "CutMix" ? boxRange(strategy.minMax, here) : undefined) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "MixupCutMix": {
      const here = at("mixupCutmix")
      return (
        Lambda.validate(strategy.mixupLambda, `${here}.mixupLambda`) ??
        Lambda.validate(strategy.cutmixLambda, `${here}.cutmixLambda`) ??
        probability(`${here}.prob`, strategy.prob) ??
        probability(`${here}.switchProb`, strategy.switchProb) ??
        boxRange(strategy.minMax, here) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "FMix": {
      const here = at("fmix")
      return (
        Lambda.validate(strategy.lambda, `${here}.lambda`) ??
        (Number.isFinite(strategy.decay) && strategy.decay > 0
          ? undefined
          : invalid(`${here}.decay`, strategy.decay, "must be > 0 and finite")) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "ResizeMix": {
      const here = at("resizeMix")
      return (
        (Number.isFinite(strategy.minScale) && strategy.minScale > 0 && strategy.minScale <= strategy.maxScale
          ? undefined
          : invalid(`${here}.minScale`, strategy.minScale, "must be > 0 and <= maxScale")) ??
        (Number.isFinite(strategy.maxScale) && strategy.maxScale <= 1
          ? undefined
          : invalid(`${here}.maxScale`, strategy.maxScale, "must be <= 1")) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "LabelSmoothing":
      return probability(at("labelSmoothing.epsilon"), strategy.epsilon)
    case "GaussianNoise":
      return Number.isFinite(strategy.sigma) && strategy.sigma >= 0
        ? undefined
        : invalid(at("gaussianNoise.sigma"), strategy.sigma, "must be >= 0 and finite")
    case "WithProbability":
      return (
        probability(at("withProbability.p"), strategy.p) ?? validate(strategy.strategy, at("withProbability"))
      )
    case "OneOf": {
      const here = at("oneOf.options")
      if (strategy.options.length === 0) return invalid(here, [], "must not be empty")
      const bad = firstOf(strategy.options, (o, i) =>
        Number.isFinite(o.weight) && o.weight >= 0
          ? validate(o.strategy, `${here}[${i}]`)
          : invalid(`${here}[${i}].weight`, o.weight, "must be >= 0 and finite"),
      )
      if (bad !== undefined) return bad
      return strategy.options.some((o) => o.weight > 0)
        ? undefined
        : invalid(
            `${here}[*].weight`,
            strategy.options.map((o) => o.weight),
            "must not all be zero",
          )
    }
    case "Chain":
      return firstOf(strategy.strategies, (s, i) => validate(s, at(`chain[${i}]`)))
    case "Schedule":
      return firstOf(strategy.segments, (s, i) =>
        Number.isInteger(s.fromEpoch) && s.fromEpoch >= 0
          ? validate(s.strategy, at(`schedule[${i}]`))
          : invalid(at(`schedule[${i}].fromEpoch`), s.fromEpoch, "must be an integer >= 0"),
      )
    case "Custom":
      return typeof strategy.name === "string" && strategy.name !== ""
        ? undefined
        : invalid(at("custom.name"), strategy.name, "must be a non-empty string")
    case "Manifold": {
      const here = at("manifold")
      if (strategy.stages.length === 0) return invalid(`${here}.stages`, [], "must not be empty")
      return (
        firstOf(strategy.stages, (k, i) =>
          Number.isInteger(k) && k >= 0
            ? undefined
            : invalid(`${here}.stages[${i}]`, k, "must be an integer >= 0"),
        ) ?? validate(strategy.strategy, here)
      )
    }
  }
}

/** The strategies a combinator holds. */
export const children = (strategy: Strategy): ReadonlyArray<Strategy> => {
  switch (strategy._tag) {
    case "WithProbability":
    case "Manifold":
      return [strategy.strategy]
    case "OneOf":
      return strategy.options.map((o) => o.strategy)
    case "Chain":
      return strategy.strategies
    case "Schedule":
      return strategy.segments.map((g) => g.strategy)
    default:
      return []
  }
}

/** What a strategy's pairings read: class labels (SC) and/or host features (KNN), or custom. */
export const needs = (
  strategy: Strategy,
  mixers: Mixers = {},
): { readonly labels: boolean; readonly features: boolean } => {
  const acc = { labels: false, features: false }
  const visit = (s: Strategy): void => {
    if (s._tag === "Custom") {
      const need = Object.hasOwn(mixers, s.name) ? mixers[s.name]?.needs : undefined
      acc.labels ||= need?.labels === true
      acc.features ||= need?.features === true
    } else if ("pairing" in s) {
      const p = s.pairing
      if (p._tag === "SameClass" || (p._tag === "Knn" && p.sameClass) || p._tag === "Custom")
        acc.labels = true
      if (p._tag === "Knn" || p._tag === "Custom") acc.features = true
    } else children(s).forEach(visit)
  }
  visit(strategy)
  return acc
}
