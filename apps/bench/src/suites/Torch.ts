/**
 * A long-lived `python3` process running src/../python/steps.py, so that PyTorch training steps
 * can be timed interleaved with ours: each call sends one line and resolves when the step's
 * "ok" comes back (the round trip through the pipes, ~0.1 ms, is counted on PyTorch's side).
 * The bench installs nothing: where `import torch` fails the reason is returned instead. The
 * `python3` on the PATH is tried first, then Debian's `/usr/bin/python3` (where `apt-get install
 * python3-torch` puts torch, which a pyenv or venv `python3` on the PATH does not see).
 */
import { type ChildProcess, spawn } from "node:child_process"
import process from "node:process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../../python/steps.py", import.meta.url))

/**
 * PyTorch's OpenMP threads spin after each parallel region by default; on two cores shared with
 * other processes (and with OpenBLAS's own threads) the spinning made a step 10x slower (MLP:
 * 300-400 ms against 20-33 ms with `OMP_WAIT_POLICY=PASSIVE`, load average ~13). Passive waiting
 * is what measures PyTorch at its speed here; a value set by the caller is kept.
 */
export const torchEnvironment = (): NodeJS.ProcessEnv => ({
  OMP_WAIT_POLICY: "PASSIVE",
  ...process.env,
})

export interface Torch {
  /** `torch.__version__` and the interpreter, e.g. "1.13.0a0 (/usr/bin/python3)". */
  readonly version: string
  /** One SGD step of the model in PyTorch. */
  readonly step: (model: "mlp" | "cnn") => Promise<void>
  readonly close: () => void
}

type Started = Torch | { readonly unavailable: string }

/** Start PyTorch with the first interpreter that has it; the reasons when none has. */
export const start = async (): Promise<Started> => {
  const reasons: Array<string> = []
  for (const python of ["python3", "/usr/bin/python3"]) {
    const started = await startWith(python)
    if (!("unavailable" in started)) return started
    reasons.push(started.unavailable)
  }
  return { unavailable: reasons.join("; ") }
}

const startWith = (python: string): Promise<Started> =>
  new Promise((resolve) => {
    let child: ChildProcess
    try {
      child = spawn(python, [script], { stdio: ["pipe", "pipe", "pipe"], env: torchEnvironment() })
    } catch (error) {
      resolve({ unavailable: `${python} could not start: ${String(error)}` })
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
    child.on("error", (error) => resolve({ unavailable: `${python} could not start: ${error.message}` }))
    child.on("exit", (code) => {
      for (const w of waiting.splice(0))
        w(`error exited (${code}): ${stderr.trim().split("\n").at(-1) ?? ""}`)
    })
    const next = () => new Promise<string>((r) => waiting.push(r))
    void next().then((first) => {
      if (!first.startsWith("ready ")) {
        child.kill()
        resolve({ unavailable: `${python}: import torch fails (${first.replace(/^error /, "")})` })
        return
      }
      resolve({
        version: `${first.slice("ready ".length)} (${python}, OMP_WAIT_POLICY=${torchEnvironment().OMP_WAIT_POLICY})`,
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
