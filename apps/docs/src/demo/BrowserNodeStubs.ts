/**
 * A Vite plugin for the client bundle: the workspace packages import a few Node built-ins
 * (`node:fs/promises` for model files, `node:zlib` for dataset files, …) in modules the demo
 * never calls. In the browser these resolve to stubs with the same export names, each failing
 * with a clear message if it is ever called; the server-side render keeps the real modules.
 */
import type { Plugin } from "vite"

const PREFIX = "\0vicinal-browser-stub:"

export const browserNodeStubs = (): Plugin => ({
  name: "vicinal-browser-node-stubs",
  enforce: "pre",
  async resolveId(id, importer, options) {
    if (options?.ssr === true) return null
    if (id.startsWith("node:")) return PREFIX + id
    // csv-parse's default build needs Node's Buffer at import time; its browser build bundles one.
    if (id === "csv-parse/sync")
      return this.resolve("csv-parse/browser/esm/sync", importer, { skipSelf: true })
    return null
  },
  async load(id) {
    if (!id.startsWith(PREFIX)) return null
    const name = id.slice(PREFIX.length)
    const real: Record<string, unknown> = await import(name)
    const exports = Object.keys(real).filter((k) => k !== "default" && /^[A-Za-z_$][\w$]*$/.test(k))
    const stub = (k: string) =>
      `export const ${k} = () => { throw new Error("${name}.${k} is not available in the browser") }`
    return [...exports.map(stub), `export default {}`].join("\n")
  },
})
