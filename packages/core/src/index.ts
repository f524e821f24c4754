export * as Random from "./Random.ts"
