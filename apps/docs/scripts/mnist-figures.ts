/**
 * Pictures of real mixed MNIST examples for the concepts page, made at build time from the
 * `mnist` package's digits: the same seeded plan (lambdas and partners) is executed with
 * mixup and with "mixing images", so the two figures differ only in their labels; CutMix and
 * FMix draw from the same seed (same partners) and paste a box or a Fourier mask.
 * Writes docs/public/generated/mnist/{originals,mixup,mix-images,cutmix,fmix}.{svg,png}.
 */
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Host, Pairing, Random, Strategy } from "@vicinal/core"
import { Dataset, Mnist } from "@vicinal/data"
import { Images, Picture } from "@vicinal/viz"
import { Effect } from "effect"

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/public/generated/mnist")
const COUNT = 8
const SEED = 2018

const figures = Effect.gen(function* () {
  const mnist = yield* Mnist.load()
  const picker = Random.make(SEED)
  const indices = Array.from({ length: COUNT }, () => picker.int(Dataset.size(mnist)))
  const picked = Dataset.gather(mnist, indices, "mnist-sample")
  const shape = [COUNT, 28, 28, 1] as const
  const y = Dataset.oneHot(picked.labels, 10)
  const batch = { x: picked.x, shape, y }

  // One plan per strategy from generators with the same seed: identical lambdas and partners.
  const mixed = (strategy: Strategy.Strategy) =>
    Host.execute(
      Strategy.plan(
        strategy,
        { n: COUNT, shape, labels: picked.labels },
        { epoch: 0, step: 0 },
        Random.make(SEED),
      ),
      batch,
    )
  const options = { alpha: 1, pairing: Pairing.randomPermutation, granularity: "element" as const }
  const mixup = mixed(Strategy.mixup(options))
  const mixImages = mixed(Strategy.mixImages(options))
  const cutmix = mixed(Strategy.cutmix(options))
  const fmix = mixed(Strategy.fmix(options))

  const write = (name: string, title: string, images: Float32Array, targets: Float32Array) =>
    Effect.gen(function* () {
      const captions = yield* Images.softLabels(targets, 10)
      const picture = yield* Images.grid({ images, shape, captions, columns: COUNT, scale: 3, title })
      return yield* Picture.write(picture, join(outDir, name), { scale: 1 })
    })
  yield* write("originals", "MNIST examples x_i with their labels", picked.x, y)
  yield* write("mixup", "mixup: mixed inputs, mixed labels", mixup.x as Float32Array, mixup.y)
  yield* write(
    "mix-images",
    "mixing images: mixed inputs, first label kept",
    mixImages.x as Float32Array,
    mixImages.y,
  )
  yield* write(
    "cutmix",
    "CutMix: a box of the partner pasted, labels by area",
    cutmix.x as Float32Array,
    cutmix.y,
  )
  yield* write(
    "fmix",
    "FMix: a Fourier mask of the partner pasted, labels by area",
    fmix.x as Float32Array,
    fmix.y,
  )
  return Array.from(mixup.lambda, (l) => l.toFixed(2))
})

const lambdas = await Effect.runPromise(figures)
console.log(`mnist figures: written to ${outDir} (lambdas ${lambdas.join(" ")})`)
