# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the build into an empty prefix and checks that everything a desktop needs landed at
# its FHS path: binary, helper, .desktop, metainfo, icons (SVG + every PNG size, checked as real
# PNGs of that size), polkit policy, example scripts and the man page.
#   cmake -DBUILD_DIR= -DSOURCE_DIR= -DPREFIX= -DAPP_ID= -DVERSION= -DICON_SIZES="16|22|..."
#         -DBINDIR= -DLIBEXECDIR= -DDATADIR= -DMANDIR= -DDESKTOP_FILE_VALIDATE= -DAPPSTREAMCLI=
#         -P installcheck.cmake
string(REPLACE "|" ";" icon_sizes "${ICON_SIZES}")
# A global property, so that the checks below can be functions.
function(fail text)
    set_property(GLOBAL APPEND PROPERTY install_failures "${text}")
    message(SEND_ERROR "${text}")
endfunction()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}")
endif()

function(expect_file relpath)
    if(NOT EXISTS "${PREFIX}/${relpath}" OR IS_DIRECTORY "${PREFIX}/${relpath}")
        fail("missing: ${relpath}")
    endif()
endfunction()

# An installed program must be a real ELF executable, not a script or a placeholder.
function(expect_elf relpath)
    expect_file("${relpath}")
    if(EXISTS "${PREFIX}/${relpath}")
        file(READ "${PREFIX}/${relpath}" magic LIMIT 4 HEX)
        if(NOT magic STREQUAL "7f454c46")
            fail("not an ELF executable: ${relpath}")
        endif()
        file(READ "${PREFIX}/${relpath}" header LIMIT 18 HEX)
        # e_type at byte 16: 2 = EXEC, 3 = DYN (PIE); a relocatable object would be 1.
        string(SUBSTRING "${header}" 32 2 etype)
        if(NOT etype MATCHES "^0[23]$")
            fail("not a linked executable (e_type ${etype}): ${relpath}")
        endif()
    endif()
endfunction()

function(expect_contains relpath regex what)
    if(EXISTS "${PREFIX}/${relpath}")
        file(READ "${PREFIX}/${relpath}" content)
        if(NOT content MATCHES "${regex}")
            fail("${relpath} lacks ${what}")
        endif()
    endif()
endfunction()

expect_elf("${BINDIR}/tracedesk")
expect_elf("${LIBEXECDIR}/tracedesk-helper")

set(desktop "${DATADIR}/applications/${APP_ID}.desktop")
expect_file("${desktop}")
expect_contains("${desktop}" "\nIcon=${APP_ID}\n" "Icon=${APP_ID}")
expect_contains("${desktop}" "\nExec=tracedesk" "Exec=tracedesk")

set(metainfo "${DATADIR}/metainfo/${APP_ID}.metainfo.xml")
expect_file("${metainfo}")
expect_contains("${metainfo}" "<id>${APP_ID}</id>" "<id>${APP_ID}</id>")
expect_contains("${metainfo}" "<launchable type=\"desktop-id\">${APP_ID}.desktop</launchable>" "its launchable")
# The newest release listed must be the version being built, or software centres show a stale one.
if(EXISTS "${PREFIX}/${metainfo}")
    file(READ "${PREFIX}/${metainfo}" content)
    string(REGEX MATCH "<release version=\"([^\"]*)\"" first "${content}")
    if(NOT CMAKE_MATCH_1 STREQUAL VERSION)
        fail("${metainfo}: newest release is '${CMAKE_MATCH_1}', the project version is '${VERSION}'")
    endif()
endif()

expect_file("${DATADIR}/icons/hicolor/scalable/apps/${APP_ID}.svg")
foreach(size IN LISTS icon_sizes)
    set(png "${DATADIR}/icons/hicolor/${size}x${size}/apps/${APP_ID}.png")
    expect_file("${png}")
    if(EXISTS "${PREFIX}/${png}")
        # PNG signature, then the IHDR chunk: width and height as big-endian 32-bit at byte 16.
        file(READ "${PREFIX}/${png}" sig LIMIT 8 HEX)
        file(READ "${PREFIX}/${png}" dims OFFSET 16 LIMIT 8 HEX)
        math(EXPR expected_hex "${size}" OUTPUT_FORMAT HEXADECIMAL)
        string(SUBSTRING "${dims}" 0 8 w)
        string(SUBSTRING "${dims}" 8 8 h)
        math(EXPR w "0x${w}")
        math(EXPR h "0x${h}")
        if(NOT sig STREQUAL "89504e470d0a1a0a")
            fail("${png} is not a PNG")
        elseif(NOT w EQUAL size OR NOT h EQUAL size)
            fail("${png} is ${w}x${h}, expected ${size}x${size}")
        endif()
    endif()
endforeach()

set(policy "${DATADIR}/polkit-1/actions/${APP_ID}.policy")
expect_file("${policy}")
expect_contains("${policy}" "<action id=\"${APP_ID}\\." "an action id prefixed ${APP_ID}.")
# pkexec finds the action by the program's absolute path: it must be the helper's installed path.
expect_contains("${policy}" "\"org\\.freedesktop\\.policykit\\.exec\\.path\">/[^<]*/${LIBEXECDIR}/tracedesk-helper<"
    "an exec.path annotation naming <prefix>/${LIBEXECDIR}/tracedesk-helper")

# Every example script of the source tree, and nothing else, lands in the example library.
file(GLOB source_examples RELATIVE "${SOURCE_DIR}/resources/examples" "${SOURCE_DIR}/resources/examples/*.bt")
file(GLOB installed_examples RELATIVE "${PREFIX}/${DATADIR}/tracedesk/examples" "${PREFIX}/${DATADIR}/tracedesk/examples/*.bt")
if(NOT source_examples)
    fail("resources/examples has no .bt scripts")
endif()
list(SORT source_examples)
list(SORT installed_examples)
if(NOT source_examples STREQUAL installed_examples)
    fail("installed examples [${installed_examples}] differ from resources/examples [${source_examples}]")
endif()

set(man "${MANDIR}/man1/tracedesk.1")
expect_file("${man}")
expect_contains("${man}" "\n\\.TH TRACEDESK 1 [^\n]*${VERSION}" "a .TH line carrying version ${VERSION}")

# The validators again, on what was installed (not only on the sources).
if(EXISTS "${PREFIX}/${desktop}")
    execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}" "${PREFIX}/${desktop}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0 OR NOT out STREQUAL "")
        fail("desktop-file-validate on the installed file: ${out}")
    endif()
endif()

get_property(failures GLOBAL PROPERTY install_failures)
if(failures)
    list(LENGTH failures n)
    message(FATAL_ERROR "${n} problem(s) in the installed tree under ${PREFIX}")
endif()
message("install tree complete under ${PREFIX}")
