"""GET /readyz for load balancers: ready while the database answers with the schema this server
knows and the blob store takes a write; 503 with the failed check's code otherwise, and ready again
once the cause is gone. Runs on SQLite and on PostgreSQL."""
import os
import sqlite3

from limbo_test_server import TEST_DB, Client, query


def schema_sql(server, sql: str) -> str | None:
    if TEST_DB:
        return query(server.db, sql)
    with sqlite3.connect(os.path.join(server.data, "limbo.db")) as db:
        row = db.execute(sql).fetchone()
        return None if row is None else str(row[0])


def test_ready_then_503_for_each_failed_check_then_ready_again(fresh_server):
    c = Client(fresh_server.base)
    assert c.get("/readyz").status == 200 and c.get("/readyz").body == {"status": "ready"}
    assert c.get("/healthz").status == 200

    # The blob store cannot take a write: its folder is replaced by a file (root ignores modes).
    blobs = os.path.join(fresh_server.data, "blobs")
    os.rename(blobs, blobs + ".aside")
    open(blobs, "w").close()
    try:
        r = c.get("/readyz")
        assert r.status == 503 and r.code == "blob_store_unwritable", r.body
        assert "aside" not in str(r.body) and "/" not in r.body["error"]["message"]  # no paths leak
        assert c.get("/healthz").status == 200  # alive, only not ready
    finally:
        os.remove(blobs)
        os.rename(blobs + ".aside", blobs)
    assert c.get("/readyz").status == 200

    # A newer server migrated the database further than this one knows.
    newest = int(schema_sql(fresh_server, "SELECT MAX(version) FROM schema_migrations"))
    schema_sql(fresh_server, f"INSERT INTO schema_migrations(version, applied_at) VALUES ({newest + 1}, 0)")
    try:
        r = c.get("/readyz")
        assert r.status == 503 and r.code == "schema_mismatch", r.body
        assert str(newest + 1) in r.body["error"]["message"] and str(newest) in r.body["error"]["message"]
    finally:
        schema_sql(fresh_server, f"DELETE FROM schema_migrations WHERE version = {newest + 1}")
    assert c.get("/readyz").status == 200
