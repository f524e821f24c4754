/**
 * Entry point of one benchmark process: `worker.ts '<job json>' <out.json>`. Writes the rows as
 * JSON to the output file (stdout is left to tfjs' own messages) and exits.
 */
import { writeFileSync } from "node:fs"
import process from "node:process"
import * as Job from "./Job.ts"

const [jobText, outFile] = process.argv.slice(2)
if (jobText === undefined || outFile === undefined) {
  console.error("usage: worker.ts '<job json>' <out.json>")
  process.exit(2)
}
const rows = await Job.run(JSON.parse(jobText) as Job.Job)
writeFileSync(outFile, JSON.stringify(rows, null, 1))
// wasm and tfjs keep handles alive on some runtimes; the work is done.
process.exit(0)
