import { Lambda, Pairing, Strategy } from "@vicinal/core"
import * as fc from "fast-check"

/** A batch of images [n, h, w, c] with target rows that are distributions. */
export interface HostData {
  readonly shape: ReadonlyArray<number>
  readonly x: Float32Array
  readonly y: Float32Array
  readonly classes: number
  readonly labels: Int32Array
}

export const hostData = (maxN = 10): fc.Arbitrary<HostData> =>
  fc
    .record({
      n: fc.integer({ min: 1, max: maxN }),
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      c: fc.integer({ min: 1, max: 3 }),
      classes: fc.integer({ min: 2, max: 5 }),
      soft: fc.boolean(),
    })
    .chain(({ n, h, w, c, classes, soft }) =>
      fc
        .record({
          x: fc.float32Array({
            minLength: n * h * w * c,
            maxLength: n * h * w * c,
            noNaN: true,
            min: -5,
            max: 5,
          }),
          labels: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n }),
          weights: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
            minLength: n * classes,
            maxLength: n * classes,
          }),
        })
        .map(({ x, labels, weights }) => {
          const y = new Float32Array(n * classes)
          for (let i = 0; i < n; i++) {
            if (soft) {
              let s = 0
              for (let k = 0; k < classes; k++) s += weights[i * classes + k]!
              for (let k = 0; k < classes; k++) y[i * classes + k] = weights[i * classes + k]! / s
            } else y[i * classes + labels[i]!] = 1
          }
          return { shape: [n, h, w, c], x, y, classes, labels: Int32Array.from(labels) }
        }),
    )

export const pairing: fc.Arbitrary<Pairing.Pairing> = fc.oneof(
  fc.constant(Pairing.randomPermutation),
  fc.constant(Pairing.flip),
  fc.constant(Pairing.roll),
  fc.constant(Pairing.sameClass),
  fc.integer({ min: 1, max: 4 }).map((k) => Pairing.knn({ k })),
)

export const granularity: fc.Arbitrary<Strategy.Granularity> = fc.constantFrom("batch", "pair", "element")

export const alpha = fc.constantFrom(0.1, 0.4, 1, 2, 8)

export const sampler: fc.Arbitrary<Lambda.Sampler> = fc.oneof(
  alpha.map(Lambda.symmetricBeta),
  fc.double({ min: 0.05, max: 1, noNaN: true }).map((m) => Lambda.uniform(m)),
  fc.double({ min: 0, max: 1, noNaN: true }).map(Lambda.constant),
)

/** A CutMix box size range (timm's cutmix_minmax), as [min, max]. */
export const boxRange: fc.Arbitrary<readonly [number, number]> = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)

/** Leaves that mix (mixup, mixing images, CutMix with and without a box size range, FMix). */
export const mixer: fc.Arbitrary<Strategy.Strategy> = fc
  .record({
    lambda: sampler,
    pairing,
    granularity,
    which: fc.constantFrom(0, 1, 2, 3, 4),
    correctLambda: fc.boolean(),
    decay: fc.constantFrom(1, 3, 5.5),
    minMax: boxRange,
  })
  .map(({ which, correctLambda, decay, minMax, ...options }) =>
    which === 0
      ? Strategy.mixup(options)
      : which === 1
        ? Strategy.mixImages(options)
        : which === 2
          ? Strategy.cutmix({ ...options, correctLambda })
          : which === 3
            ? Strategy.cutmix({ ...options, minMax })
            : Strategy.fmix({ ...options, decay }),
  )

/** timm's mixup/CutMix switch, per batch, pair or element, with or without a box size range. */
export const mixupCutmix: fc.Arbitrary<Strategy.Strategy> = fc
  .record({
    mixupLambda: sampler,
    cutmixLambda: sampler,
    prob: fc.double({ min: 0, max: 1, noNaN: true }),
    switchProb: fc.double({ min: 0, max: 1, noNaN: true }),
    correctLambda: fc.boolean(),
    minMax: fc.option(boxRange, { nil: undefined }),
    pairing,
    granularity,
  })
  .map(({ minMax, ...options }) =>
    Strategy.mixupCutmix(minMax === undefined ? options : { ...options, minMax }),
  )

/** ResizeMix: pastes the partner shrunk, so its pixels are not elementwise between the two sources. */
export const resizeMix: fc.Arbitrary<Strategy.Strategy> = fc
  .record({
    low: fc.double({ min: 0.05, max: 1, noNaN: true }),
    high: fc.double({ min: 0.05, max: 1, noNaN: true }),
    pairing,
    granularity,
  })
  .map(({ low, high, ...options }) =>
    Strategy.resizeMix({ scale: [Math.min(low, high), Math.max(low, high)], ...options }),
  )

const leaf: fc.Arbitrary<Strategy.Strategy> = fc.oneof(
  fc.constant(Strategy.erm),
  mixer,
  mixupCutmix,
  resizeMix,
  fc.double({ min: 0, max: 1, noNaN: true }).map((epsilon) => Strategy.labelSmoothing({ epsilon })),
  fc.double({ min: 0, max: 0.5, noNaN: true }).map((sigma) => Strategy.gaussianNoise({ sigma })),
)

/** Any composed strategy, a few levels deep. */
export const strategy: fc.Arbitrary<Strategy.Strategy> = fc.letrec<{ s: Strategy.Strategy }>((tie) => ({
  s: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc
      .record({ p: fc.double({ min: 0, max: 1, noNaN: true }), s: tie("s") })
      .map(({ p, s }) => Strategy.withProbability(s, p)),
    fc
      .array(
        fc.record(
          { weight: fc.double({ min: 0.1, max: 3, noNaN: true }), strategy: tie("s") },
          { noNullPrototype: true },
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map(Strategy.oneOf),
    fc.array(tie("s"), { minLength: 1, maxLength: 3 }).map((ss) => Strategy.chain(...ss)),
    fc
      .array(
        fc.record(
          { fromEpoch: fc.integer({ min: 0, max: 3 }), strategy: tie("s") },
          { noNullPrototype: true },
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map(Strategy.schedule),
    fc
      .record({
        stages: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
        s: tie("s"),
      })
      .map(({ stages, s }) => Strategy.manifold({ stages, strategy: s })),
  ),
})).s

const drawsHiddenStage = (s: Strategy.Strategy): boolean =>
  (s._tag === "Manifold" && s.stages.some((k) => k > 0)) || Strategy.children(s).some(drawsHiddenStage)

/** Strategies that `Strategy.apply` accepts: any manifold stage is the input (0). */
export const inputStrategy: fc.Arbitrary<Strategy.Strategy> = strategy.filter((s) => !drawsHiddenStage(s))
