/**
 * The live demo's model: two identical MLPs trained side by side on the same batches of a 2-D
 * toy set, one with ERM and one with mixup, using the same packages as everything else
 * (`@vicinal/data` for the data and label noise, `@vicinal/core` for the strategies,
 * `@vicinal/models` for the networks, `@vicinal/losses` for the loss). Synchronous tfjs per
 * step inside `tf.tidy`; the Vue component only calls `train`, `probabilities` and `dispose`.
 */
import * as tf from "@tensorflow/tfjs-core"
import { Pairing, Random, Strategy } from "@vicinal/core"
import { Corruption, Synthetic } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { Effect } from "effect"

export type PairingName = "randomPermutation" | "flip" | "sameClass" | "knn"

export interface Settings {
  readonly alpha: number
  readonly pairing: PairingName
  /** Fraction of training labels replaced by a uniformly drawn label. */
  readonly labelNoise: number
  readonly seed: number
  readonly points: number
  readonly batchSize: number
  readonly learningRate: number
}

export const defaults: Settings = {
  alpha: 1,
  pairing: "randomPermutation",
  labelNoise: 0.1,
  seed: 7,
  points: 200,
  batchSize: 32,
  learningRate: 0.01,
}

export const pairingOf = (name: PairingName): Pairing.Pairing => {
  switch (name) {
    case "randomPermutation":
      return Pairing.randomPermutation
    case "flip":
      return Pairing.flip
    case "sameClass":
      return Pairing.sameClass
    case "knn":
      return Pairing.knn({ k: 5 })
  }
}

export interface Bounds {
  readonly x0: number
  readonly x1: number
  readonly y0: number
  readonly y1: number
}

interface Learner {
  readonly name: string
  readonly strategy: Strategy.Strategy
  readonly classifier: Classifier
  readonly optimizer: tf.Optimizer
  readonly rng: Random.Rng
}

export interface Demo {
  readonly points: Float32Array
  /** Training labels as given to both networks (with the label noise). */
  readonly labels: Int32Array
  readonly bounds: Bounds
  readonly learners: ReadonlyArray<{ readonly name: string }>
  /** Runs `steps` training steps for both networks on the same batches; returns the step count so far. */
  readonly train: (steps: number) => number
  /** P(class 1) on a `size` x `size` grid over `bounds`, row-major from the top, per learner. */
  readonly probabilities: (size: number) => ReadonlyArray<Float32Array>
  readonly dispose: () => void
}

const boundsOf = (xy: Float32Array): Bounds => {
  let [x0, x1, y0, y1] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ]
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]!)
    x1 = Math.max(x1, xy[i]!)
    y0 = Math.min(y0, xy[i + 1]!)
    y1 = Math.max(y1, xy[i + 1]!)
  }
  const mx = (x1 - x0) * 0.15
  const my = (y1 - y0) * 0.15
  return { x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my }
}

/** Builds the data set and both learners (same initial weights, same batches). Throws tagged errors on bad settings. */
export const make = (settings: Settings): Demo => {
  const data = Effect.runSync(
    Synthetic.twoMoons({ n: settings.points, seed: settings.seed, noise: 0.12 }).pipe(
      Effect.flatMap(Corruption.corrupt({ fraction: settings.labelNoise, seed: settings.seed + 1 })),
    ),
  )
  const n = settings.points
  const x = tf.tensor2d(data.x, [n, 2])
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.labels, "int32"), 2), "float32") as tf.Tensor2D)
  const learner = (name: string, strategy: Strategy.Strategy): Learner => ({
    name,
    strategy,
    classifier: Models.mlp({ inputShape: [2], numClasses: 2, hidden: [32, 32], seed: settings.seed }),
    optimizer: tf.train.adam(settings.learningRate),
    rng: Random.make(settings.seed + 2),
  })
  const learners = [
    learner("ERM", Strategy.erm),
    learner("mixup", Strategy.mixup({ alpha: settings.alpha, pairing: pairingOf(settings.pairing) })),
  ]
  const batches = Random.make(settings.seed + 3)
  let step = 0

  const trainStep = (): void => {
    const indices = new Int32Array(settings.batchSize)
    for (let i = 0; i < indices.length; i++) indices[i] = batches.int(n)
    tf.tidy(() => {
      const index = tf.tensor1d(indices, "int32")
      const batch = { x: tf.gather(x, index), y: tf.gather(y, index) as tf.Tensor2D }
      const features = batch.x.dataSync() as Float32Array
      const labels = Int32Array.from(indices, (i) => data.labels[i]!)
      for (const l of learners) {
        const plan = Strategy.plan(
          l.strategy,
          { n: settings.batchSize, shape: batch.x.shape, labels, features },
          { epoch: 0, step },
          l.rng,
        )
        const mixed = Strategy.execute(plan, batch)
        l.optimizer.minimize(
          () =>
            Losses.softCrossEntropy(
              l.classifier.forward(mixed.x, { training: true }) as tf.Tensor2D,
              mixed.y,
            ),
          false,
          [...l.classifier.trainableVariables()],
        )
      }
    })
    step++
  }

  const bounds = boundsOf(data.x)
  return {
    points: data.x,
    labels: data.labels,
    bounds,
    learners,
    train: (steps) => {
      for (let s = 0; s < steps; s++) trainStep()
      return step
    },
    probabilities: (size) => {
      const grid = new Float32Array(size * size * 2)
      for (let r = 0; r < size; r++)
        for (let c = 0; c < size; c++) {
          grid[2 * (r * size + c)] = bounds.x0 + ((c + 0.5) / size) * (bounds.x1 - bounds.x0)
          grid[2 * (r * size + c) + 1] = bounds.y1 - ((r + 0.5) / size) * (bounds.y1 - bounds.y0)
        }
      return learners.map((l) =>
        tf.tidy(() => {
          const logits = l.classifier.forward(tf.tensor2d(grid, [size * size, 2]))
          return tf.slice(tf.softmax(logits), [0, 1], [-1, 1]).dataSync() as Float32Array
        }),
      )
    },
    dispose: () => {
      for (const l of learners) {
        l.classifier.dispose()
        l.optimizer.dispose()
      }
      tf.dispose([x, y])
    },
  }
}
