/**
 * A seeded run (and a user model trained by fitDataset on Fit.dataset) ends with the same weights, bit for bit, on Bun and on Deno (wasm backend): this
 * file's runtime trains the runs of test/fixtures/run-digest.ts and runs that file under the
 * other runtime to compare the digests of the final weights.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { runOnOtherRuntime, runtimes } from "../../../scripts/other-runtime.ts"
import { digests } from "./fixtures/run-digest.ts"

test(`a seeded run ends with the same weights on ${runtimes.join(" and ")}`, async () => {
  const theirs = runOnOtherRuntime(
    fileURLToPath(new URL("./fixtures/run-digest.ts", import.meta.url)),
  ) as Record<string, string>
  const ours = await digests()
  assert.deepEqual(Object.keys(theirs), Object.keys(ours))
  for (const key of Object.keys(ours)) assert.equal(theirs[key], ours[key], `${key}: the weights differ`)
})
