// Shared test setup: the wasm backend (the project default) and small assertion helpers.
import assert from "node:assert/strict"
import * as tf from "@tensorflow/tfjs-core"
import "@tensorflow/tfjs-backend-wasm"

await tf.setBackend("wasm")
await tf.ready()

export { tf }

/** Runs `body` and asserts it leaves no tensor behind. */
export const noLeak = <A>(body: () => A): A => {
  const before = tf.memory().numTensors
  const result = body()
  assert.equal(tf.memory().numTensors, before, "tensor count changed")
  return result
}

export const noLeakAsync = async <A>(body: () => Promise<A>): Promise<A> => {
  const before = tf.memory().numTensors
  const result = await body()
  assert.equal(tf.memory().numTensors, before, "tensor count changed")
  return result
}

/** Largest absolute difference of two tensors of one shape. */
export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => {
  assert.deepEqual(a.shape, b.shape)
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!)
}

/** A fixed pseudo-random input (no Math.random: tests are reproducible). */
export const input = (shape: ReadonlyArray<number>, seed: number): tf.Tensor =>
  tf.randomUniform([...shape], -1, 1, "float32", seed)

export const allFinite = (t: tf.Tensor): boolean => Array.from(t.dataSync()).every(Number.isFinite)

/** Runs `body`, which must throw a tagged error of `tag` whose message contains every `parts`. */
export const throwsTagged = (body: () => unknown, tag: string, ...parts: ReadonlyArray<string>): void => {
  assert.throws(body, (error: unknown) => {
    assert.equal((error as { _tag?: string })._tag, tag)
    for (const part of parts)
      assert.ok(String((error as Error).message).includes(part), (error as Error).message)
    return true
  })
}

/** Loss of `net` on a fixed batch before and after `steps` SGD steps through `forward` in training mode. */
export const lossBeforeAfter = (
  net: {
    forward: (x: tf.Tensor, o?: { training?: boolean }) => tf.Tensor
    trainableVariables: () => ReadonlyArray<tf.Variable>
  },
  x: tf.Tensor,
  labels: ReadonlyArray<number>,
  numClasses: number,
  steps: number,
  learningRate: number,
): { readonly before: number; readonly after: number } => {
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d([...labels], "int32"), numClasses))
  const optimizer = tf.train.sgd(learningRate)
  const step = (): number => {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(targets, net.forward(x, { training: true })),
      true,
      [...net.trainableVariables()],
    )!
    const value = cost.dataSync()[0]!
    cost.dispose()
    return value
  }
  const before = step()
  for (let i = 1; i < steps; i++) step()
  const after = tf.tidy(() => tf.losses.softmaxCrossEntropy(targets, net.forward(x)).dataSync()[0]!)
  optimizer.dispose()
  targets.dispose()
  return { before, after }
}
