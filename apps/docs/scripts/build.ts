/**
 * Builds the static site into apps/docs/dist: regenerates everything that comes from code
 * (API reference, MNIST figures, results images), then runs VitePress. Run with Bun, which
 * executes the workspace packages' TypeScript sources directly.
 */
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { publicImagesDir, resultsDir } from "../src/report/Location.ts"
import { read } from "../src/report/ReadResults.ts"

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const repoRoot = resolve(appDir, "../..")
const bin = (name: string) => join(repoRoot, "node_modules/.bin", name)

const run = (what: string, cmd: string, args: ReadonlyArray<string>): void => {
  const started = Date.now()
  const res = spawnSync(cmd, args, { cwd: appDir, stdio: "inherit" })
  if (res.status !== 0) {
    console.error(`docs build: ${what} failed (exit ${res.status})`)
    process.exit(res.status ?? 1)
  }
  console.log(`docs build: ${what} done in ${((Date.now() - started) / 1000).toFixed(1)}s`)
}

// 1. API reference from every package that exports an index (packages still being written
// without one are skipped rather than failing the site). One entry file per package names the
// module after the package and lets TypeDoc compile all of them as one program (fast).
const packages = ["core", "data", "losses", "models", "attacks", "train", "viz"].filter((p) =>
  existsSync(join(repoRoot, "packages", p, "src/index.ts")),
)
const entries = join(appDir, "api-entries")
rmSync(entries, { recursive: true, force: true })
mkdirSync(entries, { recursive: true })
for (const p of packages)
  writeFileSync(
    join(entries, `${p}.ts`),
    `/**\n * @module @vicinal/${p}\n */\nexport * from "@vicinal/${p}"\n`,
  )
rmSync(join(repoRoot, "docs/api"), { recursive: true, force: true })
run(
  "API reference (TypeDoc)",
  bin("typedoc"),
  packages.flatMap((p) => ["--entryPoints", `api-entries/${p}.ts`]),
)

// 2. Pictures of real mixed MNIST examples for the concepts page.
run("MNIST figures", process.execPath, [join(appDir, "scripts/mnist-figures.ts")])

// 3. Result images, served from the public folder.
const dir = resultsDir(repoRoot)
const target = publicImagesDir(repoRoot)
rmSync(target, { recursive: true, force: true })
for (const image of read(dir).images) {
  mkdirSync(dirname(join(target, image)), { recursive: true })
  cpSync(join(dir ?? "", image), join(target, image))
}

// 4. The site.
run("VitePress", bin("vitepress"), ["build", "."])
