import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import * as tf from "@tensorflow/tfjs-core"
import { Effect, Exit } from "effect"
import { Backend, Errors } from "../src/index.ts"

const nativeInstalled = async (name: string) =>
  import(name).then(
    () => true,
    () => false,
  )
const nodeInstalled = await nativeInstalled("@tensorflow/tfjs-node")
const gpuInstalled = await nativeInstalled("@tensorflow/tfjs-node-gpu")
// A skip with its reason (the runner reports it as skipped, not passed).
const unlessAbsent = (installed: boolean, name: string) =>
  installed ? `${name} is installed here, so this machine cannot show its absence` : false

describe("Backend.select", () => {
  test("auto tries the candidates in order and reports why each skipped one was skipped", async () => {
    const report = await Effect.runPromise(Backend.select("auto"))
    assert.deepEqual(
      report.attempts.map((a) => a.name),
      Backend.candidates.slice(0, report.attempts.length),
    )
    assert.equal(report.attempts.at(-1)?.ok, true)
    assert.equal(report.attempts.at(-1)?.name, report.name)
    report.attempts.slice(0, -1).forEach((a) => {
      assert.equal(a.ok, false)
      assert.ok(a.reason.length > 0)
    })
    assert.equal(tf.getBackend(), report.tfjsBackend)
    assert.match(Backend.summary(report), new RegExp(`backend: ${report.name}`))
  })

  test("without the native packages, auto chooses wasm with SIMD and says why the native ones were skipped", {
    skip: unlessAbsent(nodeInstalled || gpuInstalled, "a native tfjs backend"),
  }, async () => {
    const report = await Effect.runPromise(Backend.select("auto"))
    assert.equal(report.name, "wasm")
    assert.equal(report.simd, true)
    assert.match(report.attempts[0]!.reason, /not installed/)
  })

  test("a named backend is used exactly; cpu then wasm switch the tfjs backend", async () => {
    assert.equal((await Effect.runPromise(Backend.select("cpu"))).tfjsBackend, "cpu")
    assert.equal(tf.getBackend(), "cpu")
    const wasm = await Effect.runPromise(Backend.select("wasm"))
    assert.equal(wasm.name, "wasm")
    assert.equal(tf.getBackend(), "wasm")
    assert.equal(wasm.attempts.length, 1)
  })

  test("a named backend that is not installed fails with a BackendError giving the reason", {
    skip: unlessAbsent(gpuInstalled, "@tensorflow/tfjs-node-gpu"),
  }, async () => {
    const exit = await Effect.runPromiseExit(Backend.select("tfjs-node-gpu"))
    assert.ok(Exit.isFailure(exit))
    const error = Exit.isFailure(exit)
      ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
      : undefined
    assert.ok(error instanceof Errors.BackendError)
    assert.match(error.message, /tfjs-node-gpu.*not installed/)
    await Effect.runPromise(Backend.select("wasm"))
  })

  test("auto prefers an installed native backend; the others are reported as not tried", async () => {
    // A stand-in for tfjs-node: "installed", registering a backend under tfjs-node's name.
    const fakeNode = async () => {
      tf.registerBackend("tensorflow", () => new MathBackendCPU())
      return {}
    }
    try {
      const report = await Effect.runPromise(
        Backend.select("auto", {
          "tfjs-node-gpu": () => Promise.reject(new Error("Cannot find package")),
          "tfjs-node": fakeNode,
        }),
      )
      assert.equal(report.name, "tfjs-node")
      assert.equal(tf.getBackend(), "tensorflow")
      assert.deepEqual(
        report.attempts.map((a) => [a.name, a.ok]),
        [
          ["tfjs-node-gpu", false],
          ["tfjs-node", true],
        ],
      )
      assert.deepEqual(
        report.notTried.map((n) => n.name),
        ["wasm", "cpu"],
      )
      assert.match(Backend.summary(report), /not tried wasm: tfjs-node was chosen first/)
      const named = await Effect.runPromise(Backend.select("cpu"))
      assert.deepEqual(
        named.notTried.map((n) => `${n.name}: ${n.reason}`),
        ["tfjs-node-gpu", "tfjs-node", "wasm"].map((n) => `${n}: the config names cpu`),
      )
    } finally {
      await Effect.runPromise(Backend.select("wasm"))
      tf.removeBackend("tensorflow")
    }
  })

  test("as a service layer", async () => {
    const name = await Effect.runPromise(
      Effect.map(Effect.service(Backend.Backend), (r) => r.name).pipe(Effect.provide(Backend.layer("wasm"))),
    )
    assert.equal(name, "wasm")
  })
})
