# Layering that the build alone does not catch (a header include works without the link).

# Fails with `what` when a line of the files matching `globs` (except paths matching `except`)
# matches `regex`.
function(forbid what regex except)
  file(GLOB_RECURSE files ${ARGN})
  set(bad "")
  foreach(f ${files})
    if(except AND f MATCHES "${except}")
      continue()
    endif()
    file(STRINGS ${f} hits REGEX "${regex}")
    if(hits)
      list(APPEND bad "${f}: ${hits}")
    endif()
  endforeach()
  if(bad)
    list(JOIN bad "\n" text)
    message(FATAL_ERROR "${what}:\n${text}")
  endif()
endfunction()

# The HTTP layer reaches background work only through http::BackgroundControl: no file of
# src/http or src/web includes a header of src/jobs, and limbo_http does not link limbo_jobs.
forbid("The HTTP layer depends on src/jobs" "#include \"jobs/" "" ${ROOT}/src/http/*.cc ${ROOT}/src/http/*.h
       ${ROOT}/src/web/*.cc ${ROOT}/src/web/*.h)
file(READ ${ROOT}/src/http/CMakeLists.txt http_cmake)
if(http_cmake MATCHES "limbo_jobs")
  message(FATAL_ERROR "The HTTP layer depends on src/jobs: src/http/CMakeLists.txt links limbo_jobs")
endif()

# The domain knows no HTTP and no SQL: no file of src/domain includes a header of src/http,
# src/storage, src/jobs, a database driver or Beast.
forbid("The domain depends on an outer layer" "#include [<\"](http/|storage/|jobs/|sqlite3|pqxx|boost/)" ""
       ${ROOT}/src/domain/*.cc ${ROOT}/src/domain/*.h)

# Time is read through core::Clock (tests and --dev-clock inject another): nothing outside src/core
# reads std::chrono's clocks.
forbid("std::chrono clocks read outside src/core" "chrono::(system_clock|steady_clock|high_resolution_clock)"
       "/src/core/" ${ROOT}/src/*.cc ${ROOT}/src/*.h ${ROOT}/cli/*.cc ${ROOT}/cli/*.h)
