#!/usr/bin/env node
// Builds the package in the current folder into dist/: ESM JavaScript, .d.ts declarations and
// source maps, by `tsc -p tsconfig.build.json` (which rewrites the sources' relative ".ts"
// imports to ".js" in the JavaScript). tsc keeps ".ts" in the declarations' relative imports;
// TypeScript maps those to the .d.ts files but Deno's type checker does not, so they are
// rewritten to ".js" here (a specifier that every checker resolves to the .d.ts beside it).
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
rmSync("dist", { recursive: true, force: true })
const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
  stdio: "inherit",
})
if (tsc.status !== 0) process.exit(tsc.status ?? 1)

const relativeTs = /((?:from|import)\s*\(?\s*["'])(\.\.?\/[^"']+)\.ts(["'])/g
for (const entry of readdirSync("dist", { recursive: true, encoding: "utf8" })) {
  if (!entry.endsWith(".d.ts")) continue
  const file = join("dist", entry)
  const text = readFileSync(file, "utf8")
  const rewritten = text.replace(relativeTs, "$1$2.js$3")
  if (rewritten !== text) writeFileSync(file, rewritten)
}
