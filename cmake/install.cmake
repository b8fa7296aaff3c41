# `cmake --install`: the binaries, their shell completions and man pages, the systemd unit and the
# example configuration; `cpack -G DEB` packages the same files (docs/OPERATIONS.md, "Install from the
# package"). Completions, man pages and the example configuration are generated at build time from
# the binaries' own CLI11 trees and --help texts, so they never drift from the flags.
include(GNUInstallDirs)
set(LIMBO_GENERATED ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${LIMBO_GENERATED}/bash ${LIMBO_GENERATED}/zsh ${LIMBO_GENERATED}/man)
find_program(LIMBO_HELP2MAN help2man)
if(NOT LIMBO_HELP2MAN)
  message(WARNING "help2man not found (scripts/install-deps.sh installs it): no man pages")
endif()

set(_limbo_generated "")
set(_limbo_summary_limbod "the Limbo server")
set(_limbo_summary_limbo "the command-line client of a Limbo server")
foreach(prog limbod limbo)
  if(NOT TARGET ${prog})
    continue()
  endif()
  set(_run ${CMAKE_COMMAND} -DOUT=${LIMBO_GENERATED})
  add_custom_command(
    OUTPUT ${LIMBO_GENERATED}/bash/${prog} ${LIMBO_GENERATED}/zsh/_${prog}
    COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:${prog}>|completion|bash" -DOUT=${LIMBO_GENERATED}/bash/${prog}
            -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
    COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:${prog}>|completion|zsh" -DOUT=${LIMBO_GENERATED}/zsh/_${prog}
            -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
    DEPENDS ${prog} ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
    COMMENT "Generating the shell completions of ${prog}" VERBATIM)
  list(APPEND _limbo_generated ${LIMBO_GENERATED}/bash/${prog} ${LIMBO_GENERATED}/zsh/_${prog})
  install(FILES ${LIMBO_GENERATED}/bash/${prog} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${LIMBO_GENERATED}/zsh/_${prog} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  if(LIMBO_HELP2MAN)
    add_custom_command(
      OUTPUT ${LIMBO_GENERATED}/man/${prog}.1
      COMMAND ${LIMBO_HELP2MAN} --no-info --section=1
              --help-option=--help-all --version-option=--version "--name=${_limbo_summary_${prog}}"
              "--source=Limbo ${PROJECT_VERSION}" --include=${PROJECT_SOURCE_DIR}/packaging/${prog}.h2m
              --output=${LIMBO_GENERATED}/man/${prog}.1 $<TARGET_FILE:${prog}>
      DEPENDS ${prog} ${PROJECT_SOURCE_DIR}/packaging/${prog}.h2m
      COMMENT "Generating the man page of ${prog}" VERBATIM)
    list(APPEND _limbo_generated ${LIMBO_GENERATED}/man/${prog}.1)
    install(FILES ${LIMBO_GENERATED}/man/${prog}.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endif()
  install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endforeach()

if(TARGET limbod)
  # The example configuration: every key of `limbod serve` with its help, data in the unit's StateDirectory.
  add_custom_command(
    OUTPUT ${LIMBO_GENERATED}/limbod.toml
    COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:limbod>|config|example|--data=/var/lib/limbo"
            -DOUT=${LIMBO_GENERATED}/limbod.toml -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
    DEPENDS limbod ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
    COMMENT "Generating the example configuration" VERBATIM)
  list(APPEND _limbo_generated ${LIMBO_GENERATED}/limbod.toml)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/limbod.service DESTINATION lib/systemd/system)
  install(CODE "set(LIMBO_EXAMPLE_CONFIG \"${LIMBO_GENERATED}/limbod.toml\")")
  install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/install_config.cmake)
endif()
add_custom_target(limbo_generated ALL DEPENDS ${_limbo_generated})

# The Debian package: cpack -G DEB in the build folder (tests/package checks it).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME limbo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Limbo")
set(CPACK_PACKAGE_CONTACT "Limbo maintainers <maintainers@limbo.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Self-hosted workspace server for computer-vision datasets, with a Trash")
set(CPACK_PACKAGE_DESCRIPTION
    "limbod serves workspaces, datasets and training runs over HTTP with a web app, keeping what is\n deleted in a Trash; limbo is its command-line client. Metadata in SQLite or PostgreSQL.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)  # the install sees the prefix /usr, so the configuration goes to /etc
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "/etc/limbo/limbod.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm ${CMAKE_BINARY_DIR}/packaging/conffiles)
include(CPack)
