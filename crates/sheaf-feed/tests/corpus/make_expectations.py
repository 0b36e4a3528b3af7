#!/usr/bin/env python3
"""Write expectations.tsv for the feed corpus test.

Usage: make_expectations.py CORPUS_FEEDS_DIR FEED_RS_FIXTURE_DIR > expectations.tsv

Rows are `file<TAB>field<TAB>expected`. Sources:
- feedparser files: the `Expect:` Python expression in the leading comment, split at `and`
  and translated field by field; `Header: Content-type` becomes an `@content-type` input row;
- gofeed files: the expected JSON beside the XML file;
- feed-rs files: the `X.serde.json` beside each fixture in the feed-rs crate;
- hand-written rows (miniflux, extra and files without an expectation) from manual.tsv.

Fields Sheaf does not keep (HTTP headers, images, title_detail bases, ...) become `unmodelled`
rows so the test counts them without checking. Expected URLs of feedparser's HTTP files name
the test server http://127.0.0.1:8097/; they are rewritten to the feed URL base the test uses.
"""
import ast
import json
import os
import re
import sys

FEED_URL_BASE = "http://sheaf.test/"
FEEDPARSER_SERVER = "http://127.0.0.1:8097/"
VERSIONS = {
    "rss090": "Rss0x", "rss091n": "Rss0x", "rss091u": "Rss0x", "rss092": "Rss0x",
    "rss093": "Rss0x", "rss094": "Rss0x", "rss20": "Rss2", "rss": "Rss2", "rss10": "Rss1",
    "atom03": "Atom03", "atom10": "Atom1", "json1": "JsonFeed", "json11": "JsonFeed",
}


def escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def row(path, field, expected):
    print(f"{path}\t{field}\t{escape(str(expected))}")


def subscript_path(node):
    """Turn entries[0]['content'][0]['value'] or feed.title into a list of keys."""
    keys = []
    while True:
        if isinstance(node, ast.Subscript):
            keys.append(ast.literal_eval(node.slice))
            node = node.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            keys.append(node.id)
            return list(reversed(keys))
        else:
            return None


def field_for(keys):
    """Map a feedparser result path to a Sheaf field name, or None."""
    if keys is None:
        return None
    if keys[0] == "feed" and len(keys) == 2:
        return {"title": "feed.title", "link": "feed.url", "language": "feed.language",
                "updated_parsed": "feed.updated"}.get(keys[1])
    if keys[0] == "entries" and len(keys) >= 3:
        index, name = keys[1], keys[2]
        rest = keys[3:]
        simple = {"title": "title", "link": "url", "id": "id", "guid": "id",
                  "description": "summary_html", "summary": "summary_html",
                  "language": "language", "published_parsed": "published",
                  "updated_parsed": "updated"}
        if name in simple and not rest:
            return f"entry.{index}.{simple[name]}"
        if name == "title_detail" and rest == ["value"]:
            return f"entry.{index}.title_html"
        if name == "content" and rest == [0, "value"]:
            return f"entry.{index}.content_html"
        if name == "enclosures" and len(rest) == 1:
            return f"entry.{index}.enclosure.{rest[0]}"
    return None


def time_tuple(value):
    year, month, day, hour, minute, second = value[:6]
    return f"{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"


def rewrite_url(path, value):
    if "http" in path and isinstance(value, str):
        return value.replace(FEEDPARSER_SERVER, FEED_URL_BASE)
    return value


def literal(node):
    """Evaluate a literal, including string concatenations written with `+`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left), literal(node.right)
        return left + right if isinstance(left, str) and isinstance(right, str) else None
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def comparison(path, node, source):
    """Emit the row for one conjunct of an Expect expression."""
    text = ast.get_source_segment(source, node)
    if isinstance(node, ast.Name) and node.id == "bozo":
        return row(path, "bozo", "yes")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        operand = node.operand
        if isinstance(operand, ast.Name) and operand.id == "bozo":
            return row(path, "bozo", "no")
        if isinstance(operand, ast.Call) and getattr(operand.func, "attr", "") == "has_key":
            keys = subscript_path(operand.func.value)
            name = ast.literal_eval(operand.args[0])
            field = field_for(keys + [name]) if keys else None
            if field:
                return row(path, field, "(none)")
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        left, right = node.left, node.comparators[0]
        value = literal(right)
        if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "ord":
            left, value = left.args[0], chr(value)
        if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "len":
            keys = subscript_path(left.args[0])
            if keys == ["entries"]:
                return row(path, "entries.count", value)
        if isinstance(left, ast.Name) and left.id == "version" and value in VERSIONS:
            return row(path, "kind", VERSIONS[value])
        if isinstance(left, ast.Name) and left.id == "encoding":
            return row(path, "encoding", value)
        field = field_for(subscript_path(left))
        if field and isinstance(value, tuple):
            return row(path, field, time_tuple(value))
        if field and isinstance(value, dict) and "href" in value:
            return row(path, field, rewrite_url(path, value["href"]))
        if field and isinstance(value, str):
            return row(path, field, rewrite_url(path, value))
    row(path, "unmodelled", text)


def feedparser_rows(root, path):
    with open(os.path.join(root, path), "rb") as handle:
        head = handle.read(4096)
    for encoding in ("utf-8", "utf-16", "utf-32", "latin-1"):
        try:
            text = head.decode(encoding)
            if "Expect:" in text or "Description:" in text:
                break
        except UnicodeDecodeError:
            continue
    for header in re.findall(r"Header:\s*(.*)", text):
        name, _, value = header.partition(":")
        if name.strip().lower() == "content-type":
            row(path, "@content-type", value.strip())
        else:
            row(path, "unmodelled", f"header {header.strip()}")
    match = re.search(r"Expect:\s*(.*?)\s*(?:-->|\n\w+:|$)", text, re.S)
    if not match:
        return False
    source = match.group(1).strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        row(path, "unmodelled", source)
        return True
    conjuncts = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    for node in conjuncts:
        if isinstance(node, ast.Constant):
            row(path, "parse", "ok")
        else:
            comparison(path, node, source)
    return True


def gofeed_rows(root, path):
    expected_path = os.path.join(root, path[:-4] + ".json")
    if not os.path.exists(expected_path):
        return False
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    row(path, "parse", "ok")
    if "title" in expected:
        row(path, "feed.title", expected["title"])
    if "link" in expected:
        row(path, "feed.url", expected["link"])
    items = expected.get("items", [])
    row(path, "entries.count", len(items))
    for index, item in enumerate(items):
        for key, field in (("title", "title"), ("link", "url"), ("guid", "id"),
                           ("publishedParsed", "published")):
            if key in item:
                row(path, f"entry.{index}.{field}", item[key])
        if "description" in item:
            row(path, f"entry.{index}.summary_html", item["description"])
    return True


def feed_rs_rows(root, path, fixture_dir):
    name = path.split("/fixture/", 1)[1]
    stem = name.rsplit(".", 1)[0]
    expected_path = os.path.join(fixture_dir, stem + ".serde.json")
    if not os.path.exists(expected_path):
        return False
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    row(path, "parse", "ok")
    if expected.get("title"):
        row(path, "feed.title", expected["title"]["content"])
    entries = expected.get("entries", [])
    row(path, "entries.count", len(entries))
    for index, entry in enumerate(entries[:3]):
        if entry.get("title"):
            row(path, f"entry.{index}.title", entry["title"]["content"])
        links = [link for link in entry.get("links", []) if link.get("rel") in (None, "alternate")]
        if links:
            row(path, f"entry.{index}.url", links[0]["href"])
        for key in ("published", "updated"):
            if entry.get(key):
                row(path, f"entry.{index}.{key}", entry[key])
    return True


def main():
    root, fixture_dir = sys.argv[1], sys.argv[2]
    print("# file\tfield\texpected (generated by make_expectations.py; do not edit)")
    for directory, _, files in sorted(os.walk(root)):
        for file in sorted(files):
            if file.endswith(".md") or (directory.find("gofeed") >= 0 and file.endswith(".json")):
                continue
            path = os.path.relpath(os.path.join(directory, file), root)
            if path.startswith("feedparser/"):
                feedparser_rows(root, path)
            elif path.startswith("gofeed/"):
                gofeed_rows(root, path)
            elif path.startswith("feed-rs/"):
                feed_rs_rows(root, path, fixture_dir)


if __name__ == "__main__":
    main()
