/**
 * VitePress configuration: the site's code (theme, demo, loaders) lives in apps/docs, its
 * content in the repository's root `docs/` folder, the built site in apps/docs/dist.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { type DefaultTheme, defineConfig } from "vitepress"
import { browserNodeStubs } from "../src/demo/BrowserNodeStubs.ts"

const here = dirname(fileURLToPath(import.meta.url))
const contentDir = resolve(here, "../../../docs")

// TypeDoc (run by scripts/build.ts before VitePress) writes the API pages and their sidebar.
const apiSidebarFile = resolve(contentDir, "api/typedoc-sidebar.json")
const apiSidebar: Array<DefaultTheme.SidebarItem> = existsSync(apiSidebarFile)
  ? (JSON.parse(readFileSync(apiSidebarFile, "utf8")) as Array<DefaultTheme.SidebarItem>)
  : []

const guide: Array<DefaultTheme.SidebarItem> = [
  {
    text: "Concepts",
    items: [
      { text: "ERM, VRM and mixup", link: "/guide/concepts" },
      { text: "Live demo", link: "/demo" },
    ],
  },
  {
    text: "Getting started",
    items: [
      { text: "On Bun", link: "/guide/getting-started-bun" },
      { text: "On Deno", link: "/guide/getting-started-deno" },
      { text: "On a GPU (tfjs-node-gpu)", link: "/guide/gpu" },
    ],
  },
  {
    text: "Recipes",
    items: [
      { text: "Mixup + CutMix switch", link: "/recipes/mixup-cutmix-switch" },
      { text: "Same-class pairing", link: "/recipes/same-class-pairing" },
      { text: "Label smoothing", link: "/recipes/label-smoothing" },
      { text: "Alpha schedule", link: "/recipes/alpha-schedule" },
      { text: "Manifold mixing", link: "/recipes/manifold-mixing" },
      { text: "A strategy from JSON", link: "/recipes/strategy-from-json" },
      { text: "Your own strategy (SaliencyMix)", link: "/recipes/saliency-mix" },
      { text: "Bring your own model", link: "/recipes/bring-your-own-model" },
    ],
  },
  {
    text: "Guides",
    items: [
      { text: "Training", link: "/guide/training" },
      { text: "Adversarial attacks", link: "/guide/attacks" },
      { text: "Reproducing the paper", link: "/guide/reproduction" },
      { text: "ImageNet (Table 1)", link: "/guide/imagenet" },
      { text: "Sweeps, many workers", link: "/guide/many-machines" },
      { text: "Results", link: "/results" },
    ],
  },
]

export default defineConfig({
  title: "vicinal",
  description: "Composable Vicinal Risk Minimization (mixup and its family) for TypeScript on Bun and Deno",
  srcDir: contentDir,
  outDir: resolve(here, "../dist"),
  cacheDir: resolve(here, "cache"),
  srcExclude: ["examples/**", "results/**", "**/README.md"],
  cleanUrls: false,
  lastUpdated: false,
  markdown: { math: true },
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/concepts" },
      { text: "Recipes", link: "/recipes/mixup-cutmix-switch" },
      { text: "API", link: "/api/" },
      { text: "Results", link: "/results" },
      { text: "Demo", link: "/demo" },
    ],
    sidebar: {
      "/api/": [{ text: "API reference", link: "/api/", items: apiSidebar }],
      "/": guide,
    },
    search: { provider: "local" },
    outline: [2, 3],
  },
  vite: {
    plugins: [browserNodeStubs()],
    // The workspace packages export TypeScript sources; Vite compiles them like local files.
    server: { fs: { allow: [resolve(here, "../../..")] } },
    build: { chunkSizeWarningLimit: 4096 },
  },
})
