/**
 * A program importing core, losses and train: train selects the backend, core mixes a batch,
 * losses scores it. With one copy of tfjs-core in the program, the tensors each package returns
 * are instances of this file's `tf.Tensor` and share its backend; with two copies they are not
 * (and tfjs warns that the platform "has already been set").
 */
import * as tf from "@tensorflow/tfjs-core"
import { Random, Strategy } from "@vicinal/core"
import { Losses } from "@vicinal/losses"
import { Backend } from "@vicinal/train"
import { Effect } from "effect"

const program = Effect.gen(function* () {
  const backend = yield* Backend.select("cpu")
  const x = tf.randomUniform([4, 3], 0, 1, "float32", 1)
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0], "int32"), 3), "float32")) as tf.Tensor2D
  const mixed = yield* Strategy.apply(Strategy.mixup({ alpha: 1 }), { x, y }, { epoch: 0, step: 0 })
  const loss = Losses.softCrossEntropy(x as tf.Tensor2D, mixed.y as tf.Tensor2D)
  const shared = mixed.x instanceof tf.Tensor && loss instanceof tf.Tensor
  const sameBackend = tf.getBackend() === backend.tfjsBackend
  tf.dispose([x, y, mixed.x, mixed.y, mixed.lambda, mixed.partner, loss])
  return shared && sameBackend
}).pipe(Random.withSeed(1))

const shared = await Effect.runPromise(program)
if (!shared) throw new Error("core, losses or train returned a tensor of another tfjs-core copy")
console.log("one tfjs-core: core, losses and train share this program's tfjs")
