// The browser's search engine (site_src/assets/search.js) against the golden index the Python indexer wrote
// (tests/golden/search-index): the same tokens, the same documents, the same scores and order, the same layout.
// Run: node --test tests/js/   (make test does). The golden files come from tests/publishing/test_golden.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import vm from "node:vm";

const root = new URL("../../", import.meta.url);
const golden = new URL("tests/golden/search-index/", root);
const expected = JSON.parse(readFileSync(new URL("tests/golden/search-expected.json", root), "utf8"));

function load() {
  const requests = [];
  const fetch = async (url) => {
    const path = new URL(url).pathname.replace(/^\/search-index\//, "");
    requests.push(path);
    const file = new URL(path, golden);
    if (!existsSync(file)) {
      return { ok: false, status: 404, json: async () => null, arrayBuffer: async () => new ArrayBuffer(0) };
    }
    const data = readFileSync(file);
    return {
      ok: true,
      status: 200,
      json: async () => JSON.parse(data.toString("utf8")),
      arrayBuffer: async () => data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    };
  };
  const window = {};
  const document = { currentScript: { src: "https://jiceng.example/assets/search.js" }, getElementById: () => null };
  const context = vm.createContext({ window, document, fetch, TextEncoder, TextDecoder, URL, URLSearchParams });
  vm.runInContext(readFileSync(new URL("site_src/assets/search.js", root), "utf8"), context);
  return { engine: window.JcSearch, requests };
}

async function answers(engine, query, options) {
  const results = await engine.search(query, options);
  return Promise.all(results.map(async (hit) => [(await hit.data()).u, hit.score]));
}

test("the engine reads the index layout the indexer writes", () => {
  const { engine } = load();
  const manifest = JSON.parse(readFileSync(new URL("index.json", golden), "utf8"));
  assert.equal(engine.layout, manifest.version);
});

test("a query splits into the tokens the indexer made", () => {
  const { engine } = load();
  assert.deepEqual([...engine.tokens("居住证明").tokens], ["居住", "住证", "证明"]);
  assert.deepEqual([...engine.tokens("Wi-Fi 证明").tokens], ["wi", "fi", "证明"]);
});

for (const [query, hits] of Object.entries(expected)) {
  test(`“${query}” finds the same pages, in the same order, with the same scores`, async () => {
    const { engine } = load();
    const found = await answers(engine, query);
    assert.deepEqual(found.map((hit) => hit[0]), hits.map((hit) => hit[0]));
    found.forEach((hit, n) => assert.ok(Math.abs(hit[1] - hits[n][1]) < 1e-6, `${hit[0]}: ${hit[1]} ≠ ${hits[n][1]}`));
  });
}

test("filters carry codes: a kind and a place (with the places below it)", async () => {
  const { engine } = load();
  const lists = await answers(engine, "证明", { filters: { kind: "list" } });
  assert.ok(lists.length > 0 && lists.every((hit) => hit[0].startsWith("/lists/")));
  const inStreet = await answers(engine, "网格", { filters: { region: "demo-street" } });
  assert.deepEqual(inStreet.map((hit) => hit[0]), ["/cases/demo-grid/"]);
  const places = await engine.regions();
  assert.ok(places.some((place) => place.slug === "demo-community" && place.name === "示范社区"));
});

test("a first search downloads the manifest, one shard per token and nothing for filters", async () => {
  const { engine, requests } = load();
  await engine.search("居住证明");
  // The manifest and the query helper (traditional characters, pinyin) first, in parallel; then shards.
  assert.deepEqual([...requests.slice(0, 2)].sort(), ["index.json", "query.json"]);
  assert.ok(requests.slice(2).every((path) => path.includes("/s/")));
  assert.ok(!requests.some((path) => path.endsWith("filters.json")));
});

test("a traditional query reads as the simplified one the index holds", async () => {
  const { engine } = load();
  await engine.ready();
  assert.deepEqual([...engine.tokens("居住證明").tokens], ["居住", "住证", "证明"]);
  assert.deepEqual(await answers(engine, "居住證明"), await answers(engine, "居住证明"));
  assert.deepEqual(await answers(engine, "紅色物業"), await answers(engine, "红色物业"));
});

test("pinyin, whole or as initials, finds the title it spells", async () => {
  const { engine } = load();
  await engine.ready();
  assert.deepEqual([...engine.tokens("juzhu zhengming").tokens], ["juzhu", "zhengming"]);
  assert.deepEqual([...engine.tokens("JZZM").tokens], ["jz", "zz", "zm"]);
  for (const query of ["juzhu zhengming", "juzhuzhengming", "jzzm"]) {
    const found = (await answers(engine, query)).map((hit) => hit[0]);
    assert.ok(found.includes("/lists/demo-certificates-2024/"), `${query}: ${found}`);
  }
  assert.ok((await answers(engine, "hongse wuye")).some((hit) => hit[0] === "/cases/demo-red-property/"));
});

test("a superseded list ranks below the list that replaced it", async () => {
  const { engine } = load();
  const found = (await answers(engine, "居住证明")).map((hit) => hit[0]);
  assert.ok(found.indexOf("/lists/demo-certificates-2024/") < found.indexOf("/lists/demo-certificates-2022/"));
});
