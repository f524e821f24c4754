/** VitePress build-time data loader: the results folder as tables, plots and rendered Markdown. */
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { createMarkdownRenderer } from "vitepress"
import { resultsDir } from "./Location.ts"
import { type Results, read } from "./ReadResults.ts"

export interface ResultsData extends Results {
  readonly html: Readonly<Record<string, string>>
}

declare const data: ResultsData

export { data }

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..")

export default {
  async load(): Promise<ResultsData> {
    const results = read(resultsDir(repoRoot))
    const md = await createMarkdownRenderer(resolve(repoRoot, "docs"))
    const html: Record<string, string> = {}
    for (const s of results.sections) if (s.markdown !== undefined) html[s.file] = md.render(s.markdown)
    return { ...results, html }
  },
}
