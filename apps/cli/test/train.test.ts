/**
 * `train` on a small MNIST subset: Ctrl-C stops it at a batch boundary with a checkpoint (exit
 * 130), `--resume` finishes it, and the saved network is evaluated and attacked.
 */
import assert from "node:assert/strict"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { run, tempDir } from "./helpers.ts"

describe("train, eval, attack", () => {
  test("Ctrl-C checkpoints and stops; --resume continues; the network is saved, evaluated and attacked", async () => {
    const out = join(tempDir("train"), "out")
    const args = [
      "train",
      "--strategy",
      "mixup",
      "--hidden",
      "32",
      "--epochs",
      "2",
      "--limit",
      "640",
      "--test-limit",
      "200",
      "--batch-size",
      "32",
      "--out",
      out,
    ]
    let sent = false
    const stopped = await run(args, {
      onStderr: (text, kill) => {
        if (!sent && /batch 3\/20/.test(text)) {
          sent = true
          kill("SIGINT")
        }
      },
    })
    assert.ok(sent, stopped.stderr)
    // Exit code 130. (A Deno parent reports a child it sent SIGINT to as killed by SIGINT even when
    // the child exits by itself with 130, so the messages below are what tell a clean stop apart.)
    assert.ok(stopped.code === 130 || (stopped.code === null && stopped.signal === "SIGINT"), stopped.stderr)
    // Usually still in epoch 0; a slow parent may see the progress line late, so any position
    // short of the end is a clean stop.
    assert.match(stopped.stderr, /interrupted (in epoch \d+ after batch \d+|after epoch \d+)/)
    assert.match(stopped.stderr, /run the same command with --resume/)
    const runDir = join(out, "runs", "mixup-1-seed0")
    assert.ok(readdirSync(join(runDir, "checkpoints")).length > 0, "a checkpoint was written")
    assert.ok(!existsSync(join(runDir, "summary.json")), "the run is not finished")

    const resumed = await run([...args, "--resume"])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.match(resumed.stderr, /resumed (in epoch \d+ after batch \d+|after epoch \d+)/)
    assert.match(resumed.stderr, /epoch 2: loss/)
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"))
    assert.equal(summary.history.length, 2)
    // Named by its strategy.
    assert.match(resumed.stdout, /\| mixup, α = 1 +\|/)
    for (const file of ["test-error.png", "test-error.svg", "mixed-examples.png", "tables.md", "metrics.csv"])
      assert.ok(existsSync(join(out, file)), file)

    const evaluated = await run(["eval", runDir])
    assert.equal(evaluated.code, 0, evaluated.stderr)
    const testError = summary.history[1].testTop1Error as number
    assert.ok(
      evaluated.stdout.includes(`| test  | ${(100 * testError).toFixed(1)}`),
      `eval reproduces the run's last test error ${testError}: ${evaluated.stdout}`,
    )

    const attacked = await run(["attack", runDir, "--attack", "fgsm", "--epsilon", "0.2"])
    assert.equal(attacked.code, 0, attacked.stderr)
    assert.match(attacked.stdout, /\| Metric \| Method \| Clean \| FGSM \|/)
    assert.match(attacked.stdout, /\(a\) White box attacks\./)
    assert.match(attacked.stdout, /of 200 already misclassified before the attack/)

    const badEpsilon = await run(["attack", runDir, "--epsilon", "2"])
    assert.equal(badEpsilon.code, 1)
    assert.match(`${badEpsilon.stdout}${badEpsilon.stderr}`, /--epsilon/)
  })
})
