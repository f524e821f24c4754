/** Planning: every random choice of one application of a strategy, drawn as a `MixPlan`. */
import * as Box from "../Box.ts"
import { EmptyBatch, ShapeMismatch } from "../Errors.ts"
import * as Execute from "../Execute.ts"
import * as Fourier from "../Fourier.ts"
import * as Host from "../Host.ts"
import * as Lambda from "../Lambda.ts"
import type { Batch, MixedBatch } from "../MixedBatch.ts"
import * as Pairing from "../Pairing.ts"
import type { MixPlan, Step } from "../Plan.ts"
import type * as Random from "../Random.ts"
import type { Granularity, PlanInput, StepContext, Strategy } from "./Algebra.ts"
import { erm } from "./Constructors.ts"
import { customParams, mixerOf } from "./Custom.ts"
import { validate } from "./Validate.ts"

// Which lambda draw each example uses: one for the batch, one per pair, or one each.
const lambdaOwners = (
  granularity: Granularity,
  partner: Int32Array,
): { owner: Int32Array; draws: number } => {
  const n = partner.length
  const owner = new Int32Array(n)
  if (granularity === "batch") return { owner, draws: 1 }
  if (granularity === "element") {
    for (let i = 0; i < n; i++) owner[i] = i
    return { owner, draws: n }
  }
  owner.fill(-1)
  let draws = 0
  for (let i = 0; i < n; i++) {
    if (owner[i] !== -1) continue
    owner[i] = draws
    const j = partner[i]!
    // An involutive pair (flip, SC of two) shares one lambda, like timm's "pair" mode.
    if (partner[j] === i && owner[j] === -1) owner[j] = draws
    draws++
  }
  return { owner, draws }
}

const planMix = (
  strategy: Extract<Strategy, { _tag: "Mixup" | "CutMix" | "ResizeMix" | "FMix" }>,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
): ReadonlyArray<Step> => {
  if (strategy._tag !== "ResizeMix" && Lambda.isOff(strategy.lambda, epoch)) return []
  // ResizeMix draws the pasted side's scale where the others draw lambda; CutMix with a box
  // size range draws no lambda (the label weight is the box's kept area).
  const minMax = strategy._tag === "CutMix" ? strategy.minMax : undefined
  const draw =
    strategy._tag === "ResizeMix"
      ? () => strategy.minScale + rng.uniform() * (strategy.maxScale - strategy.minScale)
      : minMax !== undefined
        ? () => 1
        : () => Lambda.sample(strategy.lambda, rng, epoch)
  const n = info.n
  const partner = Pairing.partners(strategy.pairing, info, rng, info.pairings)
  const { owner, draws } = lambdaOwners(strategy.granularity, partner)
  const drawn = Float64Array.from({ length: draws }, draw)
  if (strategy._tag === "Mixup") {
    const inputLambda = new Float32Array(n)
    for (let i = 0; i < n; i++) inputLambda[i] = drawn[owner[i]!]!
    const labelLambda =
      strategy.labels === "keepFirst" ? new Float32Array(n).fill(1) : Float32Array.from(inputLambda)
    return [{ _tag: "Interpolate", partner, inputLambda, labelLambda }]
  }
  const { height, width } = imageSize(strategy, info)
  const layout = layoutField(strategy)
  if (strategy._tag === "FMix") {
    const drawnMasks = Array.from({ length: draws }, (_, k) =>
      Fourier.sampleMask(drawn[k]!, height, width, strategy.decay, rng),
    )
    const masks = new Uint8Array(draws * height * width)
    drawnMasks.forEach((m, k) => {
      masks.set(m.pasted, k * height * width)
    })
    const inputLambda = Float32Array.from(owner, (k) => drawnMasks[k]!.kept)
    return [
      {
        _tag: "Paste",
        partner,
        masks,
        owner,
        height,
        width,
        inputLambda,
        labelLambda: inputLambda.slice(),
        ...layout,
      },
    ]
  }
  const resize = strategy._tag === "ResizeMix"
  const perDraw = Array.from({ length: draws }, (_, k) =>
    resize
      ? Box.sampleResized(drawn[k]!, height, width, rng)
      : minMax !== undefined
        ? Box.sampleMinMax(minMax[0], minMax[1], height, width, rng)
        : Box.sample(drawn[k]!, height, width, rng),
  )
  const boxes = new Int32Array(4 * n)
  const inputLambda = new Float32Array(n)
  const labelLambda = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const box = perDraw[owner[i]!]!
    boxes.set([box.y0, box.y1, box.x0, box.x1], 4 * i)
    inputLambda[i] = Box.keptFraction(box, height, width)
    labelLambda[i] =
      strategy._tag === "CutMix" && !strategy.correctLambda && minMax === undefined
        ? drawn[owner[i]!]!
        : inputLambda[i]!
  }
  return [
    {
      _tag: "Cut",
      partner,
      boxes,
      ...(resize ? { resize } : {}),
      height,
      width,
      inputLambda,
      labelLambda,
      ...layout,
    },
  ]
}

type ImageMixer = Extract<Strategy, { _tag: "CutMix" | "ResizeMix" | "FMix" | "MixupCutMix" }>

const imageSize = (strategy: ImageMixer, info: PlanInput) => {
  const size = Box.spatial(info.shape, strategy.layout)
  if (size === undefined)
    throw new ShapeMismatch({
      argument: `x (${strategy._tag})`,
      expected:
        strategy.layout === "NCHW"
          ? "rank 4 [n, C, H, W] (layout NCHW)"
          : 'rank 3 or 4 [n, H, W(, C)] (layout NHWC; say layout: "NCHW" for channels first)',
      actual: info.shape,
    })
  return size
}

const layoutField = (strategy: ImageMixer): { readonly layout?: "NCHW" } =>
  strategy.layout === "NCHW" ? { layout: "NCHW" } : {}

// timm's Mixup: per lambda draw, a coin for `prob`, a coin for CutMix (`switchProb`), then that
// method's lambda and, for CutMix, a box. Mixed examples interpolate, switched ones take a box,
// both from the unmixed batch (one Cut step with `blend`).
const planSwitch = (
  strategy: Extract<Strategy, { _tag: "MixupCutMix" }>,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
): ReadonlyArray<Step> => {
  const { height, width } = imageSize(strategy, info)
  const n = info.n
  const partner = Pairing.partners(strategy.pairing, info, rng, info.pairings)
  const { owner, draws } = lambdaOwners(strategy.granularity, partner)
  const perDraw = Array.from({ length: draws }, () => {
    const applied = rng.uniform() < strategy.prob
    const switched = rng.uniform() < strategy.switchProb
    const sampler = switched ? strategy.cutmixLambda : strategy.mixupLambda
    // Not applied, or the chosen method switched off by its schedule: the example is kept (lambda 1).
    if (!applied || Lambda.isOff(sampler, epoch)) return { lambda: 1, box: undefined, applied: false }
    const lambda = Lambda.sample(sampler, rng, epoch)
    const { minMax } = strategy
    const box = !switched
      ? undefined
      : minMax === undefined
        ? Box.sample(lambda, height, width, rng)
        : Box.sampleMinMax(minMax[0], minMax[1], height, width, rng)
    return { lambda, box, applied: true }
  })
  if (!perDraw.some((d) => d.applied)) return []
  const boxes = new Int32Array(4 * n)
  const blend = new Uint8Array(n)
  const inputLambda = new Float32Array(n)
  const labelLambda = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const { lambda, box } = perDraw[owner[i]!]!
    if (box === undefined) {
      blend[i] = 1
      inputLambda[i] = lambda
      labelLambda[i] = lambda
      continue
    }
    boxes.set([box.y0, box.y1, box.x0, box.x1], 4 * i)
    inputLambda[i] = Box.keptFraction(box, height, width)
    labelLambda[i] = strategy.correctLambda || strategy.minMax !== undefined ? inputLambda[i]! : lambda
  }
  return [
    {
      _tag: "Cut",
      partner,
      boxes,
      ...(blend.includes(1) ? { blend } : {}),
      height,
      width,
      inputLambda,
      labelLambda,
      ...layoutField(strategy),
    },
  ]
}

const pickWeighted = (weights: ReadonlyArray<number>, rng: Random.Rng): number => {
  const total = weights.reduce((a, b) => a + b, 0)
  let u = rng.uniform() * total
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!
    if (u < 0 && weights[i]! > 0) return i
  }
  // Rounding left u >= 0: the last option with positive weight.
  return weights.findLastIndex((w) => w > 0)
}

interface Planned {
  readonly steps: Array<Step>
  stage: number | undefined
}

const planInto = (
  strategy: Strategy,
  info: PlanInput,
  epoch: number,
  rng: Random.Rng,
  out: Planned,
): void => {
  switch (strategy._tag) {
    case "Erm":
      return
    case "Mixup":
    case "CutMix":
    case "ResizeMix":
    case "FMix":
      out.steps.push(...planMix(strategy, info, epoch, rng))
      return
    case "MixupCutMix":
      out.steps.push(...planSwitch(strategy, info, epoch, rng))
      return
    case "LabelSmoothing":
      out.steps.push({ _tag: "Smooth", epsilon: strategy.epsilon })
      return
    case "GaussianNoise":
      out.steps.push({ _tag: "Noise", sigma: strategy.sigma, seed: rng.int(2147483647) })
      return
    case "WithProbability":
      if (rng.uniform() < strategy.p) planInto(strategy.strategy, info, epoch, rng, out)
      return
    case "OneOf": {
      const i = pickWeighted(
        strategy.options.map((o) => o.weight),
        rng,
      )
      planInto(strategy.options[i]!.strategy, info, epoch, rng, out)
      return
    }
    case "Chain":
      for (const s of strategy.strategies) planInto(s, info, epoch, rng, out)
      return
    case "Schedule": {
      planInto(Lambda.activeSegment(strategy.segments, epoch)?.strategy ?? erm, info, epoch, rng, out)
      return
    }
    case "Manifold":
      out.stage = strategy.stages[rng.int(strategy.stages.length)]!
      planInto(strategy.strategy, info, epoch, rng, out)
      return
    case "Custom": {
      const here = `custom(${strategy.name})`
      const mixer = mixerOf(strategy, info.mixers ?? {}, `${here}.name`)
      out.steps.push(...mixer.plan(customParams(strategy, mixer, `${here}.params`), info, { epoch, rng }))
      return
    }
  }
}

/**
 * Draw every random choice of one application of `strategy` as a `MixPlan`. Synchronous;
 * throws the tagged `InvalidArgument` / `ShapeMismatch` / `EmptyBatch` on bad input.
 */
export const plan = (strategy: Strategy, info: PlanInput, context: StepContext, rng: Random.Rng): MixPlan => {
  const error = validate(strategy)
  if (error !== undefined) throw error
  if (!Number.isInteger(info.n) || info.n < 1) throw new EmptyBatch({ argument: "batch" })
  if (info.shape[0] !== info.n)
    throw new ShapeMismatch({ argument: "shape", expected: `batch size ${info.n} first`, actual: info.shape })
  const out: Planned = { steps: [], stage: undefined }
  planInto(strategy, info, context.epoch, rng, out)
  return out.stage === undefined
    ? { n: info.n, steps: out.steps }
    : { n: info.n, stage: out.stage, steps: out.steps }
}

/** Run a plan on a batch of tensors (synchronous tfjs, no randomness; see `Execute`). */
export const execute: (plan: MixPlan, batch: Batch) => MixedBatch = Execute.execute

/** Run a plan on typed arrays (the data-loader fast path; see `Host`). */
export const executeHost = Host.execute
