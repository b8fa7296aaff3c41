"""The paged listings (images, audit, trash) read `limit` and `cursor` alike: defaults, ranges,
the exact error of each bad value, and a next cursor only after a full page."""
from limbo_test_server import png


def error(r):
    return r.status, r.body["error"]["code"], r.body["error"]["message"]


NOT_A_NUMBER = (400, "invalid_request", "Query parameter 'limit' must be a number.")
TRASH_RANGE = (400, "invalid_request", "Query parameter 'limit' must be between 1 and 1000.")
BAD_CURSOR = (400, "invalid_cursor", "Query parameter 'cursor' is not a cursor of this listing.")


def make_project(c, ws, name):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection"})
    assert r.status == 201, r.body
    return r.body["url"]


def test_images_page_by_the_last_id_and_clamp_the_limit(ws):
    name, c = ws
    url = make_project(c, name, "Pages")
    for i in range(3):
        assert c.post(f"/{name}/{url}/upload?name={i}.png", raw=png(100 + i)).status == 201
    first = c.get(f"/{name}/images?limit=2").body
    assert len(first["images"]) == 2 and first["nextCursor"] == first["images"][-1]["id"]
    rest = c.get(f"/{name}/images?limit=2&cursor={first['nextCursor']}").body
    assert len(rest["images"]) == 1 and rest["nextCursor"] is None
    everything = c.get(f"/{name}/images").body  # 100 by default
    assert len(everything["images"]) == 3 and everything["nextCursor"] is None
    exact = c.get(f"/{name}/images?limit=3").body  # a full last page says that nothing follows
    assert len(exact["images"]) == 3 and exact["nextCursor"] is None
    assert c.get(f"/{name}/images?cursor=").body == everything  # an empty cursor is none
    one = c.get(f"/{name}/images?limit=0").body  # clamped to 1
    assert len(one["images"]) == 1 and one["nextCursor"] == one["images"][0]["id"]
    assert len(c.get(f"/{name}/images?limit=5000").body["images"]) == 3  # clamped to 1000
    for bad in ("abc", "", "99999999999999999999"):
        assert error(c.get(f"/{name}/images?limit={bad}")) == NOT_A_NUMBER, bad


def test_audit_pages_with_its_own_cursor(ws):
    name, c = ws
    for i in range(3):  # each move to the Trash is an audit event
        make_project(c, name, f"Audit {i}")
        assert c.delete(f"/{name}/audit-{i}").status == 200
    events = c.get(f"/{name}/audit").body
    n = len(events["events"])
    assert n >= 3 and events["nextCursor"] is None
    assert c.get(f"/{name}/audit?limit={n}").body["nextCursor"] is None  # nothing follows a full last page
    seen, cursor = [], None
    while True:
        page = c.get(f"/{name}/audit?limit=1" + (f"&cursor={cursor}" if cursor else "")).body
        seen += [e["id"] for e in page["events"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [e["id"] for e in events["events"]]
    assert len(c.get(f"/{name}/audit?limit=0").body["events"]) == 1  # clamped to 1
    for bad in ("abc", "", "99999999999999999999"):
        assert error(c.get(f"/{name}/audit?limit={bad}")) == NOT_A_NUMBER, bad
    # A cursor of another listing, or no cursor at all.
    trash_cursor = c.get(f"/{name}/trash?limit=1").body["nextCursor"]
    assert trash_cursor
    for bad in (trash_cursor, "!!!", "abc"):
        assert error(c.get(f"/{name}/audit?cursor={bad}")) == BAD_CURSOR, bad


def test_trash_rejects_a_limit_out_of_range_and_cursors_of_another_sort(ws):
    name, c = ws
    for i in range(3):
        make_project(c, name, f"Bin {i}")
        assert c.delete(f"/{name}/bin-{i}").status == 200
    page = c.get(f"/{name}/trash?limit=2").body
    assert len(page["items"]) == 2 and page["nextCursor"]
    rest = c.get(f"/{name}/trash?limit=2&cursor={page['nextCursor']}").body
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None
    assert len(c.get(f"/{name}/trash?limit=500").body["items"]) == 3
    for bad in ("abc", "", "0", "1001", "-1", "99999999999999999999"):
        assert error(c.get(f"/{name}/trash?limit={bad}")) == TRASH_RANGE, bad
    by_name = c.get(f"/{name}/trash?limit=1&sort=name").body["nextCursor"]
    assert c.get(f"/{name}/trash?limit=1&sort=name&cursor={by_name}").status == 200
    # A name cursor is no cursor of the date-sorted listing; nor is an audit cursor or garbage.
    audit_cursor = c.get(f"/{name}/audit?limit=1").body["nextCursor"]
    for bad in (by_name, audit_cursor, "!!!"):
        assert error(c.get(f"/{name}/trash?cursor={bad}")) == BAD_CURSOR, bad
    # The limit is checked before the cursor.
    assert error(c.get(f"/{name}/trash?limit=0&cursor=!!!")) == TRASH_RANGE
