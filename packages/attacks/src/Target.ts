/** Untargeted or targeted attacks; targets given per example or the least-likely class. */
export type Target =
  | { readonly _tag: "Untargeted" }
  | { readonly _tag: "Given"; readonly classes: Int32Array }
  | { readonly _tag: "LeastLikely" }

/** Push each example away from its label. */
export const untargeted: Target = { _tag: "Untargeted" }

/** Pull example i towards class `classes[i]`. */
export const given = (classes: Int32Array): Target => ({ _tag: "Given", classes })

/** Pull each example towards the class the model finds least likely on the clean input. */
export const leastLikely: Target = { _tag: "LeastLikely" }

/** A short name for reports: "untargeted" | "given" | "least-likely". */
export const describe = (target: Target): "untargeted" | "given" | "least-likely" =>
  target._tag === "Untargeted" ? "untargeted" : target._tag === "Given" ? "given" : "least-likely"
