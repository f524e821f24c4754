/** Running the real entry point as a child process of the runtime under test (Bun or Deno). */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
export const main = resolve(here, "../src/main.ts")

declare const Deno: { execPath: () => string } | undefined

export const command = (args: ReadonlyArray<string>): [string, ReadonlyArray<string>] =>
  typeof Deno !== "undefined"
    ? [Deno.execPath(), ["run", "-A", "--no-check", "--no-lock", main, ...args]]
    : [process.execPath, [main, ...args]]

export interface Result {
  readonly code: number | null
  /** The signal the child died of, as the parent saw it. */
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Run `vicinal args...`; `onStderr` sees progress as it comes (e.g. to send Ctrl-C). */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void } = {},
): Promise<Result> =>
  new Promise((resolveResult, reject) => {
    const [bin, argv] = command(args)
    const child = spawn(bin, [...argv], {
      env: { ...process.env, NO_COLOR: "1", VICINAL_PROGRESS_EVERY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      options.onStderr?.(stderr, (signal) => child.kill(signal))
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolveResult({ code, signal, stdout, stderr }))
  })

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `vicinal-cli-${prefix}-`))
