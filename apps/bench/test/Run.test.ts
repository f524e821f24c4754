import assert from "node:assert/strict"
import { describe, test } from "node:test"
import * as tf from "@tensorflow/tfjs-core"
import { Kernels } from "@vicinal/kernels"
import * as Env from "../src/Env.ts"
import * as Job from "../src/Job.ts"
import * as Orchestrate from "../src/Orchestrate.ts"
import * as Report from "../src/Report.ts"
import * as KernelsSuite from "../src/suites/Kernels.ts"
import * as WasmConfig from "../src/suites/WasmConfig.ts"

const currentRuntime = (): Orchestrate.RuntimeName => (Env.runtime().startsWith("deno") ? "deno" : "bun")

// Tiny runs: they check that the machinery produces a well-formed report, never how fast anything is.
describe("a tiny benchmark run", () => {
  test("the kernels job gives both models' stock/kernels and 1/2-thread ratios, the PyTorch rows skipped when not asked for, and leaks nothing", {
    timeout: 300_000,
  }, async () => {
    assert.ok((await Env.use("wasm")).ok)
    const before = tf.memory().numTensors
    const rows = await Job.run({ _tag: "Kernels", quick: true, torch: false, threads: true })
    assert.equal(tf.memory().numTensors, before)
    assert.deepEqual(
      rows.map((r) => [r.id, r.status === "skipped"]),
      [
        ["kernels.mlp-step", false],
        ["kernels.pytorch.mlp", true],
        ["kernels.threads.mlp", false],
        ["kernels.cnn-step", false],
        ["kernels.pytorch.cnn", true],
        ["kernels.threads.cnn", false],
      ],
    )
    assert.equal(Kernels.threads(), 1, "the suite puts the GEMM back on one thread")
    for (const r of rows.filter((r) => r.status !== "skipped"))
      assert.ok(r.value !== null && Number.isFinite(r.value) && r.value > 0, `${r.id} = ${r.value}`)
    await Env.use("cpu")
  })

  test("host and cpu jobs give rows that decode as a report and render as Markdown; no tensors leak", {
    timeout: 300_000,
  }, async () => {
    const used = await Env.use("cpu")
    assert.ok(used.ok)
    const before = tf.memory().numTensors
    const rows = [
      ...(await Job.run({ _tag: "Host", quick: true })),
      ...(await Job.run({ _tag: "Backend", backend: "cpu", quick: true, models: ["mlp"] })),
    ]
    assert.equal(tf.memory().numTensors, before)
    const ids = rows.map((r) => r.id)
    for (const id of [
      "lambda.beta0.2",
      "mix.host.8",
      "mix.tensor.8",
      "train.mixup-vs-erm.mlp",
      "train.loop-vs-minimize.mlp",
      "train.run-vs-loop.mlp",
      "fit.dataset-vs-unmixed.mlp",
      "fit.step-vs-hand.mlp",
    ])
      assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`)
    for (const r of rows) {
      assert.ok(r.status !== "skipped", `${r.id}: ${r.detail}`)
      assert.ok(r.value !== null && Number.isFinite(r.value) && r.value > 0, `${r.id} = ${r.value}`)
      assert.ok(!r.detail.includes("LEAK"), r.detail)
    }
    const report: Report.Report = {
      formatVersion: 1,
      startedAt: new Date().toISOString(),
      wallSeconds: 1,
      machine: { cpus: 2, platform: "test", note: "" },
      rows,
    }
    const decoded = Report.decode(JSON.parse(JSON.stringify(report)))
    assert.equal(decoded.rows.length, rows.length)
    assert.ok(
      Report.toMarkdown(decoded).includes("| core Strategy.plan + execute / hand-written tfjs, batch 8 |"),
    )
  })

  test("a worker process runs a job and hands its rows back", () => {
    const rows = Orchestrate.runJob(currentRuntime(), { _tag: "Native" }, 60_000)
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.id, "backend.tfjs-node")
    assert.ok(rows[0]!.runtime.startsWith(currentRuntime()))
  })

  test("a crashing worker becomes a skipped row that says so", () => {
    const rows = Orchestrate.runJob(currentRuntime(), { _tag: "Nope" } as unknown as Job.Job, 60_000)
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.status, "skipped")
    assert.match(rows[0]!.detail, /no result/)
  })

  test("derived rows: each wasm configuration relative to the default, the fastest, and the faster runtime", () => {
    const config = (runtime: string, name: string, value: number | null): Report.Row =>
      Report.row({
        id: `wasm.${name}`,
        section: WasmConfig.SECTION,
        title: name,
        runtime,
        backend: "wasm",
        value,
        unit: "ms",
        detail: "",
      })
    const rows = [
      config("bun 1", "default", 20),
      config("bun 1", "no-simd", 50),
      config("bun 1", "threads-2", null),
      config("deno 2", "default", 30),
      config("deno 2", "no-simd", 24),
    ]
    const out = Orchestrate.derived(rows, ["bun", "deno"])
    const find = (id: string, runtime: string) =>
      out.find((r) => r.id === id && r.runtime.startsWith(runtime))
    assert.equal(find("wasm.no-simd.relative", "bun")?.value, 50 / 20)
    assert.equal(find("wasm.no-simd.relative", "deno")?.value, 24 / 30)
    assert.equal(find("wasm.threads-2.relative", "bun"), undefined)
    assert.equal(find("wasm.fastest", "bun")?.title, "fastest wasm configuration: default")
    assert.equal(find("wasm.fastest", "deno")?.title, "fastest wasm configuration: no-simd")
    const runtime = out.find((r) => r.id === "runtime.fastest")
    assert.equal(runtime?.runtime, "bun 1")
    assert.equal(runtime?.value, 24 / 20)
  })

  test("repeated measurements merge into one row holding their median; other rows keep their order", () => {
    const r = (id: string, runtime: string, value: number | null, backend = "wasm") =>
      Report.row({ id, section: "s", title: id, runtime, backend, value, unit: "ms", detail: "d" })
    const rows = [
      r("a", "bun", 3),
      r("b", "bun", 1),
      r("a", "bun", 10),
      r("a", "deno", 7),
      r("a", "bun", 4),
      r("c", "bun", null),
      r("a", "bun", 9, "cpu"),
    ]
    const merged = Orchestrate.mergeRepeats(rows)
    assert.deepEqual(
      merged.map((m) => [m.id, m.runtime, m.value]),
      [
        ["a", "bun", 4],
        ["b", "bun", 1],
        ["a", "deno", 7],
        ["c", "bun", null],
        ["a", "bun", 9],
      ],
    )
    assert.match(merged[0]!.detail, /median of 3 processes \(3.00, 10.0, 4.00\)/)
  })

  test("the full job list covers both backends, the wasm configurations, the kernels and the soak", () => {
    const jobs = Orchestrate.jobs({
      quick: false,
      soak: true,
      wasmConfigs: true,
      cnnOnCpu: false,
      torch: true,
    })
    const tags = jobs.map((j) =>
      j._tag === "Backend" ? `Backend ${j.backend}` : j._tag === "WasmConfig" ? j.name : j._tag,
    )
    for (const t of [
      "Host",
      "Native",
      "Backend cpu",
      "Backend wasm",
      "default",
      "no-simd",
      "threads-2",
      "Kernels",
      "Soak",
    ])
      assert.ok(tags.includes(t), t)
    const soak = jobs.find((j) => j._tag === "Soak")
    assert.equal(soak?._tag === "Soak" ? soak.steps : 0, 2000)
  })

  test("--suite kernels runs the kernels job alone", () => {
    const options = { quick: false, soak: true, wasmConfigs: true, cnnOnCpu: false, torch: true } as const
    assert.deepEqual(Orchestrate.jobs({ ...options, suite: "kernels" }), [
      { _tag: "Kernels", quick: false, torch: true, threads: true },
    ])
  })

  test("a suite run alone replaces that suite's rows where they were, keeps the rest, and says so in the note", () => {
    const r = (id: string, section: string, value: number) =>
      Report.row({ id, section, title: id, runtime: "bun", backend: "wasm", value, unit: "x", detail: "d" })
    const report = (rows: ReadonlyArray<Report.Row>, note: string): Report.Report => ({
      formatVersion: 1,
      startedAt: "then",
      wallSeconds: 600,
      machine: { cpus: 2, platform: "linux x64", note },
      rows,
    })
    const section = KernelsSuite.SECTION
    const previous = report(
      [r("a", "A", 1), r("k1", section, 2), r("k2", section, 3), r("z", "Z", 4)],
      "quiet.",
    )
    const fresh = { ...report([r("k1", section, 5), r("k3", section, 6)], "loaded."), startedAt: "now" }
    const merged = Orchestrate.mergeSuite(previous, fresh, "kernels", "9.0 8.0 7.0")
    assert.deepEqual(
      merged.rows.map((m) => [m.id, m.value]),
      [
        ["a", 1],
        ["k1", 5],
        ["k3", 6],
        ["z", 4],
      ],
    )
    assert.equal(merged.startedAt, "then")
    const note =
      "quiet. Re-run since: the kernels suite on now (600 s, load average 9.0 8.0 7.0 at its start)."
    assert.equal(merged.machine.note, note)
    // Running the suite again replaces the note's sentence about it instead of adding another.
    assert.equal(Orchestrate.mergeSuite(merged, fresh, "kernels", "9.0 8.0 7.0").machine.note, note)
  })
})
