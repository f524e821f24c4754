/**
 * A tfjs `io.IOHandler` over a folder: `model.json` (topology, weights manifest, metadata) and
 * `weights.bin`, written and read with plain `node:fs/promises`, so it works on Bun and Deno
 * without tfjs-node. Use it anywhere tfjs takes a handler: `model.save(fileHandler(dir))`,
 * `tf.loadLayersModel(fileHandler(dir))`. Being a tfjs handler it rejects its promises with
 * plain errors; `Persist` wraps it into typed Effects.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { isAbsolute, join, normalize } from "node:path"
import * as tf from "@tensorflow/tfjs-core"

export const MODEL_JSON = "model.json"
export const WEIGHTS_BIN = "weights.bin"

/** A manifest path must stay inside the folder (model.json is data; it must not reach other files). */
const inside = (dir: string, path: string): string => {
  const clean = normalize(path)
  if (isAbsolute(clean) || clean.startsWith(".."))
    throw new Error(`weights path ${JSON.stringify(path)} leaves the model folder ${dir}`)
  return join(dir, clean)
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

// tfjs-core does not export its own artifacts -> model.json conversion; this is the same mapping.
const toModelJSON = (
  artifacts: tf.io.ModelArtifacts,
  manifest: tf.io.WeightsManifestConfig,
): tf.io.ModelJSON => {
  const optional = {
    trainingConfig: artifacts.trainingConfig,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    signature: artifacts.signature,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    modelInitializer: artifacts.modelInitializer,
    initializerSignature: artifacts.initializerSignature,
  }
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined))
  return { modelTopology: artifacts.modelTopology ?? {}, weightsManifest: manifest, ...present }
}

const save =
  (dir: string) =>
  async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
    if (artifacts.modelTopology instanceof ArrayBuffer)
      throw new Error("fileHandler saves JSON topologies only (a LayersModel), not a binary graph")
    await mkdir(dir, { recursive: true })
    const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? [])
    await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights))
    const manifest: tf.io.WeightsManifestConfig = [
      { paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] },
    ]
    const modelJSON = toModelJSON(artifacts, manifest)
    await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJSON))
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
  }

const load = (dir: string) => async (): Promise<tf.io.ModelArtifacts> => {
  const modelJSON = JSON.parse(await readFile(join(dir, MODEL_JSON), "utf8")) as tf.io.ModelJSON
  if (typeof modelJSON !== "object" || modelJSON === null || modelJSON.modelTopology === undefined)
    throw new Error(`${join(dir, MODEL_JSON)} has no modelTopology`)
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const buffers = await Promise.all(
      manifest.flatMap((group) =>
        group.paths.map(async (p) => toArrayBuffer(await readFile(inside(dir, p)))),
      ),
    )
    return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)]
  })
}

/** The handler for one folder (created on save if missing). */
export const fileHandler = (dir: string): tf.io.IOHandler => ({ save: save(dir), load: load(dir) })
