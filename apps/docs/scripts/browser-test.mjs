#!/usr/bin/env node
/**
 * The docs browser test: serves the built site (apps/docs/dist) on 127.0.0.1, opens every page
 * in headless Debian Chromium driven by playwright-core, fails on console errors, page errors,
 * failed requests and pages without exactly one h1, runs the live demo for some steps, checks
 * that both decision boundaries were drawn and differ, and saves screenshots to
 * apps/docs/test-results/.
 * Ends with "vicinal-tests @vicinal/docs chromium: N passed, N failed".
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { dirname, extname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const dist = join(appDir, "dist")
const shots = join(appDir, "test-results")
const executablePath = process.env.VICINAL_CHROMIUM ?? "/usr/bin/chromium"
const demoSteps = Number(process.env.VICINAL_DEMO_STEPS ?? 150)

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain",
}

/** A tiny static server for the built site (VitePress writes `page.html` files). */
const serve = () =>
  new Promise((done) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      let path = join(dist, decodeURIComponent(url.pathname))
      if (!path.startsWith(dist)) {
        res.writeHead(403).end()
        return
      }
      if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html")
      else if (!existsSync(path) && existsSync(`${path}.html`)) path = `${path}.html`
      if (!existsSync(path)) {
        res.writeHead(404).end("not found")
        return
      }
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" })
      createReadStream(path).pipe(res)
    })
    server.listen(0, "127.0.0.1", () => done(server))
  })

const htmlPages = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return htmlPages(path)
    return name.endsWith(".html") && name !== "404.html" ? [relative(dist, path).split(sep).join("/")] : []
  })

const results = []
const check = async (name, fn) => {
  try {
    await fn()
    results.push({ name, ok: true })
    console.log(`ok - ${name}`)
  } catch (error) {
    results.push({ name, ok: false })
    console.log(
      `not ok - ${name}\n  ${String(error?.stack ?? error)
        .split("\n")
        .join("\n  ")}`,
    )
  }
}

const finish = (code) => {
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed + code
  console.log(`\nvicinal-tests @vicinal/docs chromium: ${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? 0 : 1)
}

if (!existsSync(join(dist, "index.html"))) {
  console.error(`browser test: no built site in ${dist}; run the build first`)
  finish(1)
}
if (!existsSync(executablePath)) {
  console.error(`browser test: ${executablePath} is missing; run apps/docs/scripts/install-chromium.sh`)
  finish(1)
}

rmSync(shots, { recursive: true, force: true })
mkdirSync(shots, { recursive: true })
const server = await serve()
const base = `http://127.0.0.1:${server.address().port}/`
const userDataDir = mkdtempSync(join(tmpdir(), "vicinal-chromium-"))
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
})

// One tab for all pages (a new tab per page costs more than the page itself); what goes wrong
// while a page loads and runs is collected into `problems`, reset before each visit.
const tab = await context.newPage()
let problems = []
tab.on("console", (msg) => {
  if (msg.type() === "error") problems.push(`console error: ${msg.text()}`)
})
tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
tab.on("requestfailed", (req) => {
  // Prefetches of linked pages still in flight when the tab moves on are aborted, not failed.
  const reason = req.failure()?.errorText ?? ""
  if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()} ${reason}`)
})
tab.on("response", (res) => {
  if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`)
})
const open = async (path) => {
  problems = []
  await tab.goto(base + path, { waitUntil: "load" })
  return { page: tab, problems }
}

const assertClean = (problems, path) => {
  if (problems.length > 0) throw new Error(`${path}:\n${problems.join("\n")}`)
}

try {
  // VICINAL_DOCS_PAGES=regex limits the pages visited (for debugging one page).
  const only =
    process.env.VICINAL_DOCS_PAGES === undefined ? undefined : new RegExp(process.env.VICINAL_DOCS_PAGES)
  const allPages = htmlPages(dist).sort()
  const pages = allPages.filter((p) => only === undefined || only.test(p) || p === "index.html")
  await check(`the site has pages (${allPages.length})`, async () => {
    for (const required of [
      "index.html",
      "demo.html",
      "results.html",
      "guide/concepts.html",
      "api/index.html",
    ])
      if (!allPages.includes(required)) throw new Error(`missing ${required}`)
  })

  for (const path of pages.filter((p) => p !== "demo.html")) {
    await check(`renders ${path}`, async () => {
      const { page, problems } = await open(path)
      // VitePress hydrates on the client: wait for the app, and for the page's own content.
      await page.waitForSelector("#app .VPContent", { timeout: 15000 })
      const text = (await page.locator(".VPContent").textContent()) ?? ""
      if (text.trim().length < 20) throw new Error(`${path}: the page is empty`)
      // One title per page: an included Markdown file must not bring its own H1.
      const titles = await page.locator(".VPContent h1").count()
      if (titles !== 1) throw new Error(`${path}: ${titles} h1 elements, expected 1`)
      if (!path.startsWith("api/"))
        await page.screenshot({ path: join(shots, `${path.replaceAll("/", "_")}.png`), fullPage: true })
      assertClean(problems, path)
    })
  }

  await check(`the demo trains ERM and mixup for ${demoSteps} steps and draws both boundaries`, async () => {
    const { page, problems } = await open("demo.html")
    await page.waitForSelector("[data-demo-ready]", { timeout: 60000 })
    await page.waitForFunction(
      (steps) =>
        Number(document.querySelector("[data-demo-step]")?.getAttribute("data-demo-step") ?? 0) >= steps,
      demoSteps,
      { timeout: 150000, polling: 250 },
    )
    // Both canvases must show a boundary: both classes' colours present, and the two differ.
    const stats = await page.evaluate(() =>
      [...document.querySelectorAll("canvas[data-boundary]")].map((canvas) => {
        const ctx = canvas.getContext("2d")
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
        let blueish = 0
        let orangeish = 0
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 2] > data[i] + 40) blueish++
          if (data[i] > data[i + 2] + 40) orangeish++
        }
        return { name: canvas.getAttribute("data-boundary"), blueish, orangeish, url: canvas.toDataURL() }
      }),
    )
    if (stats.length !== 2) throw new Error(`expected 2 boundary canvases, found ${stats.length}`)
    for (const s of stats) {
      const total = s.blueish + s.orangeish
      if (s.blueish < total * 0.15 || s.orangeish < total * 0.15)
        throw new Error(
          `${s.name}: the boundary does not split the plane (${s.blueish} blue, ${s.orangeish} orange)`,
        )
    }
    if (stats[0].url === stats[1].url) throw new Error("ERM and mixup drew identical pictures")
    await page.locator("[data-demo]").screenshot({ path: join(shots, "demo-boundaries.png") })
    await page.screenshot({ path: join(shots, "demo.png"), fullPage: true })
    // The controls: another pairing, more label noise, a restart; training must start over and run.
    await page.selectOption("[data-demo] select", "sameClass")
    await page.locator("[data-demo] input[type=range]").nth(1).fill("0.3")
    await page.getByRole("button", { name: "Restart" }).click()
    await page.waitForFunction(
      () => {
        const step = Number(document.querySelector("[data-demo-step]")?.getAttribute("data-demo-step") ?? 0)
        return step >= 40 && step < 1000
      },
      undefined,
      { timeout: 60000, polling: 100 },
    )
    await page.locator("[data-demo]").screenshot({ path: join(shots, "demo-same-class-noise-30.png") })
    assertClean(problems, "demo.html")
  })
} finally {
  await context.close()
  server.close()
  rmSync(userDataDir, { recursive: true, force: true })
}
finish(0)
