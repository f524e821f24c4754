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
      "--seeds",
      "2",
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
    assert.match(
      first.stdout,
      /\| Top-1 +\| ERM +\| [\d.]+ ± [\d.]+ +\| [\d.]+ ± [\d.]+ \(90\.7\) +\| [\d.]+ ± [\d.]+ \(99\.9\)/,
    )
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
    // Every run saves its network, so eval and attack work on any of them.
    const runs = [
      "toy-erm-seed0",
      "toy-mixup-1-seed0",
      ...["clean-erm", "clean-mixup-0.2", "50-noise-erm", "50-noise-mixup-8"].flatMap((r) => [
        `${r}-seed0`,
        `${r}-seed1`,
      ]),
    ]
    for (const r of runs)
      for (const file of ["config.json", "metrics.json", "metrics.csv", "summary.json", "model/model.json"])
        assert.ok(existsSync(join(out, "runs", r, file)), `${r}/${file}`)

    const csv = readFileSync(join(out, "metrics.csv"), "utf8").trimEnd().split("\n")
    assert.equal(csv.length, 1 + 2 * 1 + 8 * 1, "header + one line per epoch of each run")
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))
    assert.equal(summary.experiment, "quick")
    assert.equal(summary.runs.length, 10)
    assert.equal(summary.results.labelNoise50.length, 2)
    // One verdict line per claim, computed from the numbers, then where the results went.
    assert.equal(summary.results.verdicts.length, 5)
    assert.ok(first.stdout.includes("## The paper's claims at this scale"))
    assert.match(
      first.stdout,
      /^(holds|holds partly|does NOT hold): mixup lowers clean test error: mixup [\d.]+ ± [\d.]+ vs ERM [\d.]+ ± [\d.]+ \(\d of 2 seeds\)/m,
    )
    for (const claim of ["far below ERM's", "ERM memorises them", "robust to FGSM", "robust to I-FGSM"])
      assert.match(first.stdout, new RegExp(`^(holds|holds partly|does NOT hold): .*${claim}`, "m"), claim)
    assert.match(first.stdout, /Settings: clean labels: mixup α = 0\.2, 256 digits × 1 epochs = 4 steps/)
    assert.match(first.stdout, /Results written to .*\n {2}pictures: .*\n {2}runs: .*\n?$/)
    const evaluated = await run(["eval", join(out, "runs", "clean-mixup-0.2-seed1")])
    assert.equal(evaluated.code, 0, evaluated.stderr)
    assert.match(evaluated.stdout, /200 test \/ 256 training examples/)
    const noisy = JSON.parse(readFileSync(join(out, "runs", "50-noise-erm-seed0", "summary.json"), "utf8"))
    assert.ok(noisy.final.corruptedTrainError >= 0 && noisy.final.corruptedTrainError <= 1)
    assert.ok(noisy.final.realTrainError >= 0 && noisy.final.realTrainError <= 1)
    const noisyConfig = JSON.parse(
      readFileSync(join(out, "runs", "50-noise-erm-seed0", "config.json"), "utf8"),
    )
    assert.deepEqual(noisyConfig.data, { dataset: "mnist", trainSize: 128, testSize: 200, labelNoise: 0.5 })
    const clean = JSON.parse(readFileSync(join(out, "runs", "clean-mixup-0.2-seed0", "summary.json"), "utf8"))
    assert.deepEqual(
      clean.extra.whiteBox.map((r: { attack: string }) => r.attack),
      ["FGSM", "I-FGSM"],
    )

    const pictures = summary.pictures as ReadonlyArray<PictureEntry>
    assert.deepEqual(pictures.map((p) => p.name).sort(), [
      "clean-test-error",
      "decision-boundary",
      "mixed-examples",
      "noisy-memorisation",
      "noisy-test-error",
    ])
    // Sizes the drawings must have, independent of what the summary says about them: the plots'
    // 480 x 300 area plus axes, title and legend; 16 mixed 28 x 28 digits with captions.
    const expected: Record<string, { readonly width: [number, number]; readonly height: [number, number] }> =
      {
        "clean-test-error": { width: [500, 1100], height: [360, 560] },
        "noisy-test-error": { width: [500, 1100], height: [360, 560] },
        "noisy-memorisation": { width: [500, 1100], height: [360, 560] },
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
    assert.equal((again.stderr.match(/finished earlier, reusing/g) ?? []).length, 10)
    assert.ok(!again.stderr.includes("epoch 1/1"), "nothing trained again")
    assert.ok(again.stdout.startsWith(readFileSync(join(out, "tables.md"), "utf8").trimEnd()))

    const shown = await run(["show", out])
    assert.equal(shown.code, 0, shown.stderr)
    assert.ok(shown.stdout.includes("## 50% corrupted labels (Table 2 layout)"))
    assert.match(shown.stdout, /clean, mixup, α = 0\.2, seed 1/)
    assert.match(shown.stdout, /decision-boundary: .*decision-boundary\.png \(\d+×\d+\)/)
    const shownRun = await run(["show", join(out, "runs", "clean-erm-seed0")])
    assert.equal(shownRun.code, 0)
    assert.match(shownRun.stdout, /\| 1 +\| \d\.\d{4} +\|/)
  })
})

describe("reproduce table2, table3, ablation", () => {
  const tiny = [
    "--epochs",
    "1",
    "--limit",
    "128",
    "--test-limit",
    "100",
    "--batch-size",
    "32",
    "--seeds",
    "2",
  ]
  const verdictLine = (claim: string) =>
    new RegExp(
      `^(holds|holds partly|does NOT hold): ${claim}: mixup [\\d.]+ ± [\\d.]+ vs .* \\(\\d of 2 seeds\\)`,
      "m",
    )

  test("each judges the paper's claims over the seeds and says where its results are", async () => {
    const dir = tempDir("tables")
    const table2 = await run([
      "reproduce",
      "table2",
      ...tiny,
      "--noise",
      "0.5",
      "--hidden",
      "16",
      "--out",
      join(dir, "t2"),
    ])
    assert.equal(table2.code, 0, table2.stderr)
    assert.match(
      table2.stdout,
      verdictLine("with 50% corrupted labels, mixup's last-epoch test error is far below ERM's"),
    )
    assert.match(table2.stdout, verdictLine("with 50% corrupted labels, ERM memorises them .*"))
    assert.match(table2.stdout, /Results written to .*t2\/: tables\.md/)
    const table3 = await run([
      "reproduce",
      "table3",
      ...tiny,
      "--steps",
      "2",
      "--hidden",
      "16",
      "--out",
      join(dir, "t3"),
    ])
    assert.equal(table3.code, 0, table3.stderr)
    for (const attack of ["FGSM", "I-FGSM"])
      for (const box of ["white", "black"])
        assert.match(
          table3.stdout,
          verdictLine(`mixup is more robust to ${attack} \\(${box} box[^:]*`),
          `${attack} ${box}`,
        )
    const ablation = await run([
      "reproduce",
      "ablation",
      ...tiny,
      "--hidden",
      "16,16",
      "--out",
      join(dir, "ab"),
    ])
    assert.equal(ablation.code, 0, ablation.stderr)
    assert.match(ablation.stdout, verdictLine("mixup \\(AC \\+ RP\\) lowers test error"))
    assert.match(
      ablation.stdout,
      /: mixup \(AC \+ RP\) has the lowest test error of all the ablation's rows: mixup .* vs the best other row /,
    )
    const summary = JSON.parse(readFileSync(join(dir, "ab", "summary.json"), "utf8"))
    assert.equal(summary.results.verdicts.length, 2)
  })
})
