/**
 * `reproduce quick` end to end at a tiny size (one epoch, 256 digits): the table on stdout and
 * every artifact of the results folder; pictures have plausible sizes and decode to the size the
 * summary states; a
 * second run with --resume reuses the finished runs; `show` prints the folder.
 */
import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { decode } from "fast-png"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import type * as Pictures from "../src/Pictures.ts"
import { run, tempDir } from "./helpers.ts"

type PictureEntry = Pictures.Written

describe("reproduce quick", () => {
  test("runs end to end and writes every artifact", async () => {
    const out = join(tempDir("quick"), "results")
    const args = [
      "reproduce",
      "quick",
      "--epochs",
      "1",
      "--limit",
      "256",
      "--batch-size",
      "64",
      "--toy-epochs",
      "1",
      "--noisy-epochs",
      "1",
      "--noisy-limit",
      "128",
      "--test-limit",
      "200",
      "--out",
      out,
    ]
    const first = await run(args)
    assert.equal(first.code, 0, first.stderr)
    for (const heading of [
      "## Clean labels",
      "## 50% corrupted labels (Table 2 layout)",
      "## Adversarial examples, white box",
    ])
      assert.ok(first.stdout.includes(heading), heading)
    assert.match(first.stdout, /\| 50% +\| ERM +\|/)
    assert.match(first.stdout, /18\.8 \/ 44\.6 \/ 0\.26 \/ 0\.64/, "the paper's Table 2 row beside ours")
    assert.match(first.stdout, /\| Top-1 +\| ERM +\| [\d.]+ +\| [\d.]+ \(90\.7\) +\| [\d.]+ \(99\.9\)/)
    assert.match(
      first.stdout,
      /Scale: the paper used .* these runs use 256 MNIST training digits \(200 test\)/,
    )
    // Progress without a terminal: plain lines with epoch, batch, loss, throughput and ETA.
    assert.match(
      first.stderr,
      /\[clean, ERM, seed 0\] epoch 1\/1 \[#+\] batch 4\/4 loss \d\.\d{4} \d+ ex\/s ETA 0:00\n/,
    )

    for (const file of ["config.json", "metrics.json", "metrics.csv", "tables.md", "summary.json"])
      assert.ok(existsSync(join(out, file)), file)
    const runs = ["toy-erm", "toy-mixup-1", "clean-erm", "clean-mixup-1", "50-noise-erm", "50-noise-mixup-8"]
    for (const r of runs)
      for (const file of ["config.json", "metrics.json", "metrics.csv", "summary.json"])
        assert.ok(existsSync(join(out, "runs", `${r}-seed0`, file)), `${r}/${file}`)

    const csv = readFileSync(join(out, "metrics.csv"), "utf8").trimEnd().split("\n")
    assert.equal(csv.length, 1 + 2 * 1 + 4 * 1, "header + one line per epoch of each run")
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))
    assert.equal(summary.experiment, "quick")
    assert.equal(summary.runs.length, 6)
    assert.equal(summary.results.labelNoise50.length, 2)
    const noisy = JSON.parse(readFileSync(join(out, "runs", "50-noise-erm-seed0", "summary.json"), "utf8"))
    assert.ok(noisy.final.corruptedTrainError >= 0 && noisy.final.corruptedTrainError <= 1)
    const noisyConfig = JSON.parse(
      readFileSync(join(out, "runs", "50-noise-erm-seed0", "config.json"), "utf8"),
    )
    assert.deepEqual(noisyConfig.data, { dataset: "mnist", trainSize: 128, testSize: 200, labelNoise: 0.5 })
    const clean = JSON.parse(readFileSync(join(out, "runs", "clean-mixup-1-seed0", "summary.json"), "utf8"))
    assert.deepEqual(
      clean.extra.whiteBox.map((r: { attack: string }) => r.attack),
      ["FGSM", "I-FGSM"],
    )

    const pictures = summary.pictures as ReadonlyArray<PictureEntry>
    assert.deepEqual(pictures.map((p) => p.name).sort(), [
      "decision-boundary",
      "mixed-examples",
      "test-error",
      "training-error",
    ])
    // Sizes the drawings must have, independent of what the summary says about them: the plots'
    // 480 x 300 area plus axes, title and legend; 16 mixed 28 x 28 digits with captions.
    const expected: Record<string, { readonly width: [number, number]; readonly height: [number, number] }> =
      {
        "test-error": { width: [600, 1100], height: [330, 500] },
        "training-error": { width: [600, 1100], height: [330, 500] },
        "decision-boundary": { width: [500, 1500], height: [250, 600] },
        "mixed-examples": { width: [8 * 28, 1800], height: [2 * 28, 800] },
      }
    for (const p of pictures) {
      const bounds = expected[p.name]!
      assert.ok(p.width >= bounds.width[0] && p.width <= bounds.width[1], `${p.name} width ${p.width}`)
      assert.ok(p.height >= bounds.height[0] && p.height <= bounds.height[1], `${p.name} height ${p.height}`)
      const png = decode(readFileSync(p.png))
      assert.equal(png.width, p.width * p.pngScale, `${p.name} PNG width`)
      assert.equal(png.height, p.height * p.pngScale, `${p.name} PNG height`)
      const svg = readFileSync(p.svg, "utf8")
      assert.equal(XMLValidator.validate(svg), true, `${p.name} SVG is well-formed XML`)
      const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg
      assert.equal(Number(root["@_width"]), p.width)
      assert.equal(Number(root["@_height"]), p.height)
    }

    // An interrupted or repeated sweep reuses finished runs.
    const again = await run([...args, "--resume"])
    assert.equal(again.code, 0, again.stderr)
    assert.equal((again.stderr.match(/finished earlier, reusing/g) ?? []).length, 6)
    assert.ok(!again.stderr.includes("epoch 1/1"), "nothing trained again")
    assert.equal(readFileSync(join(out, "tables.md"), "utf8").trimEnd(), again.stdout.trimEnd())

    const shown = await run(["show", out])
    assert.equal(shown.code, 0, shown.stderr)
    assert.ok(shown.stdout.includes("## 50% corrupted labels (Table 2 layout)"))
    assert.match(shown.stdout, /clean, mixup, α = 1, seed 0/)
    assert.match(shown.stdout, /decision-boundary: .*decision-boundary\.png \(\d+×\d+\)/)
    const shownRun = await run(["show", join(out, "runs", "clean-erm-seed0")])
    assert.equal(shownRun.code, 0)
    assert.match(shownRun.stdout, /\| 1 +\| \d\.\d{4} +\|/)
  })
})
