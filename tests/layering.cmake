# Layering that the build alone does not catch.

# The HTTP layer reaches background work only through http::BackgroundControl: no file of
# src/http or src/web includes a header of src/jobs, and limbo_http does not link limbo_jobs.
file(GLOB_RECURSE sources ${ROOT}/src/http/*.cc ${ROOT}/src/http/*.h ${ROOT}/src/web/*.cc ${ROOT}/src/web/*.h)
set(bad "")
foreach(f ${sources})
  file(STRINGS ${f} hits REGEX "#include \"jobs/")
  if(hits)
    list(APPEND bad "${f}: ${hits}")
  endif()
endforeach()
file(READ ${ROOT}/src/http/CMakeLists.txt http_cmake)
if(http_cmake MATCHES "limbo_jobs")
  list(APPEND bad "src/http/CMakeLists.txt links limbo_jobs")
endif()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "The HTTP layer depends on src/jobs:\n${text}")
endif()

# The domain knows no HTTP and no SQL: no file of src/domain includes a header of src/http,
# src/storage, src/jobs, a database driver or Beast.
file(GLOB_RECURSE domain_sources ${ROOT}/src/domain/*.cc ${ROOT}/src/domain/*.h)
set(bad "")
foreach(f ${domain_sources})
  file(STRINGS ${f} hits REGEX "#include [<\"](http/|storage/|jobs/|sqlite3|pqxx|boost/)")
  if(hits)
    list(APPEND bad "${f}: ${hits}")
  endif()
endforeach()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "The domain depends on an outer layer:\n${text}")
endif()

# Time is read through core::Clock (tests and --dev-clock inject another): nothing outside src/core
# reads std::chrono's clocks.
file(GLOB_RECURSE all_sources ${ROOT}/src/*.cc ${ROOT}/src/*.h ${ROOT}/cli/*.cc ${ROOT}/cli/*.h)
set(bad "")
foreach(f ${all_sources})
  if(f MATCHES "/src/core/")
    continue()
  endif()
  file(STRINGS ${f} hits REGEX "chrono::(system_clock|steady_clock|high_resolution_clock)")
  if(hits)
    list(APPEND bad "${f}: ${hits}")
  endif()
endforeach()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "std::chrono clocks read outside src/core:\n${text}")
endif()
