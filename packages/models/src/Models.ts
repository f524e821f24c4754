/**
 * The package's front door, imported as `Models`: constructors, building from a config,
 * parameter counting, files and checkpoint bytes.
 */
export { assemble, countTrainableParams } from "./Classifier.ts"
export { denseNetBC } from "./DenseNet.ts"
export { fileHandler } from "./FileIO.ts"
export { mlp } from "./Mlp.ts"
export { acquire, build, decode as decodeConfig } from "./ModelConfig.ts"
export { load, loadLayersModel, save } from "./Persist.ts"
export { preActResNet18 } from "./PreActResNet.ts"
export { resNet, resNet50, resNet101, resNeXt101_32x4d, resNeXt101_64x4d } from "./ResNet.ts"
export { smallCnn } from "./SmallCnn.ts"
export { fromBytes as weightsFromBytes, toBytes as weightsToBytes } from "./Weights.ts"
export { wideResNet } from "./WideResNet.ts"
export { wrap } from "./Wrap.ts"
