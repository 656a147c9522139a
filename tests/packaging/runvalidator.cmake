# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a validator and fails unless it exits 0 AND prints nothing but lines matching ALLOW.
# Validators such as desktop-file-validate exit 0 on hints and warnings; we hold our files to
# "no remarks at all", with each tolerated remark named in ALLOW.
#   cmake -DCOMMAND="prog|arg|..." [-DALLOW=regex] [-DMISSING_HINT=text] -P runvalidator.cmake
string(REPLACE "|" ";" command "${COMMAND}")
list(GET command 0 program)
if(NOT EXISTS "${program}")
    message(FATAL_ERROR "${program} is missing. ${MISSING_HINT}")
endif()
execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
set(failed FALSE)
if(NOT rc EQUAL 0)
    message("'${COMMAND}' exited with ${rc}")
    set(failed TRUE)
endif()
# Semicolons would split a line into list items: neutralise them first.
string(REPLACE ";" "," lines "${out}")
string(REPLACE "\n" ";" lines "${lines}")
foreach(line IN LISTS lines)
    string(STRIP "${line}" stripped)
    if(stripped STREQUAL "")
        continue()
    endif()
    if(DEFINED ALLOW AND NOT ALLOW STREQUAL "" AND stripped MATCHES "${ALLOW}")
        continue()
    endif()
    # Plain message(): CMake would rewrap an error message, and the self-tests match this line.
    message("unexpected remark: ${stripped}")
    set(failed TRUE)
endforeach()
if(failed)
    message(FATAL_ERROR "validation failed")
endif()
message("validation clean")
