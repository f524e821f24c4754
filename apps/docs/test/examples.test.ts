/**
 * Every code example on the site is a real file in docs/examples/ that this suite runs (on the
 * runtime executing the suite: Bun or Deno), and that a page includes with `<<< @/examples/…`.
 */

import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const examplesDir = join(repoRoot, "docs/examples")
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".ts"))
  .sort()

type Runtime = "bun" | "deno"
const current: Runtime = "Deno" in globalThis ? "deno" : "bun"
const binary = (runtime: Runtime) => join(repoRoot, "node_modules/.bin", runtime)
const argsFor = (runtime: Runtime, file: string) =>
  runtime === "bun" ? [file] : ["run", "-A", "--no-lock", "--no-check", file]

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (runtime: Runtime, example: string): Promise<Run> =>
  new Promise((done) => {
    execFile(
      binary(runtime),
      argsFor(runtime, join(examplesDir, example)),
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 24, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        done({ code, stdout, stderr })
      },
    )
  })

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
  assert.match(out, /rejected: InvalidConfig: .*epsilon/)
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
const included = pages(join(repoRoot, "docs")).flatMap((page) =>
  [...readFileSync(page, "utf8").matchAll(/^<<< @\/examples\/([\w.-]+)/gm)].map((m) => m[1]!),
)

test("every included example exists", () => {
  assert.ok(included.length > 0)
  for (const name of included) assert.ok(examples.includes(name), `a page includes missing ${name}`)
})

test("every example is shown on some page", () => {
  for (const example of examples) assert.ok(included.includes(example), `${example} is on no page`)
})
