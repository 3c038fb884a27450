"""The citation grammar for basis text (实施依据): find every cited instrument and provision.

Two steps, as in eyecite: ``tokenize`` finds the pieces (titles, document numbers, orders,
level tags, provision chains, attachments, 全文, enumerators), ``assemble`` walks them in order
with a little state — the instrument last named, whether we are inside quoted article text —
and emits :class:`Citation` records with character spans into the original text.

Rules of assembly (no rule names a particular list):
- instrument tokens separated only by brackets, spaces, 的/文/中 form one instrument;
- a provision chain right after an instrument cites that instrument; one at a clause start
  (after an enumerator, 。；, a line break, or continuing a list with 、) cites the instrument
  last named (bare ``第二十五条``);
- text after a cited provision is quoted article text; inside it a title or provision that does
  not open a clause, or any ``本办法第十条`` reference, is a *quoted* reference, not basis;
- an instrument with no provision after it is cited whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Citation, InstrumentMention
from .normalize import normalize, to_int

N = r"[零〇一二两三四五六七八九十百千\d]+"
_CJK = r"\u4e00-\u9fff"
# Level tags as lists write them → the level (or level family: 法规, 规章) they claim. Per 立法法,
# 法规 is 行政法规 or 地方性法规 (and 自治条例/单行条例, 经济特区法规); 规章 is 部门规章 or 地方政府规章.
LEVEL_TAGS = {"法律": "法律", "国家法律": "法律", "行政法规": "行政法规", "国务院行政法规": "行政法规",
              "地方性法规": "地方性法规", "地方法规": "地方性法规", "省地方性法规": "地方性法规",
              "自治条例": "自治条例", "单行条例": "单行条例", "经济特区法规": "经济特区法规",
              "部门规章": "部门规章", "部委规章": "部门规章", "国务院部门规章": "部门规章",
              "政府规章": "地方政府规章", "地方政府规章": "地方政府规章", "地方规章": "地方政府规章",
              "省政府规章": "地方政府规章", "规章": "规章", "行政规章": "规章", "法规": "法规",
              "规范性文件": "规范性文件", "其他规范性文件": "规范性文件", "行政规范性文件": "规范性文件"}
_TAG_WORDS = "|".join(sorted(LEVEL_TAGS, key=len, reverse=True))
LEVEL = re.compile(rf"[【\[〔]\s*({_TAG_WORDS})\s*[】\]〕]|\(\s*({_TAG_WORDS})\s*\)(?=\s*《)"
                   rf"|(?:(?<=^)|(?<=[\s。;]))({_TAG_WORDS})\s*:(?=\s*《)")
_ORDER_NO = r"\d{1,4}|[零〇一二两三四五六七八九十百千]{1,6}"
ORDER = re.compile(rf"(?P<issuer>[{_CJK}]{{2,24}}?令)\s*(?:[〔\[【(]\s*(?P<year>(?:19|20)\d\d)\s*[〕\]】)]\s*)?"
                   rf"第?\s*(?P<num>{_ORDER_NO})\s*号")
DOCNO = re.compile(rf"(?P<code>[{_CJK}]{{1,24}}?)\s*[〔\[【(]\s*(?P<year>(?:19|20)\d\d)\s*[〕\]】)]\s*第?\s*"
                   rf"(?P<num>\d{{1,4}})\s*\n?\s*号")
_LIST_SEP = r"(?:、|,|及|和|至|到|~)"
# A chain: [第N章] articles (第十六、十七、二十条 / 第八十四条至第八十六条), then paragraphs and items in
# any list form (第一款、第二款 / 第一、二款 / 第（一）、（二）项 / 第一款第（一）项、第二款第（三）项); the
# tail may only end on 款 or 项, so numbers of quoted text after the article are never taken.
_MARKED = rf"(?:第\s*(?:\(\s*{N}\s*\)|{N})|\(\s*{N}\s*\))"  # 第一 / 第（一） / （一）
_TAIL_MEMBER = (rf"\s*(?:{_MARKED}|(?:、|,|及|和|或|至|到|~)\s*(?:{_MARKED}|{N}))\s*(?:款|项)?")
CHAIN = re.compile(
    rf"(?:第\s*{N}\s*章\s*)?(?:第\s*)?{N}(?:\s*条)?(?:\s*{_LIST_SEP}\s*(?:第\s*)?{N}(?:\s*条)?)*\s*条"
    rf"(?:\s*{_MARKED}\s*(?:款|项)?(?:{_TAIL_MEMBER})*(?<=[款项]))?"
    rf"|第\s*{N}\s*章(?!\s*(?:第\s*)?{N}\s*条)")
_ENUMERATOR_BEFORE = re.compile(rf"{N}\s*[、.]\s*(?=第)")  # "1、第八十四条": 1 numbers the entry
_CATALOGUE_ITEM = rf"(?:\s*(?:的|中)?\s*(?:目录|清单|名录|事项表)?\s*(?:中|的)?\s*(?:第\s*(?P<item>{N})\s*项|序号\s*(?P<seq>\d+)))?"
ATTACH = re.compile(rf"(?P<att>附件\s*(?:{N})?(?:\s*[、,和及]\s*附件\s*{N}|\s*[、,]\s*{N}(?=\s*[、,(]|\s*$))*)"
                    + _CATALOGUE_ITEM)
WHOLE = re.compile(r"全\s*文|全部内容")
ENUM = re.compile(r"(?:(?<=^)|(?<=[\s。;,)\]》〕号]))(?:\d{1,2}\s*[.、](?!\d)|[①-⑳])")
BARE_TITLE = re.compile(
    rf"[{_CJK}()]{{4,40}}?(?:办法|规定|条例|细则|规程|手册|方案|意见|目录|规范|标准|决定)(?:\((?:试行|暂行)\))?"
    rf"(?=\s*(?:第|全\s*文|\(|$|[;。\n]))")
_ISSUER_END = re.compile(r"(局|厅|部|委|府|院|会|中心|办公室|署|总局)$")
_SELF_REFERENCE = re.compile(r"(本法|本办法|本条例|本规定|本细则|本实施细则|本决定|本通知|本规程|本方案)\s*$")
_BACK_REFERENCE = re.compile(r"(?:该|同|上述|前述)(?:法|法律|条例|办法|规定|细则)\s*$")
_BOUNDARY_CHARS = "。;\n"


@dataclass
class Token:
    kind: str
    start: int
    end: int
    data: dict = field(default_factory=dict)


def _numbers(fragment: str) -> list[int]:
    return [n for n in (to_int(x) for x in re.findall(N, fragment)) if n is not None]


_CHAIN_PIECE = re.compile(rf"(?P<range>至|到|~)|(?:第\s*)?(?P<open>\(\s*)?(?P<num>{N})\s*(?(open)\))\s*(?P<unit>章|条|款|项)?")


def parse_chain(text: str) -> dict:
    """A provision chain → {chapter, targets: [(article, paragraph, item)], articles: [int],
    paragraph, item} (the last two: those of the first target).

    Each number takes its own unit, or the next unit written after it (第十六、十七、二十条;
    第（一）、（二）项; a bracketed number alone is an item); 至 between two numbers of one unit
    fills the range; a paragraph belongs to the article before it, an item to the paragraph (or
    article) before it: 第十条、第十一条第二款第（一）项 → (10,-,-), (11,2,1)."""
    pieces: list[list] = []  # [unit, number] or ["range"]
    for match in _CHAIN_PIECE.finditer(text):
        if match.group("range"):
            pieces.append(["range", None])
        elif (number := to_int(match.group("num"))) is not None:
            pieces.append([match.group("unit") or ("项" if match.group("open") else None), number])
    following = None
    for piece in reversed(pieces):  # a number without unit takes the next unit written
        if piece[0] == "range":
            continue
        if piece[0] is None:
            piece[0] = following
        following = piece[0]
    expanded: list[tuple[str, int]] = []
    for index, (unit, number) in enumerate(pieces):
        if unit == "range":
            continue
        if index >= 2 and pieces[index - 1][0] == "range" and expanded and expanded[-1][0] == unit:
            expanded.extend((unit, n) for n in range(expanded[-1][1] + 1, number))
        expanded.append((unit, number))
    chapter = None
    articles: list[dict] = []  # {number, paragraphs: {number: [items]}, items: [items without paragraph]}
    for unit, number in expanded:
        if unit == "章":
            chapter = number
        elif unit == "条" or not articles:
            if unit in ("条", None):
                articles.append({"number": number, "paragraphs": {}, "items": []})
        elif unit == "款":
            articles[-1]["paragraphs"].setdefault(number, [])
            articles[-1]["last_paragraph"] = number
        elif unit == "项":
            last = articles[-1].get("last_paragraph")
            (articles[-1]["paragraphs"][last] if last is not None else articles[-1]["items"]).append(number)
    targets: list[tuple] = []
    for article in articles:
        number = article["number"]
        for paragraph, items in article["paragraphs"].items():
            targets.extend((number, paragraph, item) for item in items or [None])
        targets.extend((number, None, item) for item in article["items"])
        if not article["paragraphs"] and not article["items"]:
            targets.append((number, None, None))
    first = targets[0] if targets else (None, None, None)
    return {"chapter": chapter, "targets": targets or [(None, None, None)],
            "articles": list(dict.fromkeys(a["number"] for a in articles)),
            "paragraph": first[1], "item": first[2]}


def _doc_code(code: str) -> str:
    """Trim an issuer name glued before a 机关代字: 石家庄市人力资源和社会保障局石人社字 → 石人社字."""
    code = re.split(r"[\s()《》〈〉<>,、;:。条款项章和及与的号据照]", code)[-1]
    if len(code) > 6:
        cut = max(code.rfind(ch) for ch in "局厅委府院会心室")
        if 0 <= cut < len(code) - 2:
            code = code[cut + 1:]
    return code


def canonical_doc_number(code: str, year: str | None, number: str) -> str:
    return f"{code}〔{year}〕{int(number)}号" if year else f"{code}{int(number)}号"


def canonical_order(issuer: str, year: str | None, number: str) -> str:
    issuer = re.sub(r"^中华人民共和国", "", issuer)
    number = to_int(number)
    return f"{issuer}〔{year}〕第{number}号" if year else f"{issuer}第{number}号"


_SUBSTITUTE_CLOSERS = ">〉」』】\"”"
_TITLE_STOP = re.compile(rf"\((?=[^)]{{0,30}}(?:19|20)\d\d)|[;。\n]|(?<=[{_CJK})])(?=\s*第\s*{N}\s*[条章])")


def _title_end(t: str, start: int) -> tuple[int, bool]:
    """End (exclusive) of a 《…》 title starting at ``start``; (end, closed?).

    A title whose 》 is missing ends at a substitute closer (〉 > 」 】 ” with no opener of its
    own inside the title), else before a provision (第N条), a dated parenthetical or the clause end."""
    depth = 0
    for pos in range(start, min(len(t), start + 160)):
        ch = t[pos]
        if ch == "《":
            depth += 1
        elif ch == "》":
            depth -= 1
            if depth == 0:
                return pos + 1, True
        elif ch in ";。\n" and depth <= 1:
            break
    match = _TITLE_STOP.search(t, start + 1)
    stop = match.start() if match else len(t)
    inner = t[start + 1:stop]
    for pos, ch in enumerate(inner):
        if ch in _SUBSTITUTE_CLOSERS and not re.search(r"[〈<「『【\"“]", inner[:pos]):
            return start + 1 + pos + 1, True
    return stop, False


def _split_nested(title: str) -> tuple[str, str | None]:
    """(cited title, promulgating notice title or None) for a title's inner text."""
    inner = re.search(r"[〈<《]\s*([^〈〉<>《》]+?)\s*[〉>》]", title)
    if inner and re.search(r"印发\s*[〈<《]", title):
        return inner.group(1), title
    if match := re.fullmatch(rf"(?:.*?)关于印发\s*([{_CJK}()、,]+?)\s*的通知", title):
        return match.group(1), title
    if "转发" not in title and (match := re.fullmatch(
            rf"([{_CJK}()、,]+?(?:办法|规定|细则|规程|方案|意见|目录|规范|标准|条例)(?:\((?:试行|暂行)\))?)\s*的通知", title)):
        return match.group(1), title  # 《X办法的通知》: a notice title with 关于印发 dropped
    return title.strip(), None


def tokenize(t: str) -> list[Token]:
    """All tokens of normalised text ``t``, sorted by start; overlapping ones are dropped."""
    tokens: list[Token] = []
    for match in LEVEL.finditer(t):
        tag = next(group for group in match.groups() if group)
        tokens.append(Token("level", match.start(), match.end(), {"level": LEVEL_TAGS[tag]}))
    pos = 0
    while (start := t.find("《", pos)) >= 0:
        while start + 1 < len(t) and t[start + 1] == "《":
            start += 1  # 《《title》: a doubled bracket
        end, closed = _title_end(t, start)
        raw = t[start + 1: end - 1 if closed else end]
        title, notice = _split_nested(raw)
        tail = re.match(r"\s*的通知", t[end:])
        head = re.search(r"关于印发\s*$", t[max(0, start - 8):start])
        transmit = re.search(r"关于转发[^;。\n《》]*$", t[max(0, start - 40):start])
        if tail and transmit:
            # a notice transmitting another document: the notice itself is what is cited
            title, notice = transmit.group(0) + f"《{raw}》的通知", None
            start -= len(transmit.group(0))
            end += tail.end()
        elif tail and not notice:
            notice = (("关于印发" if head else "") + f"《{raw}》的通知")
            end += tail.end()
            if head:
                start -= len(head.group(0))
        edition = _EDITION.search(title)
        tokens.append(Token("title", start, end, {"title": title, "promulgated_by": notice, "closed": closed,
                                                  "edition": edition.group(0) if edition else None}))
        pos = max(end, start + 1)
    for match in ORDER.finditer(t):
        # a date glued before the issuer (2021年1月15日国务院令第735号) is not part of it
        issuer = re.sub(r"^.*[年月日]", "", match.group("issuer"))
        if len(issuer) < 2:
            continue
        tokens.append(Token("docno", match.end("issuer") - len(issuer), match.end(), {
            "doc_number": canonical_order(issuer, match.group("year"), match.group("num"))}))
    for match in DOCNO.finditer(t):
        code = _doc_code(match.group("code"))
        if code.endswith("令"):
            continue
        start = match.start("code") + match.group("code").rfind(code)
        tokens.append(Token("docno", start, match.end(), {
            "doc_number": canonical_doc_number(code, match.group("year"), match.group("num"))}))
    for match in CHAIN.finditer(t):
        start = match.start()
        if enumerator := _ENUMERATOR_BEFORE.match(match.group(0)):
            start += enumerator.end()  # "1、第八十四条": the entry's number is no article
            tokens.append(Token("enum", match.start(), start))
        tokens.append(Token("chain", start, match.end(), parse_chain(t[start:match.end()])))
    for match in ATTACH.finditer(t):
        text, end = match.group("att"), match.end()
        numbers = [to_int(x) for x in re.findall(N, text)]
        digits = re.search(r"(\d{2,})\s*$", text)
        if digits and end == match.end("att") and re.match(r"[.、][^\d]", t[end:end + 2]):
            # "附件 32.石家庄": the last digit is the next entry's enumerator, glued by wrapping
            numbers[-1] = to_int(digits.group(1)[:-1])
            end -= 1
        catalogue_item = match.group("item") or match.group("seq")
        # 附件第205项: an item of the catalogue of a document's one unnumbered attachment
        tokens.append(Token("attach", match.start(), end, {
            "numbers": [n for n in numbers if n] or [1 if catalogue_item else None],
            "item": to_int(catalogue_item) if catalogue_item else None}))
    for match in WHOLE.finditer(t):
        tokens.append(Token("whole", match.start(), match.end()))
    for match in ENUM.finditer(t):
        tokens.append(Token("enum", match.start(), match.end()))
    tokens.extend(Token("enum", m.start(), m.end()) for m in re.finditer(r"\n", t))
    tokens.sort(key=lambda tok: (tok.start, -(tok.end - tok.start)))
    kept: list[Token] = []
    for token in tokens:
        if kept and token.start < kept[-1].end:
            if token.kind == "enum" and kept[-1].kind == "attach":
                kept.append(Token("enum", kept[-1].end, kept[-1].end))
            continue
        kept.append(token)
    return kept


def _clause_start(t: str, pos: int, tokens_before: list[Token]) -> bool:
    """True when ``pos`` opens a clause: start, after an enumerator, 。；, or a line break."""
    back = pos
    while back > 0 and t[back - 1] in " \t":
        back -= 1
    if back == 0:
        return True
    if tokens_before and tokens_before[-1].kind in ("enum", "level") and tokens_before[-1].end >= back:
        return True
    return t[back - 1] in _BOUNDARY_CHARS


def _bare_titles(t: str, tokens: list[Token]) -> list[Token]:
    """Titles written without 《》 at a clause start, before a provision, 全文 or the clause end."""
    found = []
    starts = [0] + [tok.end for tok in tokens if tok.kind == "enum"] + [m.end() for m in re.finditer(r"[;。]", t)]
    for start in sorted(set(starts)):
        while start < len(t) and t[start] == " ":
            start += 1
        match = BARE_TITLE.match(t, start)
        if match and not any(tok.start < match.end() and tok.end > match.start() for tok in tokens):
            found.append(Token("title", match.start(), match.end(), {"title": match.group(0), "promulgated_by": None, "closed": False}))
    return found


_NOTE_WORDS = re.compile(r"(?:19|20)\d\d\s*年|令|号|通过|修正|修订|修改|公布|施行|发布|颁布|印发|废止|失效|试行|版|本|简称")
_EDITION = re.compile(r"(?:19|20)\d\d\s*年?\s*(?:修订|修正|修改)?\s*(?:版|本)|(?:19|20)\d\d\s*年?\s*(?:修订|修正|修改)")


def promulgation_note(t: str, pos: int) -> tuple[int, str | None] | None:
    """A parenthetical right at ``pos`` that carries the instrument's own promulgation or
    enactment (order or document number, date, 发布/颁布/通过/修正, an edition such as 2019年版,
    试行, 已废止) or its short name (以下简称…): (its end, the edition it names or None); None when
    there is none."""
    match = re.match(r"\s*\(", t[pos:pos + 4])
    if not match:
        return None
    depth, open_at = 0, pos + match.end() - 1
    for end in range(open_at, min(len(t), open_at + 240)):
        depth += {"(": 1, ")": -1}.get(t[end], 0)
        if t[end] in ";。\n" or depth == 0:
            break
    if depth != 0 or t[end] != ")":
        return None
    content = t[open_at + 1:end]
    if not _NOTE_WORDS.search(content):
        return None
    edition = _EDITION.search(content)
    return end + 1, (edition.group(0) if edition else None)


_GROUP_GAP = re.compile(r"^[\s()\[\]【】〔〕、的文中:,]*$")
_ATTACH_GAP = re.compile(r"^[\s()\[\]【】〔〕,:的文中]*$")


def _issuer_before(t: str, start: int) -> str | None:
    match = re.search(rf"([{_CJK}、]{{2,40}})\s*$", t[max(0, start - 40):start])
    if match:
        issuer = re.sub(r"关于(?:印发|转发)?$", "", match.group(1))
        if _ISSUER_END.search(issuer):
            return issuer
    return None


_CONNECTORS = re.compile(r"以及|和|及|与|、|等|的规定|规定|之规定|的|[\s,:;()。]")


def _quote_follows(t: str, end: int, tokens: list[Token], next_index: int) -> bool:
    """True when real text (not a connector like 和/及/的规定) follows a citation: a quote."""
    stop = tokens[next_index].start if next_index < len(tokens) else len(t)
    return len(re.findall(rf"[{_CJK}]", _CONNECTORS.sub("", t[end:stop]))) >= 2


_ANGLE_TITLE = re.compile(rf"(<<|<|〈)\s*([{_CJK}()、,\d]{{2,60}}?(?:法|条例|办法|规定|细则|决定|通知|意见|目录|规范|标准|方案|规则)"
                          rf"(?:\((?:试行|暂行)\))?)\s*(>>|>|〉)")


def _angle_titles(t: str) -> str:
    """``<<X法>>``, ``<X条例>``, ``〈X办法〉`` outside any 《》 → ``《X法》`` (same length)."""
    def outside(pos: int) -> bool:
        return t.count("《", 0, pos) <= t.count("》", 0, pos)

    def replace(match: re.Match) -> str:
        if not outside(match.start()):
            return match.group(0)
        opener, closer = match.group(1), match.group(3)
        body = match.group(0)[len(opener):len(match.group(0)) - len(closer)]
        return "《" + " " * (len(opener) - 1) + body + " " * (len(closer) - 1) + "》"
    return _ANGLE_TITLE.sub(replace, t)


def find_citations(text: str) -> list[Citation]:
    """Every citation in ``text`` (basis and quoted), in text order, spans into ``text``."""
    t = _angle_titles(normalize(text))
    tokens = tokenize(t)
    tokens = sorted(tokens + _bare_titles(t, tokens), key=lambda tok: tok.start)
    citations: list[Citation] = []
    current: InstrumentMention | None = None
    current_basis_index: int | None = None
    in_quote = False
    pending_level: str | None = None
    last_chain_end = -10
    i = 0

    pending_whole: Citation | None = None  # a whole-document citation later bare provisions may replace
    last_basis_end = -10
    holder: dict[int, Citation] = {}  # id(quoted citation) → basis citation whose quote holds it

    def emit(instrument, start, end, role, **parts):
        nonlocal last_basis_end
        citation = Citation(instrument=instrument, span=(start, end), role=role, text=text[start:end], **parts)
        if role == "quoted" and current_basis_index is not None:
            holder[id(citation)] = citations[current_basis_index]
        if role == "basis":
            last_basis_end = end
        citations.append(citation)
        return len(citations) - 1

    while i < len(tokens):
        token = tokens[i]
        before = tokens[:i]
        if token.kind == "level":
            pending_level = token.data["level"]
            i += 1
            continue
        if token.kind == "enum":
            in_quote = False
            i += 1
            continue
        if token.kind == "whole":
            if re.fullmatch(r"[\s、,:()]*", t[last_basis_end:token.start]):
                last_basis_end = token.end  # 第三、四、五条全部内容，附件一…: the list goes on
            i += 1
            continue
        if token.kind in ("title", "docno"):
            # gather one instrument: titles and numbers separated by brackets only, and the
            # parentheticals of its own promulgation (…通过，…修正 / 国务院令第735号发布 / 2019年版)
            group, edition = [token], None
            j = i + 1
            while True:
                if (note := promulgation_note(t, group[-1].end)) is not None:
                    note_end, edition = note[0], note[1] or edition
                    inside = [tok for tok in tokens[j:] if tok.start < note_end]
                    group.extend(tok for tok in inside if tok.kind == "docno")
                    group.append(Token("note", group[-1].end, note_end))
                    j += len(inside)
                elif j < len(tokens) and tokens[j].kind in ("title", "docno") and \
                        _GROUP_GAP.match(t[group[-1].end:tokens[j].start]) and \
                        not (tokens[j].kind == "title" and any(g.kind == "title" for g in group)):
                    group.append(tokens[j])
                    j += 1
                else:
                    break
            titles = [g for g in group if g.kind == "title"]
            numbers = [g for g in group if g.kind == "docno"]
            start, end = group[0].start, group[-1].end
            mention = InstrumentMention(
                title=titles[0].data["title"] if titles else None,
                doc_number=numbers[0].data["doc_number"] if numbers else None,
                promulgated_by=titles[0].data["promulgated_by"] if titles else None,
                issuer=_issuer_before(t, start), level_tag=pending_level, span=(start, end),
                edition=edition or (titles[0].data.get("edition") if titles else None))
            pending_level = None
            opens_clause = _clause_start(t, start, before) or (
                mention.issuer is not None and _clause_start(t, start - len(mention.issuer), before))
            role = "quoted" if in_quote and not opens_clause else "basis"
            if role == "basis":
                current, in_quote = mention, False
            # what follows the instrument: attachments, provisions, 全文
            attached = False
            k = j
            attachment_numbers: list[int | None] = [None]
            attachment_title = catalogue_item = None
            if k < len(tokens) and tokens[k].kind == "attach" and _ATTACH_GAP.match(t[end:tokens[k].start]):
                attachment_numbers, catalogue_item = tokens[k].data["numbers"], tokens[k].data["item"]
                end = tokens[k].end
                k += 1
                if k < len(tokens) and tokens[k].kind == "title" and _ATTACH_GAP.match(t[end:tokens[k].start]):
                    attachment_title = tokens[k].data["title"]
                    end = tokens[k].end
                    k += 1
                attached = True
            if attachment_title:
                mention.attachment_title = attachment_title
            if k < len(tokens) and tokens[k].kind == "chain" and _ATTACH_GAP.match(t[end:tokens[k].start]):
                chain = tokens[k]
                for number in attachment_numbers:
                    for article, paragraph, item in chain.data["targets"]:
                        index = emit(mention, start, chain.end, role, chapter=chain.data["chapter"], article=article,
                                     paragraph=paragraph, item=item, attachment=number)
                if role == "basis":
                    current_basis_index = index
                last_chain_end = chain.end
                if role == "basis":
                    in_quote = _quote_follows(t, chain.end, tokens, k + 1)
                i = k + 1
                continue
            whole_follows = k < len(tokens) and tokens[k].kind == "whole" and _ATTACH_GAP.match(t[end:tokens[k].start])
            for number in attachment_numbers:
                index = emit(mention, start, tokens[k].end if whole_follows else end, role, attachment=number,
                             item=catalogue_item, whole=catalogue_item is None)
            if role == "basis":
                current_basis_index = index
                pending_whole = citations[index] if not attached and not whole_follows else None
            i = k + (1 if whole_follows else 0)
            if not attached and not whole_follows and role == "basis":
                in_quote = _quote_follows(t, end, tokens, i)  # text after a whole document may quote it
            continue
        if token.kind == "chain":
            self_ref = _SELF_REFERENCE.search(t[max(0, token.start - 8):token.start])
            continues_list = re.fullmatch(r"\s*[、,及和]\s*", t[last_chain_end:token.start] or "x") is not None
            opens_clause = _clause_start(t, token.start, before) or (
                _BACK_REFERENCE.search(t[max(0, token.start - 8):token.start]) is not None)
            if current is None:
                role = "quoted"
            elif self_ref or (in_quote and not opens_clause and not continues_list):
                role = "quoted"
            elif opens_clause or continues_list or not in_quote:
                role = "basis"
            else:
                role = "quoted"
            instrument = current or InstrumentMention(span=(token.start, token.start))
            if role == "basis" and pending_whole is not None and pending_whole.instrument is instrument:
                # 《…》 then, on the next lines, 第十五条…第十六条…: the provisions are what is cited
                citations.remove(pending_whole)
                pending_whole = None
            for article, paragraph, item in token.data["targets"]:
                index = emit(instrument, token.start, token.end, role, chapter=token.data["chapter"],
                             article=article, paragraph=paragraph, item=item)
            if role == "basis":
                current_basis_index = index
                in_quote = _quote_follows(t, token.end, tokens, i + 1)
                last_chain_end = token.end
            i += 1
            continue
        if token.kind == "attach":
            opens_clause = _clause_start(t, token.start, before)
            continues_list = re.fullmatch(r"[\s、,和及()]*", t[last_basis_end:token.start]) is not None
            if current is not None and (opens_clause or not in_quote or continues_list):
                k = i + 1
                whole_follows = k < len(tokens) and tokens[k].kind == "whole" and _ATTACH_GAP.match(t[token.end:tokens[k].start])
                end = tokens[k].end if whole_follows else token.end
                item = token.data["item"]
                for number in token.data["numbers"]:
                    current_basis_index = emit(current, token.start, end, "basis", attachment=number, item=item,
                                               whole=item is None)
                i = k + (1 if whole_follows else 0)
                continue
            i += 1
            continue
        i += 1
    position = {id(c): n for n, c in enumerate(citations)}
    for citation in citations:
        if id(citation) in holder:
            citation.quoted_in = position.get(id(holder[id(citation)]))
    return citations
