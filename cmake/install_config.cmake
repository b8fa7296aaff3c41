# Installs the example configuration as etc/limbo/limbod.toml: /etc/limbo for the prefix /usr (the
# package), PREFIX/etc/limbo otherwise. A direct install (no DESTDIR) keeps a file already there, since
# it is the operator's.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_limbo_etc "/etc/limbo")
else()
  set(_limbo_etc "${CMAKE_INSTALL_PREFIX}/etc/limbo")
endif()
if("$ENV{DESTDIR}" STREQUAL "" AND EXISTS "${_limbo_etc}/limbod.toml")
  message(STATUS "Keeping the existing ${_limbo_etc}/limbod.toml (the example is ${LIMBO_EXAMPLE_CONFIG})")
else()
  file(INSTALL DESTINATION "${_limbo_etc}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
       FILES "${LIMBO_EXAMPLE_CONFIG}")
endif()
