/**
 * The mixup paper's GAN stabilisation experiment on 2-D toy data (8 Gaussians on a ring, 25 on
 * a grid): a generator and a discriminator MLP trained as a standard GAN (non-saturating
 * generator loss), where mixup changes only the discriminator's step: instead of real examples
 * labelled 1 and generated ones labelled 0, it sees x = lambda real + (1 - lambda) fake with
 * target lambda (lambda ~ Beta(alpha, alpha) per example), the paper's
 * max_D E[l(d(lambda x_real + (1 - lambda) g(z)), lambda)].
 *
 * Every draw (latent noise, real batches, lambdas, initial weights) comes from core's seeded
 * `Random` and the arithmetic is float64 with core's portable exp/log, so a seed gives the same
 * run on Bun and Deno. Scores follow the usual toy-GAN
 * definitions (VEEGAN, Srivastava et al. 2017): a generated sample is high-quality when it lies
 * within 3 standard deviations of the nearest mode centre; a mode is covered when at least
 * `COVERED_SHARE` of all samples are high-quality samples of that mode.
 */
import { join } from "node:path"
import { Lambda, Portable, Random } from "@vicinal/core"
import { Synthetic } from "@vicinal/data"
import { Picture } from "@vicinal/viz"
import { Effect } from "effect"
import { type CliError, Stopped, stepFailed } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Pictures from "./Pictures.ts"
import * as Stats from "./Stats.ts"

export type ToyName = "ring" | "grid"
export type GanMethod = "erm" | "mixup"

export interface Toy {
  readonly name: ToyName
  readonly title: string
  /** Mode centres, (x, y) pairs. */
  readonly centres: Float32Array
  /** Standard deviation of each mode (per coordinate). */
  readonly sigma: number
  /** Real points (x, y pairs) to draw training batches from. */
  readonly pool: Float32Array
}

// The data package's defaults: ring radius 2, sd 0.02 (8 modes); grid spacing 2, sd 0.05 (25 modes).
const SIGMA: Record<ToyName, number> = { ring: 0.02, grid: 0.05 }
const MODES: Record<ToyName, number> = { ring: 8, grid: 25 }
const POOL = 20_000

const generate = (name: ToyName, n: number, seed: number, noise: number) =>
  name === "ring" ? Synthetic.gaussianRing({ n, seed, noise }) : Synthetic.gaussianGrid({ n, seed, noise })

/**
 * The toy problem: its mode centres are the data package's own points drawn without noise (one
 * per class, in class order), so the centres and the training data come from one definition.
 */
export const toy = (name: ToyName, seed: number): Effect.Effect<Toy, CliError> =>
  Effect.gen(function* () {
    const modes = MODES[name]
    const exact = yield* generate(name, modes, 0, 0)
    const centres = new Float32Array(modes * 2)
    for (let i = 0; i < modes; i++) {
      const k = exact.labels[i]!
      centres[2 * k] = exact.x[2 * i]!
      centres[2 * k + 1] = exact.x[2 * i + 1]!
    }
    const pool = yield* generate(name, POOL, seed, SIGMA[name])
    return {
      name,
      title: name === "ring" ? "8 Gaussians (ring)" : "25 Gaussians (grid)",
      centres,
      sigma: SIGMA[name],
      pool: pool.x,
    }
  }).pipe(Effect.mapError(stepFailed(`toy data ${name}`)))

/** Share of samples that must be high-quality samples of a mode for it to count as covered. */
export const COVERED_SHARE = 0.01

export interface Score {
  /** Share of samples within 3 sigma of their nearest mode centre. */
  readonly highQuality: number
  /** Modes with at least COVERED_SHARE of all samples as their high-quality samples. */
  readonly modesCovered: number
  readonly modes: number
  /** High-quality samples per mode. */
  readonly perMode: ReadonlyArray<number>
}

/** Scores of generated samples (x, y pairs) against a toy problem's modes. */
export const score = (samples: Float32Array, centres: Float32Array, sigma: number): Score => {
  const n = samples.length / 2
  const modes = centres.length / 2
  const perMode = new Array<number>(modes).fill(0)
  const limit = 3 * sigma * (3 * sigma)
  let good = 0
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY
    let nearest = 0
    for (let k = 0; k < modes; k++) {
      const dx = samples[2 * i]! - centres[2 * k]!
      const dy = samples[2 * i + 1]! - centres[2 * k + 1]!
      const d = dx * dx + dy * dy
      if (d < best) {
        best = d
        nearest = k
      }
    }
    if (best <= limit) {
      good++
      perMode[nearest]!++
    }
  }
  return {
    highQuality: n === 0 ? 0 : good / n,
    modesCovered: perMode.filter((c) => c > 0 && c >= COVERED_SHARE * n).length,
    modes,
    perMode,
  }
}

/** A fully connected ReLU network in float64 typed arrays: weights [in x out] row-major per layer. */
interface Net {
  readonly sizes: ReadonlyArray<number>
  readonly w: ReadonlyArray<Float64Array>
  readonly b: ReadonlyArray<Float64Array>
}

/** Glorot-uniform weights drawn from `rng`, zero biases. */
const makeNet = (sizes: ReadonlyArray<number>, rng: Random.Rng): Net => ({
  sizes,
  w: sizes.slice(1).map((out, l) => {
    const inp = sizes[l]!
    const limit = Math.sqrt(6 / (inp + out))
    return Float64Array.from({ length: inp * out }, () => (2 * rng.uniform() - 1) * limit)
  }),
  b: sizes.slice(1).map((out) => new Float64Array(out)),
})

/** Inputs of every layer (the last entry is the output, no activation) for `n` rows. */
const forward = (net: Net, x: Float64Array, n: number): ReadonlyArray<Float64Array> => {
  const acts = [x]
  for (let l = 0; l < net.w.length; l++) {
    const inp = net.sizes[l]!
    const out = net.sizes[l + 1]!
    const h = acts[l]!
    const w = net.w[l]!
    const b = net.b[l]!
    const z = new Float64Array(n * out)
    const last = l === net.w.length - 1
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < out; j++) z[i * out + j] = b[j]!
      for (let k = 0; k < inp; k++) {
        const a = h[i * inp + k]!
        if (a === 0) continue
        for (let j = 0; j < out; j++) z[i * out + j]! += a * w[k * out + j]!
      }
      if (!last) for (let j = 0; j < out; j++) if (z[i * out + j]! < 0) z[i * out + j] = 0
    }
    acts.push(z)
  }
  return acts
}

interface Grads {
  readonly w: ReadonlyArray<Float64Array>
  readonly b: ReadonlyArray<Float64Array>
  /** Gradient with respect to the network's input. */
  readonly input: Float64Array
}

/** Backpropagate `dOut` (gradient of the loss with respect to the output) through a forward pass. */
const backward = (net: Net, acts: ReadonlyArray<Float64Array>, dOut: Float64Array, n: number): Grads => {
  const gw = net.w.map((w) => new Float64Array(w.length))
  const gb = net.b.map((b) => new Float64Array(b.length))
  let delta = dOut
  for (let l = net.w.length - 1; l >= 0; l--) {
    const inp = net.sizes[l]!
    const out = net.sizes[l + 1]!
    const h = acts[l]!
    const w = net.w[l]!
    const dw = gw[l]!
    const db = gb[l]!
    const dh = new Float64Array(n * inp)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < out; j++) db[j]! += delta[i * out + j]!
      for (let k = 0; k < inp; k++) {
        const a = h[i * inp + k]!
        let sum = 0
        for (let j = 0; j < out; j++) {
          const d = delta[i * out + j]!
          dw[k * out + j]! += a * d
          sum += d * w[k * out + j]!
        }
        // ReLU of the layer below (the input itself has none); its output is h.
        dh[i * inp + k] = l === 0 || a > 0 ? sum : 0
      }
    }
    delta = dh
  }
  return { w: gw, b: gb, input: delta }
}

/** Adam (beta1 0.5, beta2 0.999, eps 1e-8), the usual toy-GAN setting. */
const adam = (net: Net, lr: number) => {
  const params = [...net.w, ...net.b]
  const m = params.map((p) => new Float64Array(p.length))
  const v = params.map((p) => new Float64Array(p.length))
  const [beta1, beta2, eps] = [0.5, 0.999, 1e-8]
  // beta^t by repeated products: `**` is not correctly rounded, and engines differ in its last bit.
  let beta1Power = 1
  let beta2Power = 1
  return (grads: Grads): void => {
    beta1Power *= beta1
    beta2Power *= beta2
    const c1 = 1 - beta1Power
    const c2 = 1 - beta2Power
    ;[...grads.w, ...grads.b].forEach((g, p) => {
      const param = params[p]!
      const mp = m[p]!
      const vp = v[p]!
      for (let i = 0; i < g.length; i++) {
        mp[i] = beta1 * mp[i]! + (1 - beta1) * g[i]!
        vp[i] = beta2 * vp[i]! + (1 - beta2) * g[i]! * g[i]!
        param[i]! -= (lr * (mp[i]! / c1)) / (Math.sqrt(vp[i]! / c2) + eps)
      }
    })
  }
}

/** sigmoid(s) with core's portable exp (the same bits on every engine). */
const sigmoid = (s: number): number =>
  s >= 0 ? 1 / (1 + Portable.exp(-s)) : Portable.exp(s) / (1 + Portable.exp(s))

/** Mean binary cross-entropy of logits against (soft) targets, and its gradient with respect to the logits. */
const bce = (logits: Float64Array, targets: Float64Array): { loss: number; grad: Float64Array } => {
  const n = logits.length
  const grad = new Float64Array(n)
  let loss = 0
  for (let i = 0; i < n; i++) {
    const s = logits[i]!
    loss += Math.max(s, 0) - s * targets[i]! + Portable.log1p(Portable.exp(-Math.abs(s)))
    grad[i] = (sigmoid(s) - targets[i]!) / n
  }
  return { loss: loss / n, grad }
}

export interface GanRunOptions {
  readonly method: GanMethod
  /** mixup's Beta(alpha, alpha) (unused by ERM). */
  readonly alpha: number
  readonly seed: number
  readonly iterations: number
  readonly batchSize: number
  /** Hidden widths of both networks (ReLU). */
  readonly hidden: ReadonlyArray<number>
  /** Adam's learning rate (beta1 0.5, beta2 0.999) for both networks. */
  readonly lr: number
  /** Latent dimension of the generator's Gaussian input. */
  readonly latent: number
  /** Iterations after which the generated samples are kept (for the picture); 0 is before training. */
  readonly snapshots: ReadonlyArray<number>
  /** Samples drawn at each snapshot and for the final scores. */
  readonly samples: number
}

export interface Snapshot {
  readonly iteration: number
  readonly samples: Float32Array
  readonly score: Score
}

export interface GanRun {
  readonly method: GanMethod
  readonly seed: number
  readonly snapshots: ReadonlyArray<Snapshot>
  /** Scores of `samples` generated after the last iteration. */
  readonly final: Score
  /** Mean discriminator and generator losses over the last 10% of iterations. */
  readonly discriminatorLoss: number
  readonly generatorLoss: number
}

const gaussian = (rng: Random.Rng, n: number): Float64Array => {
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = rng.normal()
  return values
}

const toFloat32 = (x: Float64Array): Float32Array => Float32Array.from(x)

/**
 * Train one GAN. The networks are small MLPs in float64 typed arrays with hand-written backprop
 * (a tfjs step is dominated by per-op overhead at this size); every exp/log is core's portable one,
 * so runs are bit-identical on Bun and Deno.
 */
export const train = (data: Toy, options: GanRunOptions): Effect.Effect<GanRun, CliError> =>
  Effect.try({
    try: () => {
      const root = Random.make(options.seed)
      const initRng = root.split()
      const batchRng = root.split()
      const lambdaRng = root.split()
      // Snapshot latents are fixed per seed and independent of the training draws.
      const evalRng = root.split()
      const { latent, batchSize: n, hidden } = options
      const generator = makeNet([latent, ...hidden, 2], initRng)
      const discriminator = makeNet([2, ...hidden, 1], initRng)
      const stepG = adam(generator, options.lr)
      const stepD = adam(discriminator, options.lr)
      const evalZ = gaussian(evalRng, options.samples * latent)
      const generate = () => toFloat32(forward(generator, evalZ, options.samples).at(-1)!)
      const poolSize = data.pool.length / 2
      const snapshots: Array<Snapshot> = []
      const take = (iteration: number) => {
        const samples = generate()
        snapshots.push({ iteration, samples, score: score(samples, data.centres, data.sigma) })
      }
      const tail = Math.max(1, Math.floor(options.iterations / 10))
      let dTail = 0
      let gTail = 0
      if (options.snapshots.includes(0)) take(0)
      for (let it = 1; it <= options.iterations; it++) {
        const real = new Float64Array(n * 2)
        for (let i = 0; i < n; i++) {
          const j = batchRng.int(poolSize)
          real[2 * i] = data.pool[2 * j]!
          real[2 * i + 1] = data.pool[2 * j + 1]!
        }
        const fake = forward(generator, gaussian(batchRng, n * latent), n).at(-1)!
        // Discriminator step: ERM sees real (1) and fake (0); mixup sees their mixtures with target lambda.
        let inputs: Float64Array
        let targets: Float64Array
        if (options.method === "erm") {
          inputs = new Float64Array(4 * n)
          inputs.set(real)
          inputs.set(fake, 2 * n)
          targets = new Float64Array(2 * n)
          targets.fill(1, 0, n)
        } else {
          inputs = new Float64Array(2 * n)
          targets = new Float64Array(n)
          for (let i = 0; i < n; i++) {
            const lambda = Lambda.drawBeta(lambdaRng, options.alpha, options.alpha)
            targets[i] = lambda
            inputs[2 * i] = lambda * real[2 * i]! + (1 - lambda) * fake[2 * i]!
            inputs[2 * i + 1] = lambda * real[2 * i + 1]! + (1 - lambda) * fake[2 * i + 1]!
          }
        }
        const dActs = forward(discriminator, inputs, targets.length)
        const dLoss = bce(dActs.at(-1)!, targets)
        stepD(backward(discriminator, dActs, dLoss.grad, targets.length))
        // Generator step (non-saturating): fakes labelled real, gradient through the discriminator.
        const gActs = forward(generator, gaussian(batchRng, n * latent), n)
        const throughD = forward(discriminator, gActs.at(-1)!, n)
        const gLoss = bce(throughD.at(-1)!, new Float64Array(n).fill(1))
        const dFake = backward(discriminator, throughD, gLoss.grad, n).input
        stepG(backward(generator, gActs, dFake, n))
        if (it > options.iterations - tail) {
          dTail += dLoss.loss / tail
          gTail += gLoss.loss / tail
        }
        if (options.snapshots.includes(it)) take(it)
      }
      return {
        method: options.method,
        seed: options.seed,
        snapshots,
        final: score(generate(), data.centres, data.sigma),
        discriminatorLoss: dTail,
        generatorLoss: gTail,
      }
    },
    catch: stepFailed(`GAN ${options.method} seed ${options.seed} on the ${data.name}`),
  })

// ---------------------------------------------------------------------------------------------
// The experiment: both toy problems, ERM vs mixup, several seeds; tables, pictures, summary.

export interface GanOptions {
  readonly out: string
  readonly seeds: ReadonlyArray<number>
  readonly toys: ReadonlyArray<ToyName>
  readonly iterations: number
  readonly batchSize: number
  readonly hidden: ReadonlyArray<number>
  readonly lr: number
  readonly alpha: number
  readonly latent: number
  readonly samples: number
  /** Snapshots drawn in the picture (iterations, 0 = before training). */
  readonly snapshots: ReadonlyArray<number>
}

/** What the runs need from the command: progress lines (stderr) and Ctrl-C. */
export interface GanContext {
  readonly write: (text: string) => void
  /** Ctrl-C: stop before the next run (a run of a few minutes is not checkpointed). */
  readonly signal?: AbortSignal
}

/** Evenly spaced snapshots: 0, a quarter, half, three quarters and all of the iterations. */
export const defaultSnapshots = (iterations: number): ReadonlyArray<number> =>
  [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * iterations)))].sort((a, b) => a - b)

const METHOD_TITLE: Record<GanMethod, string> = { erm: "ERM", mixup: "mixup" }

const PANEL = 150
const MARGIN = 6
const LABEL_WIDTH = 70
const HEADER = 40

const DOT_OPACITY = 0.45
const DOT_RADIUS = 0.9

/**
 * Dots at pixel positions, compactly: dots on the same half pixel are merged and drawn once with
 * the opacity that many stacked dots give (1 - (1 - 0.45)^k), and the dots of one opacity are
 * one path of round caps on zero-length segments ("M12.5 40h0"), a third of a `<circle>` each.
 * (Distinct dots of one opacity that overlap do not darken each other, as circles would.)
 */
export const dotsSvg = (points: ReadonlyArray<readonly [number, number]>, colour: string): string => {
  const counts = new Map<string, number>()
  for (const [x, y] of points) {
    const key = `${Math.round(x * 2) / 2} ${Math.round(y * 2) / 2}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const byCount = new Map<number, Array<string>>()
  for (const [key, k] of counts) byCount.set(k, [...(byCount.get(k) ?? []), `M${key}h0`])
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([k, moves]) =>
        `<path fill="none" stroke="${colour}" stroke-opacity="${(1 - (1 - DOT_OPACITY) ** k).toFixed(3)}" stroke-width="${2 * DOT_RADIUS}" stroke-linecap="round" d="${moves.join("")}"/>`,
    )
    .join("")
}

/**
 * Generated samples over training, the paper's picture: one row per method, one panel per
 * snapshot; mode centres as red rings (radius 3 sigma, at least 2 px), samples as dots.
 */
export const samplesSvg = (
  data: Toy,
  runs: ReadonlyArray<{ readonly title: string; readonly snapshots: ReadonlyArray<Snapshot> }>,
  caption: string,
): string => {
  const extent = data.name === "ring" ? 3 : 6
  const scale = PANEL / (2 * extent)
  const px = (v: number) => ((v + extent) * scale).toFixed(1)
  const py = (v: number) => ((extent - v) * scale).toFixed(1)
  const columns = runs[0]?.snapshots.length ?? 0
  const width = LABEL_WIDTH + columns * (PANEL + MARGIN)
  const height = HEADER + 18 + runs.length * (PANEL + MARGIN)
  const parts: Array<string> = [
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="15">${caption}</text>`,
  ]
  for (const [c, s] of (runs[0]?.snapshots ?? []).entries())
    parts.push(
      `<text x="${LABEL_WIDTH + c * (PANEL + MARGIN) + PANEL / 2}" y="${HEADER + 10}" text-anchor="middle" font-size="12">iteration ${s.iteration}</text>`,
    )
  const ring = Math.max(2, 3 * data.sigma * scale).toFixed(1)
  runs.forEach((run, r) => {
    const top = HEADER + 18 + r * (PANEL + MARGIN)
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${top + PANEL / 2}" text-anchor="end" font-size="13" font-weight="bold">${run.title}</text>`,
    )
    run.snapshots.forEach((s, c) => {
      const left = LABEL_WIDTH + c * (PANEL + MARGIN)
      const dots: Array<readonly [number, number]> = []
      for (let i = 0; i < s.samples.length / 2; i++) {
        const x = s.samples[2 * i]!
        const y = s.samples[2 * i + 1]!
        if (Math.abs(x) <= extent && Math.abs(y) <= extent)
          dots.push([(x + extent) * scale, (extent - y) * scale])
      }
      const centres: Array<string> = []
      for (let k = 0; k < data.centres.length / 2; k++)
        centres.push(
          `<circle cx="${px(data.centres[2 * k]!)}" cy="${py(data.centres[2 * k + 1]!)}" r="${ring}"/>`,
        )
      parts.push(
        `<svg x="${left}" y="${top}" width="${PANEL}" height="${PANEL}">`,
        `<rect width="${PANEL}" height="${PANEL}" fill="#fafafa" stroke="#bbb"/>`,
        dotsSvg(dots, "#0072b2"),
        `<g fill="none" stroke="#d55e00" stroke-width="1.2">${centres.join("")}</g>`,
        `<text x="4" y="${PANEL - 5}" font-size="10" fill="#444">${s.score.modesCovered}/${s.score.modes} modes, ${(100 * s.score.highQuality).toFixed(0)}% hq</text>`,
        "</svg>",
      )
    })
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><rect width="${width}" height="${height}" fill="white"/>${parts.join("")}</svg>`
}

export interface GanResult {
  readonly toy: ToyName
  readonly method: GanMethod
  readonly runs: ReadonlyArray<GanRun>
}

const meanStd = (values: ReadonlyArray<number>, digits: number, factor = 1): string => {
  const { mean, std, n } = Stats.summarise(values)
  return n < 2
    ? (factor * mean).toFixed(digits)
    : `${(factor * mean).toFixed(digits)} ± ${(factor * std).toFixed(digits)}`
}

/** The results table: modes covered and share of high-quality samples after training, per seed and mean ± std. */
export const table = (results: ReadonlyArray<GanResult>): string => {
  const header = "| data | method | modes covered | high-quality samples % | per seed (modes / hq %) |"
  const rule = "|---|---|---|---|---|"
  const rows = results.map((r) => {
    const finals = r.runs.map((run) => run.final)
    const modes = finals[0]?.modes ?? 0
    return `| ${r.toy === "ring" ? "8 Gaussians (ring)" : "25 Gaussians (grid)"} | ${METHOD_TITLE[r.method]} | ${meanStd(
      finals.map((f) => f.modesCovered),
      1,
    )} of ${modes} | ${meanStd(
      finals.map((f) => f.highQuality),
      1,
      100,
    )} | ${r.runs.map((run) => `${run.final.modesCovered} / ${(100 * run.final.highQuality).toFixed(1)}`).join(", ")} |`
  })
  return [header, rule, ...rows].join("\n")
}

/** Every (toy, method, seed), in that order. */
export const runs = (
  options: GanOptions,
  context: GanContext,
): Effect.Effect<ReadonlyArray<GanResult>, CliError> =>
  Effect.gen(function* () {
    const results: Array<GanResult> = []
    for (const name of options.toys)
      for (const method of ["erm", "mixup"] as const) {
        const trained: Array<GanRun> = []
        for (const seed of options.seeds) {
          if (context.signal?.aborted === true)
            return yield* new Stopped({
              dir: options.out,
              message: "stopped before the next GAN run (Ctrl-C)",
            })
          // The same real data per seed for both methods: only the discriminator's step differs.
          const data = yield* toy(name, seed)
          const started = performance.now()
          const run = yield* train(data, { ...options, method, seed })
          context.write(
            `gan ${name} ${method} seed ${seed}: ${run.final.modesCovered}/${run.final.modes} modes, ${(100 * run.final.highQuality).toFixed(1)}% high-quality (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
          )
          trained.push(run)
        }
        results.push({ toy: name, method, runs: trained })
      }
    return results
  })

/** `<out>/<toy>.svg|png`: the first seed's samples over training, one row per method. */
export const pictures = (
  results: ReadonlyArray<GanResult>,
  options: GanOptions,
): Effect.Effect<ReadonlyArray<Pictures.Written>, CliError> =>
  Effect.forEach(options.toys, (name) =>
    Effect.gen(function* () {
      const data = yield* toy(name, options.seeds[0]!)
      const svg = samplesSvg(
        data,
        results
          .filter((r) => r.toy === name)
          .map((r) => ({ title: METHOD_TITLE[r.method], snapshots: r.runs[0]!.snapshots })),
        `${data.title}: generated samples, seed ${options.seeds[0]} (red rings: modes, radius 3 sd)`,
      )
      return yield* Pictures.write(Picture.fromSvg(svg), options.out, name)
    }),
  )

/** The printed tables: the setting, then `table`. */
export const tables = (results: ReadonlyArray<GanResult>, options: GanOptions): ReadonlyArray<string> => [
  `GAN on 2-D toy data: ERM vs mixup (alpha ${options.alpha}) in the discriminator`,
  `${options.iterations} iterations, batch ${options.batchSize}, MLPs ${options.hidden.join("-")} (ReLU), Adam lr ${options.lr} (beta1 0.5), latent ${options.latent}, ${options.seeds.length} seeds; scores of ${options.samples} samples after training`,
  `high-quality: within 3 sd of the nearest mode centre; covered: a mode holding at least ${100 * COVERED_SHARE}% of all samples as its high-quality samples`,
  "",
  table(results),
]

/**
 * The GAN folder: `<out>/tables.md` and `<out>/summary.json` (scores of every snapshot of every
 * run); the printed tables end with where they went.
 */
export const writeFolder = (finished: {
  readonly options: GanOptions
  readonly results: ReadonlyArray<GanResult>
  readonly tables: ReadonlyArray<string>
  readonly pictures: ReadonlyArray<Pictures.Written>
  readonly began: number
}): Effect.Effect<{ readonly tables: string; readonly summary: unknown }, CliError> =>
  Effect.gen(function* () {
    const { options, results, pictures } = finished
    const tables = finished.tables.join("\n")
    const summary = {
      experiment: "gan",
      options,
      wallSeconds: (performance.now() - finished.began) / 1000,
      results: results.map((r) => ({
        toy: r.toy,
        method: r.method,
        runs: r.runs.map((run) => ({
          seed: run.seed,
          final: run.final,
          discriminatorLoss: run.discriminatorLoss,
          generatorLoss: run.generatorLoss,
          snapshots: run.snapshots.map((s) => ({ iteration: s.iteration, score: s.score })),
        })),
      })),
      pictures: pictures.map((p) => ({ name: p.name, svg: p.svg, png: p.png })),
    }
    yield* Files.writeText(join(options.out, "tables.md"), `${tables}\n`)
    yield* Files.writeJson(join(options.out, "summary.json"), summary)
    return { tables: `${tables}\n\nwritten to ${options.out}`, summary }
  })
