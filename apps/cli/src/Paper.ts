/**
 * The paper's numbers (Zhang et al., ICLR 2018), printed beside ours. Errors in percent.
 * Their scale: CIFAR-10 with PreAct ResNet-18 (Table 2, ablation, CIFAR table) and ImageNet
 * with ResNet-101 (Table 3); ours: the bundled MNIST digits and small networks on a CPU.
 */

export const cifar = {
  source: "CIFAR-10, PreAct ResNet-18, 200 epochs",
  erm: 5.6,
  mixup: 4.2,
} as const

/** CIFAR-10/100 test error, ERM -> mixup (the paper's CIFAR table). */
export const cifarTable: Readonly<
  Record<
    "cifar10" | "cifar100",
    Readonly<Record<"preActResNet" | "wideResNet" | "denseNetBC", readonly [number, number]>>
  >
> = {
  cifar10: { preActResNet: [5.6, 4.2], wideResNet: [3.8, 2.7], denseNetBC: [3.7, 2.7] },
  cifar100: { preActResNet: [25.6, 21.1], wideResNet: [19.4, 17.5], denseNetBC: [19.0, 16.8] },
}

export type Table2Method = "ERM" | "ERM + dropout" | "mixup" | "mixup + dropout"

export interface Table2Row {
  readonly setting: string
  readonly best: number
  readonly last: number
  readonly real: number
  readonly corrupted: number
}

/** Table 2: CIFAR-10, PreAct ResNet-18, best models of the paper's grid. */
export const table2: Readonly<Record<"0.2" | "0.5" | "0.8", Readonly<Record<Table2Method, Table2Row>>>> = {
  "0.2": {
    ERM: { setting: "", best: 12.7, last: 16.6, real: 0.05, corrupted: 0.28 },
    "ERM + dropout": { setting: "p = 0.7", best: 8.8, last: 10.4, real: 5.26, corrupted: 83.55 },
    mixup: { setting: "α = 8", best: 5.9, last: 6.4, real: 2.27, corrupted: 86.32 },
    "mixup + dropout": { setting: "α = 4, p = 0.1", best: 6.2, last: 6.2, real: 1.92, corrupted: 85.02 },
  },
  "0.5": {
    ERM: { setting: "", best: 18.8, last: 44.6, real: 0.26, corrupted: 0.64 },
    "ERM + dropout": { setting: "p = 0.8", best: 14.1, last: 15.5, real: 12.71, corrupted: 86.98 },
    mixup: { setting: "α = 32", best: 11.3, last: 12.7, real: 5.84, corrupted: 85.71 },
    "mixup + dropout": { setting: "α = 8, p = 0.3", best: 10.9, last: 10.9, real: 7.56, corrupted: 87.9 },
  },
  "0.8": {
    ERM: { setting: "", best: 36.5, last: 73.9, real: 0.62, corrupted: 0.83 },
    "ERM + dropout": { setting: "p = 0.8", best: 30.9, last: 35.1, real: 29.84, corrupted: 86.37 },
    mixup: { setting: "α = 32", best: 25.3, last: 30.9, real: 18.92, corrupted: 85.44 },
    "mixup + dropout": { setting: "α = 8, p = 0.3", best: 24.0, last: 24.8, real: 19.7, corrupted: 87.67 },
  },
}

/** The paper's hyper-parameters of each Table 2 row, by corruption level. */
export const table2Settings = (
  noise: number,
): Readonly<Record<Table2Method, { readonly alpha?: number; readonly dropout?: number }>> => {
  const high = noise >= 0.35
  return {
    ERM: {},
    "ERM + dropout": { dropout: high ? 0.8 : 0.7 },
    mixup: { alpha: high ? 32 : 8 },
    "mixup + dropout": high ? { alpha: 8, dropout: 0.3 } : { alpha: 4, dropout: 0.1 },
  }
}

/** Table 3: ImageNet, ResNet-101, epsilon 4/255; [top-1, top-5] per attack. */
export const table3 = {
  whiteBox: {
    ERM: { FGSM: [90.7, 63.1], "I-FGSM": [99.9, 93.4] },
    mixup: { FGSM: [75.2, 49.1], "I-FGSM": [99.6, 95.8] },
  },
  blackBox: {
    ERM: { FGSM: [57.0, 24.8], "I-FGSM": [57.3, 18.1] },
    mixup: { FGSM: [46.0, 17.4], "I-FGSM": [40.9, 11.8] },
  },
} as const

/** Ablation (CIFAR-10, PreAct ResNet-18), weight decay 1e-4: the rows the protocol notes give. */
export const ablation: Readonly<Record<string, number>> = { ERM: 5.53, "mixup AC + RP": 4.24 }

export const scaleNote = (ours: string, theirs: string): string =>
  `Scale: the paper used ${theirs}; these runs use ${ours}. Compare directions and gaps, not absolute numbers.`
