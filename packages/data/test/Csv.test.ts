import assert from "node:assert/strict"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, test } from "node:test"
import { gzipSync } from "node:zlib"
import * as fc from "fast-check"
import { Csv, Dataset } from "../src/index.ts"
import { failure, run, withTempDir } from "./helpers.ts"

const iris = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,Iris-setosa
7.0,3.2,4.7,1.4,Iris-versicolor
6.3,3.3,6.0,2.5,Iris-virginica
4.9,3.0,1.4,0.2,Iris-setosa
`

describe("Csv.parse", () => {
  test("header, last column as categorical label, classes sorted", async () => {
    const d = await run(Csv.parse(iris, "iris.csv"))
    assert.deepEqual(d.shape, [4, 4])
    assert.deepEqual(d.classNames, ["Iris-setosa", "Iris-versicolor", "Iris-virginica"])
    assert.deepEqual([...d.labels], [0, 1, 2, 0])
    assert.deepEqual([...d.x.subarray(4, 8)], [7.0, 3.2, 4.7, 1.4].map(Math.fround))
  })

  test("label by name or index, ignored columns, explicit class order", async () => {
    const text = "id;label;a;b\n7;1;0.5;2\n8;0;1.5;3\n"
    const byName = await run(Csv.parse(text, "t.csv", { delimiter: ";", label: "label", ignore: ["id"] }))
    assert.deepEqual(byName.shape, [2, 2])
    assert.deepEqual([...byName.labels], [1, 0])
    assert.equal(byName.numClasses, 2)
    const byIndex = await run(
      Csv.parse(text, "t.csv", { delimiter: ";", label: 1, ignore: [0], numClasses: 3 }),
    )
    assert.equal(byIndex.numClasses, 3)
    assert.deepEqual([...byIndex.x], [0.5, 2, 1.5, 3])
    const ordered = await run(
      Csv.parse(iris, "iris.csv", { classes: ["Iris-virginica", "Iris-versicolor", "Iris-setosa"] }),
    )
    assert.deepEqual([...ordered.labels], [2, 1, 0, 2])
  })

  test("categorical feature columns are one-hot encoded; a file without header is recognised", async () => {
    // The first rows of UCI Abalone: sex (M/F/I), measurements, rings (the label).
    const abalone = "M,0.455,0.365,15\nM,0.35,0.265,7\nF,0.53,0.42,9\nI,0.33,0.255,7\n"
    const d = await run(Csv.parse(abalone, "abalone.data", { categorical: [0], numClasses: 30 }))
    assert.deepEqual(d.shape, [4, 5])
    // Sorted categories F, I, M, then the two measurements.
    assert.deepEqual([...d.x.subarray(0, 5)], [0, 0, 1, 0.455, 0.365].map(Math.fround))
    assert.deepEqual([...d.x.subarray(15, 20)], [0, 1, 0, 0.33, 0.255].map(Math.fround))
    assert.deepEqual([...d.labels], [15, 7, 9, 7])
    const named = await run(Csv.parse(`sex,a,b,rings\n${abalone}`, "h.csv", { categorical: ["sex"] }))
    assert.deepEqual(named.x, d.x)
  })

  test("numeric rows round-trip, with or without header, quoted cells allowed", () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.nat(4),
          ),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        fc.boolean(),
        async (rows, header) => {
          const body = rows.map(([a, b, l]) => `${a},"${b}",${l}`).join("\n")
          const d = await run(Csv.parse(header ? `x1,x2,y\n${body}` : body, "r.csv"))
          assert.deepEqual(
            [...d.labels],
            rows.map(([, , l]) => l),
          )
          // CSV text has no negative zero: "-0" is written as "0".
          assert.deepEqual(
            [...d.x],
            rows.flatMap(([a, b]) => [a, b].map((v) => (v === 0 ? 0 : v))),
          )
        },
      ),
    ))

  test("standardise scales each feature to mean 0, std 1", async () => {
    const d = await run(Csv.parse("1,10,0\n2,20,1\n3,30,0\n", "s.csv", { standardise: true }))
    const stats = Dataset.featureStats(d)
    for (let j = 0; j < 2; j++) {
      assert.ok(Math.abs(stats.mean[j]!) < 1e-6)
      assert.ok(Math.abs(stats.std[j]! - 1) < 1e-6)
    }
  })

  test("typed errors with line and column", async () => {
    const bad = await failure(Csv.parse("a,b,y\n1,2,0\n3,oops,1\n", "bad.csv"))
    // Fields compared one by one: Bun gives every Error non-enumerable `line`/`column` slots, so a spread misses ours.
    assert.ok(bad._tag === "ParseError")
    assert.deepEqual([bad.file, bad.line, bad.column], ["bad.csv", 3, 2])
    assert.match(bad.message, /bad\.csv:3:2: feature b is not a number: "oops"/)

    const ragged = await failure(Csv.parse("1,2,0\n3,1\n", "ragged.csv"))
    assert.equal(ragged._tag, "ParseError")
    assert.equal(ragged._tag === "ParseError" && ragged.line, 2)

    const range = await failure(Csv.parse("1,0\n2,5\n", "r.csv", { numClasses: 3 }))
    assert.deepEqual(
      { ...range },
      { _tag: "LabelOutOfRange", file: "r.csv", index: 1, label: 5, numClasses: 3 },
    )

    const unknown = await failure(Csv.parse(iris, "iris.csv", { classes: ["Iris-setosa"] }))
    assert.equal(unknown._tag, "ParseError")
    assert.equal(unknown._tag === "ParseError" && unknown.line, 3)

    const column = await failure(Csv.parse(iris, "iris.csv", { label: "colour" }))
    assert.equal(column._tag, "InvalidArgument")
    assert.match(column.message, /label: .*got "colour"/)

    assert.equal((await failure(Csv.parse("", "empty.csv")))._tag, "ParseError")
    assert.equal((await failure(Csv.parse("a,b\n", "header-only.csv")))._tag, "ParseError")
  })
})

describe("Csv.load", () => {
  test("reads plain and gzip files; a missing file is FileNotFound", async () => {
    await withTempDir(async (dir) => {
      const plain = join(dir, "iris.csv")
      const gz = join(dir, "iris.csv.gz")
      await writeFile(plain, iris)
      await writeFile(gz, gzipSync(iris))
      const a = await run(Csv.load(plain))
      const b = await run(Csv.load(gz, { name: "iris" }))
      assert.equal(a.name, plain)
      assert.equal(b.name, "iris")
      assert.deepEqual([...a.x], [...b.x])
      const missing = await failure(Csv.load(join(dir, "none.csv")))
      assert.equal(missing._tag, "FileNotFound")
    })
  })
})
