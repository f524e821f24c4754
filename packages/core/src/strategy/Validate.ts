/** Parameter validation (named by path), the children of a combinator, and what pairings read. */
import type * as Box from "../Box.ts"
import { InvalidArgument } from "../Errors.ts"
import * as Lambda from "../Lambda.ts"
import * as Pairing from "../Pairing.ts"
import * as Rules from "../Rules.ts"
import type { Granularity, Mixers, Strategy } from "./Algebra.ts"

const invalid = (argument: string, value: unknown, expected: string) =>
  new InvalidArgument({ argument, value, expected })

const probability = (argument: string, p: number) => Rules.check(Rules.probability, argument, p)

const firstOf = <A>(
  items: ReadonlyArray<A>,
  check: (a: A, i: number) => InvalidArgument | undefined,
): InvalidArgument | undefined => {
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
): InvalidArgument | undefined =>
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
): InvalidArgument | undefined =>
  minMax === undefined
    ? undefined
    : (Rules.check(Rules.unit, `${here}.minMax[0]`, minMax[0]) ??
      Rules.check(Rules.unit, `${here}.minMax[1]`, minMax[1]) ??
      (minMax[0] <= minMax[1] ? undefined : invalid(`${here}.minMax`, minMax, "must have min <= max")))

/** The first invalid parameter of `strategy`, named by its path (e.g. `oneOf.options[1].mixup.lambda.alpha`). */
export const validate = (strategy: Strategy, path = ""): InvalidArgument | undefined => {
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
        Rules.check(Rules.positive, `${here}.decay`, strategy.decay) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "ResizeMix": {
      const here = at("resizeMix")
      return (
        Rules.check(Rules.positive, `${here}.minScale`, strategy.minScale) ??
        Rules.check(Rules.unit, `${here}.maxScale`, strategy.maxScale) ??
        (strategy.minScale <= strategy.maxScale
          ? undefined
          : invalid(`${here}.minScale`, strategy.minScale, "must be <= maxScale")) ??
        pairingAndGranularity(strategy, here)
      )
    }
    case "LabelSmoothing":
      return probability(at("labelSmoothing.epsilon"), strategy.epsilon)
    case "GaussianNoise":
      return Rules.check(Rules.nonNegative, at("gaussianNoise.sigma"), strategy.sigma)
    case "WithProbability":
      return (
        probability(at("withProbability.p"), strategy.p) ?? validate(strategy.strategy, at("withProbability"))
      )
    case "OneOf": {
      const here = at("oneOf.options")
      if (strategy.options.length === 0) return invalid(here, [], "must not be empty")
      const bad = firstOf(
        strategy.options,
        (o, i) =>
          Rules.check(Rules.nonNegative, `${here}[${i}].weight`, o.weight) ??
          validate(o.strategy, `${here}[${i}]`),
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
      return firstOf(
        strategy.segments,
        (s, i) =>
          Rules.check(Rules.index, at(`schedule[${i}].fromEpoch`), s.fromEpoch) ??
          validate(s.strategy, at(`schedule[${i}]`)),
      )
    case "Custom":
      return typeof strategy.name === "string" && strategy.name !== ""
        ? undefined
        : invalid(at("custom.name"), strategy.name, "must be a non-empty string")
    case "Manifold": {
      const here = at("manifold")
      if (strategy.stages.length === 0) return invalid(`${here}.stages`, [], "must not be empty")
      return (
        firstOf(strategy.stages, (k, i) => Rules.check(Rules.index, `${here}.stages[${i}]`, k)) ??
        validate(strategy.strategy, here)
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
