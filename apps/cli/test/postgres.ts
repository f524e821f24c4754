/**
 * A real PostgreSQL for the cluster tests: Debian's server (installed by
 * scripts/install-postgresql.sh when missing), a fresh data directory in a temporary folder, a
 * free localhost port; run as the `postgres` user when we are root (the server refuses root).
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")

export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer()
    server.on("error", fail)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

export interface Postgres {
  readonly url: string
  readonly stop: () => void
  readonly start: () => void
  readonly dispose: () => void
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0

export const start = async (): Promise<Postgres> => {
  const bin = execFileSync("bash", [join(root, "scripts", "install-postgresql.sh")], {
    encoding: "utf8",
  }).trim()
  const dir = mkdtempSync(join(tmpdir(), "vicinal-pg-"))
  chmodSync(dir, 0o777)
  const port = await freePort()
  const run = (tool: string, args: ReadonlyArray<string>) => {
    const argv = asRoot ? ["-u", "postgres", "--", join(bin, tool), ...args] : [...args]
    const result = spawnSync(asRoot ? "runuser" : join(bin, tool), argv, { encoding: "utf8", cwd: dir })
    if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")}: ${result.stdout}${result.stderr}`)
  }
  const data = join(dir, "data")
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres"])
  const startServer = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "-l",
      join(dir, "log"),
      "-w",
      "start",
    ])
  const stopServer = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
  startServer()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: stopServer,
    start: startServer,
    dispose: () => {
      try {
        stopServer()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
