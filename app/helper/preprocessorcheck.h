// SPDX-License-Identifier: GPL-2.0-or-later
// What a bpftrace program's C preprocessor part may do, checked the same way by the elevated
// helper and by the engine before any compile check.
//
// bpftrace hands the C part of a program (#include, #define, struct definitions) to clang,
// running as root, even when it only compiles (`--emit-elf /dev/null`). `#embed "/etc/shadow"`
// turns a root-only file into integer constants, `#include "/root/x"` puts its text in an error
// message, `__has_include` tells whether a file exists: one bit or one byte per check, without
// anyone approving anything. So a program may include only system headers (`#include <path>`,
// a relative path without "..") and use only the directives that read nothing
// (define/undef/if/ifdef/ifndef/elif/else/endif/error/warning).
//
// Plain C++ without Qt: the helper links nothing before its checks.
#pragma once

#include <string>
#include <string_view>

namespace PreprocessorCheck {

/// Empty when the program's preprocessor part reads no file; else what it would read, for a
/// message ("#embed reads a file when the program is compiled").
inline std::string fileAccess(std::string_view program)
{
    // Translation phase 2: a backslash before a newline joins the lines ("#em\<nl>bed").
    std::string text;
    text.reserve(program.size());
    for (size_t i = 0; i < program.size(); ++i) {
        if (program[i] == '\\') {
            size_t j = i + 1;
            if (j < program.size() && program[j] == '\r')
                ++j;
            if (j < program.size() && program[j] == '\n') {
                i = j;
                continue;
            }
        }
        text.push_back(program[i]);
    }
    // Phase 3: comments become one space (so "/* x */ #embed" is a directive), strings stay.
    std::string code;
    code.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '"' || c == '\'') {
            code.push_back(c);
            for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i) {
                code.push_back(text[i]);
                if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
                    code.push_back(text[++i]);
            }
            if (i < text.size())
                code.push_back(text[i]);
        } else if (c == '/' && next == '/') {
            while (i < text.size() && text[i] != '\n')
                ++i;
            if (i < text.size())
                code.push_back('\n');
        } else if (c == '/' && next == '*') {
            const size_t end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
            code.push_back(' ');
        } else {
            code.push_back(c);
        }
    }

    auto isIdent = [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    };
    // Anywhere in the code: operators that act like directives or ask about files.
    for (size_t i = 0; i < code.size();) {
        if (!isIdent(code[i])) {
            if (code[i] == '"') { // skip string literals: their words are text
                for (++i; i < code.size() && code[i] != '"' && code[i] != '\n'; ++i) {
                    if (code[i] == '\\')
                        ++i;
                }
            }
            ++i;
            continue;
        }
        size_t end = i;
        while (end < code.size() && isIdent(code[end]))
            ++end;
        const std::string_view word(code.data() + i, end - i);
        if (word == "_Pragma")
            return "_Pragma can make the compiler read files";
        if (word == "__has_include" || word == "__has_include_next" || word == "__has_embed")
            return std::string(word) + " asks whether a file exists when the program is compiled";
        i = end;
    }

    // Each directive: '#' (or the digraph "%:") first on its line.
    size_t lineStart = 0;
    bool firstLine = true;
    while (lineStart <= code.size()) {
        size_t lineEnd = code.find('\n', lineStart);
        if (lineEnd == std::string::npos)
            lineEnd = code.size();
        const std::string_view line(code.data() + lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        // "#!/usr/bin/bpftrace" on the first line is bpftrace's, never the compiler's.
        const bool shebang = firstLine && line.substr(0, 2) == "#!";
        firstLine = false;
        if (shebang)
            continue;
        size_t p = line.find_first_not_of(" \t\f\v\r");
        if (p == std::string_view::npos)
            continue;
        if (line[p] == '#')
            p += 1;
        else if (line.substr(p, 2) == "%:")
            p += 2;
        else
            continue;
        p = line.find_first_not_of(" \t\f\v\r", p);
        if (p == std::string_view::npos)
            continue; // a lone '#' is the null directive
        size_t nameEnd = p;
        while (nameEnd < line.size() && isIdent(line[nameEnd]))
            ++nameEnd;
        const std::string_view name = line.substr(p, nameEnd - p);
        if (name == "define" || name == "undef" || name == "if" || name == "ifdef" || name == "ifndef" || name == "elif"
            || name == "else" || name == "endif" || name == "error" || name == "warning")
            continue;
        if (name != "include")
            return "#" + std::string(name.empty() ? line.substr(p, 1) : name)
                + " is not allowed: it can make the compiler read files";
        // #include <relative/path.h> only: a system header, never a file chosen by path.
        size_t q = line.find_first_not_of(" \t", nameEnd);
        const size_t close = q == std::string_view::npos ? q : line.find('>', q);
        if (q == std::string_view::npos || line[q] != '<' || close == std::string_view::npos)
            return "#include of anything but a system header (<...>) reads a file chosen by the program";
        const std::string_view path = line.substr(q + 1, close - q - 1);
        if (path.empty() || path.front() == '/' || path.find("..") != std::string_view::npos)
            return "#include <" + std::string(path) + "> reads a file outside the system headers";
        for (char ch : path) {
            if (!(isIdent(ch) || ch == '/' || ch == '.' || ch == '-' || ch == '+'))
                return "#include <" + std::string(path) + "> is not a plain header path";
        }
        if (line.find_first_not_of(" \t", close + 1) != std::string_view::npos)
            return "#include with text after the header name";
    }
    return {};
}

} // namespace PreprocessorCheck
