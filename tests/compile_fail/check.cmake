# Checks that a source file does NOT compile, and that the compiler says why.
#
#   cmake -DCXX=<compiler> -DSOURCE=<file.cpp> [-DINCLUDES=<dir>|<dir>...] -P check.cmake
#
# Every line of SOURCE that starts with `// expect: ` gives a text the compiler's output
# must contain, matched literally (not as a regular expression). There must be at least
# one. The check passes when the compile fails and every expected text appears; otherwise
# it fails and prints the compiler's output.
#
# Example: a file whose first line is
#
#   // expect: sqlproof: query has 2 placeholders but its signature declares 1 parameter
#
# passes when it fails to compile with a diagnostic containing that text.
#
# The same file is checked with GCC and with Clang, which word their diagnostics
# differently (GCC: `static assertion failed: <message>`; Clang 14: `static_assert failed
# due to requirement '...' "<message>"`, with `"` and `\` inside the message escaped).
# Expect the message text itself, such as the `sqlproof: ...` sentence of a static_assert.

cmake_minimum_required(VERSION 3.23)

foreach(required IN ITEMS CXX SOURCE)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "compile_fail/check.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${SOURCE}")
  message(FATAL_ERROR "compile_fail/check.cmake: ${SOURCE} does not exist")
endif()

# --- the expected texts -------------------------------------------------------------------
#
# Read line by line with string(FIND), not as a CMake list: diagnostics contain ';', '['
# and '\' which list handling would mangle. Texts are kept in expect_0, expect_1, ...

file(READ "${SOURCE}" content)
string(REPLACE "\r\n" "\n" content "${content}")
set(content_all "${content}")
set(prefix "// expect: ")
string(LENGTH "${prefix}" prefix_length)
set(expect_count 0)
while(NOT content STREQUAL "")
  string(FIND "${content}" "\n" newline)
  if(newline EQUAL -1)
    set(line "${content}")
    set(content "")
  else()
    string(SUBSTRING "${content}" 0 ${newline} line)
    math(EXPR rest_start "${newline} + 1")
    string(SUBSTRING "${content}" ${rest_start} -1 content)
  endif()
  string(FIND "${line}" "${prefix}" position)
  if(position EQUAL 0)
    string(SUBSTRING "${line}" ${prefix_length} -1 text)
    string(STRIP "${text}" text)
    if(text STREQUAL "")
      message(FATAL_ERROR "${SOURCE}: an `// expect:` line has no text")
    endif()
    set(expect_${expect_count} "${text}")
    math(EXPR expect_count "${expect_count} + 1")
  endif()
endwhile()

if(expect_count EQUAL 0)
  message(FATAL_ERROR
    "${SOURCE}: no `// expect: <text>` line; a compile-fail test must say which "
    "diagnostic it expects")
endif()

# --- the compile --------------------------------------------------------------------------

set(include_flags)
if(DEFINED INCLUDES AND NOT INCLUDES STREQUAL "")
  string(REPLACE "|" ";" include_dirs "${INCLUDES}")
  foreach(dir IN LISTS include_dirs)
    list(APPEND include_flags "-I${dir}")
  endforeach()
endif()

# LC_ALL=C: GCC quotes with ‘’ in a UTF-8 locale, and the expected texts use ASCII.
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env LC_ALL=C LANG=C
    "${CXX}" -std=c++20 -fsyntax-only -fdiagnostics-color=never
    ${include_flags} "${SOURCE}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output
  TIMEOUT 600)

if(result EQUAL 0)
  message("${output}")
  message(FATAL_ERROR "${SOURCE}: compiled, but it must not")
endif()

set(missing "")
math(EXPR last "${expect_count} - 1")
foreach(i RANGE ${last})
  string(FIND "${output}" "${expect_${i}}" found)
  if(found EQUAL -1)
    string(APPEND missing "  ${expect_${i}}\n")
  endif()
endforeach()

if(NOT missing STREQUAL "")
  message("${output}")
  message(FATAL_ERROR
    "${SOURCE}: the compile failed, but the compiler's output above lacks:\n${missing}")
endif()

# --- one error, and near the top ----------------------------------------------------------
#
# One mistake gives one error. An error about a query (its output spells `in_query<`) names
# the query's SQL and says what is wrong within the first five lines of the compiler's own
# output: the `In file included from` lines GCC prints first, and the source excerpts under
# its notes, are not counted.

string(REGEX MATCHALL "error: " errors "${output}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message("${output}")
  message(FATAL_ERROR "${SOURCE}: ${error_count} errors; one mistake must give one error")
endif()

string(FIND "${output}" "in_query<" names_query)
if(NOT names_query EQUAL -1)
  set(rest "${output}")
  set(head "")
  set(kept 0)
  while(kept LESS 5 AND NOT rest STREQUAL "")
    string(FIND "${rest}" "\n" newline)
    if(newline EQUAL -1)
      set(line "${rest}")
      set(rest "")
    else()
      string(SUBSTRING "${rest}" 0 ${newline} line)
      math(EXPR rest_start "${newline} + 1")
      string(SUBSTRING "${rest}" ${rest_start} -1 rest)
    endif()
    # Not counted: GCC's include chain, and the source excerpts under a note (`  397 | ...`,
    # `      |   ^~~`), which GCC 14 prints for every `required from` line.
    if(line MATCHES "^In file included from " OR line MATCHES "^                 from "
       OR line MATCHES "^ *[0-9]* [|]" OR line STREQUAL "")
      continue()
    endif()
    string(APPEND head "${line}\n")
    math(EXPR kept "${kept} + 1")
  endwhile()
  string(FIND "${head}" "${expect_0}" message_on_top)
  string(FIND "${head}" "in_query<" sql_on_top)
  string(FIND "${head}" "Sql = sqlproof::fixed_string<" gcc_sql_on_top)
  if(message_on_top EQUAL -1 OR (sql_on_top EQUAL -1 AND gcc_sql_on_top EQUAL -1))
    message("${output}")
    message(FATAL_ERROR
      "${SOURCE}: the first five lines of the diagnostic must name the query's SQL and "
      "say what is wrong; they were:\n${head}")
  endif()
endif()

# --- the corrected case compiles -----------------------------------------------------------

# CHECK_FIXED=OFF skips it (scripts/test.sh checks the corrections with one compiler only:
# whether a correction compiles does not depend on which compiler reports the mistake).
string(FIND "${content_all}" "SQLPROOF_COMPILE_FAIL_FIXED" has_fixed)
if(NOT has_fixed EQUAL -1 AND NOT (DEFINED CHECK_FIXED AND NOT CHECK_FIXED))
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env LC_ALL=C LANG=C
      "${CXX}" -std=c++20 -fsyntax-only -fdiagnostics-color=never
      -DSQLPROOF_COMPILE_FAIL_FIXED ${include_flags} "${SOURCE}"
    RESULT_VARIABLE fixed_result
    OUTPUT_VARIABLE fixed_output
    ERROR_VARIABLE fixed_output
    TIMEOUT 600)
  if(NOT fixed_result EQUAL 0)
    message("${fixed_output}")
    message(FATAL_ERROR "${SOURCE}: the corrected case (SQLPROOF_COMPILE_FAIL_FIXED) does not compile")
  endif()
endif()

message(STATUS "${SOURCE}: fails to compile as expected (${expect_count} text(s) found)")
