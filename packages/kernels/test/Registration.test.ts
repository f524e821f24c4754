import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { describe, test } from "node:test"
import { fileURLToPath } from "node:url"
import { compile, compileShared } from "../scripts/kernels.ts"
import { Kernels } from "../src/index.ts"
import { kernelsWasmBase64 } from "../src/KernelsBinary.ts"
import { kernelsSharedWasmBase64 } from "../src/KernelsSharedBinary.ts"
import { tf, uniform } from "./setup.ts"

const fixture = fileURLToPath(new URL("./fixtures/importOrder.ts", import.meta.url))
const isDeno = "Deno" in globalThis

const runOrder = (order: string) => {
  const args = isDeno ? ["run", "-A", "--no-check", "--no-lock", fixture, order] : [fixture, order]
  const result = spawnSync(process.execPath, args, { encoding: "utf8" })
  assert.equal(result.status, 0, result.stderr)
  const line = result.stdout.trim().split("\n").at(-1)!
  return JSON.parse(line) as { registered: boolean; warnings: Array<string>; product: Array<number> }
}

describe("registration", () => {
  test("the committed WebAssembly is what assembly/kernels.ts compiles to (run `npm run kernels` after editing it)", async () => {
    const committed = Uint8Array.from(atob(kernelsWasmBase64), (c) => c.charCodeAt(0))
    assert.deepEqual(await compile(), committed)
  })

  test("the committed shared-memory WebAssembly (the GEMM's helper thread) is what assembly/kernels.ts compiles to", async () => {
    const committed = Uint8Array.from(atob(kernelsSharedWasmBase64), (c) => c.charCodeAt(0))
    assert.deepEqual(await compileShared(), committed)
  })

  test("the module has no data segment: instantiating it over a memory writes nothing into it", async () => {
    const memory = new WebAssembly.Memory({ initial: 1 })
    new Uint8Array(memory.buffer).fill(0xab)
    await WebAssembly.instantiate(await compile(), { env: { memory } })
    assert.ok(new Uint8Array(memory.buffer).every((b) => b === 0xab))
  })

  for (const order of ["ours-first", "wasm-first"])
    test(`importing the package registers its kernels, silently, with ${order}`, () => {
      const { registered, warnings, product } = runOrder(order)
      assert.ok(registered)
      assert.deepEqual(warnings, [])
      // [[1, 2], [3, 4], [5, 6]]^T . [[1, 0], [2, 1], [3, 1]]
      assert.deepEqual(product, [22, 8, 28, 10])
    })

  test("unregister restores the stock kernels and register puts ours back, as often as asked", () => {
    const stock = tf.getKernel("BatchMatMul", "wasm")
    assert.ok(Kernels.registered())
    Kernels.unregister()
    assert.equal(Kernels.registered(), false)
    assert.notEqual(tf.getKernel("BatchMatMul", "wasm"), stock)
    // The off switch keeps a filter gradient (composed of stock ops), so conv nets still train.
    assert.notEqual(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined)
    Kernels.unregister()
    Kernels.register()
    Kernels.register()
    assert.ok(Kernels.registered())
    assert.equal(tf.getKernel("BatchMatMul", "wasm"), stock)
    assert.deepEqual(Kernels.kernelNames.toSorted(), [
      "BatchMatMul",
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "GatherV2",
      "Identity",
      "MaxPoolGrad",
      "Sum",
      "UnsortedSegmentSum",
      "_FusedMatMul",
    ])
  })

  test("switching backends away and back keeps our kernels", async () => {
    await tf.setBackend("cpu")
    await tf.setBackend("wasm")
    assert.ok(Kernels.registered())
    const x = uniform([3, 5], 1)
    const y = tf.matMul(x, x, true, false)
    assert.deepEqual(y.shape, [5, 5])
    tf.dispose([x, y])
  })
})
