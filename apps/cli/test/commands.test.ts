/** The real entry point, run as a child process: help, parse errors, bad configs and data folders. */
import assert from "node:assert/strict"
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { describe, test } from "node:test"
import { run, tempDir } from "./helpers.ts"

/** Files named `name` anywhere under `root`. */
const findFiles = (root: string, name: string): Array<string> =>
  readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((p) => p.split("/").at(-1) === name)
    .map((p) => join(root, p))

const both = (r: { readonly stdout: string; readonly stderr: string }) => `${r.stdout}\n${r.stderr}`

describe("vicinal commands", () => {
  test("--help lists the commands; every command has its own help", async () => {
    const root = await run(["--help"])
    assert.equal(root.code, 0)
    for (const name of ["train", "eval", "attack", "reproduce", "show"])
      assert.match(root.stdout, new RegExp(`\\b${name}\\b`))
    const reproduce = await run(["reproduce", "--help"])
    for (const name of ["quick", "table2", "table3", "ablation", "cifar"])
      assert.match(reproduce.stdout, new RegExp(`\\b${name}\\b`))
    const table2 = await run(["reproduce", "table2", "--help"])
    assert.equal(table2.code, 0)
    for (const flag of ["--noise", "--epochs", "--seeds", "--backend", "--out", "--resume"])
      assert.ok(table2.stdout.includes(flag), flag)
  })

  test("bad flag values are rejected, naming the flag and what it accepts", async () => {
    const epochs = await run(["reproduce", "quick", "--epochs", "0"])
    assert.equal(epochs.code, 1)
    assert.match(both(epochs), /--epochs: "0"/)
    assert.match(both(epochs), /greater than or equal to 1/)

    const backend = await run(["train", "--backend", "gpu"])
    assert.equal(backend.code, 1)
    assert.match(both(backend), /--backend: "gpu"/)
    assert.match(both(backend), /wasm/)

    const unknown = await run(["reproduce", "quick", "--bogus"])
    assert.equal(unknown.code, 1)
    assert.match(both(unknown), /--bogus/)

    const noise = await run(["reproduce", "table2", "--noise", "0.2,lots", "--out", tempDir("noise")])
    assert.equal(noise.code, 1)
    assert.match(noise.stderr, /--noise 0.2,lots: "lots" is not a fraction in \[0, 1\)/)
  })

  test("a config file with a bad field is rejected, naming the file and the field", async () => {
    const dir = tempDir("config")
    const file = join(dir, "run.json")
    writeFileSync(
      file,
      JSON.stringify({
        seed: 0,
        epochs: 1,
        batchSize: 32,
        backend: "wasm",
        strategy: { _tag: "Erm" },
        model: { kind: "mlp", hidden: [8] },
        data: { dataset: "twoMoons", n: 100 },
        optimizer: { _tag: "sgd", lr: -1, momentum: 0.9, weightDecay: 0 },
        schedule: { _tag: "constant" },
      }),
    )
    const bad = await run(["train", "--config", file, "--out", join(dir, "out")])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, new RegExp(`--config ${file}: optimizer.lr: .*got -1`))

    const missing = await run(["train", "--config", join(dir, "nope.json")])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /--config .*nope.json: does not exist/)
  })

  test("a flag error comes first, then where the flags are listed (not after the whole help)", async () => {
    const r = await run(["train", "--nope"])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr.trimStart(), /^ERROR\s+Unrecognized flag: --nope/)
    assert.match(r.stderr, /\(vicinal train --help lists every flag\)/)
    assert.doesNotMatch(r.stdout, /USAGE/)
  })

  test("show refuses a folder that holds no results, or does not exist", async () => {
    const r = await run(["show", tempDir("empty")])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /not a vicinal results folder \(no summary.json\)/)
    const missing = await run(["show", join(tempDir("gone"), "nowhere")])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /nowhere: does not exist/)
  })

  test("attack refuses a run trained on points in the plane, saying it needs images", async () => {
    const out = join(tempDir("toy"), "out")
    const trained = await run(["train", "--dataset", "twoMoons", "--epochs", "1", "--out", out])
    assert.equal(trained.code, 0, trained.stderr)
    const attacked = await run(["attack", join(out, "runs", "mixup-1-seed0")])
    assert.equal(attacked.code, 1)
    assert.match(
      both(attacked),
      /trained on twoMoons \(inputs of shape \[2\]\); attack needs a run trained on images/,
    )
  })

  test("cifar checks its data folder with the real loader, then trains on it", async () => {
    const missing = await run(["reproduce", "cifar", "--data", "/no/such/folder"])
    assert.equal(missing.code, 1)
    assert.match(both(missing), /--data/)

    // A tiny CIFAR-10 folder in the binary format: 2 records per file (label byte + 3072 pixel bytes).
    const dir = tempDir("cifar")
    const record = (label: number, shade: number) => {
      const bytes = new Uint8Array(3073)
      bytes[0] = label
      bytes.fill(shade, 1)
      return bytes
    }
    const file = (name: string, offset: number) =>
      writeFileSync(join(dir, name), Buffer.concat([record(offset % 10, 40), record((offset + 1) % 10, 200)]))
    for (let i = 1; i <= 5; i++) file(`data_batch_${i}.bin`, 2 * i)
    file("test_batch.bin", 0)

    // A truncated file: the loader's error, under --data.
    const broken = join(dir, "broken")
    mkdirSync(broken)
    for (let i = 1; i <= 5; i++) writeFileSync(join(broken, `data_batch_${i}.bin`), new Uint8Array(100))
    writeFileSync(join(broken, "test_batch.bin"), new Uint8Array(100))
    const truncated = await run(["reproduce", "cifar", "--data", broken, "--epochs", "1"])
    assert.equal(truncated.code, 1)
    assert.match(truncated.stderr, /--data .*broken: not a CIFAR-10 binary folder/)

    // One tiny epoch of ERM and mixup on the folder.
    const tinyRun = (out: string, ...extra: ReadonlyArray<string>) =>
      run([
        "reproduce",
        "cifar",
        "--data",
        dir,
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--width",
        "2",
        "--backend",
        "wasm",
        "--milestones",
        "1",
        "--out",
        out,
        ...extra,
      ])
    const out = join(dir, "out")
    const ok = await tinyRun(out)
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stderr, /10 train \/ 2 test/)
    assert.match(ok.stdout, /CIFAR-10, preActResNet/)
    assert.match(ok.stdout, /\| ERM +\| +\| [\d.]+ +\| [\d.]+ +\| 5\.6 /)
    assert.match(
      ok.stdout,
      /Augmentation as in the paper: random crop \(4-pixel zero padding\), horizontal flip/,
    )
    assert.doesNotMatch(ok.stdout, /No crop\/flip|No augmentation/)

    // Every run's saved config names the real data and the paper's augmentation.
    const runDirs = (root: string) => findFiles(root, "model.json").map((f) => dirname(dirname(f)))
    const configs = runDirs(out).map((d) => JSON.parse(readFileSync(join(d, "config.json"), "utf8")))
    assert.equal(configs.length, 2)
    for (const c of configs) {
      assert.deepEqual(c.data, { dataset: "cifar10", dir: resolve(dir) })
      assert.equal(c.augment, "cifar")
    }

    // eval reopens a CIFAR run and evaluates on the CIFAR folder (2 test images, 10 training).
    const runDir = runDirs(out)[0]!
    const evaluated = await run(["eval", runDir, "--backend", "wasm"])
    assert.equal(evaluated.code, 0, evaluated.stderr)
    assert.match(evaluated.stdout, /2 test \/ 10 training examples/)
    // attack works on pixels in [0, 1] through a model that normalises them as in training.
    const attacked = await run(["attack", runDir, "--backend", "wasm", "--epsilon", "0.03"])
    assert.equal(attacked.code, 0, attacked.stderr)
    assert.match(attacked.stdout, /\| Metric \| Method \| Clean \| FGSM \|/)
    assert.match(attacked.stdout, /of 2 already misclassified before the attack/)

    // --augment none: the runs' configs carry no augmentation, and the output says so.
    const plainOut = join(dir, "plain")
    const plain = await tinyRun(plainOut, "--augment", "none")
    assert.equal(plain.code, 0, plain.stderr)
    assert.match(plain.stdout, /No augmentation \(--augment none\)/)
    const plainDirs = runDirs(plainOut)
    assert.equal(plainDirs.length, 2)
    for (const d of plainDirs)
      assert.equal(JSON.parse(readFileSync(join(d, "config.json"), "utf8")).augment, undefined)
  })
})
