/**
 * Every code example on the site is a real file in docs/examples/ that this suite runs (on the
 * runtime executing the suite: Bun or Deno), and that a page includes with `<<< @/examples/…`;
 * no page carries TypeScript of its own. The run config shown by the training guide is trained,
 * evaluated and attacked with the CLI, as the guides show.
 */

import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const examplesDir = join(repoRoot, "docs/examples")
/** Every file a page may include (run configs too); the `.ts` ones are run. */
const files = readdirSync(examplesDir)
  .filter((f) => !f.startsWith("."))
  .sort()
const examples = files.filter((f) => f.endsWith(".ts"))
const cliMain = join(repoRoot, "apps/cli/src/main.ts")

type Runtime = "bun" | "deno"
const current: Runtime = "Deno" in globalThis ? "deno" : "bun"
const binary = (runtime: Runtime) => join(repoRoot, "node_modules/.bin", runtime)
const argsFor = (runtime: Runtime, file: string, args: ReadonlyArray<string> = []) =>
  runtime === "bun" ? [file, ...args] : ["run", "-A", "--no-lock", "--no-check", file, ...args]

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const exec = (runtime: Runtime, file: string, args: ReadonlyArray<string> = []): Promise<Run> =>
  new Promise((done) => {
    execFile(
      binary(runtime),
      argsFor(runtime, file, args),
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 24, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        done({ code, stdout, stderr })
      },
    )
  })
const run = (runtime: Runtime, example: string): Promise<Run> => exec(runtime, join(examplesDir, example))

// Two at a time (the machine has two cores); each example's run is shared by its tests.
const queue: Array<() => void> = []
let running = 0
const limited = <A>(task: () => Promise<A>): Promise<A> =>
  new Promise((done) => {
    const start = () => {
      running++
      task().then((a) => {
        running--
        queue.shift()?.()
        done(a)
      })
    }
    running < 2 ? start() : queue.push(start)
  })
const runs = new Map(examples.map((e) => [e, limited(() => run(current, e))]))
const output = async (example: string): Promise<string> => {
  const result = await runs.get(example)!
  assert.equal(result.code, 0, `${example} exited ${result.code}:\n${result.stderr}`)
  return result.stdout
}

/** The tfjs hint about tfjs-node is the only thing examples may print besides their output. */
const withoutTfjsHint = (text: string) =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours
    .replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/=+\nHi, looks like you are running TensorFlow\.js in Node\.js[^\n]*\n=+\n?/g, "")
    .trim()

for (const example of examples)
  test(`${example} runs on ${current} and prints its results`, async () => {
    const out = await output(example)
    assert.ok(withoutTfjsHint(out).split("\n").length >= 2, `${example} printed too little:\n${out}`)
    assert.doesNotMatch(out, /NaN|undefined/, `${example} printed NaN or undefined:\n${out}`)
  })

test("quickstart prints the same mixed batch on Bun and on Deno (same seed)", async () => {
  const other: Runtime = current === "bun" ? "deno" : "bun"
  const [here, there] = await Promise.all([output("quickstart.ts"), run(other, "quickstart.ts")])
  assert.equal(there.code, 0, there.stderr)
  assert.equal(withoutTfjsHint(here), withoutTfjsHint(there.stdout))
  assert.match(here, /^lambda {2}(0\.\d{3} ){3}0\.\d{3}$/m)
})

test("the training example learns two moons (training error under 20%)", async () => {
  const out = await output("training-step.ts")
  const error = Number(out.match(/training error: ([\d.]+)%/)?.[1])
  assert.ok(error < 20, `training error ${error}%`)
})

test("same-class pairing picks partners of the same class, random pairing does not", async () => {
  const out = await output("recipe-same-class-pairing.ts")
  const line = (name: string) => {
    const m = out.match(new RegExp(`${name}\\s*: labels ([\\d ]+) \\| partners' labels ([\\d ]+)`))
    assert.ok(m, `no "${name}" line in:\n${out}`)
    return [m[1]!.trim(), m[2]!.trim()] as const
  }
  const [labels, partners] = line("same class")
  assert.equal(partners, labels)
  const [anyLabels, anyPartners] = line("any class")
  assert.notEqual(anyPartners, anyLabels)
})

test("the JSON recipe round-trips and rejects a bad config with a typed error", async () => {
  const out = await output("recipe-strategy-from-json.ts")
  assert.match(out, /round trip: identical/)
  assert.match(out, /rejected: InvalidArgument: .*epsilon/)
  assert.doesNotMatch(out, /InvalidArgument: InvalidArgument/, "the tag is printed once")
})

test("SaliencyMix, a user-defined strategy, round-trips as JSON and boxes each partner's salient spot", async () => {
  const out = await output("recipe-saliency-mix.ts")
  assert.match(out, /config round trip: identical/)
  assert.match(out, /host and tensor paths agree: true/)
  const boxes = [...out.matchAll(/box holds the partner's spot: (yes|no)/g)].map((m) => m[1])
  assert.equal(boxes.length, 6, out)
  assert.deepEqual(boxes, Array(6).fill("yes"))
})

test("attacks never lower the error of the network they attack", async () => {
  const out = await output("attack-fgsm.ts")
  const lines = [...out.matchAll(/clean error ([\d.]+)%, FGSM ([\d.]+)%, I-FGSM ([\d.]+)%/g)]
  assert.equal(lines.length, 2, out)
  for (const [, clean, fgsm, ifgsm] of lines) {
    assert.ok(Number(fgsm) >= Number(clean), `FGSM ${fgsm}% < clean ${clean}%`)
    assert.ok(Number(ifgsm) >= Number(clean), `I-FGSM ${ifgsm}% < clean ${clean}%`)
  }
})

test("the alpha schedule is ERM (lambda 1) before epoch 2 and mixes after", async () => {
  const out = await output("recipe-alpha-schedule.ts")
  const lambdas = [...out.matchAll(/epoch (\d): lambda ([\d.]+)/g)].map((m) => Number(m[2]))
  assert.equal(lambdas.length, 6)
  assert.deepEqual(lambdas.slice(0, 2), [1, 1])
  assert.ok(lambdas.slice(2).some((l) => l < 1))
})

test("the backend example reports the backend it chose and why it skipped the faster ones", async () => {
  const out = await output("gpu-backend.ts")
  const chosen = out.match(/^backend: (tfjs-node-gpu|tfjs-node|wasm|cpu) /m)?.[1]
  assert.ok(chosen, `no "backend:" line in:\n${out}`)
  assert.match(out, new RegExp(`^ {2}chose ${chosen}: `, "m"))
  // Every candidate before the chosen one has a line saying why it was skipped.
  const order = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"]
  for (const skipped of order.slice(0, order.indexOf(chosen)))
    assert.match(out, new RegExp(`^ {2}skipped ${skipped}: .+`, "m"))
  if (chosen !== "tfjs-node-gpu") assert.match(out, /^tfjs-node-gpu refused: .*tfjs-node-gpu/m)
  assert.match(out, /^mixed a batch of 128 on tfjs backend "\w+"$/m)
})

test("your own conv model learns MNIST digits with mixup/CutMix, through fitDataset and through Run.train", async () => {
  const out = await output("bring-your-own-model.ts")
  const fitted = Number(out.match(/^fitDataset: loss per epoch [\d. ]+, test error ([\d.]+)%$/m)?.[1])
  const ran = Number(out.match(/^Run\.train: test error per epoch [\d.% ]+, final ([\d.]+)%$/m)?.[1])
  // Chance is 90% on ten classes.
  assert.ok(fitted < 40, `fitDataset test error ${fitted}%:\n${out}`)
  assert.ok(ran < 40, `Run.train test error ${ran}%:\n${out}`)
  assert.match(out, /^fitDataset: tensors left behind besides adam's moments: 0$/m)
  const [, clean, attacked] =
    out.match(/^FGSM \(epsilon 0\.1\): error ([\d.]+)% clean, ([\d.]+)% attacked$/m) ?? []
  assert.ok(Number(attacked) >= Number(clean), `FGSM ${attacked}% < clean ${clean}%:\n${out}`)
})

test("a run stopped mid-epoch and resumed ends with the weights of a run never stopped", async () => {
  const out = await output("training-run.ts")
  assert.match(out, /ends with RunInterrupted; checkpoints kept: .*checkpoint-e00002-b\d+\.vck/)
  assert.match(out, /resumed in epoch 3 after batch \d+/)
  assert.match(out, /resumed and never-stopped runs end with identical weights: true/)
  const best = [...out.matchAll(/finished: best test error ([\d.]+)%/g)].map((m) => Number(m[1]))
  assert.equal(best.length, 2, out)
  for (const error of best) assert.ok(error < 25, `best test error ${error}%`)
})

test("the CLI trains the guide's run config, evaluates it and attacks it white box and black box", async () => {
  const out = mkdtempSync(join(tmpdir(), "vicinal-docs-cli-"))
  const cli = async (...args: Array<string>) => {
    const result = await limited(() => exec(current, cliMain, args))
    assert.equal(result.code, 0, `vicinal ${args.join(" ")} exited ${result.code}:\n${result.stderr}`)
    return result.stdout
  }
  try {
    const config = join(examplesDir, "train-mnist.json")
    const mixup = join(out, "mixup")
    const erm = join(out, "erm")
    assert.match(await cli("train", "--config", config, "--out", mixup), /^\| mnist +\|/m)
    // The black-box surrogate: an ERM network of another seed on the same split (splitSeed).
    await cli("train", "--config", config, "--strategy", "erm", "--seed", "1", "--out", erm)
    const run = join(mixup, "runs/mnist-seed0")
    const evaluated = await cli("eval", run)
    // 20% of 2000 training labels are corrupted: eval reports them.
    const train = evaluated
      .match(/^\| train +\|(.*)$/m)?.[1]
      ?.split("|")
      .map((c) => c.trim())
    assert.ok(train, evaluated)
    assert.ok(Number(train[3]) > 300, `corrupted examples: ${train[3]}`)
    const attacked = await cli(
      "attack",
      run,
      "--attack",
      "fgsm",
      "--epsilon",
      "0.1",
      "--surrogate",
      join(erm, "runs/erm-seed1"),
    )
    assert.match(attacked, /\(a\) White box attacks\./)
    assert.match(attacked, /\(b\) Black box attacks\./)
    for (const [, clean, fgsm] of attacked.matchAll(/^\| Top-1 \| mnist \| ([\d.]+) \| ([\d.]+) \|$/gm))
      assert.ok(Number(fgsm) >= Number(clean), `FGSM ${fgsm}% < clean ${clean}%`)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

const pages = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? ["api", "examples", "public", "results", "node_modules"].includes(d.name)
        ? []
        : pages(join(dir, d.name))
      : d.name.endsWith(".md")
        ? [join(dir, d.name)]
        : [],
  )
// A page shows an example either with VitePress's `<<< @/examples/file.ts` or, where the page
// must also read as plain Markdown (e.g. on the repository page), as a pasted copy: a TypeScript
// fence right after `<!-- example: file.ts -->`, which must equal the file.
const pastedExample = /^<!-- example: ([\w.-]+) -->\n```ts\n([\s\S]*?)^```$/gm
const pasted = pages(join(repoRoot, "docs")).flatMap((page) =>
  [...readFileSync(page, "utf8").matchAll(pastedExample)].map((m) => ({ page, name: m[1]!, code: m[2]! })),
)
const included = pages(join(repoRoot, "docs")).flatMap((page) => [
  ...[...readFileSync(page, "utf8").matchAll(/^<<< @\/examples\/([\w.-]+)/gm)].map((m) => m[1]!),
  ...pasted.filter((p) => p.page === page).map((p) => p.name),
])

test("a pasted example equals its file in docs/examples", () => {
  assert.ok(pasted.length > 0, "no pasted examples found: the test looks for the wrong marker")
  for (const { page, name, code } of pasted)
    assert.equal(
      code,
      readFileSync(join(examplesDir, name), "utf8"),
      `${page}: the pasted ${name} differs from the file`,
    )
})

test("every included example exists", () => {
  assert.ok(included.length > 0)
  for (const name of included) assert.ok(files.includes(name), `a page includes missing ${name}`)
})

test("every example is shown on some page", () => {
  for (const file of files) assert.ok(included.includes(file), `${file} is on no page`)
})

// A fence of TypeScript (```ts, ~~~typescript, ```ts{2}, indented in a list...) on a page would
// be code that nothing type-checks or runs: examples are files, included with `<<<` or pasted
// after an `<!-- example: file.ts -->` marker (checked equal above).
const inlineTypeScript = /^[ \t]*(?:`{3,}|~{3,})[ \t]*(?:ts|typescript|tsx|mts|cts)\b.*$/gim

test("no page has an inline TypeScript code block (examples are files in docs/examples)", () => {
  const found = pages(join(repoRoot, "docs")).flatMap((page) =>
    [...readFileSync(page, "utf8").replace(pastedExample, "").matchAll(inlineTypeScript)].map(
      (m) => `${page.slice(repoRoot.length + 1)}: ${m[0].trim()}`,
    ),
  )
  assert.deepEqual(found, [], `inline TypeScript blocks; move them to docs/examples/:\n${found.join("\n")}`)
})

// `<!--@include: path{from,to}-->` (VitePress): an included page must not bring a second title
// (an H1) onto the page, and lines skipped with a range must be only a title and blank lines.
const includeDirective = /<!--\s*@include:\s*(.*?)\s*-->/g

test("included Markdown brings no second H1, and a line range skips only a title", () => {
  const docsDir = join(repoRoot, "docs")
  const found = pages(docsDir).flatMap((page) =>
    [...readFileSync(page, "utf8").matchAll(includeDirective)].map((m) => ({ page, target: m[1]! })),
  )
  assert.ok(found.length > 0, "no includes found: the test looks for the wrong directive")
  for (const { page, target } of found) {
    const range = target.match(/\{(\d*),(\d*)\}$/)
    const path = range === null ? target : target.slice(0, -range[0].length)
    const file = path.startsWith("@/") ? join(docsDir, path.slice(2)) : resolve(dirname(page), path)
    const lines = readFileSync(file, "utf8").split(/\r?\n/)
    const from = range?.[1] ? Number(range[1]) : 1
    const to = range?.[2] ? Number(range[2]) : lines.length
    for (const skipped of lines.slice(0, from - 1))
      assert.match(skipped, /^(#\s.*)?\s*$/, `${page} skips more than a title of ${path}: "${skipped}"`)
    let fenced = false
    for (const line of lines.slice(from - 1, to)) {
      if (/^\s*(`{3,}|~{3,})/.test(line)) fenced = !fenced
      if (!fenced) assert.doesNotMatch(line, /^#\s/, `${page} includes a second H1 from ${path}`)
    }
  }
})
