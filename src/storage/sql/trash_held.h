#pragma once

// The storage figures' rules in SQL (docs/TRASH.md, "Storage figures"), for an image whose id is
// `c.image_id` and whose row is `i`. Shared by the recount (Workspaces::RecountTrashHeld) and the
// exact changes of a batch (Images::TrashHeldAmong), so both count by one definition.
//
// Held only by the Trash: a trashed project, a trashed version or a version of a trashed project
// links it, and no active project and no active version of an active project does.
// Reclaimable (what Empty Trash frees): a project trashed with "also delete images" (or one of its
// versions) links it, and no other project does, active or in the Trash, nor a version of one (T12).
// Reclaimable implies held only by the Trash: an active project is one of the "other" projects.

#define LIMBO_ACTIVE_LINK                                                                  \
  "(EXISTS (SELECT 1 FROM project_images a1 JOIN projects p1 ON p1.id = a1.project_id "    \
  "   WHERE a1.image_id = c.image_id AND p1.trash_item_id IS NULL) "                       \
  " OR EXISTS (SELECT 1 FROM version_images a2 JOIN versions v2 ON v2.id = a2.version_id " \
  "   JOIN projects p2 ON p2.id = v2.project_id "                                          \
  "   WHERE a2.image_id = c.image_id AND v2.trash_item_id IS NULL AND p2.trash_item_id IS NULL))"

#define LIMBO_TRASHED_LINK                                                                 \
  "(EXISTS (SELECT 1 FROM project_images a3 JOIN projects p3 ON p3.id = a3.project_id "    \
  "   WHERE a3.image_id = c.image_id AND p3.trash_item_id IS NOT NULL) "                   \
  " OR EXISTS (SELECT 1 FROM version_images a4 JOIN versions v4 ON v4.id = a4.version_id " \
  "   JOIN projects p4 ON p4.id = v4.project_id "                                          \
  "   WHERE a4.image_id = c.image_id AND (v4.trash_item_id IS NOT NULL OR p4.trash_item_id IS NOT NULL)))"

// Two parameters, both bound true (cleanup_delete_images is a boolean on one database, 1 on the other).
#define LIMBO_DOOMED_LINK                                                                         \
  "(EXISTS (SELECT 1 FROM project_images a5 JOIN projects p5 ON p5.id = a5.project_id "           \
  "   JOIN trash_items t5 ON t5.id = p5.trash_item_id "                                           \
  "   WHERE a5.image_id = c.image_id AND t5.cleanup_delete_images = ?) "                          \
  " OR EXISTS (SELECT 1 FROM version_images a6 JOIN versions v6 ON v6.id = a6.version_id "        \
  "   JOIN projects p6 ON p6.id = v6.project_id JOIN trash_items t6 ON t6.id = p6.trash_item_id " \
  "   WHERE a6.image_id = c.image_id AND t6.cleanup_delete_images = ?))"

// Two parameters, both bound true: a link from a project that is not trashed with the flag.
#define LIMBO_SPARED_LINK                                                                              \
  "(EXISTS (SELECT 1 FROM project_images a7 JOIN projects p7 ON p7.id = a7.project_id "                \
  "   LEFT JOIN trash_items t7 ON t7.id = p7.trash_item_id "                                           \
  "   WHERE a7.image_id = c.image_id AND (t7.id IS NULL OR t7.cleanup_delete_images <> ?)) "           \
  " OR EXISTS (SELECT 1 FROM version_images a8 JOIN versions v8 ON v8.id = a8.version_id "             \
  "   JOIN projects p8 ON p8.id = v8.project_id LEFT JOIN trash_items t8 ON t8.id = p8.trash_item_id " \
  "   WHERE a8.image_id = c.image_id AND (t8.id IS NULL OR t8.cleanup_delete_images <> ?)))"

// The two sums over `c JOIN images i`; four parameters, all bound true.
#define LIMBO_TRASH_HELD_SUMS                                                            \
  "SELECT CAST(COALESCE(SUM(CASE WHEN " LIMBO_TRASHED_LINK " AND NOT " LIMBO_ACTIVE_LINK \
  " THEN i.size_bytes ELSE 0 END), 0) AS BIGINT), "                                      \
  "CAST(COALESCE(SUM(CASE WHEN " LIMBO_DOOMED_LINK " AND NOT " LIMBO_SPARED_LINK         \
  " THEN i.size_bytes ELSE 0 END), 0) AS BIGINT) "
