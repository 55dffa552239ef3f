cmake_minimum_required(VERSION 3.18)
# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): Debian policy wants
# manual pages compressed with gzip -9n (no name or time stamp, so the
# package is reproducible); cmake --install keeps hotspot.1 plain.
file(GLOB_RECURSE pages "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/share/man/man1/*.1")
foreach(page ${pages})
  execute_process(COMMAND gzip -9nf ${page} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip -9n ${page} failed")
  endif()
endforeach()
