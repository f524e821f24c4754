// Bring your own model: a small conv net of your own (tf.sequential), trained on the bundled
// MNIST digits with "mixup or CutMix, 50/50, on 80% of the batches, off for the last epoch",
// first with tfjs' own model.fitDataset, then through vicinal's Run.train (events, checkpoints).
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Attack } from "@vicinal/attacks"
import { Strategy } from "@vicinal/core"
import { Compile, Metrics } from "@vicinal/losses"
import { Models } from "@vicinal/models"
import { Backend, Datasets, Evaluate, Fit, Run, RunConfig } from "@vicinal/train"
import { Effect } from "effect"
import { pipe } from "effect/Function"

await Effect.runPromise(Backend.select("wasm"))

const epochs = 4
const strategy = pipe(
  Strategy.oneOf([Strategy.mixup({ alpha: 1 }), Strategy.cutmix({ alpha: 1 })]),
  Strategy.withProbability(0.8),
  Strategy.until(epochs - 1),
)

// Your model, as you would write it for model.fit: it ends in logits (no softmax), the form
// vicinal's losses, Evaluate and attacks take. Seeded initialisers make runs repeatable.
const myModel = () =>
  tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 5,
        strides: 2,
        activation: "relu",
        name: "conv",
        kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: "pool" }),
      tfl.layers.flatten({ name: "flat" }),
      tfl.layers.dense({
        units: 10,
        name: "logits",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  })

// 1,000 training and 500 test digits of the bundled 10,000 (a stratified, seeded split).
const config = await Effect.runPromise(
  RunConfig.decode({
    seed: 7,
    epochs,
    batchSize: 32,
    backend: "wasm",
    strategy: Strategy.toConfig(strategy),
    data: { dataset: "mnist", trainSize: 1000, testSize: 500 },
    optimizer: { _tag: "adam", lr: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    schedule: { _tag: "constant" },
  }),
)
const data = await Effect.runPromise(Datasets.load(config.data, config.seed))

const testError = (model: tfl.LayersModel) =>
  `${(100 * Evaluate.evaluate(Models.wrap(model), data.test).top1Error).toFixed(1)}%`

// 1. model.fitDataset: Fit.dataset mixes each batch on the host; each epoch re-reads the source,
//    so the strategy sees the epoch (ERM in the last). Compile.softCrossEntropy is the soft-target
//    cross-entropy of logits, in tfjs' (yTrue, yPred) order.
const fitted = myModel()
fitted.compile({ optimizer: tf.train.adam(0.003), loss: Compile.softCrossEntropy })
const tensorsBefore = tf.memory().numTensors
const source = Fit.dataset(data.train, { strategy, batchSize: 32, seed: 7, model: fitted })
// biome-ignore lint/suspicious/noExplicitAny: fitDataset is typed with tfjs-data's Dataset class; the source has what it reads (iterator, size)
const history = await fitted.fitDataset(source as any, { epochs, verbose: 0 })
const losses = history.history.loss!.map((l) => Number(l).toFixed(3)).join(" ")
console.log(`fitDataset: loss per epoch ${losses}, test error ${testError(fitted)}`)
// Adam keeps two moment estimates per weight; every batch tensor was disposed.
const kept = tf.memory().numTensors - tensorsBefore - 2 * fitted.trainableWeights.length
console.log(`fitDataset: tensors left behind besides adam's moments: ${kept}`)

// 2. Run.train: the same model type through vicinal's run (events, checkpoints, resume); the
//    config has no `model`, the run takes yours and trains it in place.
const ran = myModel()
const events = await Effect.runPromise(Run.collect(config, { model: ran, data }))
const finished = events.at(-1)
if (finished?._tag === "RunFinished")
  console.log(
    `Run.train: test error per epoch ${finished.history.map((m) => `${(100 * m.testTop1Error).toFixed(1)}%`).join(" ")}, final ${testError(ran)}`,
  )

// 3. The attacks take any (x) => logits function: here FGSM on 200 test digits (pixels in [0, 1]).
const classifier = Models.wrap(ran)
const digits = tf.tensor(data.test.x.subarray(0, 200 * 784), [200, 28, 28, 1])
const labels = data.test.labels.subarray(0, 200)
const adversarial = Attack.perturbSync(Attack.fgsm({ epsilon: 0.1 }), classifier.forward, digits, {
  range: { min: 0, max: 1 },
  labels,
})
const errorOn = (x: tf.Tensor) =>
  (100 * tf.tidy(() => Metrics.topKError(classifier.forward(x) as tf.Tensor2D, labels, 1))).toFixed(1)
console.log(`FGSM (epsilon 0.1): error ${errorOn(digits)}% clean, ${errorOn(adversarial.x)}% attacked`)

tf.dispose([digits, adversarial.x])
fitted.dispose()
ran.dispose()
