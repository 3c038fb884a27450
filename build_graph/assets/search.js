// powerkg offline search over powers, instruments and articles (index: search-index.js).
// A query like 社保法84, 社会保险法第八十四条 or 第八十四条 finds articles: the number is the
// article, the rest is matched against the instrument's titles, in order but not necessarily
// adjacent (社保法 ⊂ 社会保险法). Results are built with textContent only.
(function () {
  "use strict";
  const DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9};
  const UNITS = {"十": 10, "百": 100, "千": 1000};
  function chineseNumber(text) {
    let total = 0, digit = 0;
    for (const ch of text) {
      if (ch in DIGITS) digit = DIGITS[ch];
      else if (ch in UNITS) { total += (digit || 1) * UNITS[ch]; digit = 0; }
      else return null;
    }
    return total + digit;
  }
  const normal = (s) => s.normalize("NFKC").replace(/[\s《》〈〉“”"'()（）·,，、:：]/g, "").toLowerCase();
  function parse(query) {
    const q = normal(query);
    let m = q.match(/^(.*?)第?(\d+)条?$/);
    if (m) return {text: m[1], article: Number(m[2]), raw: q};
    m = q.match(/^(.*?)第([零〇一二两三四五六七八九十百千]+)条?$/) || q.match(/^(.*?)([零〇一二两三四五六七八九十百千]+)条$/);
    if (m) return {text: m[1], article: chineseNumber(m[2]), raw: q};
    return {text: q, article: null, raw: q};
  }
  function inOrder(needle, hay) {
    let at = 0;
    for (const ch of needle) { at = hay.indexOf(ch, at); if (at < 0) return false; at += 1; }
    return true;
  }
  function score(entry, query) {
    const titles = entry.t.map(normal);
    if (entry.k === "article") {
      if (query.article === null || entry.n !== query.article) return 0;
      if (!query.text) return 2;
      if (titles.some((t) => t.includes(query.text))) return 3;
      return titles.some((t) => inOrder(query.text, t)) ? 1 + 1 / Math.min(...titles.map((t) => t.length)) : 0;
    }
    if (query.raw.length < 2) return 0;
    if (titles.some((t) => t.includes(query.raw))) return 2.5;
    return titles.some((t) => inOrder(query.raw, t)) && query.raw.length >= 3 ? 0.5 : 0;
  }
  const KINDS = {article: "条文 article", instrument: "文件 instrument", power: "事项 power", authority: "主体 authority"};
  function search(text, limit) {
    const query = parse(text);
    if (!query.raw) return [];
    return (window.POWERKG_SEARCH || []).map((e) => [score(e, query), e]).filter(([s]) => s > 0)
      .sort((a, b) => b[0] - a[0] || a[1].l.localeCompare(b[1].l, "zh")).slice(0, limit).map(([, e]) => e);
  }
  function render(input, list, root) {
    list.replaceChildren();
    const found = search(input.value, 40);
    for (const e of found) {
      const li = document.createElement("li"), kind = document.createElement("span"), a = document.createElement("a");
      kind.className = "kind"; kind.textContent = KINDS[e.k] || e.k;
      a.href = root + e.u; a.textContent = e.l;
      li.append(kind, a);
      if (e.s) { const s = document.createElement("span"); s.className = "muted"; s.textContent = " — " + e.s; li.append(s); }
      list.append(li);
    }
    document.body.dataset.searchResults = String(found.length);
  }
  window.powerkgSearch = search;
  document.addEventListener("DOMContentLoaded", () => {
    const input = document.getElementById("search"), list = document.getElementById("search-results");
    if (!input || !list) return;
    const root = input.dataset.root || "";
    input.addEventListener("input", () => render(input, list, root));
    const asked = new URLSearchParams(location.search).get("q");
    if (asked) { input.value = asked; render(input, list, root); }
  });
})();
