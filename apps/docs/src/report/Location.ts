import { existsSync } from "node:fs"
import { resolve } from "node:path"

/**
 * Where the site looks for the CLI's results: `VICINAL_RESULTS_DIR` if set, else
 * `docs/results`, else the repository's `results/` folder.
 */
export const resultsDir = (repoRoot: string): string | undefined => {
  const fromEnv = process.env.VICINAL_RESULTS_DIR
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv)
  return [resolve(repoRoot, "docs/results"), resolve(repoRoot, "results")].find((dir) => existsSync(dir))
}

/** Where the build copies result images so the site can serve them (under the public dir). */
export const publicImagesDir = (repoRoot: string): string =>
  resolve(repoRoot, "docs/public/generated/results")
