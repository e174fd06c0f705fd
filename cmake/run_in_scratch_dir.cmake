# Runs a program in an empty working directory, so the database files it creates land in
# the build tree and one run never sees another's leftovers.
#
#   cmake -DSCRATCH_DIR=<dir> -P run_in_scratch_dir.cmake -- <program> [args...]
#
# <dir> is deleted and created again before the program starts. The program's output goes
# straight through; a non-zero exit status (or a signal) fails this script.

cmake_minimum_required(VERSION 3.23)

if(NOT SCRATCH_DIR)
  message(FATAL_ERROR "run_in_scratch_dir: SCRATCH_DIR is not set")
endif()

set(command)
set(after_separator FALSE)
math(EXPR last_index "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last_index})
  if(after_separator)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_separator TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "run_in_scratch_dir: no program given after --")
endif()

file(REMOVE_RECURSE "${SCRATCH_DIR}")
file(MAKE_DIRECTORY "${SCRATCH_DIR}")

execute_process(
  COMMAND ${command}
  WORKING_DIRECTORY "${SCRATCH_DIR}"
  RESULT_VARIABLE result)

if(NOT result EQUAL 0)
  list(JOIN command " " command_text)
  message(FATAL_ERROR "'${command_text}' in ${SCRATCH_DIR} ended with: ${result}")
endif()
