/**
 * The paper's claims checked against our numbers, seed by seed: each claim compares mixup with
 * ERM on one metric (runs of the same seed share their data split, so seeds pair up) and says in
 * plain words whether it holds, with the means, spreads and how many seeds agree.
 */
import * as Markdown from "./Markdown.ts"
import * as Stats from "./Stats.ts"

/** One metric of one method, per seed (fractions in [0, 1]). */
export type PerSeed = ReadonlyArray<{ readonly seed: number; readonly value: number }>

export type Holds = "yes" | "partly" | "no"

export interface Verdict {
  /** What the paper claims, as a sentence about mixup ("mixup lowers clean test error"). */
  readonly claim: string
  /** The paper's evidence, e.g. "CIFAR-10: 5.6 -> 4.2". */
  readonly paper: string
  /** Ours: "mixup 5.5 ± 0.2 vs ERM 6.2 ± 0.3 (3 of 3 seeds)". */
  readonly ours: string
  readonly holds: Holds
  /** Why a claim holds only partly or not at all. */
  readonly shortfalls: ReadonlyArray<string>
  /** Seeds where mixup is on the claimed side, and seeds compared. */
  readonly agree: number
  readonly seeds: number
}

export interface ClaimSpec {
  readonly claim: string
  readonly paper: string
  /** What mixup is compared with (default "ERM"). */
  readonly against?: string
  /** Which side mixup should be on: "lower" (errors) or "higher" (error on corrupted labels). */
  readonly direction: "lower" | "higher"
  /** The least gap of the means, in points, for the claim to hold ("far below"); default any. */
  readonly minGap?: number
  /** Bounds the means must also respect, e.g. ERM's error on corrupted labels near 0. */
  readonly bounds?: {
    readonly ermBelow?: number
    readonly mixupAbove?: number
  }
}

const pairs = (erm: PerSeed, mixup: PerSeed) =>
  erm.flatMap((e) => {
    const m = mixup.find((x) => x.seed === e.seed)
    return m === undefined || !Number.isFinite(e.value) || !Number.isFinite(m.value)
      ? []
      : [{ erm: e.value, mixup: m.value }]
  })

/**
 * The verdict of one claim: "yes" when mixup is on the claimed side on every seed, its mean by
 * more than `minGap` points and within `bounds`; "partly" when some of it is; "no" when mixup is
 * on the claimed side on no seed.
 */
export const judge = (spec: ClaimSpec, erm: PerSeed, mixup: PerSeed): Verdict => {
  const paired = pairs(erm, mixup)
  const sign = spec.direction === "lower" ? 1 : -1
  const agree = paired.filter((p) => sign * (p.erm - p.mixup) > 0).length
  const e = Stats.summarise(paired.map((p) => p.erm))
  const m = Stats.summarise(paired.map((p) => p.mixup))
  const gap = 100 * sign * (e.mean - m.mean)
  const { ermBelow, mixupAbove } = spec.bounds ?? {}
  const shortfalls = [
    agree < paired.length ? `mixup is ${spec.direction} on ${agree} of ${paired.length} seeds only` : "",
    spec.minGap !== undefined && !(gap > spec.minGap)
      ? `the gap, ${gap.toFixed(1)} points, is not over ${spec.minGap}`
      : "",
    ermBelow !== undefined && !(e.mean < ermBelow)
      ? `ERM's mean is not below ${Stats.percent(ermBelow)}`
      : "",
    mixupAbove !== undefined && !(m.mean > mixupAbove)
      ? `mixup's mean is not above ${Stats.percent(mixupAbove)}`
      : "",
  ].filter((s) => s !== "")
  const holds: Holds = paired.length > 0 && shortfalls.length === 0 ? "yes" : agree > 0 ? "partly" : "no"
  return {
    claim: spec.claim,
    paper: spec.paper,
    ours: `mixup ${Stats.percentSummary(m)} vs ${spec.against ?? "ERM"} ${Stats.percentSummary(e)} (${agree} of ${paired.length} seed${paired.length === 1 ? "" : "s"})`,
    holds,
    shortfalls,
    agree,
    seeds: paired.length,
  }
}

/** One line per verdict: "holds: mixup lowers clean test error: mixup 5.5 ± 0.2 vs ERM 6.2 ± 0.3 (3 of 3 seeds)". */
export const line = (v: Verdict): string =>
  `${v.holds === "yes" ? "holds" : v.holds === "partly" ? "holds partly" : "does NOT hold"}: ${v.claim}: ${v.ours}${v.shortfalls.length === 0 ? "" : ` (${v.shortfalls.join("; ")})`}`

/** The claims as a table: claim, paper, ours, holds? */
export const table = (verdicts: ReadonlyArray<Verdict>): string =>
  Markdown.table(
    ["Claim", "Paper", "Ours", "Holds?"],
    verdicts.map((v) => [v.claim, v.paper, v.ours, v.holds]),
  )

/** A row's metric per seed, for `judge`. */
export const perSeed = <O extends { readonly seed: number }>(
  outcomes: ReadonlyArray<O>,
  pick: (o: O) => number | undefined,
): PerSeed => outcomes.map((o) => ({ seed: o.seed, value: pick(o) ?? Number.NaN }))
