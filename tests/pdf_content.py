"""What the page content streams of a tagged PDF say, read with pikepdf and poppler.

- ``marked_content(pdf_path)``: every marked-content sequence on every page (and
  in the form XObjects it draws), with its tag, MCID, whether it lies inside an
  ``/Artifact`` and whether the ParentTree maps it to an element reached from
  the StructTreeRoot (Matterhorn 01-001, 18-001).
- ``page_text(pdf_path, n)``: one page's text (``pdftotext -f n -l n``).
- ``header_mcid_pages``: on which pages the /THead cells of each table are tagged.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests import checkers


@dataclass(frozen=True)
class Marked:
    page: int          # 1-based
    tag: str
    mcid: int | None
    in_artifact: bool  # inside (or itself) an /Artifact sequence
    reached: bool      # its ParentTree entry is reached from the StructTreeRoot


def _reachable(pdf) -> set:
    return {e.objgen for e in checkers._struct_elements(pdf)}


def _parent_tree(pdf) -> dict[int, object]:
    import pikepdf

    found: dict[int, object] = {}

    def visit(node):
        nums = node.get("/Nums")
        if nums is not None:
            for i in range(0, len(nums), 2):
                found[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", pikepdf.Array()):
            visit(kid)

    visit(pdf.Root.StructTreeRoot.ParentTree)
    return found


def _sequences(pdf, stream_owner, key, page_no, tree, reachable, out, seen):
    import pikepdf

    entries = tree.get(int(key)) if key is not None else None
    stack: list[tuple[str, bool]] = []
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            artifact = tag == "/Artifact" or any(a for _, a in stack)
            reached = False
            if mcid is not None and isinstance(entries, pikepdf.Array) and mcid < len(entries):
                elem = entries[mcid]
                reached = isinstance(elem, pikepdf.Dictionary) and elem.objgen in reachable
            out.append(Marked(page_no, tag, mcid, artifact, reached))
            stack.append((tag, artifact))
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Do" and not any(a for _, a in stack):
            xobjects = stream_owner.get("/Resources", {}).get("/XObject", {}) if hasattr(stream_owner, "get") else {}
            xobj = xobjects.get(str(operands[0])) if xobjects else None
            if xobj is not None and xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                _sequences(pdf, xobj, xobj.get("/StructParents"), page_no, tree, reachable, out, seen)


def marked_content(pdf_path: str | Path) -> list[Marked]:
    import pikepdf

    out: list[Marked] = []
    with pikepdf.open(str(pdf_path)) as pdf:
        reachable = _reachable(pdf)
        tree = _parent_tree(pdf)
        for n, page in enumerate(pdf.pages, start=1):
            _sequences(pdf, page.obj, page.obj.get("/StructParents"), n, tree, reachable, out, set())
    return out


def untreed_content(pdf_path: str | Path) -> list[Marked]:
    """Marked content that is neither an artifact nor reached from the structure tree."""
    return [m for m in marked_content(pdf_path) if not m.in_artifact and not m.reached]


def page_text(pdf_path: str | Path, n: int) -> str:
    exe = shutil.which("pdftotext")
    checkers.require(exe is not None, "pdftotext (poppler-utils)")
    return subprocess.run([exe, "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf_path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout


def tables(pdf_path: str | Path) -> list[dict]:
    """Per /Table: its caption text, header cell count, and the pages its body rows and header cells are on."""
    import pikepdf

    found = []
    with pikepdf.open(str(pdf_path)) as pdf:
        index = {p.obj.objgen: i + 1 for i, p in enumerate(pdf.pages)}

        def pages_of(elem, page=None) -> set[int]:
            page = elem.get("/Pg", page)
            got: set[int] = set()
            for kid in checkers._kids(elem):
                if isinstance(kid, int):
                    got.add(index[page.objgen])
                elif checkers._is_elem(kid):
                    got |= pages_of(kid, page)
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    got.add(index[kid.get("/Pg", page).objgen])
            return got

        for elem in checkers._struct_elements(pdf):
            if elem.S != "/Table":
                continue
            heads = [k for k in checkers._kids(elem) if checkers._is_elem(k) and k.S == "/THead"]
            bodies = [k for k in checkers._kids(elem) if checkers._is_elem(k) and k.S == "/TBody"]
            head_cells = [c for h in heads for r in checkers._kids(h) for c in checkers._kids(r)
                          if checkers._is_elem(c)]
            found.append({
                "theads": len(heads),
                "header_cells": len(head_cells),
                "header_pages": set().union(*(pages_of(h) for h in heads)) if heads else set(),
                "body_pages": set().union(*(pages_of(b) for b in bodies)) if bodies else set(),
                "scopes": [str(c.get("/A", {}).get("/Scope", "")) for c in head_cells],
            })
    return found


def _mul(m, n):
    """The product of two PDF matrices [a b c d e f] (m applied first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def text_sizes(pdf_path: str | Path) -> list[tuple[int, int | None, float]]:
    """``(page, MCID, size in points)`` of every text-showing operator: the Tf size scaled by the text
    matrix and the current transformation matrix; the MCID of the innermost marked sequence, if any."""
    import pikepdf

    found = []
    with pikepdf.open(str(pdf_path)) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            saved: list = []
            tm = ctm
            size = 0.0
            marks: list[int | None] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    saved.append(ctm)
                elif op == "Q" and saved:
                    ctm = saved.pop()
                elif op == "cm":
                    ctm = _mul(tuple(float(x) for x in operands), ctm)
                elif op == "BT":
                    tm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
                elif op == "Tm":
                    tm = tuple(float(x) for x in operands)
                elif op == "Tf":
                    size = float(operands[1])
                elif op in ("BDC", "BMC"):
                    props = operands[1] if op == "BDC" and len(operands) > 1 else None
                    mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                    marks.append(mcid if mcid is not None else (marks[-1] if marks else None))
                elif op == "EMC" and marks:
                    marks.pop()
                elif op in ("Tj", "TJ", "'", '"'):
                    a, b, c, d, _, _ = _mul(tm, ctm)
                    found.append((n, marks[-1] if marks else None, size * abs(a * d - b * c) ** 0.5))
    return found


def table_text_sizes(pdf_path: str | Path) -> list[tuple[int, float]]:
    """``(page, size in points)`` of every piece of text tagged under a /Table (caption included)."""
    import pikepdf

    in_tables: set[tuple[int, int]] = set()
    with pikepdf.open(str(pdf_path)) as pdf:
        index = {p.obj.objgen: i + 1 for i, p in enumerate(pdf.pages)}

        def visit(elem, page, inside):
            page = elem.get("/Pg", page)
            inside = inside or elem.get("/S") == "/Table"
            for kid in checkers._kids(elem):
                if isinstance(kid, int):
                    if inside:
                        in_tables.add((index[page.objgen], int(kid)))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    if inside:
                        in_tables.add((index[kid.get("/Pg", page).objgen], int(kid.MCID)))
                elif checkers._is_elem(kid):
                    visit(kid, page, inside)

        visit(pdf.Root.StructTreeRoot, None, False)
    return [(page, size) for page, mcid, size in text_sizes(pdf_path) if (page, mcid) in in_tables]


def without_artifacts(pdf_path: str | Path, out_path: str | Path) -> Path:
    """A copy of the PDF with every ``/Artifact`` marked sequence removed from the page content."""
    import pikepdf

    with pikepdf.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            kept: list = []
            depth = 0  # nesting inside an artifact
            for instruction in pikepdf.parse_content_stream(page):
                if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                    if not depth:
                        kept.append(instruction)
                    continue
                op = str(instruction.operator)
                if op in ("BDC", "BMC") and (depth or str(instruction.operands[0]) == "/Artifact"):
                    depth += 1
                    continue
                if op == "EMC" and depth:
                    depth -= 1
                    continue
                if not depth:
                    kept.append(instruction)
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        pdf.save(str(out_path))
    return Path(out_path)


@dataclass(frozen=True)
class Link:
    """A /Link structure element: where its annotations go, where they are drawn, and its marked content."""
    targets: tuple[str, ...]                                # "#name" or the URI, one per annotation
    boxes: tuple[tuple[int, float, float, float, float], ...]  # (page, x0, y0, x1, y1) of each annotation
    mcids: tuple[tuple[int, int], ...]                      # (page, MCID) of its text


def _link(elem, index: dict, page) -> Link:
    import pikepdf

    targets, boxes, mcids = [], [], []
    page = elem.get("/Pg", page)
    for kid in checkers._kids(elem):
        if isinstance(kid, int):
            mcids.append((index[page.objgen], int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            annot = kid.Obj
            action = annot.get("/A")
            targets.append(str(action.URI) if action is not None and "/URI" in action
                           else "#" + str(annot.get("/Dest", "")).lstrip("/"))
            x0, y0, x1, y1 = (float(v) for v in annot.Rect)
            boxes.append((index[kid.get("/Pg", page).objgen], min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return Link(tuple(targets), tuple(boxes), tuple(mcids))


def lists(pdf_path: str | Path) -> list[list[list[Link]]]:
    """Every list of the tagged PDF, in structure order: for each item (/LI), its /Link elements in order.

    WeasyPrint makes a list that runs over a page break one /L per page (Kozea/WeasyPrint#2903), so /L
    elements that follow one another among the same parent's kids are read as one list."""
    import pikepdf

    found: list[list[list[Link]]] = []
    with pikepdf.open(str(pdf_path)) as pdf:
        index = {p.obj.objgen: i + 1 for i, p in enumerate(pdf.pages)}

        def links(elem, page) -> list[Link]:
            page = elem.get("/Pg", page)
            out = []
            for kid in checkers._kids(elem):
                if checkers._is_elem(kid):
                    out += [_link(kid, index, page)] if kid.S == "/Link" else links(kid, page)
            return out

        def visit(elem, page) -> None:
            page = elem.get("/Pg", page)
            previous_was_list = False
            for kid in checkers._kids(elem):
                if not checkers._is_elem(kid):
                    previous_was_list = False
                    continue
                if kid.S == "/L":
                    items = [links(li, kid.get("/Pg", page)) for li in checkers._kids(kid)
                             if checkers._is_elem(li) and li.S == "/LI"]
                    if previous_was_list:
                        found[-1] += items
                    else:
                        found.append(items)
                    previous_was_list = True
                else:
                    previous_was_list = False
                visit(kid, page)

        visit(pdf.Root.StructTreeRoot, None)
    return found
