/** Small models built from plain tfjs-core tensors, so these tests need no model package. */
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import type { Attack } from "../src/index.ts"

export const ready = async (): Promise<void> => {
  await tf.setBackend("wasm")
  await tf.ready()
}

const normals = (rng: Random.Rng, size: number, scale: number): Float32Array =>
  Float32Array.from({ length: size }, () => scale * rng.normal())

export const uniforms = (rng: Random.Rng, size: number, lo = 0, hi = 1): Float32Array =>
  Float32Array.from({ length: size }, () => lo + (hi - lo) * rng.uniform())

export interface Linear {
  readonly w: Float32Array // [d, classes], row-major
  readonly b: Float32Array // [classes]
  readonly d: number
  readonly classes: number
  readonly model: Attack.Model
  readonly dispose: () => void
}

/** A linear softmax model: logits = flatten(x) W + b. */
export const linear = (seed: number, d: number, classes: number): Linear => {
  const rng = Random.make(seed)
  const w = normals(rng, d * classes, 1)
  const b = normals(rng, classes, 0.5)
  const wT = tf.tensor2d(w, [d, classes])
  const bT = tf.tensor1d(b)
  return {
    w,
    b,
    d,
    classes,
    model: (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0] ?? 1, d]), wT), bT)),
    dispose: () => tf.dispose([wT, bT]),
  }
}

export interface Mlp {
  readonly model: Attack.Model
  readonly variables: ReadonlyArray<tf.Variable>
  readonly dispose: () => void
}

/** A 2-layer ReLU MLP with trainable variables. */
export const mlp = (seed: number, d: number, hidden: number, classes: number): Mlp => {
  const rng = Random.make(seed)
  const w1 = tf.variable(tf.tensor2d(normals(rng, d * hidden, Math.sqrt(2 / d)), [d, hidden]))
  const b1 = tf.variable(tf.zeros([hidden]))
  const w2 = tf.variable(
    tf.tensor2d(normals(rng, hidden * classes, Math.sqrt(1 / hidden)), [hidden, classes]),
  )
  const b2 = tf.variable(tf.zeros([classes]))
  return {
    model: (x) =>
      tf.tidy(() => {
        const h = tf.relu(tf.add(tf.matMul(tf.reshape(x, [x.shape[0] ?? 1, d]), w1), b1))
        return tf.add(tf.matMul(h, w2), b2)
      }),
    variables: [w1, b1, w2, b2],
    dispose: () => tf.dispose([w1, b1, w2, b2]),
  }
}

/** Runs `f` and asserts that it left exactly `expected` more tensors alive (default 0). */
export const countingLeaks = <A>(f: () => A): { readonly result: A; readonly leaked: number } => {
  const before = tf.memory().numTensors
  const result = f()
  return { result, leaked: tf.memory().numTensors - before }
}

/** `model`, recording on the host every input it is evaluated on (forward and gradient passes). */
export const recording = (
  model: Attack.Model,
): { readonly model: Attack.Model; readonly seen: Float32Array[] } => {
  const seen: Float32Array[] = []
  return {
    model: (x) => {
      seen.push(Float32Array.from(x.dataSync()))
      return model(x)
    },
    seen,
  }
}
