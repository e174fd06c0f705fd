# Helpers shared by tests/ and examples/. Included only when sqlproof builds its own tests
# or examples; nothing here is installed.

set(SQLPROOF_RUN_IN_SCRATCH_DIR "${CMAKE_CURRENT_LIST_DIR}/run_in_scratch_dir.cmake")

# sqlproof_add_scratch_test(NAME <name> COMMAND <program> [args...])
#
# Registers a ctest test that runs <program> in a fresh, empty directory under the build
# tree (<build>/scratch/<name>), emptied before every run.
function(sqlproof_add_scratch_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME" "COMMAND")
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "sqlproof_add_scratch_test: NAME and COMMAND are required")
  endif()
  add_test(
    NAME "${arg_NAME}"
    COMMAND "${CMAKE_COMMAND}"
      "-DSCRATCH_DIR=${PROJECT_BINARY_DIR}/scratch/${arg_NAME}"
      -P "${SQLPROOF_RUN_IN_SCRATCH_DIR}"
      -- ${arg_COMMAND})
endfunction()
