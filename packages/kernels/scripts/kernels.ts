/**
 * Compiles the WebAssembly kernels (assembly/kernels.ts, AssemblyScript) into
 * src/KernelsBinary.ts (over the wasm backend's memory) and src/KernelsSharedBinary.ts (the same
 * code over a shared memory, for the helper thread of src/Threads.ts), committed so that using
 * the package needs no compiler. Run after editing the kernels: `npm run kernels -w
 * @vicinal/kernels`. A test compiles them again and checks the committed bytes are what the
 * source gives.
 */
import { kernels } from "../../../scripts/assemblyscript.ts"

const source = new URL("../assembly/kernels.ts", import.meta.url)
// The module imports a memory (`env.memory`) and uses SIMD.
const options = { optimizeLevel: 3, shrinkLevel: 0, runtime: "stub", noAssert: true, importMemory: true }

const build = kernels(
  source,
  new URL("../src/KernelsBinary.ts", import.meta.url),
  { ...options, enable: ["simd"] },
  { generator: "scripts/kernels.ts", source: "assembly/kernels.ts" },
)

/** A shared memory must declare a maximum; WebAssembly's 32-bit limit, 4 GB, bounds none. */
export const SHARED_MAXIMUM_PAGES = 65536

const shared = kernels(
  source,
  new URL("../src/KernelsSharedBinary.ts", import.meta.url),
  { ...options, enable: ["simd", "threads"], sharedMemory: true, maximumMemory: SHARED_MAXIMUM_PAGES },
  { generator: "scripts/kernels.ts", source: "assembly/kernels.ts", exportName: "kernelsSharedWasmBase64" },
)

/** The kernels compiled from the source as it is now. */
export const compile = build.compile
/** The same over a shared memory. */
export const compileShared = shared.compile

if (import.meta.main) {
  console.log(`src/KernelsBinary.ts: ${await build.write()} bytes of WebAssembly`)
  console.log(`src/KernelsSharedBinary.ts: ${await shared.write()} bytes of WebAssembly`)
}
