/**
 * Up-front input checks shared by losses and metrics (internal). Each throws a tagged
 * `LossError` (a @vicinal/core error) naming the argument, before any tensor is allocated.
 */
import type * as tf from "@tensorflow/tfjs-core"
import { EmptyBatch, InvalidArgument, ShapeMismatch } from "./Errors.ts"

const float32 = (argument: string, tensor: tf.Tensor): void => {
  if (tensor.dtype !== "float32")
    throw new InvalidArgument({
      argument: `${argument}.dtype`,
      value: tensor.dtype,
      expected: "must be float32",
    })
}

/** `tensor` is a float32 matrix `[n, classes]` with n >= 1 and classes >= 1; returns `[n, classes]`. */
export const batchMatrix = (argument: string, tensor: tf.Tensor): readonly [number, number] => {
  if (tensor.rank !== 2)
    throw new ShapeMismatch({ argument, expected: "rank 2 [batch, classes]", actual: tensor.shape })
  float32(argument, tensor)
  const [n = 0, classes = 0] = tensor.shape
  if (n === 0) throw new EmptyBatch({ argument })
  if (classes === 0)
    throw new ShapeMismatch({ argument, expected: "at least one class", actual: tensor.shape })
  return [n, classes]
}

/** `tensor` is float32, of rank >= 1, with at least one element. */
export const batchTensor = (argument: string, tensor: tf.Tensor): void => {
  if (tensor.rank < 1)
    throw new ShapeMismatch({ argument, expected: "rank >= 1 [batch, ...]", actual: tensor.shape })
  float32(argument, tensor)
  if (tensor.size === 0) throw new EmptyBatch({ argument })
}

/** `tensor` is float32 with exactly the shape of `reference` (named `referenceName` in the message). */
export const shapeLike = (
  argument: string,
  tensor: tf.Tensor,
  referenceName: string,
  reference: tf.Tensor,
): void => {
  const same =
    tensor.shape.length === reference.shape.length && tensor.shape.every((d, i) => d === reference.shape[i])
  if (!same)
    throw new ShapeMismatch({
      argument,
      expected: `the shape of ${referenceName} [${reference.shape.join(", ")}]`,
      actual: tensor.shape,
    })
  float32(argument, tensor)
}

/** A vector argument has one entry per example; returns its host values (a tensor is downloaded). */
const perExample = (
  argument: string,
  values: ArrayLike<number> | tf.Tensor,
  n: number,
): ArrayLike<number> => {
  const actual = "shape" in values ? values.shape : [values.length]
  if (actual.length !== 1 || actual[0] !== n)
    throw new ShapeMismatch({ argument, expected: `one entry per example, shape [${n}]`, actual })
  return "shape" in values ? values.dataSync() : values
}

/** Per-example mixing weights: n values in [0, 1]. Tensors are downloaded (n values) to check. */
export const mixingWeights = (argument: string, lambda: Float32Array | tf.Tensor1D, n: number): void => {
  if ("dtype" in lambda) float32(argument, lambda)
  const values = perExample(argument, lambda, n)
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? Number.NaN
    if (!(v >= 0 && v <= 1))
      throw new InvalidArgument({ argument: `${argument}[${i}]`, value: v, expected: "must be in [0, 1]" })
  }
}

/** n integer indices in [0, size). Tensors must be int32 and are downloaded (n values) to check. */
export const indices = (
  argument: string,
  values: Int32Array | tf.Tensor1D,
  n: number,
  size: number,
): void => {
  if ("dtype" in values && values.dtype !== "int32")
    throw new InvalidArgument({
      argument: `${argument}.dtype`,
      value: values.dtype,
      expected: "must be int32",
    })
  const host = perExample(argument, values, n)
  for (let i = 0; i < n; i++) {
    const index = host[i] ?? -1
    if (!(Number.isInteger(index) && index >= 0 && index < size))
      throw new InvalidArgument({
        argument: `${argument}[${i}]`,
        value: index,
        expected: `must be an integer in [0, ${size})`,
      })
  }
}

/** A number in [lo, hi]. */
export const inRange = (argument: string, value: number, lo: number, hi: number): void => {
  if (!(typeof value === "number" && value >= lo && value <= hi))
    throw new InvalidArgument({ argument, value, expected: `must be a number in [${lo}, ${hi}]` })
}

/** An integer >= 1. */
export const positiveInteger = (argument: string, value: number): void => {
  if (!(Number.isInteger(value) && value >= 1))
    throw new InvalidArgument({ argument, value, expected: "must be an integer >= 1" })
}
