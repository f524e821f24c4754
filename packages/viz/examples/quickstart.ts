/**
 * Quickstart: every picture @vicinal/viz makes, written as SVG + PNG.
 *   bun examples/quickstart.ts /tmp/vicinal-viz      (or: deno run -A examples/quickstart.ts DIR)
 * The data here is made up by formulas, so that the example needs no training run.
 */
import { join } from "node:path"
import { Boundary, Charts, Images, Picture } from "@vicinal/viz"
import { Effect } from "effect"

// Error curves of the kind a training run reports: mixup fits the training set less and generalises better.
const curve = (start: number, end: number, rate: number) =>
  Array.from(
    { length: 30 },
    (_, epoch) => [epoch + 1, end + (start - end) * Math.exp(-rate * epoch)] as const,
  )

// Two 8×8 patterns, a vertical bar ("class 1") and a horizontal bar ("class 7"), mixed with weights λ.
const bar = (vertical: boolean) =>
  Float32Array.from({ length: 64 }, (_, i) => ((vertical ? i % 8 : Math.floor(i / 8)) === 3 ? 1 : 0))
const mixExamples = (lambdas: ReadonlyArray<number>) => {
  const [a, b] = [bar(true), bar(false)]
  const images = new Float32Array(lambdas.length * 64)
  const labels = new Float32Array(lambdas.length * 10)
  lambdas.forEach((lambda, n) => {
    for (let i = 0; i < 64; i++) images[n * 64 + i] = lambda * a[i]! + (1 - lambda) * b[i]!
    labels[n * 10 + 1] = lambda
    labels[n * 10 + 7] = 1 - lambda
  })
  return { images, labels }
}

// A "model" on the plane: class 1 above the sine curve; `sharpness` plays ERM (high) vs mixup (low).
const grid = (sharpness: number): Boundary.ProbabilityGrid => {
  const xs = Array.from({ length: 80 }, (_, i) => -3 + (6 * i) / 79)
  const ys = xs
  const probabilities = new Float32Array(80 * 80 * 2)
  ys.forEach((y, iy) => {
    xs.forEach((x, ix) => {
      const p = 1 / (1 + Math.exp(-sharpness * (y - Math.sin(1.5 * x))))
      probabilities[(iy * 80 + ix) * 2] = 1 - p
      probabilities[(iy * 80 + ix) * 2 + 1] = p
    })
  })
  return { xs, ys, probabilities, numClasses: 2 }
}
const points: Boundary.Points = (() => {
  const n = 60
  const x = new Float32Array(2 * n)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const u = -2.7 + (5.4 * i) / (n - 1)
    const side = i % 2 === 0 ? 1 : -1
    x[2 * i] = u
    x[2 * i + 1] = Math.sin(1.5 * u) + side * (0.4 + 0.5 * ((i * 7) % 5) * 0.25)
    labels[i] = side > 0 ? 1 : 0
  }
  return { x, labels }
})()

export const main = (outDir: string, png: Picture.PngOptions = { scale: 2 }) =>
  Effect.gen(function* () {
    const errors = yield* Charts.lines({
      title: "Error per epoch",
      xLabel: "epoch",
      yLabel: "error",
      series: [
        { name: "ERM train", points: curve(0.9, 0.01, 0.25) },
        { name: "ERM test", points: curve(0.9, 0.12, 0.2) },
        { name: "mixup train", points: curve(0.9, 0.2, 0.15) },
        { name: "mixup test", points: curve(0.9, 0.09, 0.15) },
      ],
      yDomain: [0, 1],
    })
    const table = yield* Charts.bars({
      title: "CIFAR-10 test error (%), from the paper",
      yLabel: "test error (%)",
      bars: [
        { group: "PreAct ResNet-18", series: "ERM", value: 5.6 },
        { group: "PreAct ResNet-18", series: "mixup", value: 4.2 },
        { group: "WRN-28-10", series: "ERM", value: 3.8 },
        { group: "WRN-28-10", series: "mixup", value: 2.7 },
        { group: "DenseNet-BC-190", series: "ERM", value: 3.7 },
        { group: "DenseNet-BC-190", series: "mixup", value: 2.7 },
      ],
      groupWidth: 120,
      digits: 1,
    })
    const lambdas = [1, 0.9, 0.75, 0.62, 0.5, 0.38, 0.25, 0]
    const mixed = mixExamples(lambdas)
    const examples = yield* Images.grid({
      title: "Mixed training examples",
      images: mixed.images,
      shape: [lambdas.length, 8, 8, 1],
      captions: yield* Images.softLabels(mixed.labels, 10),
      columns: 4,
      scale: 8,
    })
    const boundaries = yield* Boundary.compare(
      [
        { title: "ERM", grid: grid(8), points },
        { title: "mixup", grid: grid(1.2), points },
      ],
      { title: "Decision boundaries on toy data" },
    )
    return yield* Effect.forEach(
      [
        ["errors", errors],
        ["table", table],
        ["examples", examples],
        ["boundaries", boundaries],
      ] as const,
      ([name, picture]) => Picture.write(picture, join(outDir, name), png),
    )
  })

if ((import.meta as { main?: boolean }).main) {
  const written = await Effect.runPromise(main(process.argv[2] ?? "viz-quickstart"))
  for (const paths of written) console.log(paths.svg, paths.png)
}
