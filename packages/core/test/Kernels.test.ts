import assert from "node:assert/strict"
import { test } from "node:test"
import { Lambda, Random } from "@vicinal/core"
import { compile } from "../scripts/kernels.ts"
import * as Kernels from "../src/Kernels.ts"
import { kernelsWasmBase64 } from "../src/KernelsBinary.ts"

test("the committed WebAssembly is what assembly/kernels.ts compiles to (run `npm run kernels` after editing it)", async () => {
  const committed = Uint8Array.from(atob(kernelsWasmBase64), (c) => c.charCodeAt(0))
  assert.deepEqual(await compile(), committed)
})

test("the kernels run here, and bulk draws of one seed do not depend on how they are chunked", () => {
  assert.ok(Kernels.available())
  const sampler = Lambda.symmetricBeta(0.3)
  // 150,000 draws span three kernel calls; the first 1,000 equal a short call's.
  const long = Lambda.sampleInto(sampler, Random.make(5), new Float64Array(150_000))
  const short = Lambda.sampleInto(sampler, Random.make(5), new Float64Array(1000))
  assert.deepEqual(long.subarray(0, 1000), short)
  // Float32 outputs are the float64 draws rounded.
  const single = Lambda.sampleInto(sampler, Random.make(5), new Float32Array(1000))
  assert.deepEqual(single, Float32Array.from(short))
})
