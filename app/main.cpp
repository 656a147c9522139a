// SPDX-License-Identifier: GPL-2.0-or-later
// tracedesk: the window (default), --headless (MCP only) or --mcp-stdio (the bridge MCP clients
// launch). The command line is defined in commandline.h.
#include "commandline.h"

#include <QStringList>

#include <cstdio>

namespace {

QStringList argumentsFrom(int argc, char **argv)
{
    // Parsed before any Q*Application exists: which one to create depends on the options.
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

void print(std::FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

} // namespace

int main(int argc, char **argv)
{
    const CommandLineResult parsed = parseCommandLine(argumentsFrom(argc, argv));
    switch (parsed.status) {
    case CommandLineResult::Status::Exit:
        print(stdout, parsed.output);
        return 0;
    case CommandLineResult::Status::Error:
        print(stderr, parsed.error);
        return 2;
    case CommandLineResult::Status::Run:
        break;
    }
    print(stderr, QStringLiteral("tracedesk: this mode is being wired up (issue 4)\n"));
    return 1;
}
