// Recipe: SaliencyMix (Uddin et al., 2021) as a user-defined strategy, from the public API only.
import "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import {
  Box,
  Errors,
  Execute,
  Fourier,
  Host,
  Lambda,
  Pairing,
  Portable,
  Random,
  Strategy,
} from "@vicinal/core"
import { Effect, Schema } from "effect"

await tf.setBackend("cpu")
await tf.ready()

// Separable Gaussian blur with replicated edges (kernel weights from Portable.exp: the same bits everywhere).
const blur = (image: Float64Array, height: number, width: number, sigma: number): Float64Array => {
  const radius = Math.ceil(3 * sigma)
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Portable.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  )
  const total = kernel.reduce((a, b) => a + b, 0)
  const clamp = (v: number, size: number) => Math.min(size - 1, Math.max(0, v))
  const pass = (source: Float64Array, along: "rows" | "columns") => {
    const out = new Float64Array(source.length)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let sum = 0
        for (let k = -radius; k <= radius; k++)
          sum +=
            kernel[k + radius]! *
            (along === "rows"
              ? source[y * width + clamp(x + k, width)]!
              : source[clamp(y + k, height) * width + x]!)
        out[y * width + x] = sum / total
      }
    return out
  }
  return pass(pass(image, "rows"), "columns")
}

/**
 * Spectral-residual saliency (Hou & Zhang, 2007): the log amplitude spectrum minus its local 3x3
 * average, back through the inverse DFT with the original phase; squared magnitude, blurred.
 */
const saliency = (gray: Float64Array, height: number, width: number, sigma: number): Float64Array => {
  const spectrum = Fourier.dft2({ re: gray, im: new Float64Array(gray.length) }, height, width)
  const amplitude = spectrum.re.map((re, p) => Math.sqrt(re * re + spectrum.im[p]! ** 2))
  const logAmplitude = amplitude.map((a) => Portable.log(Math.max(a, 1e-12)))
  const residual = { re: new Float64Array(gray.length), im: new Float64Array(gray.length) }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let local = 0
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++)
          local +=
            logAmplitude[
              Math.min(height - 1, Math.max(0, y + dy)) * width + Math.min(width - 1, Math.max(0, x + dx))
            ]!
      const p = y * width + x
      // exp(residual) with the original phase: F / |F| (phase 0 where |F| = 0).
      const magnitude = Portable.exp(logAmplitude[p]! - local / 9)
      const a = amplitude[p]!
      residual.re[p] = a > 0 ? (magnitude * spectrum.re[p]!) / a : magnitude
      residual.im[p] = a > 0 ? (magnitude * spectrum.im[p]!) / a : 0
    }
  const back = Fourier.dft2(residual, height, width, true)
  return blur(
    back.re.map((re, p) => re * re + back.im[p]! ** 2),
    height,
    width,
    sigma,
  )
}

/** The most salient pixel of example `i` (channels averaged), ties to the first. */
const peak = (
  x: Float32Array | Uint8Array,
  i: number,
  height: number,
  width: number,
  channels: number,
  sigma: number,
) => {
  const plane = height * width
  const gray = new Float64Array(plane)
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < channels; c++) gray[p]! += x[(i * plane + p) * channels + c]! / channels
  const map = saliency(gray, height, width, sigma)
  let best = 0
  for (let p = 1; p < plane; p++) if (map[p]! > map[best]!) best = p
  return { cy: Math.floor(best / width), cx: best % width }
}

const positive = Schema.Number.check(Schema.isFinite(), Schema.isGreaterThan(0))

// SaliencyMix: lambda ~ Beta(alpha, alpha) per batch, partners by random permutation; each example
// takes the box of side sqrt(1 - lambda) centred on its PARTNER's most salient pixel, at the same
// place, and the label weight is the kept area. (The reference code computes one box from the
// first partner for the whole batch; here every example gets its partner's.) A plan of the
// built-in `Cut` step, so tensors and typed arrays execute it as they execute CutMix.
const saliencyMix = Strategy.defineMixer("saliencyMix", {
  params: Schema.Struct({ alpha: positive, sigma: positive }),
  needs: { features: true },
  plan: ({ alpha, sigma }, input, { epoch, rng }) => {
    const [n, height, width, channels = 1] = input.shape
    if (input.shape.length < 3 || input.shape.length > 4 || input.features === undefined)
      throw new Errors.ShapeMismatch({
        argument: "x (saliencyMix)",
        expected: "rank 3 or 4 [n, H, W(, C)], with its values (features)",
        actual: input.shape,
      })
    const lambda = Lambda.sample(Lambda.symmetricBeta(alpha), rng, epoch)
    const partner = Pairing.partners(Pairing.randomPermutation, input, rng)
    const { cutH, cutW } = Box.sides(lambda, height!, width!)
    const boxes = new Int32Array(4 * n!)
    const inputLambda = new Float32Array(n!)
    for (let i = 0; i < n!; i++) {
      const { cy, cx } = peak(input.features, partner[i]!, height!, width!, channels, sigma)
      const box = Box.around(cutH, cutW, cy, cx, height!, width!)
      boxes.set([box.y0, box.y1, box.x0, box.x1], 4 * i)
      inputLambda[i] = Box.keptFraction(box, height!, width!)
    }
    return [
      {
        _tag: "Cut",
        partner,
        boxes,
        height: height!,
        width: width!,
        inputLambda,
        labelLambda: inputLambda.slice(),
      },
    ]
  },
})

// Six 16x16 grey images: faint seeded noise and one bright 3x3 spot at a different place in each.
const n = 6
const side = 16
const spots = [
  [3, 3],
  [3, 12],
  [12, 3],
  [12, 12],
  [8, 5],
  [5, 9],
] as const
const noise = Random.make(7)
const pixels = Float32Array.from({ length: n * side * side }, () => 0.2 + 0.05 * noise.uniform())
spots.forEach(([cy, cx], i) => {
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) pixels[i * side * side + (cy + dy) * side + cx + dx] = 1
})
const x = tf.tensor4d(pixels, [n, side, side, 1])
const y = tf.tensor2d(
  [0, 1, 2, 0, 1, 2].flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))),
  [n, 3],
)

// A user strategy composes and serialises like a built-in one; configs name it, the registry resolves it.
const strategy = Strategy.chain(
  saliencyMix.make({ alpha: 1, sigma: 1 }),
  Strategy.labelSmoothing({ epsilon: 0.1 }),
)
const decoded = await Effect.runPromise(
  Strategy.fromConfig(JSON.parse(JSON.stringify(Strategy.toConfig(strategy)))).pipe(
    Effect.provideService(Strategy.CustomMixers, saliencyMix.mixers),
  ),
)
console.log(
  `config round trip: ${JSON.stringify(decoded) === JSON.stringify(strategy) ? "identical" : "different"}`,
)

const mixed = await Effect.runPromise(
  Strategy.apply(decoded, { x, y }, { epoch: 0, step: 0 }).pipe(
    Effect.provideService(Strategy.CustomMixers, saliencyMix.mixers),
    Random.withSeed(2021),
  ),
)
// The same plan on typed arrays (a data loader's path) gives the same pixels.
const plan = Strategy.plan(
  decoded,
  { n, shape: x.shape, features: pixels, mixers: saliencyMix.mixers },
  { epoch: 0, step: 0 },
  Random.make(2021),
)
const host = Host.execute(plan, { x: pixels, shape: x.shape, y: y.dataSync() as Float32Array })
const device = mixed.x.dataSync()
console.log(`host and tensor paths agree: ${host.x.every((v, t) => v === device[t])}`)

const step = plan.steps[0]!
if (step._tag !== "Cut") throw new Error("saliencyMix plans a Cut step")
for (let i = 0; i < n; i++) {
  const [y0, y1, x0, x1] = step.boxes.subarray(4 * i, 4 * i + 4)
  const j = mixed.partner[i]!
  const [cy, cx] = spots[j]!
  const inside = cy >= y0! && cy < y1! && cx >= x0! && cx < x1!
  console.log(
    `example ${i}: partner ${j} (spot at ${cy},${cx}), box rows ${y0}-${y1} cols ${x0}-${x1},`,
    `lambda ${mixed.lambda[i]!.toFixed(3)}, box holds the partner's spot: ${inside ? "yes" : "no"}`,
  )
}
Execute.dispose(mixed)
tf.dispose([x, y])
