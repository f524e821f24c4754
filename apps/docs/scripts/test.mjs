#!/usr/bin/env node
/**
 * The docs test task: (1) the examples' tests under Bun and Deno (scripts/test-package.mjs),
 * (2) the browser test in headless Chromium, installed by scripts/install-chromium.sh when
 * missing. Each part prints its "vicinal-tests ..." summary line; the exit code is non-zero if
 * any part failed. The site must have been built first (turbo's test task depends on build).
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const repoRoot = resolve(appDir, "../..")
const step = (cmd, args) => spawnSync(cmd, args, { cwd: appDir, stdio: "inherit" }).status === 0

let ok = true
if (!existsSync(join(appDir, "dist/index.html")))
  ok = step(join(repoRoot, "node_modules/.bin/bun"), ["scripts/build.ts"]) && ok
ok = step("node", [join(repoRoot, "scripts/test-package.mjs")]) && ok
const chromiumReady = step("bash", [join(appDir, "scripts/install-chromium.sh")])
if (chromiumReady) ok = step("node", [join(appDir, "scripts/browser-test.mjs")]) && ok
else {
  console.log("\nvicinal-tests @vicinal/docs chromium: 0 passed, 1 failed (chromium could not be installed)")
  ok = false
}
process.exit(ok ? 0 : 1)
