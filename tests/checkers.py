"""Checkers that prove the rendered documents accessible, for every test to reuse.

Each wraps a real tool (axe-core in Chromium, the Nu Html Checker,
page-validation, LibreOffice, poppler) or reads the file format directly
(pikepdf, OOXML). A missing tool skips the test with the reason, except on CI
(``CI`` set), where it fails: run ``scripts/setup.sh --checkers``.
"""
from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "node_modules"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path(os.environ.get("REPORTGEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SETUP_HINT = "run scripts/setup.sh --checkers"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


def require(ok: bool, what: str) -> None:
    """Skip (locally) or fail (on CI) when a checker's tool is missing."""
    if ok:
        return
    message = f"{what} is not available: {SETUP_HINT}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- contrast -------------------------------------------------------------------

def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` (or ``#RGB``) colours."""
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- HTML: axe-core in Chromium -------------------------------------------------

class _Browser:
    """One headless Chromium per test session (starting it is the slow part)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.playwright = None
        self.browser = None

    def get(self):
        with self.lock:
            if self.browser is None:
                from playwright.sync_api import sync_playwright

                self.playwright = sync_playwright().start()
                self.browser = self.playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            return self.browser

    def close(self) -> None:
        with self.lock:
            if self.browser is not None:
                try:
                    self.browser.close()
                finally:
                    self.playwright.stop()
                    self.browser = self.playwright = None


_BROWSER = _Browser()
atexit.register(_BROWSER.close)


def browser():
    """The session's one headless Chromium (Playwright), for tests that drive a page themselves."""
    return _BROWSER.get()


def close_browser() -> None:
    _BROWSER.close()


def axe_violations(html_path: str | Path, *, tags: Iterable[str] = AXE_TAGS) -> list[dict]:
    """Run axe-core on a local HTML file in headless Chromium; return its violations."""
    try:
        import playwright  # noqa: F401
        have_playwright = True
    except ImportError:
        have_playwright = False
    require(have_playwright, "Playwright for Python")
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    require(AXE_JS.exists(), f"axe-core ({AXE_JS})")
    browser = _BROWSER.get()
    context = browser.new_context(viewport={"width": 1280, "height": 1024},
                                  java_script_enabled=True, offline=True)
    try:
        page = context.new_page()
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            list(tags),
        )
    finally:
        context.close()
    return result["violations"]


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} at {targets}")
    return "\n".join(lines)


# --- HTML: the Nu Html Checker ---------------------------------------------------

def vnu_messages(*html_paths: str | Path) -> dict[str, list[str]]:
    """Validate several files in one Java start; {path: [error messages]}."""
    java = shutil.which("java")
    require(java is not None, "Java")
    require(VNU_JAR.exists(), f"the Nu Html Checker ({VNU_JAR})")
    paths = [str(Path(p).resolve()) for p in html_paths]
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout", *paths],
        capture_output=True, text=True, timeout=300,
    )
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise AssertionError(f"vnu gave no JSON (exit {proc.returncode}): {proc.stderr[:2000]}") from exc
    found: dict[str, list[str]] = {p: [] for p in paths}
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        path = url[len("file:"):] if url.startswith("file:") else url
        path = re.sub(r"^/+", "/", path)
        text = f"line {message.get('lastLine', '?')}: {message.get('message')}"
        extract = message.get("extract")
        if extract:
            text += f" [{extract.strip()[:120]}]"
        found.setdefault(path, []).append(text)
    return found


def vnu_errors(html_path: str | Path, *more: str | Path) -> list[str]:
    """Errors the Nu Html Checker reports for one or more files (batched in one call)."""
    by_file = vnu_messages(html_path, *more)
    return [f"{Path(p).name}: {m}" for p, messages in by_file.items() for m in messages]


# --- PDF ----------------------------------------------------------------------

def pdfua_failures(pdf_path: str | Path) -> list[dict]:
    """PDF/UA-1 rules the file fails, from page-validation (each: rule_id, message, object)."""
    try:
        import page
    except ImportError:
        require(False, "page-validation")
    report = page.validate_pdf(str(pdf_path), profile="ua1")
    failures = []
    for f in report.failures:
        obj = f.object_id
        failures.append({
            "rule_id": f.rule_id,
            "message": f.message,
            "object": f"{obj.object_number} {obj.generation} R" if obj is not None else None,
            "category": getattr(f.category, "value", str(f.category)),
        })
    return failures


def _kids(elem) -> list:
    import pikepdf

    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _is_elem(obj) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _struct_elements(pdf) -> list:
    """Every structure element, depth first, in reading order."""
    out = []

    def visit(elem):
        for kid in _kids(elem):
            if _is_elem(kid):
                out.append(kid)
                visit(kid)

    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:
        visit(tree)
    return out


def _fonts_embedded(pdf) -> tuple[bool, list[str]]:
    import pikepdf

    missing: list[str] = []
    seen: set = set()

    def check_font(font) -> None:
        key = font.objgen if font.is_indirect else id(font)
        if key in seen:
            return
        seen.add(key)
        subtype = font.get("/Subtype")
        if subtype == "/Type0":
            for descendant in font.get("/DescendantFonts", []):
                check_font(descendant)
            return
        if subtype == "/Type3":
            return  # glyphs are content streams inside the font
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(str(font.get("/BaseFont", "?")))

    def check_resources(resources) -> None:
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            check_font(font)
        for xobject in (resources.get("/XObject") or {}).values():
            key = ("x", xobject.objgen) if xobject.is_indirect else None
            if key in seen:
                continue
            if key:
                seen.add(key)
            if xobject.get("/Subtype") == "/Form":
                check_resources(xobject.get("/Resources"))
        for pattern in (resources.get("/Pattern") or {}).values():
            if isinstance(pattern, pikepdf.Stream):
                check_resources(pattern.get("/Resources"))

    for pg in pdf.pages:
        check_resources(pg.obj.get("/Resources"))
    return not missing, missing


def pdf_facts(pdf_path: str | Path) -> dict[str, Any]:
    """What a reader relies on, read with pikepdf."""
    import pikepdf

    with pikepdf.open(str(pdf_path)) as pdf:
        root = pdf.Root
        with pdf.open_metadata() as meta:
            part = meta.get("pdfuaid:part")
            xmp_title = meta.get("dc:title")
        viewer = root.get("/ViewerPreferences") or {}
        elements = _struct_elements(pdf)
        tables = []
        for elem in elements:
            if elem.S != "/Table":
                continue
            kids = [k for k in _kids(elem) if _is_elem(k)]
            rows = 0
            head_rows = 0
            for kid in kids:
                if kid.S == "/TR":
                    rows += 1
                elif kid.S in ("/THead", "/TBody", "/TFoot"):
                    n = sum(1 for r in _kids(kid) if _is_elem(r) and r.S == "/TR")
                    rows += n
                    if kid.S == "/THead":
                        head_rows += n
            tables.append({
                "rows": rows,
                "thead_rows": head_rows,
                "theads": sum(1 for k in kids if k.S == "/THead"),
                "tbodies": sum(1 for k in kids if k.S == "/TBody"),
                "captions": sum(1 for k in kids if k.S == "/Caption"),
            })
        all_embedded, missing = _fonts_embedded(pdf)
        info = pdf.docinfo
        return {
            "lang": str(root.get("/Lang", "")),
            "title": str(info.get("/Title", "")),
            "xmp_title": xmp_title,
            "author": str(info.get("/Author", "")),
            "subject": str(info.get("/Subject", "")),
            "keywords": str(info.get("/Keywords", "")),
            "created": str(info.get("/CreationDate", "")),
            "modified": str(info.get("/ModDate", "")),
            "display_doc_title": bool(viewer.get("/DisplayDocTitle", False)),
            "marked": bool((root.get("/MarkInfo") or {}).get("/Marked", False)),
            "pdfua_part": part,
            "pages": len(pdf.pages),
            "figure_alts": [str(e.get("/Alt", "")) for e in elements if e.S == "/Figure"],
            "headings": [str(e.S)[1:] for e in elements if re.fullmatch(r"/H[1-6]", str(e.S))],
            "tables": tables,
            "table_count": len(tables),
            "table_rows": [t["rows"] for t in tables],
            "parts": sum(1 for e in elements if e.S == "/Part"),
            "fonts_embedded": all_embedded,
            "fonts_not_embedded": missing,
        }


def pdf_text(pdf_path: str | Path, *, raw: bool = False) -> str:
    """The PDF's text in reading order (``pdftotext`` without ``-layout``), so a wrapped cell stays together.

    ``raw``: in content-stream order (``-raw``), which for WeasyPrint's output is the
    tagged order; poppler's reading-order guess can put a repeated header row or a
    row at a page's foot among its neighbours."""
    exe = shutil.which("pdftotext")
    require(exe is not None, "pdftotext (poppler-utils)")
    return subprocess.run([exe, "-enc", "UTF-8", *(["-raw"] if raw else []), str(pdf_path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout


# --- Word -----------------------------------------------------------------------

#: page-validation's rule for "a page with annotations has /Tabs /S".
TABS_RULE = "PDFUA1-PAGE-TABS-001"


def libreoffice_tabs_bug(pdf_path: str | Path) -> bool:
    """True when every page with annotations has ``/Tabs`` as the *string* ``(S)``.

    LibreOffice 7.4 writes ``/Tabs(S)`` where ISO 32000-1 (table 30) wants the
    name ``/Tabs/S``; nothing in the .docx decides it.
    """
    import pikepdf

    with pikepdf.open(str(pdf_path)) as pdf:
        tabs = [p.obj.get("/Tabs") for p in pdf.pages if "/Annots" in p.obj]
    return bool(tabs) and all(isinstance(t, pikepdf.String) and str(t) == "S" for t in tabs)


def libreoffice_pdfua_failures(pdf_path: str | Path) -> list[dict]:
    """PDF/UA-1 failures of a LibreOffice export, less LibreOffice's own ``/Tabs(S)`` bug.

    The /Tabs failure is set aside only when it is proven to be that bug: every
    annotated page carries the string ``(S)``, and a copy with just that token
    made the name ``/S`` is validated again; what that copy fails is returned.
    """
    failures = pdfua_failures(pdf_path)
    if not any(f["rule_id"] == TABS_RULE for f in failures) or not libreoffice_tabs_bug(pdf_path):
        return failures
    import pikepdf

    with tempfile.TemporaryDirectory(prefix="tabs-") as tmp:
        fixed = Path(tmp) / "tabs-fixed.pdf"
        with pikepdf.open(str(pdf_path)) as pdf:
            for page in pdf.pages:
                if isinstance(page.obj.get("/Tabs"), pikepdf.String):
                    page.obj.Tabs = pikepdf.Name.S
            pdf.save(fixed)
        return pdfua_failures(fixed)


def docx_to_pdf(docx_path: str | Path, out_dir: str | Path, *, timeout: int = 240) -> Path:
    """Export a .docx to PDF/UA with LibreOffice (private profile); return the PDF's path."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    require(exe is not None, "LibreOffice (soffice)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        filt = 'pdf:writer_pdf_Export:{"PDFUACompliance":{"type":"boolean","value":"true"}}'
        proc = subprocess.run(
            [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
             "--convert-to", filt, "--outdir", str(out_dir), str(docx_path)],
            capture_output=True, text=True, timeout=timeout,
        )
    pdf = out_dir / (Path(docx_path).stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise AssertionError(f"LibreOffice export failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return pdf


def convert_with_libreoffice(path: str | Path, out_dir: str | Path, to: str, *, timeout: int = 240) -> Path:
    """Open ``path`` in LibreOffice (private profile) and save it as ``to`` (an extension such as "xlsx")."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    require(exe is not None, "LibreOffice (soffice)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        proc = subprocess.run(
            [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out_dir), str(path)],
            capture_output=True, text=True, timeout=timeout,
        )
    out = out_dir / f"{Path(path).stem}.{to}"
    if proc.returncode != 0 or not out.exists():
        raise AssertionError(f"LibreOffice could not open {Path(path).name} ({proc.returncode}): "
                             f"{proc.stdout}\n{proc.stderr}")
    return out


def _xml(zf: zipfile.ZipFile, name: str):
    from lxml import etree

    return etree.fromstring(zf.read(name))


def docx_facts(docx_path: str | Path) -> dict[str, Any]:
    """The OOXML facts readers rely on, read straight from the package."""
    with zipfile.ZipFile(str(docx_path)) as zf:
        styles = _xml(zf, "word/styles.xml")
        document = _xml(zf, "word/document.xml")
        core = _xml(zf, "docProps/core.xml")
        settings = _xml(zf, "word/settings.xml") if "word/settings.xml" in zf.namelist() else None
        zip_dates = {info.date_time for info in zf.infolist()}
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    style_names: dict[str, str] = {}
    normal_lang = None
    colours: dict[str, str] = {}
    for style in styles.iter(f"{W}style"):
        sid = style.get(f"{W}styleId")
        name_el = style.find(f"{W}name")
        name = name_el.get(f"{W}val") if name_el is not None else sid
        style_names[sid] = name
        colour = style.find(f"{W}rPr/{W}color")
        if colour is not None:
            colours[name] = colour.get(f"{W}val")
        if style.get(f"{W}default") == "1" and style.get(f"{W}type") == "paragraph":
            lang = style.find(f"{W}rPr/{W}lang")
            normal_lang = lang.get(f"{W}val") if lang is not None else None
    body = document.find(f"{W}body")
    paragraph_styles = []
    headings = []
    for p in body.iter(f"{W}p"):
        ps = p.find(f"{W}pPr/{W}pStyle")
        name = style_names.get(ps.get(f"{W}val"), ps.get(f"{W}val")) if ps is not None else "Normal"
        paragraph_styles.append(name)
        if re.fullmatch(r"(?i)heading [1-9]|title", name):
            headings.append(name)
    tables = []
    for tbl in body.iter(f"{W}tbl"):
        caption = tbl.find(f"{W}tblPr/{W}tblCaption")
        rows = tbl.findall(f"{W}tr")
        header_rows = [bool(r.find(f"{W}trPr/{W}tblHeader") is not None) for r in rows]
        previous = tbl.getprevious()
        visible_caption = None
        if previous is not None and previous.tag == f"{W}p":
            ps = previous.find(f"{W}pPr/{W}pStyle")
            if ps is not None and style_names.get(ps.get(f"{W}val")) in ("caption", "Caption"):
                visible_caption = "".join(previous.itertext())
        first_col_bold = all(
            r.find(f"{W}tc/{W}p/{W}r/{W}rPr/{W}b") is not None for r in rows)
        tables.append({
            "caption": caption.get(f"{W}val") if caption is not None else None,
            "visible_caption": visible_caption,
            "rows": len(rows),
            "first_row_header": bool(header_rows and header_rows[0]),
            "header_rows": sum(header_rows),
            "first_column_bold": first_col_bold,
            "style": (tbl.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val")
                      if tbl.find(f"{W}tblPr/{W}tblStyle") is not None else None),
        })
    pictures = [{"descr": d.get("descr"), "title": d.get("title")} for d in body.iter(f"{WP}docPr")]
    hyperlinks = len(list(body.iter(f"{W}hyperlink")))
    theme_lang = None
    if settings is not None:
        tl = settings.find(f"{W}themeFontLang")
        theme_lang = tl.get(f"{W}val") if tl is not None else None

    def core_text(tag: str) -> str | None:
        el = core.find(tag)
        return el.text if el is not None else None

    return {
        "default_lang": default_lang.get(f"{W}val") if default_lang is not None else None,
        "normal_lang": normal_lang,
        "theme_font_lang": theme_lang,
        "title": core_text(f"{DC}title"),
        "creator": core_text(f"{DC}creator"),
        "subject": core_text(f"{DC}subject"),
        "keywords": core_text(f"{CP}keywords"),
        "language": core_text(f"{DC}language"),
        "created": core_text("{http://purl.org/dc/terms/}created"),
        "modified": core_text("{http://purl.org/dc/terms/}modified"),
        "headings": headings,
        "paragraph_styles": paragraph_styles,
        "tables": tables,
        "pictures": pictures,
        "hyperlinks": hyperlinks,
        "style_colours": colours,
        "zip_dates": sorted(zip_dates),
    }


def docx_text(docx_path: str | Path) -> str:
    """The document's text, one line per paragraph (table cells included)."""
    with zipfile.ZipFile(str(docx_path)) as zf:
        document = _xml(zf, "word/document.xml")
    lines = []
    for p in document.iter(f"{W}p"):
        lines.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return "\n".join(lines)


# --- HTML text ----------------------------------------------------------------

class _Text(HTMLParser):
    SKIP = {"script", "style", "title", "desc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "br", "div"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html_path: str | Path) -> str:
    """The visible text of an HTML file (no CSS, no SVG title/desc)."""
    parser = _Text()
    parser.feed(Path(html_path).read_text(encoding="utf-8"))
    text = "".join(parser.parts)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip())
