/**
 * Compiles the WebAssembly kernels (assembly/kernels.ts, AssemblyScript) and writes them, as
 * base64, into src/KernelsBinary.ts, which is committed so that using the package needs no
 * compiler. Run after editing the kernels: `npm run kernels -w @vicinal/core`. A test compiles
 * them again and checks the committed bytes are what the source gives.
 */
import { kernels } from "../../../scripts/assemblyscript.ts"

/** The options the committed binary is built with. */
export const options = {
  optimizeLevel: 3,
  shrinkLevel: 0,
  runtime: "stub",
  noAssert: true,
} as const

const build = kernels(
  new URL("../assembly/kernels.ts", import.meta.url),
  new URL("../src/KernelsBinary.ts", import.meta.url),
  options,
  { generator: "scripts/kernels.ts", source: "assembly/kernels.ts" },
)

/** The kernels compiled from the source as it is now. */
export const compile = build.compile

if (import.meta.main) console.log(`src/KernelsBinary.ts: ${await build.write()} bytes of WebAssembly`)
