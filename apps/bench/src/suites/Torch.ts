/**
 * A long-lived `python3` process running src/../python/steps.py, so that PyTorch training steps
 * can be timed interleaved with ours: each call sends one line and resolves when the step's
 * "ok" comes back (the round trip through the pipes, ~0.1 ms, is counted on PyTorch's side).
 * The bench installs nothing: where `import torch` fails the reason is returned instead.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../../python/steps.py", import.meta.url))

export interface Torch {
  readonly version: string
  /** One SGD step of the model in PyTorch. */
  readonly step: (model: "mlp" | "cnn") => Promise<void>
  readonly close: () => void
}

/** Start PyTorch; the reason it is unavailable when it is. */
export const start = (): Promise<Torch | { readonly unavailable: string }> =>
  new Promise((resolve) => {
    let child: ChildProcess
    try {
      child = spawn("python3", [script], { stdio: ["pipe", "pipe", "pipe"] })
    } catch (error) {
      resolve({ unavailable: `python3 could not start: ${String(error)}` })
      return
    }
    const waiting: Array<(line: string) => void> = []
    let buffered = ""
    let stderr = ""
    child.stderr!.on("data", (chunk) => {
      stderr += String(chunk)
    })
    child.stdout!.on("data", (chunk) => {
      buffered += String(chunk)
      let end = buffered.indexOf("\n")
      while (end >= 0) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 1)
        waiting.shift()?.(line)
        end = buffered.indexOf("\n")
      }
    })
    child.on("error", (error) => resolve({ unavailable: `python3 could not start: ${error.message}` }))
    child.on("exit", (code) => {
      for (const w of waiting.splice(0))
        w(`error exited (${code}): ${stderr.trim().split("\n").at(-1) ?? ""}`)
    })
    const next = () => new Promise<string>((r) => waiting.push(r))
    void next().then((first) => {
      if (!first.startsWith("ready ")) {
        child.kill()
        resolve({ unavailable: `python3 -c "import torch" fails here (${first.replace(/^error /, "")})` })
        return
      }
      resolve({
        version: first.slice("ready ".length),
        step: async (model) => {
          const answer = next()
          child.stdin!.write(`${model}\n`)
          const line = await answer
          if (line !== "ok") throw new Error(`PyTorch step failed: ${line}`)
        },
        close: () => {
          child.stdin!.end("quit\n")
          child.kill()
        },
      })
    })
  })
