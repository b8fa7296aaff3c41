"""A strict reader of the Prometheus text exposition format (0.0.4) for the metrics tests."""
import re

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{(.*)\}})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def _unescape(v: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], v)


def parse(text: str) -> dict:
    """{(name, frozenset of (label, value))): float}; asserts every line is well formed, each family has
    one HELP and one TYPE before its samples, and no series repeats."""
    out, families, current = {}, {}, None
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, name, rest = line[2:6], *line[7:].split(" ", 1)
            assert re.fullmatch(_NAME, name), line
            fam = families.setdefault(name, {})
            assert kind not in fam, f"second {kind} for {name}"
            fam[kind] = rest
            current = name
            continue
        assert not line.startswith("#") and line, line
        m = _SAMPLE.match(line)
        assert m, f"malformed sample line: {line!r}"
        name, labels_text, value = m.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if families.get(current, {}).get("TYPE") == "histogram" else name
        assert family == current, f"{name} outside its family ({current})"
        labels = []
        if labels_text:
            pos = 0
            while pos < len(labels_text):
                lm = _LABEL.match(labels_text, pos)
                assert lm, f"malformed labels: {labels_text!r}"
                labels.append((lm.group(1), _unescape(lm.group(2))))
                pos = lm.end()
        key = (name, frozenset(labels))
        assert key not in out, f"repeated series {line}"
        out[key] = float(value.replace("+Inf", "inf").replace("-Inf", "-inf"))
    for name, fam in families.items():
        assert set(fam) == {"HELP", "TYPE"}, name
    return out


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: dict, name: str) -> list[dict]:
    return [dict(k[1]) for k in samples if k[0] == name]
