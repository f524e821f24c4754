import assert from "node:assert/strict"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { main } from "../examples/quickstart.ts"
import { assertWellFormed, decodePng, run } from "./helpers.ts"

test("the README's quickstart writes every picture as SVG and PNG", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vicinal-viz-quickstart-"))
  try {
    // Scale 1 keeps the suite fast; the default (2) is exercised by Picture and Charts tests.
    const written = await run(main(dir, { scale: 1 }))
    assert.deepEqual(
      written.map((p) => p.png),
      ["errors", "table", "examples", "boundaries"].map((name) => join(dir, `${name}.png`)),
    )
    for (const paths of written) {
      assertWellFormed(await readFile(paths.svg, "utf8"))
      const png = decodePng(new Uint8Array(await readFile(paths.png)))
      assert.ok(png.width > 100 && png.height > 100)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
