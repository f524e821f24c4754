/**
 * For tests that compare Bun with Deno: run a script under the runtime that is NOT running the
 * test (Bun's from Deno, Deno's from Bun), both installed in node_modules/.bin by `npm ci`.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const isDeno = "Deno" in globalThis

/** The runtime running this test and the other one, for messages. */
export const runtimes = isDeno ? ["Deno", "Bun"] : ["Bun", "Deno"]

const root = dirname(dirname(fileURLToPath(import.meta.url)))

/** Run `script` under the other runtime; returns its last line of output, parsed as JSON. */
export const runOnOtherRuntime = (script: string): unknown => {
  const bin = join(root, "node_modules", ".bin", isDeno ? "bun" : "deno")
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci at the root`)
  const args = isDeno ? [script] : ["run", "-A", "--no-check", "--no-lock", script]
  const child = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
  if (child.status !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${child.status}:\n${child.stderr}`)
  return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "null")
}
