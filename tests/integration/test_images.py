"""Uploads are decoded, not sniffed: fakes, lies, corrupt and oversized images get
415 / 413 with a code of their own, and nothing is stored for them."""
import os
import struct
import zlib

import pytest

from limbo_test_server import Server, png


def make_project(c, ws, name):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "x"})
    assert r.status == 201, r.body
    return r.body["url"]


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(w: int, h: int, real_w: int = 6, real_h: int = 5) -> bytes:
    """A PNG whose IHDR (with a right checksum) claims w x h but whose data is real_w x real_h."""
    rows = b"".join(b"\0" + bytes((x * 7 + y) % 256 for x in range(real_w * 3)) for y in range(real_h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def gif(w: int, h: int) -> bytes:
    """A real w x h GIF: a clear code before each pixel keeps every LZW code 3 bits wide."""
    acc, bits, out = 0, 0, bytearray()
    for code in [c for i in range(w * h) for c in (4, i % 4)] + [5]:
        acc |= code << bits
        bits += 3
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255]) for i in range(0, len(out), 255))
    return (b"GIF89a" + struct.pack("<HH", w, h) + b"\xf1\0\0" + b"\0\0\0\xff\0\0\0\xff\0\0\0\xff" +
            b"," + struct.pack("<HHHH", 0, 0, w, h) + b"\0" + b"\x02" + blocks + b"\0;")


@pytest.fixture(scope="module")
def small_server():
    """A server whose pixel limit is 10 000 (100 x 100)."""
    s = Server("--max-image-pixels", "10000").start()
    yield s
    s.stop()
    s.cleanup()


def test_header_only_fakes_and_lying_headers_are_refused(ws):
    name, c = ws
    make_project(c, name, "A")
    cases = [
        # The attack's 17 bytes, sent as a PNG: stored as a 28 205 x 29 807 image before. The signature
        # is a GIF's, so the declared type is refused before the header's size is believed.
        (b"GIF89a-not-really", "image/png", 415, "image_type_mismatch"),
        (b"GIF89a-not-really", None, 413, "image_too_large"),
        # A GIF claiming 65 535 x 65 535 with no data: accepted before.
        (b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\0\0\0", "image/gif", 413, "image_too_large"),
        # A GIF header and nothing else, a PNG signature and nothing else.
        (b"GIF89a\x02\x00\x03\x00\x00\x00\x00", None, 415, "invalid_image"),
        (b"\x89PNG\r\n\x1a\n", None, 415, "invalid_image"),
        # IHDR says 1000 x 1000, the data is 6 x 5.
        (png_claiming(1000, 1000), "image/png", 415, "invalid_image"),
        # Truncated and corrupt.
        (png(3)[:-20], "image/png", 415, "invalid_image"),
        (png(3)[:40] + bytes([png(3)[40] ^ 0xFF]) + png(3)[41:], "image/png", 415, "invalid_image"),
        (gif(4, 4)[:-3], "image/gif", 415, "invalid_image"),
        (b"this is not an image", None, 415, "unsupported_media_type"),
    ]
    before = c.get(f"/{name}/usage").body
    for body, ctype, status, code in cases:
        r = c.post(f"/{name}/a/upload", raw=body, headers={"Content-Type": ctype} if ctype else None)
        assert (r.status, r.code) == (status, code), (body[:24], r.status, r.body)
        assert r.body["error"]["message"]
    after = c.get(f"/{name}/usage").body
    assert after["images"] == before["images"] == 0 and after["storageBytes"] == 0


def test_real_images_pass_with_the_decoders_size(ws):
    name, c = ws
    make_project(c, name, "A")
    r = c.post(f"/{name}/a/upload?name=a.png", raw=png(7, 9, 4), headers={"Content-Type": "image/png"})
    assert r.status == 201, r.body
    assert (r.body["image"]["width"], r.body["image"]["height"]) == (9, 4)
    r = c.post(f"/{name}/a/upload?name=b.gif", raw=gif(5, 3), headers={"Content-Type": "image/gif"})
    assert r.status == 201, r.body
    assert (r.body["image"]["width"], r.body["image"]["height"]) == (5, 3)
    # No declared type, or a generic one: the bytes decide.
    assert c.post(f"/{name}/a/upload", raw=png(8)).status == 201
    assert c.post(f"/{name}/a/upload", raw=png(9), headers={"Content-Type": "application/octet-stream"}).status == 201


def test_the_declared_type_must_be_the_images_type(ws):
    name, c = ws
    make_project(c, name, "A")
    r = c.post(f"/{name}/a/upload?name=x.jpg", raw=png(11), headers={"Content-Type": "image/jpeg"})
    assert r.status == 415 and r.code == "image_type_mismatch", r.body
    assert "image/png" in r.body["error"]["message"] and r.body["error"]["hint"]
    r = c.post(f"/{name}/a/upload", raw=png(11), headers={"Content-Type": "image/webp"})
    assert r.status == 415 and r.code == "image_type_mismatch"
    # The same check on a multipart part's own Content-Type.
    boundary = "LIMBOBOUNDARY"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.gif\"\r\n"
            "Content-Type: image/gif\r\n\r\n").encode() + png(12) + f"\r\n--{boundary}--\r\n".encode()
    r = c.post(f"/{name}/a/upload", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 415 and r.code == "image_type_mismatch", r.body
    assert c.get(f"/{name}/usage").body["images"] == 0
    r = c.post(f"/{name}/a/upload", raw=png(11), headers={"Content-Type": "IMAGE/PNG; charset=binary"})
    assert r.status == 201, r.body


def test_max_image_pixels_is_the_servers_limit(small_server):
    c = small_server.bootstrap("small")
    make_project(c, "small", "A")
    assert c.post("/small/a/upload", raw=png(1, 100, 100)).status == 201
    r = c.post("/small/a/upload", raw=png(2, 101, 100))
    assert r.status == 413 and r.code == "image_too_large", r.body
    assert "10000" in r.body["error"]["message"] and "--max-image-pixels" in r.body["error"]["hint"]
    assert c.get("/small/usage").body["images"] == 1


def test_a_bad_max_image_pixels_is_refused_at_start():
    import subprocess
    from limbo_test_server import LIMBOD
    out = subprocess.run([LIMBOD, "serve", "--data", os.devnull + "-none", "--max-image-pixels", "0"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "max-image-pixels" in out.stderr + out.stdout
