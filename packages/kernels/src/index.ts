export * as Conv from "./Conv.ts"
export * as Kernels from "./Kernels.ts"
export * as Pool from "./Pool.ts"
export * as Reduce from "./Reduce.ts"
