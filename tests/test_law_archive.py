"""The law as data: the importer on the shared corpus snapshot and on a corpus made here, the
bundled archive behind the registry, and what cite and the graph say of versions."""
from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import cn2an
import pytest

from build_graph.citations.export import cite_rows
from build_graph.law.archive import LawArchive
from build_graph.law.importer import CorpusError, import_corpus
from build_graph.registry import archive_file, load_registry

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "lawrefbook"
ARTICLE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条\s*(.*)$")


def first_article_in_markdown(path: Path) -> tuple[int, str] | None:
    """(number, first line) of the first article of a LawRefBook file, read with a plain regex."""
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]
    for line in body.splitlines():
        if match := ARTICLE.match(line.strip()):
            return int(cn2an.cn2an(match.group(1), "smart")), match.group(2).strip()
    return None  # a decision or notice without articles


def sample_of_snapshot(level: str, every: int) -> list[tuple[str, str, Path]]:
    """(name, publish date, text file) of the latest version of every ``every``-th instrument of a
    level that has articles."""
    connection = sqlite3.connect(SNAPSHOT / "db.sqlite3")
    folders = dict(connection.execute("select id, folder from category"))
    rows = connection.execute("select name, max(publish), category_id from law where level = ? "
                              "group by name order by name", (level,)).fetchall()
    sample = []
    for name, publish, category in rows[::every]:
        path = SNAPSHOT / folders[category] / f"{name}({publish}).md"
        if path.is_file() and first_article_in_markdown(path):
            sample.append((name, publish, path))
    return sample


@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason="the shared corpus snapshot is not beside the checkout")
@pytest.mark.parametrize("level,every", [("法律", 25), ("行政法规", 40)])
def test_laws_and_regulations_never_seen_in_a_list_resolve_with_level_and_text(level, every):
    registry = load_registry()
    sample = sample_of_snapshot(level, every)
    assert len(sample) >= 10
    for name, publish, path in sample:
        number, first_line = first_article_in_markdown(path)
        text = f"《{name}》第{cn2an.an2cn(number)}条"
        [row] = cite_rows(text, registry)
        assert row["instrument"]["resolved"], text
        assert row["instrument"]["level"] == level, text
        assert row["provision_exists"] is True, text
        assert row["official_text"].split("\n")[0] == first_line, text
        assert row["instrument"]["version"] >= publish or row["instrument"]["id"] in registry.statutes, text


def test_short_and_full_titles_and_order_numbers_name_one_instrument():
    registry = load_registry()
    full = cite_rows("《中华人民共和国食品安全法》第一百二十三条", registry)[0]
    short = cite_rows("《食品安全法》第一百二十三条", registry)[0]
    assert full["instrument"]["id"] == short["instrument"]["id"]
    assert full["instrument"]["level"] == "法律" and full["official_text"]
    by_order = cite_rows("《不动产登记暂行条例》（国务院令第656号）第十四条第二款", registry)
    assert by_order[0]["instrument"]["doc_number"] == "国务院令第656号"
    assert by_order[0]["official_text"].startswith("属于下列情形之一的，可以由当事人单方申请")


def test_paragraph_and_item_give_their_own_official_text():
    registry = load_registry()
    item = cite_rows("《社会保险法》第八十七条", registry)[0]["official_text"]
    assert item.startswith("社会保险经办机构以及医疗机构")
    [paragraph_row] = cite_rows("《不动产登记暂行条例》第十四条第一款", registry)
    assert paragraph_row["official_text"] == "因买卖、设定抵押权等申请不动产登记的，应当由当事人双方共同申请。"
    [missing] = cite_rows("《不动产登记暂行条例》第十四条第九款", registry)
    assert missing["provision_exists"] is False and missing["official_text"] is None


def test_an_amended_instrument_says_so_and_points_at_its_current_version():
    registry = load_registry()
    [row] = cite_rows("《中华人民共和国发票管理办法》第三条", registry)
    assert row["instrument"]["status"].startswith("现行有效（已修改")
    assert row["instrument"]["version"] == "2023-07-20"
    entry = registry.archive.entries[registry.instruments[row["instrument"]["id"]].archive_id]
    assert [v.date for v in entry.versions] == ["2019-03-02", "2023-07-20"]
    assert entry.version_on("2020-01-01").date == "2019-03-02"
    assert entry.version_on(None).date == "2023-07-20"


def test_the_graph_holds_versions_and_the_version_each_citation_points_at(tmp_path):
    from build_graph.build import build_graph
    from build_graph.readers import read_list

    sample = tmp_path / "list.tsv"
    sample.write_text("某某县税务局权责清单\n序号\t权力类型\t权力事项\t实施依据\n"
                      "1\t行政处罚\t对未按规定开具发票的处罚\t《中华人民共和国发票管理办法》第三十三条\n"
                      "2\t行政检查\t发票检查\t《发票管理办法》第三十条\n", encoding="utf-8")
    quads = build_graph([read_list(sample)]).quads
    triples = {(str(q.subject.value), str(q.predicate.value), str(q.object.value)) for q in quads}
    invoices = registry_id("中华人民共和国发票管理办法")
    versions = {o for s, p, o in triples if p.endswith("#is_realized_by") and s.endswith(f"/{invoices}")}
    assert {v.rsplit("/", 1)[1] for v in versions} == {"2019-03-02", "2023-07-20"}
    cited = {o for s, p, o in triples if p.endswith("#citesVersion") and f"/{invoices}/" in o}
    assert {c.rsplit("/", 1)[1] for c in cited} == {"2023-07-20"}
    assert any(p.endswith("#superseded") and o == "true" and s.endswith("2019-03-02") for s, p, o in triples)


def test_a_dated_list_cites_the_version_in_force_on_its_date(tmp_path):
    from build_graph.build import build_graph
    from build_graph.corpus import load_lists

    rows = ("序号\t权力类型\t权力事项\t实施依据\n"
            "1\t行政处罚\t对未按规定开具发票的处罚\t《中华人民共和国发票管理办法》第三十三条\n")
    stated = tmp_path / "stated.tsv"
    stated.write_text("某某县税务局权责清单\n更新时间：2020年5月1日\n" + rows, encoding="utf-8")
    edition = tmp_path / "edition.tsv"
    edition.write_text("某某县税务局权责清单（2024年版）\n" + rows, encoding="utf-8")
    lists = load_lists([stated, edition])
    assert [pl.date for pl in lists] == ["2020-05-01", "2024-01-01"]
    forced = load_lists([edition], date="2019-06-01")[0]
    assert forced.date == "2019-06-01"
    invoices = registry_id("中华人民共和国发票管理办法")

    def cited(power_lists):
        quads = build_graph(power_lists).quads
        return sorted(q.object.value.rsplit("/", 1)[1] for q in quads
                      if q.predicate.value.endswith("#citesVersion") and f"/{invoices}/" in q.object.value)
    assert cited(lists) == ["2019-03-02", "2023-07-20"]
    assert cited([forced]) == ["2019-03-02"]


def test_local_regulations_get_their_level_under_the_legislation_law():
    from build_graph.law.importer import local_level

    assert local_level("景宁畲族自治县城市管理条例") == "separate-regulation"
    assert local_level("延边朝鲜族自治州自治条例") == "autonomous-regulation"
    assert local_level("深圳经济特区数据条例") == "sez-regulation"
    assert local_level("浙江省生活垃圾管理条例") == "local-regulation"
    rows = cite_rows("《彭水苗族土家族自治县旅游条例》第三条；《深圳经济特区数据条例》第二条；《浙江省生活垃圾管理条例》第二条")
    assert [r["instrument"]["level"] for r in rows] == ["单行条例", "经济特区法规", "地方性法规"]
    assert all(r["official_text"] for r in rows)


def registry_id(title: str) -> str:
    return load_registry().archive.find(title).id


# --- the importer on a corpus made here ---------------------------------------------------------

def tiny_corpus(root: Path, *, with_text: bool = True) -> Path:
    (root / "行政法").mkdir(parents=True)
    connection = sqlite3.connect(root / "db.sqlite3")
    connection.execute("create table category (id text, name text, folder text, isSubFolder integer, "
                       "\"group\" text, \"order\" integer)")
    connection.execute("create table law (id text, level text, name text, filename text, publish date, "
                       "expired integer, \"order\" integer, subtitle text, valid_from date, ver integer, "
                       "tags text, category_id text)")
    connection.execute("insert into category values ('c1', '行政法', '行政法', 0, null, 1)")
    for ident, publish, expired in (("a", "2001-01-01", 1), ("b", "2011-06-30", 0)):
        connection.execute("insert into law values (?, '法律', '示例管理法', null, ?, ?, null, null, ?, 1, null, 'c1')",
                           (ident, publish, expired, publish))
        if with_text:
            (root / "行政法" / f"示例管理法({publish}).md").write_text(
                f"# 中华人民共和国示例管理法\n\n2001年1月1日 第九届全国人民代表大会常务委员会第二十次会议通过\n\n"
                + ("" if expired else "2011年6月30日 第十一届全国人民代表大会常务委员会第二十一次会议修正\n\n")
                + "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了示例，制定本法。\n\n"
                + f"第二条 罚款{'一千' if expired else '五千'}元。\n\n有下列情形之一的：\n\n（一）甲；\n\n（二）乙。\n",
                encoding="utf-8")
    connection.commit()
    connection.close()
    return root


def test_importer_builds_versions_status_issuer_and_texts(tmp_path):
    corpus = tiny_corpus(tmp_path / "corpus")
    counts = import_corpus(corpus, tmp_path / "laws.zip", progress=lambda message: None)
    assert counts["instruments"] == {"law": 1} and counts["versions"] == 2 and counts["without_text"] == []
    archive = LawArchive(tmp_path / "laws.zip")
    entry = archive.find("示例管理法")
    assert entry is archive.find("中华人民共和国示例管理法")
    assert entry.level == "law" and entry.status == "amended" and entry.issuer == "全国人民代表大会常务委员会"
    old, new = entry.versions
    assert old.superseded and not new.superseded
    assert archive.articles(old)[2].text.startswith("罚款一千元") and archive.articles(new)[2].text.startswith("罚款五千元")
    assert archive.articles(new)[2].part_text(2, 2) == "（二）乙。"


def test_importing_twice_gives_the_same_bytes(tmp_path):
    corpus = tiny_corpus(tmp_path / "corpus")
    import_corpus(corpus, tmp_path / "one.zip", progress=lambda message: None)
    import_corpus(corpus, tmp_path / "two.zip", progress=lambda message: None)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()


def test_a_folder_that_is_no_corpus_or_has_no_texts_is_refused(tmp_path):
    with pytest.raises(CorpusError, match="no db.sqlite3"):
        import_corpus(tmp_path, tmp_path / "laws.zip", progress=lambda message: None)
    corpus = tiny_corpus(tmp_path / "bare", with_text=False)
    with pytest.raises(CorpusError, match="no laws, regulations or rules with a text file"):
        import_corpus(corpus, tmp_path / "laws.zip", progress=lambda message: None)


def test_the_bundled_archive_holds_every_national_law_and_regulation():
    with zipfile.ZipFile(archive_file()) as archive:
        index = json.loads(archive.read("index.json"))["instruments"]
    levels = {}
    for item in index:
        levels[item["level"]] = levels.get(item["level"], 0) + 1
    assert levels["law"] >= 300 and levels["administrative-regulation"] >= 600
    assert levels["local-regulation"] >= 1800  # the seven provinces of the snapshot
    assert {"separate-regulation", "sez-regulation", "autonomous-regulation"} <= set(levels)
    assert archive_file().stat().st_size < 12_000_000


def test_registry_import_command(tmp_path, capsys):
    from build_graph.cli import main

    corpus = tiny_corpus(tmp_path / "corpus")
    assert main(["registry", "import", str(corpus), "-o", str(tmp_path / "laws.zip")]) == 0
    assert "1 law; 2 versions" in capsys.readouterr().err
    assert LawArchive(tmp_path / "laws.zip").find("示例管理法").status == "amended"
    assert main(["registry", "import", str(tmp_path / "nothing")]) == 2


def test_a_build_does_not_depend_on_what_was_cited_before_it(seed_lists):
    """Archive instruments join the cached registry when first resolved; a later build must not
    emit them unless it cites them."""
    from build_graph.build import build_graph

    before = sorted(map(str, build_graph(list(seed_lists.values())).quads))
    cite_rows("《中华人民共和国食品安全法》第一百二十三条；《发票管理办法》第三条", load_registry())
    after = sorted(map(str, build_graph(list(seed_lists.values())).quads))
    assert before == after
