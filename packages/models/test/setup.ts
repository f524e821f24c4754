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

interface Net {
  readonly stageNames: ReadonlyArray<string>
  readonly forward: (x: tf.Tensor, o?: { mixAt?: number; mix?: (h: tf.Tensor) => tf.Tensor }) => tf.Tensor
  readonly dispose: () => void
}

/** The activation shape after every stage 0..K, observed through the mixing hook. */
export const stageShapes = (net: Net, x: tf.Tensor): ReadonlyArray<ReadonlyArray<number>> =>
  net.stageNames.map((_, k) => {
    let shape: ReadonlyArray<number> = []
    tf.dispose(
      net.forward(x, {
        mixAt: k,
        mix: (h) => {
          shape = h.shape
          return h
        },
      }),
    )
    return shape
  })

/**
 * For the big reference networks (100+ MB of weights): build the 10-class net once, check its
 * count and a forward pass on a batch of 2 (shape and finiteness), dispose; then the 100-class count.
 */
export const checkReferenceNet = <N extends Net>(
  build: (numClasses: number) => N,
  count: (net: N) => number,
  expected: { readonly classes10: number; readonly classes100: number },
): N["stageNames"] =>
  noLeak(() => {
    const net = build(10)
    assert.equal(count(net), expected.classes10)
    const x = input([2, 32, 32, 3], 1)
    const logits = net.forward(x)
    assert.deepEqual(logits.shape, [2, 10])
    assert.ok(allFinite(logits))
    tf.dispose([x, logits])
    const names = net.stageNames
    net.dispose()
    const net100 = build(100)
    assert.equal(count(net100), expected.classes100)
    net100.dispose()
    return names
  })

/** The layer classes around each Dropout layer of a built model: producer chain (3 back) and consumer chain (2 on). */
export const dropoutSurroundings = (model: {
  readonly layers: ReadonlyArray<{
    getClassName(): string
    inboundNodes: ReadonlyArray<{ inboundLayers: ReadonlyArray<unknown> }>
    outboundNodes: ReadonlyArray<{ outboundLayer: unknown }>
  }>
}): ReadonlyArray<ReadonlyArray<string>> => {
  type L = (typeof model.layers)[number]
  const producer = (l: L): L => {
    const from = l.inboundNodes[0]?.inboundLayers ?? []
    assert.equal(from.length, 1, `${l.getClassName()} has one input`)
    return from[0] as L
  }
  const consumer = (l: L): L => {
    assert.equal(l.outboundNodes.length, 1, `${l.getClassName()} has one consumer`)
    return l.outboundNodes[0]!.outboundLayer as L
  }
  return model.layers
    .filter((l) => l.getClassName() === "Dropout")
    .map((d) => {
      const relu = producer(d)
      const bn = producer(relu)
      const next = consumer(d)
      return [producer(bn), bn, relu, d, next, consumer(next)].map((l) => l.getClassName())
    })
}
